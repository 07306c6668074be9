"""A class's own code runs once per decoded object (bug 2 of issue 13).

fastdecoder.py used to decode a value again with decoder.py on any
exception, so a __post_init__ that raised on the second object of a list
ran 1, 3, 1, 3. What a class raises is now the answer, and bytes the fast
decoder cannot read are read again without classes.
"""

import dataclasses
import sys
from pathlib import Path
from typing import List

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from graft_runtime import fastdecoder, wire  # noqa: E402

CALLS: List[int] = []


@dataclasses.dataclass
class Picky:
    n: int

    def __post_init__(self) -> None:
        CALLS.append(self.n)
        if self.n == 3:
            raise ValueError("3 is not allowed")


@dataclasses.dataclass
class Late:
    """A class with an init=False field: built through build_object."""

    n: int
    extra: int = dataclasses.field(init=False, default=0)

    def __post_init__(self) -> None:
        CALLS.append(self.n)
        if self.n == 3:
            raise ValueError("3 is not allowed")


TYPES = {"Picky": Picky, "Late": Late}


def encoded(value: object) -> bytes:
    buf = bytearray()
    wire.encode_value(value, buf)
    return bytes(buf)


def unbuilt(cls: type, n: int) -> object:
    """An instance made without running its __post_init__ (to be encoded)."""
    obj = object.__new__(cls)
    for field in dataclasses.fields(cls):
        object.__setattr__(obj, field.name, n if field.name == "n" else 0)
    return obj


@pytest.mark.parametrize("cls", [Picky, Late])
@pytest.mark.parametrize("shape", ["table", "list", "alone"])
def test_a_raising_post_init_runs_once_per_object(cls: type, shape: str) -> None:
    items = [unbuilt(cls, 1), unbuilt(cls, 3)]
    value = {"table": items, "list": items + ["not an object"], "alone": {"k": items[1]}}[shape]
    data = encoded(value)
    assert data[0] == {"table": wire.TABLE, "list": wire.LIST, "alone": wire.DICT}[shape]
    for decode in (fastdecoder.decode_at, wire.decode_value):
        CALLS.clear()
        with pytest.raises(ValueError, match="3 is not allowed") as raised:
            decode(data, 0, TYPES)
        assert type(raised.value) is ValueError, "the class's own exception, not a WireError"
        assert CALLS == ([3] if shape == "alone" else [1, 3]), CALLS


def test_objects_before_bytes_it_cannot_read_are_not_built_again() -> None:
    data = encoded([unbuilt(Picky, 1), unbuilt(Picky, 2), "some text"])[:-3]  # the str is cut short
    CALLS.clear()
    with pytest.raises(wire.WireError, match="truncated str: needs 9 bytes but only 6 remain"):
        wire.decode_value(data, 0, TYPES)
    assert CALLS == [1, 2]


def test_unhashable_objects_are_built_once_and_named() -> None:
    key = encoded(unbuilt(Picky, 1))
    as_key = bytes([wire.DICT]) + (1).to_bytes(4, "big") + key + encoded(1)
    as_item = bytes([wire.SET]) + (1).to_bytes(4, "big") + key
    for data, message in ((as_key, "dict key of type Picky is not hashable in Python"),
                          (as_item, "set item cannot be held in a Python set: unhashable type: 'Picky'")):
        CALLS.clear()
        with pytest.raises(wire.WireError, match=message):
            wire.decode_value(data, 0, TYPES)
        assert CALLS == [1]


def test_a_type_error_in_init_is_reported_as_before_and_built_once() -> None:
    data = encoded(wire.UnknownObject("Picky", {"m": 1}))
    for decode in (fastdecoder.decode_at, wire.decode_value):
        with pytest.raises(wire.WireError, match=r"cannot rebuild Picky from fields \['m'\]"):
            decode(data, 0, TYPES)
