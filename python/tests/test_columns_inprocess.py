"""Lists of dataclass instances converted by columns, through a real
in-process call (a hosted module written to a temporary folder), where the
classes on each side are checked too. The Converter and coerce alone, each
checked against the per-object path: test_columns.py.
"""

import asyncio
import dataclasses
import enum
import sys
from pathlib import Path
from typing import Any, List, Optional

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from graft_runtime import GraftClient  # noqa: E402

HOSTED = '''
import enum
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

RECEIVED = []


class Unit(enum.Enum):
    KWH = "kWh"
    MWH = "MWh"


@dataclass
class Point:
    x: float
    y: float


@dataclass
class Reading:
    id: int
    value: float
    unit: Unit
    at: Optional[Point] = None


@dataclass
class Special(Reading):
    note: str = ""


@dataclass
class Tally:
    name: str
    total: float = field(init=False, default=0.0)


def echo(readings: List[Reading]) -> List[Reading]:
    RECEIVED.append(readings)
    return readings


def echo_tuple(readings: Tuple[Reading, ...]) -> Tuple[Reading, ...]:
    RECEIVED.append(readings)
    return readings


def tallies(names: List[str]) -> List[Tally]:
    made = [Tally(n) for n in names]
    for i, t in enumerate(made):
        t.total = i * 1.5
    return made
'''


class GUnit(enum.Enum):
    __graft_module__ = "graft_columns_hosted"
    KWH = "kWh"
    MWH = "MWh"


@dataclasses.dataclass
class GPoint:
    __graft_module__ = "graft_columns_hosted"
    x: float
    y: float


@dataclasses.dataclass
class GReading:
    __graft_module__ = "graft_columns_hosted"
    id: int
    value: float
    unit: GUnit
    at: Optional[GPoint] = None


@dataclasses.dataclass
class GSpecial(GReading):
    __graft_module__ = "graft_columns_hosted"
    note: str = ""


@dataclasses.dataclass
class GTally:
    __graft_module__ = "graft_columns_hosted"
    name: str
    total: float = dataclasses.field(init=False, default=0.0)


GRAFT = (GUnit, GPoint, GReading, GSpecial, GTally)
for _cls in GRAFT:
    _cls.__name__ = _cls.__qualname__ = _cls.__name__[1:]  # the hosted names, as a generated graft has them


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hosted")
    (folder / "graft_columns_hosted.py").write_text(HOSTED)
    made = GraftClient("graft-pypi-columns", service="columns", module="graft_columns_hosted", kind="module")
    made.register(*GRAFT)
    made.set_config("name=graft-pypi-columns;host=inMemory;modules=%s" % folder)
    yield made
    sys.modules.pop("graft_columns_hosted", None)


def call(client: GraftClient, method: str, **kwargs: Any) -> Any:
    return asyncio.run(client.call("columns", method, (), kwargs))


@pytest.fixture
def hosted(client):
    """The hosted module (imported by the first call)."""
    call(client, "tallies", names=[])
    return sys.modules["graft_columns_hosted"]


def graft_readings(n: int) -> List[Any]:
    return [GReading(i, i if i % 2 else i + 0.5, GUnit.KWH if i % 3 else GUnit.MWH, GPoint(i, 0.5) if i % 4 else None)
            for i in range(n)]


@pytest.mark.parametrize("n", [0, 1, 3, 1500])
def test_a_list_of_records_round_trips(client, hosted, n):
    given = graft_readings(n)
    got = call(client, "echo", readings=given)
    received = hosted.RECEIVED[-1]
    assert [type(r) for r in received] == [hosted.Reading] * n
    assert [type(r.value) for r in received] == [float] * n  # an int for a float becomes a float
    assert {type(r.unit) for r in received} <= {hosted.Unit}
    assert {type(r.at) for r in received} <= {hosted.Point, type(None)}
    assert all(type(r.at.x) is float for r in received if r.at is not None)
    assert type(got) is list and [type(r) for r in got] == [GReading] * n
    assert got == given and got is not given
    assert [type(r.value) for r in got] == [float] * n  # as the hosted method saw them
    assert {type(r.unit) for r in got} <= {GUnit} and {type(r.at) for r in got} <= {GPoint, type(None)}


def test_a_tuple_of_records_round_trips(client, hosted):
    given = tuple(graft_readings(4))
    got = call(client, "echo_tuple", readings=given)
    assert type(hosted.RECEIVED[-1]) is tuple and [type(r) for r in hosted.RECEIVED[-1]] == [hosted.Reading] * 4
    assert type(got) is tuple and [type(r) for r in got] == [GReading] * 4
    assert [(r.id, r.value, r.unit, r.at) for r in got] == [(r.id, r.value, r.unit, r.at) for r in given]


def test_a_subclass_where_its_base_is_declared_is_refused_as_a_gateway_refuses_it(client, hosted):
    """The wire carries a value's own class and a gateway takes only the one
    declared: in-process refuses a subclass instance the same way, with the same text."""
    given = [GReading(1, 1, GUnit.KWH), GSpecial(2, 2.0, GUnit.MWH, None, "n"), GReading(3, 3.0, GUnit.KWH)]
    with pytest.raises(TypeError) as refused:
        call(client, "echo", readings=given)
    assert str(refused.value) == ('argument `readings` has the wrong type: readings[1]: expected Reading, '
                                  'got {"at":null,"id":2,"note":"n","unit":"MWh","value":2.0}')
    specials = [GSpecial(i, 1.0, GUnit.KWH) for i in range(3)]
    with pytest.raises(TypeError, match=r"readings\[0\]: expected Reading, got"):
        call(client, "echo", readings=specials)
    assert [type(r) for r in call(client, "echo", readings=given[:1])] == [GReading]


def test_init_false_fields_come_back(client, hosted):
    got = call(client, "tallies", names=["a", "b", "c"])
    assert [(type(t), t.name, t.total) for t in got] == [(GTally, "a", 0.0), (GTally, "b", 1.5), (GTally, "c", 3.0)]
