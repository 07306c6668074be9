"""The Graft wire protocol in pure Python: values, frames and hellos.

The byte layout is specified in docs/PROTOCOL.md and tested against the vectors in
docs/protocol-vectors. No I/O: transport.py runs it over asyncio. Stdlib only, Python 3.8+.

- encode_value(obj, buf) / decode_value(data, pos, types) -> (obj, pos)
- encode_call / encode_call_part / encode_ping / encode_pong build the frames
  a client sends (client_frames.py; a server's, for tests, are in
  python/tests/server_frames.py); frame_length and parse_frame read them
  all, into frame_types.py's NamedTuples (re-exported here); decode_frame
  does both. encode_hello / decode_hello: the hello.
- The errors an Error frame raises (RemoteError, error_of, STATUS_*) are errors.py's.

Values are written by encoder.py and read by fastdecoder.py (falling back to
decoder.py, which checks every byte); lists of objects of one shape travel
as tables (tables.py); values.py holds what they share.
"""

from __future__ import annotations

import struct
from typing import Any, Callable, Dict, Mapping, NamedTuple, Optional, Tuple

from .client_frames import (  # re-exported: the frames a graft sends and the protocol's numbers
    AUTH as AUTH, CALL as CALL, CALL_PART as CALL_PART, CANCEL as CANCEL, CREDIT as CREDIT, ERROR as ERROR,
    DEFAULT_MAX_FRAME_SIZE as DEFAULT_MAX_FRAME_SIZE, GOODBYE as GOODBYE, HELLO_BAD_MAGIC as HELLO_BAD_MAGIC,
    HELLO_INVALID as HELLO_INVALID, HELLO_OK as HELLO_OK, HELLO_SIZE as HELLO_SIZE, ITEMS as ITEMS, MAGIC as MAGIC,
    HELLO_UNSUPPORTED_VERSION as HELLO_UNSUPPORTED_VERSION, PING as PING, PONG as PONG, REPLY as REPLY,
    PROTOCOL_ERROR as PROTOCOL_ERROR, REPLY_PART as REPLY_PART, VERSION as VERSION, encode_auth as encode_auth,
    encode_call as encode_call, encode_call_part as encode_call_part, encode_cancel as encode_cancel,
    encode_credit as encode_credit, encode_hello as encode_hello, encode_ping as encode_ping,
    encode_pong as encode_pong, set_call_timeout as set_call_timeout,
)
from .client_frames import _HELLO, _KIND_ID as _KIND_ID, _U16
from .decoder import decode as _decode, take_fields as _take_fields
from .encoder import encode_value as encode_value
from .errors import (  # re-exported: the errors an Error frame raises
    STATUS_BAD_ARGUMENTS as STATUS_BAD_ARGUMENTS, STATUS_CANCELLED as STATUS_CANCELLED, STATUS_RAISED as STATUS_RAISED,
    STATUS_DEADLINE_EXCEEDED as STATUS_DEADLINE_EXCEEDED, STATUS_INTERNAL as STATUS_INTERNAL, Refusal as Refusal,
    STATUS_NOT_FOUND as STATUS_NOT_FOUND, STATUS_OVERLOADED as STATUS_OVERLOADED, Overloaded as Overloaded,
    STATUS_UNAUTHENTICATED as STATUS_UNAUTHENTICATED, STATUS_UNAVAILABLE as STATUS_UNAVAILABLE, Raised as Raised,
    RemoteError as RemoteError, Unauthenticated as Unauthenticated, error_of as error_of,
)
from .fastdecoder import decode_at as _decode_at
from .frame_types import (  # re-exported: the frames parse_frame returns
    CallFrame as CallFrame, CallPartFrame as CallPartFrame, CancelFrame as CancelFrame, CreditFrame as CreditFrame,
    ErrorFrame as ErrorFrame, GoodbyeFrame as GoodbyeFrame, ItemsFrame as ItemsFrame, PingFrame as PingFrame,
    PongFrame as PongFrame, ProtocolErrorFrame as ProtocolErrorFrame, ReplyFrame as ReplyFrame,
    ReplyPartFrame as ReplyPartFrame,
)
from .values import (  # re-exported: the names a user of the wire needs
    BYTES as BYTES, DATE as DATE, DATETIME as DATETIME, DICT as DICT, ENUM as ENUM, FALSE as FALSE,
    FLOAT as FLOAT, I64_MAX as I64_MAX, I64_MIN as I64_MIN, INT as INT, LIST as LIST, MAX_DEPTH as MAX_DEPTH,
    NONE as NONE, OBJECT as OBJECT, OBJECT_REF as OBJECT_REF, ObjectRef as ObjectRef, SET as SET, STR as STR, TABLE as TABLE, TRUE as TRUE, TUPLE as TUPLE,
    UnknownObject as UnknownObject, WireError as WireError,
)
from .values import U32 as _U32, take_count as _take_count, take_str as _take_str


def decode_value(data: Any, pos: int = 0, types: Optional[Mapping[str, type]] = None) -> Tuple[Any, int]:
    """Decode one value from `data` (bytes, bytearray or memoryview) at `pos`.

    Returns (value, position after it). Objects and enums are rebuilt from
    `types` (class name -> class); see docs/PROTOCOL.md section 7. Raises
    WireError for malformed bytes and for values Python cannot hold.
    """
    try:
        if type(data) is bytes:  # the fast decoder reads bytes; a buffer is not copied for it
            return _decode_at(data, pos, types or {})
        return _decode(data, pos, types or {}, 0)
    except (IndexError, struct.error):
        raise WireError("truncated value: the data ends inside a value that starts at byte %d" % pos) from None


# ---------------------------------------------------------------- frames


def frame_length(data: Any, pos: int = 0, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> int:
    """The whole length (prefix included) of the frame starting at `pos`, or
    0 if `data` does not hold all of it yet. Raises WireError as soon as the
    prefix shows a length over `max_frame_size` or under the header size."""
    if len(data) - pos < 4:
        return 0
    (n,) = _U32.unpack_from(data, pos)
    if n > max_frame_size:
        raise WireError("frame of %d bytes exceeds the limit of %d bytes" % (n, max_frame_size))
    if n < 9:
        raise WireError("frame length %d is shorter than the 9-byte frame header" % n)
    return n + 4 if len(data) - pos >= n + 4 else 0


def parse_frame(frame: Any, types: Optional[Mapping[str, type]] = None) -> Any:
    """Decode one frame from `frame`: its bytes after the length prefix
    (bytes and bytearray are read as they are, anything else copied)."""
    types = types or {}
    if type(frame) is not bytes and type(frame) is not bytearray:
        frame = bytes(frame)
    try:
        kind, request_id = _KIND_ID.unpack_from(frame, 0)
        parser = _FRAME_PARSERS.get(kind)
        if parser is None:
            raise WireError("unknown frame kind 0x%02x" % kind)
        result, pos = parser(frame, 9, request_id, types)
    except (IndexError, struct.error):
        raise WireError("truncated frame: the body ends inside a field") from None
    if pos != len(frame):
        raise WireError("%d unexpected bytes after the end of the frame body" % (len(frame) - pos))
    return result


def decode_frame(data: Any, types: Optional[Mapping[str, type]] = None,
                 max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> Any:
    """Decode `data` that must hold exactly one whole frame, prefix included."""
    total = frame_length(data, 0, max_frame_size)
    if total == 0:
        raise WireError("truncated frame: %d bytes, fewer than its length prefix announces" % len(data))
    if total != len(data):
        raise WireError("%d unexpected bytes after the frame" % (len(data) - total))
    return parse_frame(memoryview(data)[4:], types)


def _p_call(f: Any, pos: int, rid: int, types: Mapping[str, type]) -> Tuple[Any, int]:
    service, pos = _take_str(f, pos, "service name")
    method, pos = _take_str(f, pos, "method name")
    obj, pos = _take_str(f, pos, "object id")
    metadata, pos = _take_metadata(f, pos)
    (timeout_ms,) = _U32.unpack_from(f, pos)
    n, pos = _take_count(f, pos + 4, "positional arguments", 1)
    args = []
    for _ in range(n):
        arg, pos = _decode_at(f, pos, types)
        args.append(arg)
    kwargs, pos = _take_fields(f, pos, types, 0, "keyword argument")
    return CallFrame(rid, service, method, args, kwargs, timeout_ms, obj, metadata), pos


def _take_metadata(f: Any, pos: int) -> Tuple[Tuple[Tuple[str, str], ...], int]:
    (count,) = _U16.unpack_from(f, pos)
    pos += 2
    entries = []
    for _ in range(count):
        name, pos = _take_str(f, pos, "metadata name")
        value, pos = _take_str(f, pos, "metadata value")
        entries.append((name, value))
    return tuple(entries), pos


def _p_reply(f: Any, pos: int, rid: int, types: Mapping[str, type]) -> Tuple[Any, int]:
    value, pos = _decode_at(f, pos, types)
    return ReplyFrame(rid, value), pos


def _p_reply_part(f: Any, pos: int, rid: int, types: Mapping[str, type]) -> Tuple[Any, int]:
    value, pos = _take_part(f, pos, types)
    return ReplyPartFrame(rid, value), pos


def _p_call_part(f: Any, pos: int, rid: int, types: Mapping[str, type]) -> Tuple[Any, int]:
    service, pos = _take_str(f, pos, "service name")
    method, pos = _take_str(f, pos, "method name")
    argument, pos = _take_str(f, pos, "argument name")
    value, pos = _take_part(f, pos, types)
    return CallPartFrame(rid, service, method, argument, value), pos


def _p_items(f: Any, pos: int, rid: int, types: Mapping[str, type]) -> Tuple[Any, int]:
    value, pos = _take_part(f, pos, types, "an Items")
    return ItemsFrame(rid, value), pos


def _take_part(f: Any, pos: int, types: Mapping[str, type], what: str = "a ReplyPart or CallPart") -> Tuple[Any, int]:
    if f[pos] != LIST and f[pos] != TABLE:
        raise WireError("%s frame carries a value that is not a list" % what)
    return _decode_at(f, pos, types)


def _p_error(f: Any, pos: int, rid: int, types: Mapping[str, type]) -> Tuple[Any, int]:
    status = f[pos]
    if status > STATUS_OVERLOADED:
        raise WireError("unknown error status %d" % status)
    type_name, pos = _take_str(f, pos + 1, "exception type name")
    module, pos = _take_str(f, pos, "exception module")
    message, pos = _take_str(f, pos, "exception message")
    n, pos = _take_count(f, pos, "exception args", 1)
    args = []
    for _ in range(n):
        arg, pos = _decode_at(f, pos, types)
        args.append(arg)
    fields, pos = _take_fields(f, pos, types, 0, "exception field")
    traceback, pos = _take_str(f, pos, "traceback")
    return ErrorFrame(rid, status, Raised(type_name, module, message, args, fields, traceback)), pos


def _p_goodbye(f: Any, pos: int, rid: int, types: Mapping[str, type]) -> Tuple[Any, int]:
    if rid != 0:
        raise WireError("a Goodbye frame has request id 0, not %d" % rid)
    reason, pos = _take_str(f, pos, "goodbye reason")
    return GoodbyeFrame(rid, reason), pos


def _p_protocol_error(f: Any, pos: int, rid: int, types: Mapping[str, type]) -> Tuple[Any, int]:
    (code,) = _U16.unpack_from(f, pos)
    message, pos = _take_str(f, pos + 2, "protocol error message")
    return ProtocolErrorFrame(rid, code, message), pos


_FRAME_PARSERS: Dict[int, Callable[[Any, int, int, Mapping[str, type]], Tuple[Any, int]]] = {
    CALL: _p_call,
    REPLY: _p_reply,
    REPLY_PART: _p_reply_part,
    CALL_PART: _p_call_part,
    ERROR: _p_error,
    ITEMS: _p_items,
    CREDIT: lambda f, pos, rid, types: (CreditFrame(rid, _U32.unpack_from(f, pos)[0]), pos + 4),
    CANCEL: lambda f, pos, rid, types: (CancelFrame(rid), pos),
    PING: lambda f, pos, rid, types: (PingFrame(rid), pos),
    PONG: lambda f, pos, rid, types: (PongFrame(rid), pos),
    GOODBYE: _p_goodbye,
    PROTOCOL_ERROR: _p_protocol_error,
}

# ---------------------------------------------------------------- hello


class Hello(NamedTuple):
    version: int
    status: int
    max_frame_size: int
    heartbeat_ms: int


def decode_hello(data: Any) -> Hello:
    """Read a 16-byte hello; checks the length and magic only."""
    if len(data) != HELLO_SIZE:
        raise WireError("a hello is %d bytes, not %d" % (HELLO_SIZE, len(data)))
    magic, version, status, max_frame_size, heartbeat_ms = _HELLO.unpack_from(data, 0)
    if magic != MAGIC:
        raise WireError("bad hello magic %r; expected b'GRFT' (is this a Graft TCP port?)" % bytes(magic))
    return Hello(version, status, max_frame_size, heartbeat_ms)
