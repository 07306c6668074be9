"""The benchmark's arguments and the checks of each answer, shared by every Python client."""

import dataclasses
from typing import Any, List, Sequence

RECORDS = 10_000
BLOB_SIZE = 1_000_000
ADD_ARGS = (40, 2)
METHODS = ("add", "records", "bytes")


def make_records(cls: type, count: int = RECORDS) -> List[Any]:
    """`count` records of class `cls` (any class with Record's fields), the same values each time."""
    units = ("kWh", "MWh", "EUR")
    return [cls(i, "record-%06d" % i, i * 0.25, i % 3 == 0, units[i % 3]) for i in range(count)]


def make_blob(size: int = BLOB_SIZE) -> bytes:
    return bytes(i % 251 for i in range(size))


def fields(record: Any) -> tuple:
    return tuple(getattr(record, f.name) for f in dataclasses.fields(record))


class AnswerError(AssertionError):
    """A system answered, but not what the method returns."""


def check_add(got: Any, full: bool = True) -> None:
    want = ADD_ARGS[0] + ADD_ARGS[1]
    if type(got) is not int or got != want:
        raise AnswerError("add%r answered %r, expected %d" % (ADD_ARGS, got, want))


def check_records(sent: Sequence[Any], got: Any, full: bool = True) -> None:
    """Every record when `full`, else the count and both ends (cheap enough for measured calls)."""
    if not isinstance(got, list) or len(got) != len(sent):
        raise AnswerError("echo_records answered %s, expected a list of %d records" % (_describe(got), len(sent)))
    pairs = zip(sent, got) if full else ((sent[0], got[0]), (sent[-1], got[-1]))
    for want, have in pairs:
        if not dataclasses.is_dataclass(have) or fields(have) != fields(want):
            raise AnswerError("echo_records answered %r where it was sent %r" % (have, want))


def check_bytes(sent: bytes, got: Any, full: bool = True) -> None:
    if type(got) is not bytes or got != sent:
        raise AnswerError("echo_bytes answered %s, expected the %d bytes sent" % (_describe(got), len(sent)))


def _describe(value: Any) -> str:
    size = len(value) if hasattr(value, "__len__") else None
    return "%s%s" % (type(value).__name__, "" if size is None else " of length %d" % size)
