"""A hosted result converted and checked against its return annotation in
one pass (typed.py), as a gateway checks it (fits.rs): the misfits named
with their place, and values that fit converted as the untyped conversion
converts them."""

import dataclasses
import enum
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List, Literal, NamedTuple, Optional, Tuple, Union

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graft_runtime.convert import Converter  # noqa: E402
from graft_runtime.typed import convert  # noqa: E402


@dataclasses.dataclass
class Price:  # the hosted class
    sku: str
    amount: Decimal


@dataclasses.dataclass
class GraftPrice:  # the graft's class of the same name
    sku: str
    amount: Decimal


class Level(enum.IntEnum):
    LOW = 1


class Point(NamedTuple):
    x: int
    y: int


def converter():
    return Converter(lambda cls: GraftPrice if cls is Price else None)


def run(hint, value):
    return convert(converter(), ("S.m", hint), value)


def misfit(hint, value):
    with pytest.raises(TypeError) as raised:
        run(hint, value)
    return str(raised.value)


def test_misfits_inside_containers_and_records_are_named_with_their_place():
    says = "S.m returned a value of type %s%s where its annotation says %s"
    assert misfit(List[Decimal], [Decimal(1), 0.1]) == says % ("float", " at returns[1]", "Decimal")
    assert misfit(List[Price], [Price("a", Decimal(1)), Price("b", 0.5)]) == says % (
        "float", " at returns[1].amount", "Decimal")
    assert misfit(Dict[str, Decimal], {"a": 1.5}) == says % ("float", ' at returns["a"]', "Decimal")
    assert misfit(Dict[int, str], {"a": "x"}) == says % ("str", ' at returns key "a"', "int")
    assert misfit(Optional[Price], Price("x", "1")) == says % ("str", " at returns.amount", "Decimal")
    assert misfit(Tuple[str, Decimal], ("a", "1")) == says % ("str", " at returns[1]", "Decimal")
    assert misfit(Optional[int], "5") == says % ("str", "", "Optional[int]")
    assert misfit(List[int], 5) == says % ("int", "", "list[int]")
    assert misfit(Union[int, str], 1.5) == says % ("float", "", "Union[int, str]")
    assert misfit(List[Literal["a", "b"]], ["a", "c"]) == says % ("str", " at returns[1]", "Literal['a', 'b']")
    assert misfit(Point, Point(1, "2")) == says % ("str", " at returns.y", "int")
    assert misfit(Price, "not a price") == says % ("str", "", "Price")


def test_values_that_fit_are_converted_as_by_type():
    rows = [Price("a", Decimal(1)), Price("b", Decimal(2))]
    got = run(List[Price], rows)
    assert got == [GraftPrice("a", Decimal(1)), GraftPrice("b", Decimal(2))] and type(got[0]) is GraftPrice
    assert run(Optional[Price], rows[0]) == GraftPrice("a", Decimal(1)) and run(Optional[Price], None) is None
    assert run(List[Decimal], [Decimal(1), Decimal(2)]) == [Decimal(1), Decimal(2)]
    assert run(float, 1) == 1 and type(run(float, 1)) is int  # an int fits a float and stays an int, as remote
    assert run(int, Level.LOW) is Level.LOW and run(List[int], [True, 2]) == [True, 2]
    assert run(Dict[str, List[Price]], {"k": rows})["k"][1] == GraftPrice("b", Decimal(2))
    assert run(Any, {"anything": object}) == {"anything": object}
    assert run(Tuple[str, Decimal], ["a", Decimal(1)]) == ["a", Decimal(1)]
    assert run(Price, Point(1, 2)) == Point(1, 2)  # a record of another class passes as it is, as remote


def test_a_plans_fast_path_checks_a_plain_result_inside_it():
    import inspect
    import typing

    from graft_runtime import returns
    from graft_runtime.plans import Plan

    def count(n: int) -> int:
        return str(n) if n < 0 else n  # type: ignore[return-value]

    plan = Plan(None, count, inspect.signature(count), typing.get_type_hints(count))
    fast = returns.checked_fast(plan.fast, returns.plain_check("L.count", int))
    assert fast({"n": 5}) == 5 and fast.__name__ == "fast", "the check is written into the fast path"
    with pytest.raises(TypeError, match="^L.count returned a value of type str where its annotation says int$"):
        fast({"n": -1})
