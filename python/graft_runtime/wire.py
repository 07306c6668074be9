"""The Graft wire protocol in pure Python: values, frames and hellos.

The byte layout is specified in docs/PROTOCOL.md and tested against the
vectors in docs/protocol-vectors. This module has no I/O; transport.py runs it
over asyncio. Standard library only, Python 3.8+.

- encode_value(obj, buf) / decode_value(data, pos, types) -> (obj, pos)
- encode_call / encode_call_part / encode_ping / encode_pong build the frames
  a client sends (a server's, for tests, are in python/tests/server_frames.py);
  frame_length and parse_frame read them all; decode_frame does both.
- encode_hello / decode_hello for the 16-byte hello.

Values are written by encoder.py and read by fastdecoder.py (falling back to
decoder.py, which checks every byte); lists of objects of one shape travel
as tables (tables.py); values.py holds what they share.
"""

from __future__ import annotations

import struct
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from .decoder import decode as _decode, take_fields as _take_fields
from .encoder import ENCODERS as _ENCODERS, encode_at as _encode, encode_value as encode_value, resolve as _resolve
from .fastdecoder import decode_at as _decode_at
from .values import (  # re-exported: the names a user of the wire needs
    BYTES as BYTES, DATE as DATE, DATETIME as DATETIME, DICT as DICT, ENUM as ENUM, FALSE as FALSE,
    FLOAT as FLOAT, I64_MAX as I64_MAX, I64_MIN as I64_MIN, INT as INT, LIST as LIST, MAX_DEPTH as MAX_DEPTH,
    NONE as NONE, OBJECT as OBJECT, OBJECT_REF as OBJECT_REF, ObjectRef as ObjectRef, SET as SET, STR as STR, TABLE as TABLE, TRUE as TRUE, TUPLE as TUPLE,
    UnknownObject as UnknownObject, WireError as WireError,
)
from .values import U32 as _U32, put_str as _put_str, take_count as _take_count, take_str as _take_str

VERSION = 8
MAGIC = b"GRFT"
HELLO_SIZE = 16
DEFAULT_MAX_FRAME_SIZE = 64 * 1024 * 1024

# Frame kinds.
CALL, REPLY, ERROR, PING, PONG, GOODBYE, PROTOCOL_ERROR, REPLY_PART, CALL_PART = range(1, 10)
ITEMS, CREDIT, CANCEL = 0x0A, 0x0B, 0x0C  # streaming calls (version 5)
AUTH = 0x0D  # the caller's token, right after the hello (version 7)
# Error statuses.
STATUS_RAISED, STATUS_NOT_FOUND, STATUS_BAD_ARGUMENTS, STATUS_INTERNAL = 0, 1, 2, 3
STATUS_DEADLINE_EXCEEDED, STATUS_UNAVAILABLE, STATUS_CANCELLED = 4, 5, 6
STATUS_UNAUTHENTICATED = 7  # version 7: the gateway needs a known token (gg --authTokens)
STATUS_OVERLOADED = 8  # version 8: the gateway runs as many calls as it may and refused this one
# Hello statuses.
HELLO_OK, HELLO_UNSUPPORTED_VERSION, HELLO_BAD_MAGIC, HELLO_INVALID = 0, 1, 2, 3

_U16 = struct.Struct(">H")
_HEADER = struct.Struct(">IBQ")  # length, kind, request id
_CREDIT = struct.Struct(">IBQI")  # a Credit frame: the header and its u32
_HELLO = struct.Struct(">4sHHII")


class Raised(NamedTuple):
    """An exception raised on the server, as the Error frame carries it."""

    type_name: str
    module: str
    message: str
    args: List[Any]
    fields: Dict[str, Any]
    traceback: str


class RemoteError(Exception):
    """A call failed on the server. `status` is a STATUS_* code; `raised`
    holds the exception; its parts are also attributes of the error."""

    def __init__(self, status: int, raised: Raised) -> None:
        super().__init__("%s.%s: %s" % (raised.module, raised.type_name, raised.message))
        self.status = status
        self.raised = raised
        self.type_name = raised.type_name
        self.module = raised.module
        self.message = raised.message
        self.fields = raised.fields
        self.traceback = raised.traceback


class Refusal(RemoteError):
    """A call the gateway at host:port refused; its message names that
    address, where the graft connected (the gateway names nothing of itself)."""

    # What the gateway did, before its own message.
    did = "refused the call"

    def __init__(self, status: int, raised: Raised, host: str = "", port: int = 0) -> None:
        super().__init__(status, raised)
        self.host = host
        self.port = port
        if host:
            self.args = ("Graft gateway at %s:%d %s: %s" % (host, port, self.did, raised.message),)


class Unauthenticated(Refusal, PermissionError):
    """The gateway at host:port needs a known token and this graft sent none,
    or an unknown one: set `token=` in its configuration, or GRAFT_TOKEN."""


class Overloaded(Refusal, ConnectionError):
    """The gateway at host:port refused the call at once, before it ran: it
    runs as many calls as it may (gg --maxInFlight, --maxInFlightPerConnection,
    --maxThreadsPerMethod). Safe to call again, on another replica or later."""

    did = "is overloaded"


def error_of(status: int, raised: Raised, host: str = "", port: int = 0) -> RemoteError:
    """The error an Error frame of `status` raises: Overloaded (8),
    Unauthenticated (7) or a RemoteError."""
    if status == STATUS_OVERLOADED:
        return Overloaded(status, raised, host, port)
    if status == STATUS_UNAUTHENTICATED:
        return Unauthenticated(status, raised, host, port)
    return RemoteError(status, raised)


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

_KIND_ID = struct.Struct(">BQ")


class CallFrame(NamedTuple):
    request_id: int
    service: str
    method: str
    args: List[Any]
    kwargs: Dict[str, Any]
    timeout_ms: int
    object: str = ""  # the object the method is called on (version 6), or empty
    metadata: Tuple[Tuple[str, str], ...] = ()  # (name, value) pairs, names lower-case (version 7)


class CallPartFrame(NamedTuple):
    """The first items of a call's argument, ahead of the Call that carries the rest:
    the keyword argument `argument`, or the first positional one when it is empty."""

    request_id: int
    service: str
    method: str
    argument: str
    value: List[Any]


class ReplyFrame(NamedTuple):
    request_id: int
    value: Any


class ReplyPartFrame(NamedTuple):
    """The first items of a returned list, ahead of the Reply that carries the rest."""

    request_id: int
    value: List[Any]


class ItemsFrame(NamedTuple):
    """The next items of a streaming call, in order."""

    request_id: int
    value: List[Any]


class CreditFrame(NamedTuple):
    """`bytes` added to a streaming call's window."""

    request_id: int
    bytes: int


class CancelFrame(NamedTuple):
    """The client stops consuming a streaming call."""

    request_id: int


class ErrorFrame(NamedTuple):
    request_id: int
    status: int
    raised: Raised


class PingFrame(NamedTuple):
    request_id: int


class PongFrame(NamedTuple):
    request_id: int


class GoodbyeFrame(NamedTuple):
    request_id: int
    reason: str


class ProtocolErrorFrame(NamedTuple):
    request_id: int
    code: int
    message: str


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
                metadata: Sequence[Tuple[str, str]] = ()) -> bytearray:
    """A whole Call frame, on the object `obj` if given, carrying `metadata`
    ((name, value) pairs, names lower-case). timeout_ms 0 means no timeout."""
    buf = bytearray(_HEADER.pack(0, CALL, request_id))
    buf += _encoded_names(service, method)
    if obj:
        _put_str(buf, obj)
    else:
        buf += _NO_OBJECT
    if metadata:
        _put_metadata(buf, metadata)
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


_U32_U32 = struct.Struct(">II")
_NO_OBJECT = b"\0\0\0\0"  # an empty object id: a static method, class method or function
_NO_METADATA = b"\0\0"  # a Call without metadata


def _put_metadata(buf: bytearray, metadata: Sequence[Tuple[str, str]]) -> None:
    if len(metadata) > 0xFFFF:
        raise WireError("a call carries at most 65535 metadata entries, not %d" % len(metadata))
    buf += _U16.pack(len(metadata))
    for name, value in metadata:
        _put_str(buf, name)
        _put_str(buf, value)
_NAMES: Dict[Tuple[str, ...], bytes] = {}  # service, method and keyword names as the wire writes them
_NAMES_MAX = 4096


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


def encode_hello(max_frame_size: int = DEFAULT_MAX_FRAME_SIZE, heartbeat_ms: int = 10_000,
                 version: int = VERSION, status: int = HELLO_OK) -> bytes:
    return _HELLO.pack(MAGIC, version, status, max_frame_size, heartbeat_ms)


def decode_hello(data: Any) -> Hello:
    """Read a 16-byte hello; checks the length and magic only."""
    if len(data) != HELLO_SIZE:
        raise WireError("a hello is %d bytes, not %d" % (HELLO_SIZE, len(data)))
    magic, version, status, max_frame_size, heartbeat_ms = _HELLO.unpack_from(data, 0)
    if magic != MAGIC:
        raise WireError("bad hello magic %r; expected b'GRFT' (is this a Graft TCP port?)" % bytes(magic))
    return Hello(version, status, max_frame_size, heartbeat_ms)
