"""Tables: a list of objects of one shape, written by columns.

docs/PROTOCOL.md section 3, "Tables". `encode` writes a list whose items are
all objects with the same type name and field names (dataclass instances,
UnknownObjects) as that type name and those field names once, then one
column per field, each of the first kind that holds all its cells
(table_columns.py). `decode` reads a table back into the list of objects
the row-by-row form gives. Both handle whole columns at once (struct,
bytes, str, map), which is what makes a table quicker than its rows. The codec of single values is passed in
(`value`), so this module sits below encoder.py and decoder.py.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import gc
import inspect
import keyword
import operator
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from .classes import left_to_hosted
# The column kinds are tables' vocabulary too (tables.INT, tables.STR_JOINED).
from .table_columns import BOOL, FLOAT, INT, STR, STR_JOINED, VALUES  # noqa: F401
from .table_columns import DecodeValue, EncodeValue, put_column, take_column
from .values import (
    MAX_DEPTH, TABLE, U32, UnknownObject, WireError, build_object, put_str, take_count, take_str, too_deep,
)

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


def encode(items: Sequence[Any], buf: bytearray, depth: int, value: EncodeValue) -> bool:
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
        put_column(buf, column, depth + 1, value)
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


# ---------------------------------------------------------------- decoding


def decode(data: Any, pos: int, types: Mapping[str, type], depth: int, value: DecodeValue) -> Tuple[List[Any], int]:
    """The table whose payload starts at `pos` (after its tag), as the list
    of its objects, and the position after it. `depth` is the table's
    own; `value(data, pos, types, depth)` decodes one value of a values
    column. Raises WireError naming what is wrong."""
    name, names, columns, pos = decode_columns(data, pos, types, depth, value)
    return objects(name, names, columns, types), pos


def decode_columns(data: Any, pos: int, types: Mapping[str, type], depth: int,
                   value: DecodeValue) -> Tuple[str, List[str], List[Sequence[Any]], int]:
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
        column, pos = take_column(data, pos, rows, field, (types, depth + 2, value))
        columns.append(column)
    return name, names, columns, pos


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
