"""The wire's values back to Python objects, quickly.

decoder.py checks every byte and names every problem. This decodes the same
values with fewer calls: the common tags inline, and each object's type name
and field names matched as raw bytes against the last ones seen for that
type (`_SCHEMAS`) instead of being decoded again; tables by whole columns
(tables.py). It gives up on anything unusual (raising anything at all), and
the value is then decoded again by decoder.py, which returns it or raises
the error it always raised: `decode_at`.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Tuple

from . import decoder, tables
from .values import (
    BYTES, DICT, F64, FLOAT, I64, INT, LATE_FIELDS, LIST, MAX_DEPTH, NO_FIELDS, OBJECT, SET, STR, TABLE, TRUE,
    TUPLE, U32, UnknownObject, build_object,
)

_u32 = U32.unpack_from
_i64 = I64.unpack_from
_f64 = F64.unpack_from
_SCHEMAS_MAX = 1024
# An object's head (type name length, type name, field count, as raw bytes)
# -> (type name, ((field name's raw bytes, their length, field name), ...)).
_SCHEMAS: Dict[bytes, Tuple[str, Tuple[Tuple[bytes, int, str], ...]]] = {}


class _GiveUp(Exception):
    """The fast decoder leaves this value to the checking one."""


def decode_at(data: bytes, pos: int, types: Mapping[str, type]) -> Tuple[Any, int]:
    """The value at `pos`: fast when it can be, else as `decoder.decode` decodes it (and fails)."""
    try:
        return _fast(data, pos, types, 0)
    except Exception:  # noqa: BLE001 - anything unusual: decoded again, with the checks
        return decoder.decode(data, pos, types, 0)


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
    if tag == TABLE:
        return tables.decode(data, pos, types, depth, _fast)
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
        if type(data) is bytes:
            return data[pos + 4 : end], end
        with memoryview(data) as view:  # a bytearray: copied once, into the bytes
            return bytes(view[pos + 4 : end]), end
    if tag == DICT:
        return _fast_dict(data, pos, types, depth)
    return decoder.DECODERS[tag](data, pos, types, depth)


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
    head = data[pos:head_end]
    known = _SCHEMAS.get(head if type(head) is bytes else bytes(head))
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
    if LATE_FIELDS.get(cls) == NO_FIELDS:
        return cls(**fields), pos  # a TypeError: decoded again, and reported, by `decoder.decode`
    return build_object(cls, name, fields), pos


def _fast_object_new(data: bytes, pos: int, types: Mapping[str, type], depth: int) -> Tuple[Any, int]:
    """An object whose head or field names differ from the last seen: read them, and remember them."""
    start = pos
    name_end = pos + 4 + _u32(data, pos)[0]
    name = str(data[pos + 4 : name_end], "utf-8")
    (n,) = _u32(data, name_end)
    pos = name_end + 4
    if n * 5 > len(data) - pos:
        raise _GiveUp
    head = bytes(data[start:pos])
    depth += 1
    fields = {}
    schema = []
    for _ in range(n):
        end = pos + 4 + _u32(data, pos)[0]
        if end > len(data):
            raise _GiveUp
        field = str(data[pos + 4 : end], "utf-8")
        schema.append((bytes(data[pos:end]), end - pos, field))
        fields[field], pos = _fast(data, end, types, depth)
    if len(_SCHEMAS) < _SCHEMAS_MAX:
        _SCHEMAS[head] = (name, tuple(schema))
    cls = types.get(name)
    if cls is None:
        return UnknownObject(name, fields), pos
    return build_object(cls, name, fields), pos
