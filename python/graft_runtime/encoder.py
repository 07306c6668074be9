"""Python objects to the wire's values (docs/PROTOCOL.md sections 3 and 7).

`encode_value` appends one value to a buffer. `ENCODERS` maps a type to the
function that writes its instances, filled in by `resolve` for enums,
dataclasses and subclasses of the built-in types as they are first met.
A list of objects of one shape is written as a table (tables.py).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import operator
import struct
from typing import Any, Callable, Dict, List, Mapping, Tuple

from . import scalars, tables
from .classes import NOT_GIVEN, left_to_hosted
from .values import (
    BYTES, DATE, DATETIME, DICT, ENUM, FALSE, FLOAT, I64_MAX, I64_MIN, INT, LIST, MAX_DEPTH, NONE, OBJECT, SET,
    STR, TAG_U32, TRUE, TUPLE, U32, UnknownObject, put_str, too_deep,
)
from .values import OBJECT_REF, ObjectRef

_TAG_I64 = struct.Struct(">Bq")
_TAG_F64 = struct.Struct(">Bd")

_Encoder = Callable[[Any, bytearray, int], None]


def encode_value(obj: Any, buf: bytearray) -> None:
    """Append the encoding of `obj` to `buf`.

    Raises OverflowError for an int outside the signed 64-bit range,
    TypeError for a type the wire cannot carry, WireError for a value nested
    deeper than MAX_DEPTH or text that is not valid Unicode.
    """
    encode_at(obj, buf, 0)


def encode_at(obj: Any, buf: bytearray, depth: int) -> None:
    """Append `obj`, a value at `depth` (see MAX_DEPTH)."""
    cls = type(obj)
    (ENCODERS.get(cls) or resolve(cls))(obj, buf, depth)


def _enc_int(obj: int, buf: bytearray, depth: int) -> None:
    if I64_MIN <= obj <= I64_MAX:
        buf += _TAG_I64.pack(INT, obj)
    else:
        raise OverflowError("int %d does not fit the wire's signed 64-bit range [-2**63, 2**63-1]" % obj)


def _enc_bytes(obj: Any, buf: bytearray, depth: int) -> None:
    buf += TAG_U32.pack(BYTES, len(obj))
    buf += obj


def _deeper(depth: int) -> int:
    if depth >= MAX_DEPTH:
        raise too_deep()
    return depth + 1


def _items_encoder(tag: int) -> _Encoder:
    def encode(obj: Any, buf: bytearray, depth: int) -> None:
        depth = _deeper(depth)
        buf += TAG_U32.pack(tag, len(obj))
        get = ENCODERS.get
        for item in obj:
            cls = type(item)
            (get(cls) or resolve(cls))(item, buf, depth)

    return encode


def _enc_list(obj: Any, buf: bytearray, depth: int) -> None:
    """A table when its items are objects of one shape, else item by item."""
    if obj and depth < MAX_DEPTH and tables.encode(obj, buf, depth + 1, encode_at):
        return
    _enc_items(obj, buf, depth)


_enc_items = _items_encoder(LIST)


def _enc_dict(obj: Mapping[Any, Any], buf: bytearray, depth: int) -> None:
    depth = _deeper(depth)
    buf += TAG_U32.pack(DICT, len(obj))
    for key, value in obj.items():
        encode_at(key, buf, depth)
        encode_at(value, buf, depth)


def _enc_unknown(obj: UnknownObject, buf: bytearray, depth: int) -> None:
    depth = _deeper(depth)
    buf.append(OBJECT)
    put_str(buf, obj.type_name)
    buf += U32.pack(len(obj.fields))
    for name, value in obj.fields.items():
        put_str(buf, name)
        encode_at(value, buf, depth)


def _dataclass_encoder(cls: type) -> _Encoder:
    if left_to_hosted(cls):
        return _sparse_encoder(cls)
    head = bytearray([OBJECT])
    put_str(head, cls.__name__)
    names = list(getattr(cls, "_fields")) if _graft_named_tuple(cls) else [f.name for f in dataclasses.fields(cls)]
    head += U32.pack(len(names))
    parts = []
    for name in names:
        prefix = bytearray()
        put_str(prefix, name)
        parts.append((bytes(prefix), name))
    head_bytes = bytes(head)
    prefixes = [prefix for prefix, _ in parts]
    values: Callable[[Any], Any] = operator.attrgetter(*names) if len(names) > 1 else (
        (lambda obj: (getattr(obj, names[0]),)) if names else (lambda obj: ()))

    def encode(obj: Any, buf: bytearray, depth: int) -> None:
        if depth >= MAX_DEPTH:
            raise too_deep()
        depth += 1
        buf += head_bytes
        for prefix, value in zip(prefixes, values(obj)):
            buf += prefix
            cls = type(value)
            if cls is str:
                try:
                    raw = value.encode("utf-8")
                except UnicodeEncodeError:
                    put_str(buf, value, STR)  # raises the WireError that names it
                buf += TAG_U32.pack(STR, len(raw))
                buf += raw
            elif cls is int and I64_MIN <= value <= I64_MAX:
                buf += _TAG_I64.pack(INT, value)
            elif cls is float:
                buf += _TAG_F64.pack(FLOAT, value)
            elif cls is bool:
                buf.append(TRUE if value else FALSE)
            else:
                (ENCODERS.get(cls) or resolve(cls))(value, buf, depth)

    return encode


def _sparse_encoder(cls: type) -> _Encoder:
    """A dataclass with fields left to the hosted default: those holding NOT_GIVEN are not sent."""
    names = [f.name for f in dataclasses.fields(cls)]

    def encode(obj: Any, buf: bytearray, depth: int) -> None:
        given = {n: v for n, v in zip(names, (getattr(obj, n) for n in names)) if v is not NOT_GIVEN}
        _enc_unknown(UnknownObject(cls.__name__, given), buf, depth)

    return encode


def _enum_encoder(cls: type) -> _Encoder:
    head = bytearray()
    put_str(head, cls.__name__, ENUM)
    head_bytes = bytes(head)

    def encode(obj: Any, buf: bytearray, depth: int) -> None:
        buf += head_bytes
        encode_at(obj.value, buf, _deeper(depth))

    return encode


def _enc_object_ref(obj: Any, buf: bytearray, depth: int) -> None:
    """A graft object (objects.py), or an ObjectRef: a reference to the hosted object."""
    service, object_id = (obj.service, obj.id) if type(obj) is ObjectRef else obj._graft_reference()
    buf.append(OBJECT_REF)
    put_str(buf, service)
    put_str(buf, object_id)


def _graft_named_tuple(cls: type) -> bool:
    """A graft's NamedTuple: it travels as an object of its fields (another NamedTuple is a tuple)."""
    return issubclass(cls, tuple) and isinstance(getattr(cls, "_fields", None), tuple) and (
        isinstance(getattr(cls, "__graft_module__", None), str))


def resolve(cls: type) -> _Encoder:
    """Find (and remember) the encoder for a type not in ENCODERS."""
    encoder: _Encoder
    if getattr(cls, "__graft_object__", False) is True:
        encoder = _enc_object_ref
    elif issubclass(cls, enum.Enum):
        encoder = _enum_encoder(cls)
    elif dataclasses.is_dataclass(cls) or _graft_named_tuple(cls):
        encoder = _dataclass_encoder(cls)
    else:
        for base, base_encoder in _SUBCLASSABLE:
            if issubclass(cls, base):
                encoder = base_encoder
                break
        else:
            raise TypeError("cannot send a %s.%s over the wire" % (cls.__module__, cls.__qualname__))
    ENCODERS[cls] = encoder
    return encoder


ENCODERS: Dict[type, _Encoder] = {
    type(None): lambda o, b, d: b.append(NONE),
    bool: lambda o, b, d: b.append(TRUE if o else FALSE),
    int: _enc_int,
    float: lambda o, b, d: b.extend(_TAG_F64.pack(FLOAT, o)),
    str: lambda o, b, d: put_str(b, o, STR),
    bytes: _enc_bytes,
    bytearray: _enc_bytes,
    memoryview: lambda o, b, d: _enc_bytes(o.tobytes(), b, d),
    list: _enc_list,
    tuple: _items_encoder(TUPLE),
    set: _items_encoder(SET),
    frozenset: _items_encoder(SET),
    dict: _enc_dict,
    _dt.datetime: lambda o, b, d: put_str(b, o.isoformat(), DATETIME),
    _dt.date: lambda o, b, d: put_str(b, o.isoformat(), DATE),
    UnknownObject: _enc_unknown,
    ObjectRef: _enc_object_ref,
    **scalars.ENCODERS,
}
# Subclasses of these encode as their base, checked in this order
# (datetime before date: it is a subclass of date).
_SUBCLASSABLE: List[Tuple[type, _Encoder]] = [
    (_dt.datetime, ENCODERS[_dt.datetime]),
    (_dt.date, ENCODERS[_dt.date]),
    (int, lambda o, b, d: _enc_int(int(o), b, d)),
    (float, lambda o, b, d: ENCODERS[float](float(o), b, d)),
    (str, lambda o, b, d: put_str(b, str(o), STR)),
    (bytes, _enc_bytes),
    (tuple, ENCODERS[tuple]),
    (list, ENCODERS[list]),
    (frozenset, ENCODERS[set]),
    (set, ENCODERS[set]),
    (dict, _enc_dict),
    *scalars.ENCODERS.items(),
]
