"""The frames a graft sends, and the protocol's numbers (docs/PROTOCOL.md).

A graft is a client: it writes the hello, then Auth, Call, CallPart, Credit,
Cancel, Ping and Pong frames. wire.py reads every frame and re-exports these
encoders; the frames only a server sends are built in test code
(python/tests/server_frames.py, with `_start`, `_part` and `_finish` from here).
Standard library only, Python 3.8+.
"""

from __future__ import annotations

import struct
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from . import identity
from .encoder import ENCODERS as _ENCODERS, encode_at as _encode, resolve as _resolve
from .values import U32 as _U32, WireError, put_str as _put_str

VERSION = 8
MAGIC = b"GRFT"
HELLO_SIZE = 16
DEFAULT_MAX_FRAME_SIZE = 64 * 1024 * 1024

# Frame kinds.
CALL, REPLY, ERROR, PING, PONG, GOODBYE, PROTOCOL_ERROR, REPLY_PART, CALL_PART = range(1, 10)
ITEMS, CREDIT, CANCEL = 0x0A, 0x0B, 0x0C  # streaming calls (version 5)
AUTH = 0x0D  # the caller's token, right after the hello (version 7)
# Hello statuses.
HELLO_OK, HELLO_UNSUPPORTED_VERSION, HELLO_BAD_MAGIC, HELLO_INVALID = 0, 1, 2, 3

_U16 = struct.Struct(">H")
_HEADER = struct.Struct(">IBQ")  # length, kind, request id
_KIND_ID = struct.Struct(">BQ")  # a frame's kind and request id, after its length
_CREDIT = struct.Struct(">IBQI")  # a Credit frame: the header and its u32
_HELLO = struct.Struct(">4sHHII")
_U32_U32 = struct.Struct(">II")
_NO_OBJECT = b"\0\0\0\0"  # an empty object id: a static method, class method or function
_NO_METADATA = b"\0\0"  # a Call without metadata
_NAMES: Dict[Tuple[str, ...], bytes] = {}  # service, method and keyword names as the wire writes them
_NAMES_MAX = 4096
_GRAFTS: Dict[str, bytes] = {}  # a call's metadata when it is only its graft's version, by graft


def _start(kind: int, request_id: int) -> bytearray:
    return bytearray(_HEADER.pack(0, kind, request_id))


def _finish(buf: bytearray, max_frame_size: int) -> bytearray:
    n = len(buf) - 4
    if n > max_frame_size:
        raise WireError("frame of %d bytes exceeds the limit of %d bytes" % (n, max_frame_size))
    _U32.pack_into(buf, 0, n)
    return buf


def encode_call(request_id: int, service: str, method: str, args: Any, kwargs: Mapping[str, Any],
                timeout_ms: int = 0, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE, obj: str = "",
                metadata: Sequence[Tuple[str, str]] = (), graft: str = "") -> bytearray:
    """A whole Call frame, on the object `obj` if given, carrying `metadata`
    ((name, value) pairs, names lower-case) and the calling graft's version
    `graft`, if any (identity.py). timeout_ms 0 means no timeout."""
    buf = bytearray(_HEADER.pack(0, CALL, request_id))
    buf += _encoded_names(service, method)
    if obj:
        _put_str(buf, obj)
    else:
        buf += _NO_OBJECT
    if metadata:
        _put_metadata(buf, identity.with_graft(tuple(metadata), graft) if graft else metadata)
    elif graft:
        buf += _GRAFTS.get(graft) or _graft_only(graft)
    else:
        buf += _NO_METADATA
    buf += _U32_U32.pack(timeout_ms, len(args))
    get = _ENCODERS.get
    for arg in args:
        cls = type(arg)
        (get(cls) or _resolve(cls))(arg, buf, 0)
    buf += _U32.pack(len(kwargs))
    for name, value in kwargs.items():
        buf += _encoded_names(name)
        cls = type(value)
        (get(cls) or _resolve(cls))(value, buf, 0)
    return _finish(buf, max_frame_size)


def _put_metadata(buf: bytearray, metadata: Sequence[Tuple[str, str]]) -> None:
    if len(metadata) > 0xFFFF:
        raise WireError("a call carries at most 65535 metadata entries, not %d" % len(metadata))
    buf += _U16.pack(len(metadata))
    for name, value in metadata:
        _put_str(buf, name)
        _put_str(buf, value)


def _graft_only(graft: str) -> bytes:
    """The metadata of a call that carries only its graft's version, as the
    wire writes it: the same few bytes for every call of that graft, kept
    in _GRAFTS after the first."""
    buf = bytearray()
    _put_metadata(buf, ((identity.HEADER, graft),))
    found = _GRAFTS[graft] = bytes(buf)
    return found


def set_call_timeout(frame: bytearray, timeout_ms: int) -> None:
    """Rewrites the timeout of a Call frame made by `encode_call` (for a
    caller that waited before sending it)."""
    pos = _HEADER.size  # the length prefix, kind and request id
    for _ in range(3):  # the service and method names, the object id
        pos += 4 + _U32.unpack_from(frame, pos)[0]
    (entries,) = _U16.unpack_from(frame, pos)
    pos += 2
    for _ in range(2 * entries):  # the metadata's names and values
        pos += 4 + _U32.unpack_from(frame, pos)[0]
    _U32.pack_into(frame, pos, timeout_ms)


def _encoded_names(*names: str) -> bytes:
    """`names` each as a length-prefixed UTF-8 string, remembered (a bounded number of them)."""
    found = _NAMES.get(names)
    if found is None:
        buf = bytearray()
        for name in names:
            _put_str(buf, name)
        found = bytes(buf)
        if len(_NAMES) < _NAMES_MAX:
            _NAMES[names] = found
    return found


def encode_call_part(request_id: int, service: str, method: str, argument: str, items: List[Any],
                     max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> bytearray:
    """A CallPart frame: `items`, the first items of the call's keyword
    argument `argument` (the first positional one when it is empty)."""
    buf = _start(CALL_PART, request_id)
    _put_str(buf, service)
    _put_str(buf, method)
    _put_str(buf, argument)
    return _part(buf, items, max_frame_size)


def _part(buf: bytearray, items: List[Any], max_frame_size: int) -> bytearray:
    if type(items) is not list:
        raise TypeError("a part carries a list, not %s" % type(items).__name__)
    _encode(items, buf, 0)
    return _finish(buf, max_frame_size)


def encode_credit(request_id: int, n: int) -> bytes:
    """A Credit frame: `n` bytes more for the streaming call's window."""
    return _CREDIT.pack(13, CREDIT, request_id, n)


def encode_cancel(request_id: int) -> bytes:
    return _HEADER.pack(9, CANCEL, request_id)


def encode_auth(token: str) -> bytes:
    """The Auth frame: the caller's token, sent right after the hello."""
    body = bytearray(_KIND_ID.pack(AUTH, 0))
    _put_str(body, token)
    return struct.pack(">I", len(body)) + bytes(body)


def encode_ping(request_id: int) -> bytes:
    return _HEADER.pack(9, PING, request_id)


def encode_pong(request_id: int) -> bytes:
    return _HEADER.pack(9, PONG, request_id)


def encode_hello(max_frame_size: int = DEFAULT_MAX_FRAME_SIZE, heartbeat_ms: int = 10_000,
                 version: int = VERSION, status: int = HELLO_OK) -> bytes:
    return _HELLO.pack(MAGIC, version, status, max_frame_size, heartbeat_ms)
