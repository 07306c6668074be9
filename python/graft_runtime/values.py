"""What the wire's values are made of: tags, limits, errors and objects.

The layer under encoder.py, decoder.py, fastdecoder.py and tables.py (which
wire.py puts together); it imports nothing of Graft's. See docs/PROTOCOL.md,
section 3.
"""

from __future__ import annotations

import dataclasses
import struct
from typing import Any, Dict, Optional, Tuple

MAX_DEPTH = 100
I64_MIN, I64_MAX = -(2**63), 2**63 - 1

# Value tags.
NONE, FALSE, TRUE, INT, FLOAT, STR, BYTES, LIST, TUPLE, SET, DICT, OBJECT, ENUM, DATETIME, DATE, TABLE = range(16)
DECIMAL, UUID, TIMEDELTA, TIME = range(0x10, 0x14)  # version 6: scalars.py
OBJECT_REF = 0x14  # a hosted object, by service name and id (version 6)

U32 = struct.Struct(">I")
I64 = struct.Struct(">q")
F64 = struct.Struct(">d")
TAG_U32 = struct.Struct(">BI")


class WireError(ValueError):
    """Bytes that break the protocol, or a value that cannot cross it."""


def too_deep() -> WireError:
    return WireError("value nested deeper than %d containers" % MAX_DEPTH)


def put_str(buf: bytearray, text: str, tag: Optional[int] = None) -> None:
    """Append `text` as a str (u32 length + UTF-8), after `tag` if given."""
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise WireError("str %r is not valid Unicode text: %s" % (text[:40], e)) from None
    if tag is None:
        buf += U32.pack(len(raw))
    else:
        buf += TAG_U32.pack(tag, len(raw))
    buf += raw


def take_len(data: Any, pos: int, what: str) -> Tuple[int, int]:
    """A u32 length at `pos` that the bytes left can hold, and the position after it."""
    (n,) = U32.unpack_from(data, pos)
    pos += 4
    if n > len(data) - pos:
        raise WireError("truncated %s: needs %d bytes but only %d remain" % (what, n, len(data) - pos))
    return n, pos


def take_count(data: Any, pos: int, what: str, min_item: int) -> Tuple[int, int]:
    """A u32 count at `pos` of items at least `min_item` bytes each that the bytes left can hold."""
    (n,) = U32.unpack_from(data, pos)
    pos += 4
    if n * min_item > len(data) - pos:
        raise WireError("%s count %d cannot fit in the %d bytes left" % (what, n, len(data) - pos))
    return n, pos


def take_str(data: Any, pos: int, what: str) -> Tuple[str, int]:
    """A str at `pos`, checked, and the position after it."""
    n, pos = take_len(data, pos, what)
    end = pos + n
    try:
        return str(data[pos:end], "utf-8"), end
    except UnicodeDecodeError:
        raise WireError("%s is not valid UTF-8: %r" % (what, bytes(data[pos:min(end, pos + 32)]))) from None


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


def build_object(cls: type, name: str, fields: Dict[str, Any]) -> Any:
    """An instance of the registered `cls` from an object's fields: the
    __init__ ones as keywords, a dataclass's init=False ones set after."""
    late = late_fields(cls)
    try:
        if not late:
            return cls(**fields)
        obj = cls(**{k: v for k, v in fields.items() if k not in late})
        for k in late.intersection(fields):
            object.__setattr__(obj, k, fields[k])
        return obj
    except TypeError as e:
        raise rebuild_error(name, fields, e) from None


def rebuild_error(name: str, fields: Dict[str, Any], error: TypeError) -> WireError:
    """What a class's TypeError on being built from `fields` is reported as."""
    return WireError("cannot rebuild %s from fields %s: %s" % (name, sorted(fields), error))


def late_fields(cls: type) -> frozenset[str]:
    """The names of a dataclass's init=False fields (remembered per class)."""
    late = LATE_FIELDS.get(cls)
    if late is None:
        late = frozenset(f.name for f in dataclasses.fields(cls) if not f.init) if dataclasses.is_dataclass(cls) else NO_FIELDS
        LATE_FIELDS[cls] = late
    return late


LATE_FIELDS: Dict[type, frozenset[str]] = {}
NO_FIELDS: frozenset[str] = frozenset()


class ObjectRef:
    """A reference to a hosted object (tag 0x14) of a service the receiver
    has no graft class for: its service name and id. It encodes back to the
    same reference."""

    __slots__ = ("service", "id")

    def __init__(self, service: str, id: str) -> None:
        self.service = service
        self.id = id

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ObjectRef):
            return NotImplemented
        return self.service == other.service and self.id == other.id

    def __hash__(self) -> int:
        return hash((self.service, self.id))

    def __repr__(self) -> str:
        return "ObjectRef(%r, %r)" % (self.service, self.id)
