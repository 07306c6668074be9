"""The wire's values back to Python objects, quickly.

decoder.py checks every byte and names every problem. This decodes the same
values with fewer calls: the common tags inline, and each object's type name
and field names matched as raw bytes against the last ones seen for that
type (`_SCHEMAS`) instead of being decoded again; tables by whole columns
(tables.py). It gives up on bytes it cannot read (raising anything at all),
and decoder.py then reads them again, without classes, to raise the error it
always raised (`decode_at`). What a class's own code raises (its __init__,
__post_init__, __hash__, an enum's lookup) is `_Final`: raised as it is,
never read again, so that code runs once per object, as in decoder.py.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Tuple

from . import decoder, tables
from .values import (
    BYTES, DICT, F64, FLOAT, I64, INT, LATE_FIELDS, LIST, MAX_DEPTH, NO_FIELDS, OBJECT, SET, STR, TABLE, TRUE,
    TUPLE, U32, UnknownObject, WireError, build_object, rebuild_error,
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


class _Final(Exception):
    """`error`, raised where decoder.py raises the same (a class's own code
    raised it, or decoder.py's own code did): not decoded again."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(error)
        self.error = error


def decode_at(data: bytes, pos: int, types: Mapping[str, type]) -> Tuple[Any, int]:
    """The value at `pos`: fast when it can be, else as `decoder.decode` decodes it (and fails)."""
    try:
        return _fast(data, pos, types, 0)
    except _Final as final:
        error = final.error
    except Exception:  # noqa: BLE001 - bytes it cannot read: read again, with the checks
        return _checked(data, pos, types)
    raise error  # outside the except clause: its traceback is its own, not chained to _Final


def _checked(data: bytes, pos: int, types: Mapping[str, type]) -> Tuple[Any, int]:
    """What decoder.py makes of bytes the fast decoder gave up on: read first
    without classes, so that no class's code runs again for the objects the
    fast decoder built before giving up. The fast decoder gives up only on
    bytes decoder.py refuses, so that raises its error; were it ever to
    pass, the value is read again with its classes."""
    decoder.decode(data, pos, {}, 0)
    return decoder.decode(data, pos, types, 0)


def _run(build: Callable[..., Any], *args: Any) -> Any:
    """`build(*args)`, which runs a class's own code: whatever it raises is final."""
    try:
        return build(*args)
    except Exception as e:  # noqa: BLE001 - raised to the caller as it is
        raise _Final(e) from None


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
        name, names, columns, pos = tables.decode_columns(data, pos, types, depth, _fast)
        return _run(tables.objects, name, names, columns, types), pos
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
    decoded: Tuple[Any, int] = _run(decoder.DECODERS[tag], data, pos, types, depth)  # decoder.py's, errors too
    return decoded


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
    if tag == TUPLE:
        return tuple(items), pos
    try:
        return set(items), pos
    except TypeError as e:  # as decoder.py words it
        raise _Final(WireError("set item cannot be held in a Python set: %s" % e)) from None
    except Exception as e:  # noqa: BLE001 - an item's own __hash__ raised
        raise _Final(e) from None


def _fast_dict(data: bytes, pos: int, types: Mapping[str, type], depth: int) -> Tuple[Any, int]:
    (n,) = _u32(data, pos)
    pos += 4
    if depth >= MAX_DEPTH or n * 2 > len(data) - pos:
        raise _GiveUp
    depth += 1
    out = {}
    for _ in range(n):
        key, pos = _fast(data, pos, types, depth)
        value, pos = _fast(data, pos, types, depth)
        try:
            out[key] = value
        except TypeError:  # as decoder.py words it
            raise _Final(WireError("dict key of type %s is not hashable in Python" % type(key).__name__)) from None
        except Exception as e:  # noqa: BLE001 - the key's own __hash__ raised
            raise _Final(e) from None
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
        try:
            return cls(**fields), pos
        except Exception as e:  # noqa: BLE001 - as build_object words it
            raise _Final(rebuild_error(name, fields, e) if type(e) is TypeError else e) from None
    return _run(build_object, cls, name, fields), pos


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
    return _run(build_object, cls, name, fields), pos
