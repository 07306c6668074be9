"""The wire's values back to Python objects, every byte checked.

`decode(data, pos, types, depth)` reads one value and raises WireError naming
whatever is wrong with it (IndexError or struct.error for bytes that end
inside it, which wire.decode_value words as a WireError). fastdecoder.py
reads the same values quicker and falls back to this on anything unusual.
See docs/PROTOCOL.md sections 3 and 7.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from . import scalars, tables
from .values import (
    BYTES, DATE, DATETIME, DICT, ENUM, F64, FALSE, FLOAT, I64, INT, LIST, MAX_DEPTH, NONE, OBJECT,
    SET, STR, TABLE, TRUE, TUPLE, UnknownObject, WireError, build_object, take_count, take_len, take_str,
    too_deep,
)
from .values import OBJECT_REF, ObjectRef

_Decoder = Callable[[Any, int, Mapping[str, type], int], Tuple[Any, int]]


def decode(data: Any, pos: int, types: Mapping[str, type], depth: int) -> Tuple[Any, int]:
    """The value at `pos`, at `depth` (see MAX_DEPTH), and the position after it."""
    decoded: Tuple[Any, int] = DECODERS[data[pos]](data, pos + 1, types, depth)
    return decoded


def _d_int(data: Any, pos: int, types: Any, depth: int) -> Tuple[int, int]:
    return I64.unpack_from(data, pos)[0], pos + 8


def _d_float(data: Any, pos: int, types: Any, depth: int) -> Tuple[float, int]:
    return F64.unpack_from(data, pos)[0], pos + 8


def _d_bytes(data: Any, pos: int, types: Any, depth: int) -> Tuple[bytes, int]:
    n, pos = take_len(data, pos, "bytes")
    return bytes(data[pos:pos + n]), pos + n


def _d_text(what: str, convert: Callable[[str], Any]) -> _Decoder:
    def read(data: Any, pos: int, types: Any, depth: int) -> Tuple[Any, int]:
        text, pos = take_str(data, pos, what)
        try:
            return convert(text), pos
        except ValueError:
            raise WireError("%s %r is not in ISO 8601 form" % (what, text)) from None

    return read


def _d_items(what: str, build: Optional[type]) -> _Decoder:
    def read(data: Any, pos: int, types: Mapping[str, type], depth: int) -> Tuple[Any, int]:
        if depth >= MAX_DEPTH:
            raise too_deep()
        n, pos = take_count(data, pos, what, 1)
        depth += 1
        items: List[Any] = []
        append = items.append
        for _ in range(n):
            item, pos = DECODERS[data[pos]](data, pos + 1, types, depth)
            append(item)
        if build is None:
            return items, pos
        try:
            return build(items), pos
        except TypeError as e:
            raise WireError("%s item cannot be held in a Python %s: %s" % (what, what, e)) from None

    return read


def _d_dict(data: Any, pos: int, types: Mapping[str, type], depth: int) -> Tuple[Dict[Any, Any], int]:
    if depth >= MAX_DEPTH:
        raise too_deep()
    n, pos = take_count(data, pos, "dict", 2)
    out = {}
    for _ in range(n):
        key, pos = decode(data, pos, types, depth + 1)
        value, pos = decode(data, pos, types, depth + 1)
        try:
            out[key] = value
        except TypeError:
            raise WireError("dict key of type %s is not hashable in Python" % type(key).__name__) from None
    return out, pos


def take_fields(data: Any, pos: int, types: Mapping[str, type], depth: int, what: str) -> Tuple[Dict[str, Any], int]:
    """A count and that many (name, value) pairs: an object's fields, a call's keyword arguments."""
    n, pos = take_count(data, pos, what, 5)
    fields = {}
    for _ in range(n):
        name, pos = take_str(data, pos, what)
        fields[name], pos = decode(data, pos, types, depth)
    return fields, pos


def _d_object(data: Any, pos: int, types: Mapping[str, type], depth: int) -> Tuple[Any, int]:
    if depth >= MAX_DEPTH:
        raise too_deep()
    name, pos = take_str(data, pos, "object type name")
    fields, pos = take_fields(data, pos, types, depth + 1, "object field")
    cls = types.get(name)
    if cls is None:
        return UnknownObject(name, fields), pos
    return build_object(cls, name, fields), pos


def _d_enum(data: Any, pos: int, types: Mapping[str, type], depth: int) -> Tuple[Any, int]:
    if depth >= MAX_DEPTH:
        raise too_deep()
    name, pos = take_str(data, pos, "enum type name")
    value, pos = decode(data, pos, types, depth + 1)
    cls = types.get(name)
    if cls is None:
        return value, pos
    try:
        return cls(value), pos
    except (ValueError, TypeError):
        raise WireError("enum %s has no member with value %r" % (name, value)) from None


def _d_object_ref(data: Any, pos: int, types: Mapping[str, type], depth: int) -> Tuple[Any, int]:
    """A hosted object: the graft object of its service's class, if `types` has one."""
    service, pos = take_str(data, pos, "object reference service name")
    object_id, pos = take_str(data, pos, "object id")
    cls = types.get(service)
    if cls is None or not getattr(cls, "__graft_object__", False):
        return ObjectRef(service, object_id), pos
    return getattr(cls, "_graft_adopt")(object_id), pos


def _d_unknown(data: Any, pos: int, types: Any, depth: int) -> Tuple[Any, int]:
    raise WireError("unknown value tag 0x%02x" % data[pos - 1])


DECODERS: List[_Decoder] = [_d_unknown] * 256
DECODERS[NONE] = lambda data, pos, types, depth: (None, pos)
DECODERS[FALSE] = lambda data, pos, types, depth: (False, pos)
DECODERS[TRUE] = lambda data, pos, types, depth: (True, pos)
DECODERS[INT] = _d_int
DECODERS[FLOAT] = _d_float
DECODERS[STR] = lambda data, pos, types, depth: take_str(data, pos, "str")
DECODERS[BYTES] = _d_bytes
DECODERS[LIST] = _d_items("list", None)
DECODERS[TUPLE] = _d_items("tuple", tuple)
DECODERS[SET] = _d_items("set", set)
DECODERS[DICT] = _d_dict
DECODERS[OBJECT] = _d_object
DECODERS[ENUM] = _d_enum
DECODERS[DATETIME] = _d_text("datetime", _dt.datetime.fromisoformat)
DECODERS[DATE] = _d_text("date", _dt.date.fromisoformat)
DECODERS[TABLE] = lambda data, pos, types, depth: tables.decode(data, pos, types, depth, decode)
DECODERS[OBJECT_REF] = _d_object_ref
for _tag, _scalar in scalars.DECODERS.items():
    DECODERS[_tag] = _scalar
