"""The columns of a table (tables.py): their kinds, each written or read whole.

docs/PROTOCOL.md section 3, "Tables". A column is its kind, then its
cells: ints and floats packed 8 bytes each, bools a byte each, strs as
their byte lengths then their bytes, or joined by NUL when none holds
one, anything else a value each (the codec of single values is passed in,
`value`). Writing picks the first kind that holds every cell; reading
checks every cell (each str valid UTF-8 alone) and says which row is wrong.
"""

from __future__ import annotations

import enum
import itertools
import struct
from typing import Any, Callable, Dict, Iterable, List, Mapping, Sequence, Tuple

from .values import U32, WireError

# Column kinds (each the value tag of what it holds; values: any tag;
# STR_JOINED: strs joined by NUL, when none holds one, else STR: by lengths).
VALUES, BOOL, INT, FLOAT, STR, STR_JOINED = 0x00, 0x01, 0x03, 0x04, 0x05, 0x06
_CELL_SIZE = {BOOL: 1, INT: 8, FLOAT: 8, STR: 4}  # for STR, of its lengths

EncodeValue = Callable[[Any, bytearray, int], None]
DecodeValue = Callable[[Any, int, Mapping[str, type], int], Tuple[Any, int]]

# ---------------------------------------------------------------- writing


def put_column(buf: bytearray, column: Sequence[Any], depth: int, value: EncodeValue) -> None:
    """Append `column` as the first kind that holds all its cells (an int
    past 64 bits: as values, which raise the error naming it)."""
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


def _put_strs(buf: bytearray, column: Sequence[str], depth: int, value: EncodeValue) -> None:
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

# ---------------------------------------------------------------- reading


def take_column(data: Any, pos: int, rows: int, field: str,
                cells: Tuple[Mapping[str, type], int, DecodeValue]) -> Tuple[Sequence[Any], int]:
    """The column of `field`, `rows` cells, whose kind byte is at `pos`, and
    the position after it; `cells` decode the values of a values column."""
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
