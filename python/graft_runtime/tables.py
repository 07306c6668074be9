"""Tables: a list of objects of one shape, written by columns.

docs/PROTOCOL.md section 3, "Tables". `encode` writes a list whose items are
all objects with the same type name and field names (dataclass instances,
UnknownObjects) as that type name and those field names once, then one
column per field, each of the first kind that holds all its cells. `decode`
reads a table back into the list of objects the row-by-row form gives. Both
handle whole columns at once (struct, bytes, str, map), which is what makes
a table quicker than its rows. The codec of single values is passed in
(`value`), so this module sits below encoder.py and decoder.py.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import gc
import inspect
import itertools
import keyword
import operator
import struct
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

from .classes import left_to_hosted
from .values import (
    MAX_DEPTH, TABLE, U32, UnknownObject, WireError, build_object, put_str, take_count, take_str, too_deep,
)

# Column kinds (each the value tag of what it holds; values: any tag;
# STR_JOINED: strs joined by NUL, when none holds one, else STR: by lengths).
VALUES, BOOL, INT, FLOAT, STR, STR_JOINED = 0x00, 0x01, 0x03, 0x04, 0x05, 0x06
_CELL_SIZE = {BOOL: 1, INT: 8, FLOAT: 8, STR: 4}  # for STR, of its lengths

_EncodeValue = Callable[[Any, bytearray, int], None]
_DecodeValue = Callable[[Any, int, Mapping[str, type], int], Tuple[Any, int]]
_Shape = Tuple[str, Tuple[str, ...]]  # type name, field names

# ---------------------------------------------------------------- encoding


class _ClassTable:
    """What writing one dataclass's instances as a table needs, made once per class."""

    def __init__(self, cls: type, names: Tuple[str, ...]) -> None:
        self.shape: _Shape = (cls.__name__, names)
        self.head = _head(self.shape)
        self.columns = _columns_reader(names)
        many = operator.attrgetter(*names)
        self.row: Callable[[Any], Sequence[Any]] = many if len(names) > 1 else (lambda obj: (many(obj),))


def _columns_reader(names: Tuple[str, ...]) -> Callable[[Sequence[Any]], List[List[Any]]]:
    """What reads the field `names` of a list of objects as columns: a list
    comprehension per field, written once per class (as dataclasses writes
    its __init__), which reads them quicker than map with an attrgetter."""
    if not all(name.isidentifier() and not keyword.iskeyword(name) for name in names):
        getters = [operator.attrgetter(name) for name in names]
        return lambda items: [list(map(getter, items)) for getter in getters]
    scope: Dict[str, Any] = {}
    exec("def columns(items):\n    return [%s]\n" % ", ".join("[o.%s for o in items]" % name for name in names), scope)
    reader: Callable[[Sequence[Any]], List[List[Any]]] = scope["columns"]
    return reader


_CLASSES: Dict[type, Optional[_ClassTable]] = {UnknownObject: None}


def _class_table(cls: type) -> Optional[_ClassTable]:
    """None unless `cls`'s instances are objects with fields on the wire (dataclass instances)."""
    try:
        return _CLASSES[cls]
    except KeyError:
        pass
    found = None
    if not issubclass(cls, enum.Enum) and dataclasses.is_dataclass(cls) and not left_to_hosted(cls):
        names = tuple(f.name for f in dataclasses.fields(cls))
        found = _ClassTable(cls, names) if names else None
    _CLASSES[cls] = found
    return found


def _head(shape: _Shape) -> bytes:
    """The tag, type name, field count and field names."""
    name, names = shape
    buf = bytearray()
    put_str(buf, name, TABLE)
    buf += U32.pack(len(names))
    for field in names:
        put_str(buf, field)
    return bytes(buf)


def encode(items: Sequence[Any], buf: bytearray, depth: int, value: _EncodeValue) -> bool:
    """Append the non-empty list `items` as a table and return True, or
    append nothing and return False when it is not a table's shape.
    `depth` is the items' own; `value(obj, buf, depth)` encodes one value."""
    first = type(items[0])
    known = _class_table(first)
    if known is None and first is not UnknownObject:
        return False
    columns: Sequence[Sequence[Any]]
    if known is not None and len(set(map(type, items))) == 1:
        head, columns = known.head, known.columns(items)
    else:  # UnknownObjects, or classes that share a name and field names
        shape = _shape(items[0])
        if shape is None or not shape[1] or any(_shape(item) != shape for item in items):
            return False
        head, columns = _head(shape), list(zip(*map(_row, items)))
    if depth >= MAX_DEPTH:
        raise too_deep()
    buf += head
    buf += U32.pack(len(items))
    for column in columns:
        _put_column(buf, column, depth + 1, value)
    return True


def _shape(item: Any) -> Optional[_Shape]:
    if type(item) is UnknownObject:
        return item.type_name, tuple(item.fields)
    known = _class_table(type(item))
    return None if known is None else known.shape


def _row(item: Any) -> Sequence[Any]:
    if type(item) is UnknownObject:
        return tuple(item.fields.values())
    known = _class_table(type(item))
    assert known is not None, "_shape has found it"
    return known.row(item)


def _put_column(buf: bytearray, column: Sequence[Any], depth: int, value: _EncodeValue) -> None:
    kind, column = _column_kind(column)
    n = len(column)
    if kind == INT:
        try:
            packed = struct.pack(">%dq" % n, *column)
        except struct.error:  # an int outside 64 bits: written as values, which raise the OverflowError naming it
            kind = VALUES
        else:
            buf.append(INT)
            buf += packed
            return
    if kind == FLOAT:
        buf.append(FLOAT)
        buf += struct.pack(">%dd" % n, *column)
    elif kind == BOOL:
        buf.append(BOOL)
        buf += bytes(column)
    elif kind == STR:
        _put_strs(buf, column, depth, value)
    else:
        buf.append(VALUES)
        for cell in column:
            value(cell, buf, depth)


def _column_kind(column: Sequence[Any]) -> Tuple[int, Sequence[Any]]:
    """The first kind that holds every cell (int, float, bool, str, else
    values), and the cells as that kind's Python type."""
    first = type(column[0])
    kind = _KINDS.get(first)
    if kind is not None and list(map(type, column)).count(first) == len(column):  # quicker than a set
        return kind, column
    types = set(map(type, column))
    kinds = set(map(_wire_kind, types))
    if len(kinds) == 1:
        kind = kinds.pop()
        base = _BASES.get(kind)
        if base is not None:  # subclasses of int, float or str: each travels as its base
            return kind, list(map(base, column))
    return VALUES, column


_KINDS: Dict[type, int] = {int: INT, float: FLOAT, bool: BOOL, str: STR}
_BASES: Dict[int, type] = {INT: int, FLOAT: float, STR: str}


def _wire_kind(cls: type) -> int:
    """The column kind of `cls`'s instances: an int, float or str subclass
    is its base's (not an enum, which is an enum)."""
    if cls in _KINDS:
        return _KINDS[cls]
    if issubclass(cls, enum.Enum):
        return VALUES
    for base, kind in ((int, INT), (float, FLOAT), (str, STR)):
        if issubclass(cls, base):
            return kind
    return VALUES


def _put_strs(buf: bytearray, column: Sequence[str], depth: int, value: _EncodeValue) -> None:
    text = "\x00".join(column)
    try:
        blob = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: encoded alone, it raises the WireError naming it
        for cell in column:
            value(cell, bytearray(), depth)
        raise
    if blob.count(0) == len(column) - 1:  # no str holds a NUL: joined by NULs
        buf.append(STR_JOINED)
        buf += U32.pack(len(blob))
        buf += blob
        return
    raws = [cell.encode("utf-8") for cell in column]
    buf.append(STR)
    buf += struct.pack(">%dI" % len(raws), *map(len, raws))
    buf += b"".join(raws)

# ---------------------------------------------------------------- decoding


def decode(data: Any, pos: int, types: Mapping[str, type], depth: int, value: _DecodeValue) -> Tuple[List[Any], int]:
    """The table whose payload starts at `pos` (after its tag), as the list
    of its objects, and the position after it. `depth` is the table's
    own; `value(data, pos, types, depth)` decodes one value of a values
    column. Raises WireError naming what is wrong."""
    name, names, columns, pos = decode_columns(data, pos, types, depth, value)
    return objects(name, names, columns, types), pos


def decode_columns(data: Any, pos: int, types: Mapping[str, type], depth: int,
                   value: _DecodeValue) -> Tuple[str, List[str], List[Sequence[Any]], int]:
    """`decode` up to its objects: the type name, field names and columns,
    and the position after them. No class's code runs here (but in the
    values of a values column); it all runs in `objects`."""
    if depth + 1 >= MAX_DEPTH:  # its objects would be too deep, even when there are none
        raise too_deep()
    name, pos = take_str(data, pos, "table type name")
    width, pos = take_count(data, pos, "table field", 5)
    if width == 0:
        raise WireError("table %r has no fields; a table has at least one" % name)
    names = []
    for _ in range(width):
        field, pos = take_str(data, pos, "table field name")
        names.append(field)
    rows, pos = take_count(data, pos, "table row", width)
    columns = []
    for field in names:
        column, pos = _take_column(data, pos, rows, field, (types, depth + 2, value))
        columns.append(column)
    return name, names, columns, pos


def _take_column(data: Any, pos: int, rows: int, field: str,
                 cells: Tuple[Mapping[str, type], int, _DecodeValue]) -> Tuple[Sequence[Any], int]:
    kind = data[pos]
    pos += 1
    if kind == VALUES:
        types, depth, value = cells
        out = []
        for _ in range(rows):
            item, pos = value(data, pos, types, depth)
            out.append(item)
        return out, pos
    if kind == STR_JOINED:
        return _joined(data, pos, rows, field)
    size = _CELL_SIZE.get(kind)
    if size is None:
        raise WireError("unknown table column kind 0x%02x (field %r)" % (kind, field))
    end = _end(data, pos, rows * size, field, "needs")
    if kind == INT:
        return struct.unpack_from(">%dq" % rows, data, pos), end
    if kind == FLOAT:
        return struct.unpack_from(">%dd" % rows, data, pos), end
    if kind == BOOL:
        return _bools(bytes(data[pos:end]), field), end
    return _strs(data, end, struct.unpack_from(">%dI" % rows, data, pos), field)


def _end(data: Any, pos: int, size: int, field: str, what: str) -> int:
    """Where `size` bytes of column `field` from `pos` end; WireError when
    fewer remain (`what` says which part of the column needs them)."""
    end = pos + size
    if end > len(data):
        raise WireError("truncated table column %r: %s %d bytes but only %d remain" % (field, what, size, len(data) - pos))
    return end


def _bools(raw: bytes, field: str) -> List[bool]:
    if raw.translate(None, b"\x00\x01"):
        row = next(i for i, b in enumerate(raw) if b > 1)
        raise WireError("table column %r, row %d: bool byte 0x%02x is neither 0 nor 1" % (field, row, raw[row]))
    return list(map(bool, raw))


def _strs(data: Any, pos: int, lengths: Tuple[int, ...], field: str) -> Tuple[List[str], int]:
    """The strings of a str column whose `lengths` have been read; its bytes start at `pos`."""
    total = sum(lengths)
    end = _end(data, pos, total, field, "its strings need")
    try:
        text = str(data[pos:end], "utf-8")
    except UnicodeDecodeError:
        text = ""
    if len(text) == total:  # all ASCII, so every string is valid alone: slices of the one text
        ends = list(itertools.accumulate(lengths))
        return [text[a:b] for a, b in zip(itertools.chain((0,), ends), ends)], end
    starts = itertools.accumulate(itertools.chain((pos,), lengths))
    # each must be valid UTF-8 alone, not only all together
    return _decode_rows(field, (data[a:a + n] for a, n in zip(starts, lengths))), end


def _joined(data: Any, pos: int, rows: int, field: str) -> Tuple[List[str], int]:
    """The strings of a joined str column, whose byte length starts at `pos`."""
    pos = _end(data, pos, 4, field, "its length needs")
    (total,) = U32.unpack_from(data, pos - 4)
    end = _end(data, pos, total, field, "its strings need")
    raw = bytes(data[pos:end])
    try:
        text = str(raw, "utf-8")  # NUL is never part of a longer character: valid whole is valid each
    except UnicodeDecodeError:
        _decode_rows(field, raw.split(b"\x00"))  # raises, naming the row
        raise
    strs = text.split("\x00", rows) if rows or text else []  # at most one more than rows: then it is wrong anyway
    if len(strs) != rows:
        raise WireError("table column %r: a joined str column holds %d strings where the table has %d rows"
                        % (field, text.count("\x00") + 1, rows))
    return strs, end


def _decode_rows(field: str, raws: Iterable[Any]) -> List[str]:
    """Each row's bytes decoded alone; WireError naming the first that is not UTF-8."""
    out = []
    for row, raw in enumerate(raws):
        try:
            out.append(str(raw, "utf-8"))
        except UnicodeDecodeError:
            raise WireError("table column %r, row %d: str is not valid UTF-8: %r" % (field, row, bytes(raw[:32]))) from None
    return out


def objects(name: str, names: List[str], columns: List[Sequence[Any]], types: Mapping[str, type]) -> List[Any]:
    """The table's rows as `build_object` (or UnknownObject) makes them;
    positionally, in one call per row, when the fields are exactly the
    parameters of the class's __init__ in their order."""
    cls = types.get(name)
    with _collector_paused(len(columns[0])):
        if cls is None:
            return [UnknownObject(name, dict(zip(names, row))) for row in zip(*columns)]
        if _parameters(cls) == tuple(names):
            try:
                return list(map(cls, *columns))
            except TypeError as e:
                raise WireError("cannot rebuild %s from fields %s: %s" % (name, sorted(names), e)) from None
        return [build_object(cls, name, dict(zip(names, row))) for row in zip(*columns)]


_PAUSE_ROWS = 1000  # fewer rows than this build too quickly for the collector to matter


@contextlib.contextmanager
def _collector_paused(rows: int) -> Iterator[None]:
    """Holds the cyclic garbage collector off while a big table's objects are
    built: objects only the table under construction reaches cannot be
    garbage yet, yet every few hundred of them trigger a collection, and
    their surviving into the older generations makes full collections of the
    whole heap frequent (gg does the same, crates/graft-python/src/gc_pause.rs).
    The collector runs as usual at the next allocation after. A collector
    already off (by the application, or by another thread's pause) is left
    as it is."""
    if rows < _PAUSE_ROWS or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _parameters(cls: type) -> Optional[Tuple[str, ...]]:
    """The names of `cls`'s __init__ parameters when each may be passed by
    position (remembered per class); else None."""
    try:
        return _PARAMETERS[cls]
    except KeyError:
        pass
    try:
        params = list(inspect.signature(cls).parameters.values())
        names: Optional[Tuple[str, ...]] = tuple(p.name for p in params)
        if any(p.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params):
            names = None
    except (TypeError, ValueError):  # no signature to be had
        names = None
    _PARAMETERS[cls] = names
    return names


_PARAMETERS: Dict[type, Optional[Tuple[str, ...]]] = {}
