"""The Graft wire protocol in pure Python: values, frames and hellos.

The byte layout is specified in docs/PROTOCOL.md and tested against the
vectors in docs/protocol-vectors. This module has no I/O; transport.py runs it
over asyncio. Standard library only, Python 3.8+.

- encode_value(obj, buf) / decode_value(data, pos, types) -> (obj, pos)
- encode_call / encode_reply / encode_error / encode_ping / ... build frames;
  frame_length and parse_frame read them; decode_frame does both.
- encode_hello / decode_hello for the 16-byte hello.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import operator
import struct
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Tuple

VERSION = 1
MAGIC = b"GRFT"
HELLO_SIZE = 16
DEFAULT_MAX_FRAME_SIZE = 64 * 1024 * 1024
MAX_DEPTH = 100
I64_MIN, I64_MAX = -(2**63), 2**63 - 1

# Value tags.
NONE, FALSE, TRUE, INT, FLOAT, STR, BYTES, LIST, TUPLE, SET, DICT, OBJECT, ENUM, DATETIME, DATE = range(15)
# Frame kinds.
CALL, REPLY, ERROR, PING, PONG, GOODBYE, PROTOCOL_ERROR = range(1, 8)
# Error statuses.
STATUS_RAISED, STATUS_NOT_FOUND, STATUS_BAD_ARGUMENTS, STATUS_INTERNAL = 0, 1, 2, 3
STATUS_DEADLINE_EXCEEDED, STATUS_UNAVAILABLE = 4, 5
# Hello statuses.
HELLO_OK, HELLO_UNSUPPORTED_VERSION, HELLO_BAD_MAGIC = 0, 1, 2

_U8 = struct.Struct(">B")
_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_I64 = struct.Struct(">q")
_F64 = struct.Struct(">d")
_TAG_U32 = struct.Struct(">BI")
_TAG_I64 = struct.Struct(">Bq")
_TAG_F64 = struct.Struct(">Bd")
_HEADER = struct.Struct(">IBQ")  # length, kind, request id
_HELLO = struct.Struct(">4sHHII")


class WireError(ValueError):
    """Bytes that break the protocol, or a value that cannot cross it."""


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


class UnknownObject:
    """An object whose type name the receiver has no class for: its fields
    are attributes, and it encodes back to the same object."""

    __slots__ = ("type_name", "fields")

    def __init__(self, type_name: str, fields: Dict[str, Any]) -> None:
        self.type_name = type_name
        self.fields = fields

    def __getattr__(self, name: str) -> Any:
        try:
            return self.fields[name]
        except KeyError:
            raise AttributeError("%s object has no field %r" % (self.type_name, name)) from None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UnknownObject):
            return NotImplemented
        return self.type_name == other.type_name and self.fields == other.fields

    def __repr__(self) -> str:
        inner = ", ".join("%s=%r" % kv for kv in self.fields.items())
        return "%s(%s)" % (self.type_name, inner)


# ---------------------------------------------------------------- encoding

_Encoder = Callable[[Any, bytearray, int], None]


def encode_value(obj: Any, buf: bytearray) -> None:
    """Append the encoding of `obj` to `buf`.

    Raises OverflowError for an int outside the signed 64-bit range,
    TypeError for a type the wire cannot carry, WireError for a value nested
    deeper than MAX_DEPTH or text that is not valid Unicode.
    """
    _encode(obj, buf, 0)


def _encode(obj: Any, buf: bytearray, depth: int) -> None:
    cls = type(obj)
    (_ENCODERS.get(cls) or _resolve(cls))(obj, buf, depth)


def _put_str(buf: bytearray, text: str, tag: Optional[int] = None) -> None:
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise WireError("str %r is not valid Unicode text: %s" % (text[:40], e)) from None
    if tag is None:
        buf += _U32.pack(len(raw))
    else:
        buf += _TAG_U32.pack(tag, len(raw))
    buf += raw


def _enc_int(obj: int, buf: bytearray, depth: int) -> None:
    if I64_MIN <= obj <= I64_MAX:
        buf += _TAG_I64.pack(INT, obj)
    else:
        raise OverflowError("int %d does not fit the wire's signed 64-bit range [-2**63, 2**63-1]" % obj)


def _enc_bytes(obj: Any, buf: bytearray, depth: int) -> None:
    buf += _TAG_U32.pack(BYTES, len(obj))
    buf += obj


def _deeper(depth: int) -> int:
    if depth >= MAX_DEPTH:
        raise WireError("value nested deeper than %d containers" % MAX_DEPTH)
    return depth + 1


def _items_encoder(tag: int) -> _Encoder:
    def encode(obj: Any, buf: bytearray, depth: int) -> None:
        depth = _deeper(depth)
        buf += _TAG_U32.pack(tag, len(obj))
        get = _ENCODERS.get
        for item in obj:
            cls = type(item)
            (get(cls) or _resolve(cls))(item, buf, depth)

    return encode


def _enc_dict(obj: Mapping[Any, Any], buf: bytearray, depth: int) -> None:
    depth = _deeper(depth)
    buf += _TAG_U32.pack(DICT, len(obj))
    for key, value in obj.items():
        _encode(key, buf, depth)
        _encode(value, buf, depth)


def _enc_unknown(obj: UnknownObject, buf: bytearray, depth: int) -> None:
    depth = _deeper(depth)
    buf.append(OBJECT)
    _put_str(buf, obj.type_name)
    buf += _U32.pack(len(obj.fields))
    for name, value in obj.fields.items():
        _put_str(buf, name)
        _encode(value, buf, depth)


def _dataclass_encoder(cls: type) -> _Encoder:
    head = bytearray([OBJECT])
    _put_str(head, cls.__name__)
    names = [f.name for f in dataclasses.fields(cls)]
    head += _U32.pack(len(names))
    parts = []
    for name in names:
        prefix = bytearray()
        _put_str(prefix, name)
        parts.append((bytes(prefix), name))
    head_bytes = bytes(head)
    prefixes = [prefix for prefix, _ in parts]
    values: Callable[[Any], Any] = operator.attrgetter(*names) if len(names) > 1 else (
        (lambda obj: (getattr(obj, names[0]),)) if names else (lambda obj: ()))

    def encode(obj: Any, buf: bytearray, depth: int) -> None:
        if depth >= MAX_DEPTH:
            raise WireError("value nested deeper than %d containers" % MAX_DEPTH)
        depth += 1
        buf += head_bytes
        for prefix, value in zip(prefixes, values(obj)):
            buf += prefix
            cls = type(value)
            if cls is str:
                try:
                    raw = value.encode("utf-8")
                except UnicodeEncodeError:
                    _put_str(buf, value, STR)  # raises the WireError that names it
                buf += _TAG_U32.pack(STR, len(raw))
                buf += raw
            elif cls is int and I64_MIN <= value <= I64_MAX:
                buf += _TAG_I64.pack(INT, value)
            elif cls is float:
                buf += _TAG_F64.pack(FLOAT, value)
            elif cls is bool:
                buf.append(TRUE if value else FALSE)
            else:
                (_ENCODERS.get(cls) or _resolve(cls))(value, buf, depth)

    return encode


def _enum_encoder(cls: type) -> _Encoder:
    head = bytearray()
    _put_str(head, cls.__name__, ENUM)
    head_bytes = bytes(head)

    def encode(obj: Any, buf: bytearray, depth: int) -> None:
        buf += head_bytes
        _encode(obj.value, buf, _deeper(depth))

    return encode


def _resolve(cls: type) -> _Encoder:
    """Find (and remember) the encoder for a type not in _ENCODERS."""
    if issubclass(cls, enum.Enum):
        encoder = _enum_encoder(cls)
    elif dataclasses.is_dataclass(cls):
        encoder = _dataclass_encoder(cls)
    else:
        for base, base_encoder in _SUBCLASSABLE:
            if issubclass(cls, base):
                encoder = base_encoder
                break
        else:
            raise TypeError("cannot send a %s.%s over the wire" % (cls.__module__, cls.__qualname__))
    _ENCODERS[cls] = encoder
    return encoder


_ENCODERS: Dict[type, _Encoder] = {
    type(None): lambda o, b, d: b.append(NONE),
    bool: lambda o, b, d: b.append(TRUE if o else FALSE),
    int: _enc_int,
    float: lambda o, b, d: b.extend(_TAG_F64.pack(FLOAT, o)),
    str: lambda o, b, d: _put_str(b, o, STR),
    bytes: _enc_bytes,
    bytearray: _enc_bytes,
    memoryview: lambda o, b, d: _enc_bytes(o.tobytes(), b, d),
    list: _items_encoder(LIST),
    tuple: _items_encoder(TUPLE),
    set: _items_encoder(SET),
    frozenset: _items_encoder(SET),
    dict: _enc_dict,
    _dt.datetime: lambda o, b, d: _put_str(b, o.isoformat(), DATETIME),
    _dt.date: lambda o, b, d: _put_str(b, o.isoformat(), DATE),
    UnknownObject: _enc_unknown,
}
# Subclasses of these encode as their base, checked in this order
# (datetime before date: it is a subclass of date).
_SUBCLASSABLE: List[Tuple[type, _Encoder]] = [
    (_dt.datetime, _ENCODERS[_dt.datetime]),
    (_dt.date, _ENCODERS[_dt.date]),
    (int, lambda o, b, d: _enc_int(int(o), b, d)),
    (float, lambda o, b, d: _ENCODERS[float](float(o), b, d)),
    (str, lambda o, b, d: _put_str(b, str(o), STR)),
    (bytes, _enc_bytes),
    (tuple, _ENCODERS[tuple]),
    (list, _ENCODERS[list]),
    (frozenset, _ENCODERS[set]),
    (set, _ENCODERS[set]),
    (dict, _enc_dict),
]

# ---------------------------------------------------------------- decoding

_Decoder = Callable[[Any, int, Mapping[str, type], int], Tuple[Any, int]]


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


def _decode(data: Any, pos: int, types: Mapping[str, type], depth: int) -> Tuple[Any, int]:
    decoded: Tuple[Any, int] = _DECODERS[data[pos]](data, pos + 1, types, depth)
    return decoded


def _take_len(data: Any, pos: int, what: str) -> Tuple[int, int]:
    (n,) = _U32.unpack_from(data, pos)
    pos += 4
    if n > len(data) - pos:
        raise WireError("truncated %s: needs %d bytes but only %d remain" % (what, n, len(data) - pos))
    return n, pos


def _take_count(data: Any, pos: int, what: str, min_item: int) -> Tuple[int, int]:
    (n,) = _U32.unpack_from(data, pos)
    pos += 4
    if n * min_item > len(data) - pos:
        raise WireError("%s count %d cannot fit in the %d bytes left" % (what, n, len(data) - pos))
    return n, pos


def _take_str(data: Any, pos: int, what: str) -> Tuple[str, int]:
    n, pos = _take_len(data, pos, what)
    end = pos + n
    try:
        return str(data[pos:end], "utf-8"), end
    except UnicodeDecodeError:
        raise WireError("%s is not valid UTF-8: %r" % (what, bytes(data[pos:min(end, pos + 32)]))) from None


def _d_int(data: Any, pos: int, types: Any, depth: int) -> Tuple[int, int]:
    return _I64.unpack_from(data, pos)[0], pos + 8


def _d_float(data: Any, pos: int, types: Any, depth: int) -> Tuple[float, int]:
    return _F64.unpack_from(data, pos)[0], pos + 8


def _d_bytes(data: Any, pos: int, types: Any, depth: int) -> Tuple[bytes, int]:
    n, pos = _take_len(data, pos, "bytes")
    return bytes(data[pos:pos + n]), pos + n


def _d_text(what: str, convert: Callable[[str], Any]) -> _Decoder:
    def decode(data: Any, pos: int, types: Any, depth: int) -> Tuple[Any, int]:
        text, pos = _take_str(data, pos, what)
        try:
            return convert(text), pos
        except ValueError:
            raise WireError("%s %r is not in ISO 8601 form" % (what, text)) from None

    return decode


def _d_items(what: str, build: Optional[type]) -> _Decoder:
    def decode(data: Any, pos: int, types: Mapping[str, type], depth: int) -> Tuple[Any, int]:
        if depth >= MAX_DEPTH:
            raise WireError("value nested deeper than %d containers" % MAX_DEPTH)
        n, pos = _take_count(data, pos, what, 1)
        depth += 1
        items: List[Any] = []
        append = items.append
        for _ in range(n):
            item, pos = _DECODERS[data[pos]](data, pos + 1, types, depth)
            append(item)
        if build is None:
            return items, pos
        try:
            return build(items), pos
        except TypeError as e:
            raise WireError("%s item cannot be held in a Python %s: %s" % (what, what, e)) from None

    return decode


def _d_dict(data: Any, pos: int, types: Mapping[str, type], depth: int) -> Tuple[Dict[Any, Any], int]:
    if depth >= MAX_DEPTH:
        raise WireError("value nested deeper than %d containers" % MAX_DEPTH)
    n, pos = _take_count(data, pos, "dict", 2)
    out = {}
    for _ in range(n):
        key, pos = _decode(data, pos, types, depth + 1)
        value, pos = _decode(data, pos, types, depth + 1)
        try:
            out[key] = value
        except TypeError:
            raise WireError("dict key of type %s is not hashable in Python" % type(key).__name__) from None
    return out, pos


def _take_fields(data: Any, pos: int, types: Mapping[str, type], depth: int, what: str) -> Tuple[Dict[str, Any], int]:
    n, pos = _take_count(data, pos, what, 5)
    fields = {}
    for _ in range(n):
        name, pos = _take_str(data, pos, what)
        fields[name], pos = _decode(data, pos, types, depth)
    return fields, pos


def _d_object(data: Any, pos: int, types: Mapping[str, type], depth: int) -> Tuple[Any, int]:
    if depth >= MAX_DEPTH:
        raise WireError("value nested deeper than %d containers" % MAX_DEPTH)
    name, pos = _take_str(data, pos, "object type name")
    fields, pos = _take_fields(data, pos, types, depth + 1, "object field")
    cls = types.get(name)
    if cls is None:
        return UnknownObject(name, fields), pos
    return _build_object(cls, name, fields), pos


def _build_object(cls: type, name: str, fields: Dict[str, Any]) -> Any:
    late = _LATE_FIELDS.get(cls)
    if late is None:
        late = frozenset(f.name for f in dataclasses.fields(cls) if not f.init) if dataclasses.is_dataclass(cls) else frozenset()
        _LATE_FIELDS[cls] = late
    try:
        if not late:
            return cls(**fields)
        obj = cls(**{k: v for k, v in fields.items() if k not in late})
        for k in late.intersection(fields):
            object.__setattr__(obj, k, fields[k])
        return obj
    except TypeError as e:
        raise WireError("cannot rebuild %s from fields %s: %s" % (name, sorted(fields), e)) from None


_LATE_FIELDS: Dict[type, frozenset[str]] = {}
_NO_FIELDS: frozenset[str] = frozenset()


def _d_enum(data: Any, pos: int, types: Mapping[str, type], depth: int) -> Tuple[Any, int]:
    if depth >= MAX_DEPTH:
        raise WireError("value nested deeper than %d containers" % MAX_DEPTH)
    name, pos = _take_str(data, pos, "enum type name")
    value, pos = _decode(data, pos, types, depth + 1)
    cls = types.get(name)
    if cls is None:
        return value, pos
    try:
        return cls(value), pos
    except (ValueError, TypeError):
        raise WireError("enum %s has no member with value %r" % (name, value)) from None


def _d_unknown(data: Any, pos: int, types: Any, depth: int) -> Tuple[Any, int]:
    raise WireError("unknown value tag 0x%02x" % data[pos - 1])


_DECODERS: List[_Decoder] = [_d_unknown] * 256
_DECODERS[NONE] = lambda data, pos, types, depth: (None, pos)
_DECODERS[FALSE] = lambda data, pos, types, depth: (False, pos)
_DECODERS[TRUE] = lambda data, pos, types, depth: (True, pos)
_DECODERS[INT] = _d_int
_DECODERS[FLOAT] = _d_float
_DECODERS[STR] = lambda data, pos, types, depth: _take_str(data, pos, "str")
_DECODERS[BYTES] = _d_bytes
_DECODERS[LIST] = _d_items("list", None)
_DECODERS[TUPLE] = _d_items("tuple", tuple)
_DECODERS[SET] = _d_items("set", set)
_DECODERS[DICT] = _d_dict
_DECODERS[OBJECT] = _d_object
_DECODERS[ENUM] = _d_enum
_DECODERS[DATETIME] = _d_text("datetime", _dt.datetime.fromisoformat)
_DECODERS[DATE] = _d_text("date", _dt.date.fromisoformat)

# ---------------------------------------------------------------- fast decoding

# The decoder above checks every byte and names every problem. The one here
# decodes the same values with fewer calls: the common tags inline, and each
# object's type name and field names matched as raw bytes against the last
# ones seen for that type (`_SCHEMAS`) instead of being decoded again. It
# gives up on anything unusual (raising anything at all), and the value is
# then decoded again by the decoder above, which returns it or raises the
# error it always raised: `_decode_at`.
_u32 = _U32.unpack_from
_i64 = _I64.unpack_from
_f64 = _F64.unpack_from
_SCHEMAS_MAX = 1024
# An object's head (type name length, type name, field count, as raw bytes)
# -> (type name, ((field name's raw bytes, their length, field name), ...)).
_SCHEMAS: Dict[bytes, Tuple[str, Tuple[Tuple[bytes, int, str], ...]]] = {}


class _GiveUp(Exception):
    """The fast decoder leaves this value to the checking one."""


def _decode_at(data: bytes, pos: int, types: Mapping[str, type]) -> Tuple[Any, int]:
    """The value at `pos`: fast when it can be, else as `_decode` decodes it (and fails)."""
    try:
        return _fast(data, pos, types, 0)
    except Exception:  # noqa: BLE001 - anything unusual: decoded again, with the checks
        return _decode(data, pos, types, 0)


def _fast(data: bytes, pos: int, types: Mapping[str, type], depth: int) -> Tuple[Any, int]:
    tag = data[pos]
    pos += 1
    if tag == INT:
        return _i64(data, pos)[0], pos + 8
    if tag == STR:
        end = pos + 4 + _u32(data, pos)[0]
        if end > len(data):
            raise _GiveUp
        return str(data[pos + 4 : end], "utf-8"), end
    if tag == OBJECT:
        return _fast_object(data, pos, types, depth)
    if tag == FLOAT:
        return _f64(data, pos)[0], pos + 8
    if tag <= TRUE:
        return (None, False, True)[tag], pos
    if tag == LIST or tag == TUPLE or tag == SET:
        return _fast_items(data, pos, types, depth, tag)
    if tag == BYTES:
        end = pos + 4 + _u32(data, pos)[0]
        if end > len(data):
            raise _GiveUp
        return data[pos + 4 : end], end
    if tag == DICT:
        return _fast_dict(data, pos, types, depth)
    return _DECODERS[tag](data, pos, types, depth)


def _fast_items(data: bytes, pos: int, types: Mapping[str, type], depth: int, tag: int) -> Tuple[Any, int]:
    (n,) = _u32(data, pos)
    pos += 4
    if depth >= MAX_DEPTH or n > len(data) - pos:
        raise _GiveUp
    depth += 1
    items: List[Any] = []
    append = items.append
    fast, fast_object = _fast, _fast_object
    for _ in range(n):
        if data[pos] == OBJECT:
            item, pos = fast_object(data, pos + 1, types, depth)
        else:
            item, pos = fast(data, pos, types, depth)
        append(item)
    if tag == LIST:
        return items, pos
    return (tuple(items) if tag == TUPLE else set(items)), pos


def _fast_dict(data: bytes, pos: int, types: Mapping[str, type], depth: int) -> Tuple[Any, int]:
    (n,) = _u32(data, pos)
    pos += 4
    if depth >= MAX_DEPTH or n * 2 > len(data) - pos:
        raise _GiveUp
    depth += 1
    out = {}
    for _ in range(n):
        key, pos = _fast(data, pos, types, depth)
        out[key], pos = _fast(data, pos, types, depth)
    return out, pos


def _fast_object(data: bytes, pos: int, types: Mapping[str, type], depth: int) -> Tuple[Any, int]:
    if depth >= MAX_DEPTH:
        raise _GiveUp
    head_end = pos + 8 + _u32(data, pos)[0]
    known = _SCHEMAS.get(data[pos:head_end])
    if known is None:
        return _fast_object_new(data, pos, types, depth)
    name, schema = known
    start, pos = pos, head_end
    depth += 1
    fields = {}
    startswith = data.startswith
    for raw, size, field in schema:
        if not startswith(raw, pos):
            return _fast_object_new(data, start, types, depth - 1)
        pos += size
        tag = data[pos]
        if tag == INT:
            fields[field] = _i64(data, pos + 1)[0]
            pos += 9
        elif tag == STR:
            end = pos + 5 + _u32(data, pos + 1)[0]
            if end > len(data):
                raise _GiveUp
            fields[field] = str(data[pos + 5 : end], "utf-8")
            pos = end
        elif tag == FLOAT:
            fields[field] = _f64(data, pos + 1)[0]
            pos += 9
        elif tag <= TRUE:
            fields[field] = (None, False, True)[tag]
            pos += 1
        else:
            fields[field], pos = _fast(data, pos, types, depth)
    cls = types.get(name)
    if cls is None:
        return UnknownObject(name, fields), pos
    if _LATE_FIELDS.get(cls) == _NO_FIELDS:
        return cls(**fields), pos  # a TypeError: decoded again, and reported, by `_decode`
    return _build_object(cls, name, fields), pos


def _fast_object_new(data: bytes, pos: int, types: Mapping[str, type], depth: int) -> Tuple[Any, int]:
    """An object whose head or field names differ from the last seen: read them, and remember them."""
    start = pos
    name_end = pos + 4 + _u32(data, pos)[0]
    name = str(data[pos + 4 : name_end], "utf-8")
    (n,) = _u32(data, name_end)
    pos = name_end + 4
    if n * 5 > len(data) - pos:
        raise _GiveUp
    head = data[start:pos]
    depth += 1
    fields = {}
    schema = []
    for _ in range(n):
        end = pos + 4 + _u32(data, pos)[0]
        if end > len(data):
            raise _GiveUp
        field = str(data[pos + 4 : end], "utf-8")
        schema.append((data[pos:end], end - pos, field))
        fields[field], pos = _fast(data, end, types, depth)
    if len(_SCHEMAS) < _SCHEMAS_MAX:
        _SCHEMAS[head] = (name, tuple(schema))
    cls = types.get(name)
    if cls is None:
        return UnknownObject(name, fields), pos
    return _build_object(cls, name, fields), pos

# ---------------------------------------------------------------- frames

_KIND_ID = struct.Struct(">BQ")


class CallFrame(NamedTuple):
    request_id: int
    service: str
    method: str
    args: List[Any]
    kwargs: Dict[str, Any]
    timeout_ms: int


class ReplyFrame(NamedTuple):
    request_id: int
    value: Any


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
                timeout_ms: int = 0, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> bytearray:
    """A whole Call frame. timeout_ms 0 means no timeout."""
    buf = bytearray(_HEADER.pack(0, CALL, request_id))
    buf += _encoded_names(service, method)
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
_NAMES: Dict[Tuple[str, ...], bytes] = {}  # service, method and keyword names as the wire writes them
_NAMES_MAX = 4096


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


def encode_reply(request_id: int, value: Any, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> bytearray:
    buf = _start(REPLY, request_id)
    _encode(value, buf, 0)
    return _finish(buf, max_frame_size)


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


def encode_ping(request_id: int) -> bytes:
    return _HEADER.pack(9, PING, request_id)


def encode_pong(request_id: int) -> bytes:
    return _HEADER.pack(9, PONG, request_id)


def encode_goodbye(reason: str) -> bytearray:
    buf = _start(GOODBYE, 0)
    _put_str(buf, reason)
    return _finish(buf, DEFAULT_MAX_FRAME_SIZE)


def encode_protocol_error(request_id: int, code: int, message: str) -> bytearray:
    buf = _start(PROTOCOL_ERROR, request_id)
    buf += _U16.pack(code)
    _put_str(buf, message)
    return _finish(buf, DEFAULT_MAX_FRAME_SIZE)


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
    """Decode one frame from `frame`: its bytes after the length prefix."""
    types = types or {}
    if type(frame) is not bytes:
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
    (timeout_ms,) = _U32.unpack_from(f, pos)
    n, pos = _take_count(f, pos + 4, "positional arguments", 1)
    args = []
    for _ in range(n):
        arg, pos = _decode_at(f, pos, types)
        args.append(arg)
    kwargs, pos = _take_fields(f, pos, types, 0, "keyword argument")
    return CallFrame(rid, service, method, args, kwargs, timeout_ms), pos


def _p_reply(f: Any, pos: int, rid: int, types: Mapping[str, type]) -> Tuple[Any, int]:
    value, pos = _decode_at(f, pos, types)
    return ReplyFrame(rid, value), pos


def _p_error(f: Any, pos: int, rid: int, types: Mapping[str, type]) -> Tuple[Any, int]:
    status = f[pos]
    if status > STATUS_UNAVAILABLE:
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
    ERROR: _p_error,
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
