"""Lists of dataclass instances converted by columns (convert.py, coerce.py).

Each case is checked against what converting the same objects one at a
time gives (the per-object path, which the column path must match).
Through a real in-process call: test_columns_inprocess.py.
"""

import dataclasses
import enum
import gc
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from graft_runtime import coerce  # noqa: E402
from graft_runtime.convert import Converter  # noqa: E402

# ------------------------------------------------------------ Converter alone


def one_side() -> Dict[str, type]:
    """The classes of one side of a call, by name; the tests make two sides."""

    class Unit(enum.Enum):
        KWH = "kWh"
        MWH = "MWh"

    @dataclasses.dataclass
    class Point:
        x: float
        y: float

    @dataclasses.dataclass
    class Reading:
        id: int
        value: float
        unit: Unit
        at: Optional[Point] = None

    @dataclasses.dataclass
    class Tally:
        name: str
        total: float = dataclasses.field(init=False, default=0.0)

        def __post_init__(self) -> None:
            self.total = -1.0  # on the other side, overwritten with the source's value

    @dataclasses.dataclass(init=False)
    class Late:
        """An __init__ that takes its init=False field too: not called with it."""

        name: str
        total: float = dataclasses.field(init=False, default=0.0)

        def __init__(self, name: str, total: float = -1.0) -> None:
            self.name = name
            self.given = total

    @dataclasses.dataclass(init=False)
    class Swapped:
        """Fields `a, b`; its __init__ takes them as `b, a`."""

        a: int
        b: str

        def __init__(self, b: str, a: int) -> None:
            self.a = a
            self.b = b

    return {c.__name__: c for c in (Unit, Point, Reading, Tally, Late, Swapped)}


SOURCE, TWINS = one_side(), one_side()
Unit, Point, Reading, Tally, Late, Swapped = (SOURCE[n] for n in ("Unit", "Point", "Reading", "Tally", "Late", "Swapped"))
SOURCES = tuple(SOURCE.values())


@dataclasses.dataclass
class Special(Reading):  # type: ignore[valid-type,misc]
    """A subclass the other side does not have."""

    note: str = ""


def converter() -> Converter:
    return Converter(lambda cls: TWINS[cls.__name__] if cls in SOURCES else None)


def one_at_a_time(items: Any) -> List[Any]:
    """The per-object path: each item converted alone, by a converter of its own."""
    return [converter()(x) for x in items]


def fields(obj: Any) -> Tuple[Any, ...]:
    """An object's class name, and its fields' values and types (nested ones too)."""
    if isinstance(obj, enum.Enum):
        return (type(obj).__name__, obj.name)
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__,) + tuple(map(fields, obj))
    if not dataclasses.is_dataclass(obj):
        return (type(obj).__name__, obj)
    return (type(obj).__name__,) + tuple(fields(getattr(obj, f.name)) for f in dataclasses.fields(obj))


def readings(n: int) -> List[Reading]:
    return [Reading(i, i * 0.5, Unit.KWH if i % 2 else Unit.MWH, Point(i, 1.5) if i % 3 else None)
            for i in range(n)]


CASES = {
    "nested dataclasses and enums": readings(50),
    "an int in a float field": [Reading(i, i, Unit.KWH) for i in range(5)],
    "init=False fields": [Tally("a"), Tally("b")],
    "init=False fields the __init__ takes": [Late("a"), Late("b")],
    "an __init__ other than its fields": [Swapped("x", 1), Swapped("y", 2)],
    "mixed classes": [Reading(1, 1.0, Unit.KWH), Point(1.0, 2.0), Reading(2, 2.0, Unit.MWH)],
    "a subclass the other side lacks": [Special(1, 1.0, Unit.KWH, None, "n")] * 3,
    "a subclass among its base's instances": [Reading(1, 1.0, Unit.KWH), Special(2, 2.0, Unit.KWH)],
    "plain values": [1, "a", None, 2.5],
    "lists of lists": [readings(3), readings(2)],
    "empty": [],
}


@pytest.mark.parametrize("items", CASES.values(), ids=list(CASES))
def test_lists_and_tuples_convert_as_one_object_at_a_time(items):
    want = [fields(x) for x in one_at_a_time(items)]
    for made in (converter()(items), converter()(tuple(items))):
        assert [fields(x) for x in made] == want
        assert all(a is b for a, b in zip(made, items) if type(b) in (int, str, type(None)))  # kept as they are
    assert type(converter()(tuple(items))) is tuple and type(converter()(items)) is list


def test_the_classes_each_side_gets():
    made = converter()(readings(10))
    assert {type(r) for r in made} == {TWINS["Reading"]}
    assert {type(r.unit) for r in made} == {TWINS["Unit"]}
    assert {type(r.at) for r in made} == {TWINS["Point"], type(None)}
    assert [r.value for r in made] == [i * 0.5 for i in range(10)]
    tallies = [Tally("a"), Tally("b")]
    tallies[1].total = 7.5
    assert [(type(t), t.total) for t in converter()(tallies)] == [(TWINS["Tally"], -1.0), (TWINS["Tally"], 7.5)]
    late = [Late("a"), Late("b")]
    late[1].total = 2.5
    assert [(t.total, t.given) for t in converter()(late)] == [(0.0, -1.0), (2.5, -1.0)]
    swapped = converter()([Swapped("x", 1)])[0]
    assert (type(swapped), swapped.a, swapped.b) == (TWINS["Swapped"], 1, "x")
    mixed = converter()([Special(1, 1.0, Unit.KWH), Reading(2, 2.0, Unit.KWH)])
    assert [type(r) for r in mixed] == [Special, TWINS["Reading"]]


def test_the_collector_is_held_off_while_a_big_list_is_built():
    seen = []

    @dataclasses.dataclass
    class Seen:
        id: int

        def __post_init__(self) -> None:
            seen.append(gc.isenabled())

    @dataclasses.dataclass
    class Source:
        id: int

    convert = Converter(lambda cls: Seen if cls is Source else None)
    assert gc.isenabled()
    assert len(convert([Source(i) for i in range(1000)])) == 1000
    assert not any(seen) and gc.isenabled()
    seen.clear()
    convert([Source(i) for i in range(999)])
    assert all(seen) and len(seen) == 999

    @dataclasses.dataclass
    class Refused:
        id: int

        def __post_init__(self) -> None:
            raise ValueError(self.id)

    with pytest.raises(ValueError):
        Converter(lambda cls: Refused)([Source(i) for i in range(1000)])
    assert gc.isenabled()

# ------------------------------------------------------------ coerce alone


@dataclasses.dataclass
class Row:
    id: int
    value: float
    points: List[Point]
    unit: Optional[Unit] = None


def rows() -> List[Any]:
    return [Row(1, 2, [Point(1, 2)], Unit.KWH), Row(2, 2.5, [], None), Row(3, 3.0, [Point(0.5, 1)], None)]


def test_coerce_by_columns_gives_what_coerce_gives():
    hint = List[Row]
    for make in (rows, lambda: rows()[:1], lambda: []):
        want = coerce.coerce(make(), hint)
        for kind in (list, tuple):
            given = kind(make())
            got = coerce.converter(hint)(given)
            assert type(got) is list and [fields(r) for r in got] == [fields(r) for r in want]
            assert all(a is b for a, b in zip(got, given))  # converted in place


def test_a_subclass_among_the_rows_is_refused_by_both_as_a_gateway_refuses_it():
    hint = List[Row]
    with_special = rows()[:1] + [Special(1, 1, Unit.KWH)]  # type: ignore[call-arg]
    for convert in (lambda v: coerce.coerce(v, hint), coerce.converter(hint)):
        with pytest.raises(coerce.Misfit) as refused:
            convert(list(with_special))
        assert (refused.value.expected, refused.value.path) == ("Row", "[1]")


def test_coerce_converts_only_what_needs_it():
    given = rows()
    untouched = given[1].points
    got = coerce.converter(List[Row])(given)
    assert [type(r.value) for r in got] == [float] * 3
    assert [(type(p.x), type(p.y)) for r in got for p in r.points] == [(float, float)] * 2
    assert got[1].points == untouched
    floats = [Row(i, i + 0.5, []) for i in range(3)]
    assert coerce.converter(List[Row])(floats) is not floats  # a new list, as before
    assert [r.value for r in floats] == [0.5, 1.5, 2.5]
