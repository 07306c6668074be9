"""The frames only a server sends, for tests that stand in for one.

A graft is a client: it writes Call, CallPart, Credit, Cancel, Ping and Pong
frames (graft_runtime/client_frames.py) and only reads the others, so their encoders
live here, in test code, not in every graft's wheel (issue 13, bug 7). They
use the runtime's own frame builders, so they write what docs/PROTOCOL.md says
(test_wire.py checks them against the protocol vectors).
"""

import sys
from pathlib import Path
from typing import Any, List

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from graft_runtime import wire  # noqa: E402
from graft_runtime.wire import (  # noqa: E402
    DEFAULT_MAX_FRAME_SIZE, ERROR, GOODBYE, ITEMS, PROTOCOL_ERROR, REPLY, REPLY_PART, Raised,
)
from graft_runtime.client_frames import _U16, _U32, _encode, _finish, _part, _put_str, _start  # noqa: E402

__all__ = ["encode_reply", "encode_reply_part", "encode_items", "encode_error", "encode_goodbye", "encode_protocol_error", "wire"]


def encode_reply(request_id: int, value: Any, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> bytearray:
    buf = _start(REPLY, request_id)
    _encode(value, buf, 0)
    return _finish(buf, max_frame_size)


def encode_reply_part(request_id: int, items: List[Any], max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> bytearray:
    """A ReplyPart frame: `items`, the first items of a returned list."""
    return _part(_start(REPLY_PART, request_id), items, max_frame_size)


def encode_items(request_id: int, items: List[Any], max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> bytearray:
    """An Items frame: the next `items` of a streaming call."""
    return _part(_start(ITEMS, request_id), items, max_frame_size)


def encode_error(request_id: int, status: int, raised: Raised,
                 max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> bytearray:
    buf = _start(ERROR, request_id)
    buf.append(status)
    for text in (raised.type_name, raised.module, raised.message):
        _put_str(buf, text)
    buf += _U32.pack(len(raised.args))
    for arg in raised.args:
        _encode(arg, buf, 0)
    buf += _U32.pack(len(raised.fields))
    for name, value in raised.fields.items():
        _put_str(buf, name)
        _encode(value, buf, 0)
    _put_str(buf, raised.traceback)
    return _finish(buf, max_frame_size)


def encode_goodbye(reason: str) -> bytearray:
    buf = _start(GOODBYE, 0)
    _put_str(buf, reason)
    return _finish(buf, DEFAULT_MAX_FRAME_SIZE)


def encode_protocol_error(request_id: int, code: int, message: str) -> bytearray:
    buf = _start(PROTOCOL_ERROR, request_id)
    buf += _U16.pack(code)
    _put_str(buf, message)
    return _finish(buf, DEFAULT_MAX_FRAME_SIZE)


