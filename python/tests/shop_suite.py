"""The caller suite run in both modes (test_inmemory.py, test_remote.py).

Each check takes `run`, which runs one coroutine to completion under the
mode's configuration, and asserts what a caller of the fixture graft
(`fixtures/shop_graft`) must see whichever way the call went.
"""

import asyncio
import time
from typing import Any, Callable, Coroutine, List

import pytest

import shop_graft as g
from graft_runtime import RemoteError

Run = Callable[[Coroutine[Any, Any, Any]], Any]


def values_cross_as_the_graft_classes(run: Run) -> None:
    order = g.Order([g.Item("ab", g.Color.GREEN), g.Item("cde")])
    assert run(g.Shop.total(order)) == 5  # the hosted method asserts it got its own classes
    painted = run(g.Shop.paint(order.items, g.Color.RED))
    assert painted == [g.Item("ab", g.Color.RED), g.Item("cde", g.Color.RED)]
    assert all(type(i) is g.Item and type(i.color) is g.Color for i in painted)


def containers_are_converted_recursively(run: Run) -> None:
    order = g.Order([g.Item("a", g.Color.GREEN, ["t"]), g.Item("b"), g.Item("c", g.Color.GREEN)])
    grouped = run(g.Shop.by_color(order))
    assert set(grouped) == {g.Color.GREEN, g.Color.RED}
    assert all(type(k) is g.Color for k in grouped)
    assert type(grouped[g.Color.GREEN]) is tuple
    assert grouped[g.Color.GREEN] == (g.Item("a", g.Color.GREEN, ["t"]), g.Item("c", g.Color.GREEN))
    assert run(g.Shop.colors({g.Color.RED})) == {g.Color.GREEN}


def defaults_and_keyword_only_arguments(run: Run) -> None:
    assert run(g.Shop.where()) == ("shop", "x", False, [])
    assert run(g.Shop.where("t", loud=True, extra=[1, 2])) == ("shop", "t", True, [1, 2])


def arguments_are_converted_by_the_declared_types(run: Run) -> None:
    """An int for a float param arrives as a float (the gateway converts it; so does in-process)."""
    result = run(g.Shop.divide(6, 3))
    assert result == 2.0 and type(result) is float


def custom_exception_is_the_graft_class_with_fields_and_message(run: Run) -> None:
    with pytest.raises(g.OutOfStock) as e:
        run(g.Shop.reserve("sku-1", 3))
    assert type(e.value) is g.OutOfStock
    assert (e.value.sku, e.value.left) == ("sku-1", 2)
    assert str(e.value) == "sku-1 is out of stock (2 left)"


def builtin_exceptions_keep_type_and_message(run: Run) -> None:
    with pytest.raises(KeyError) as key:
        run(g.Shop.lookup("zz"))
    assert type(key.value) is KeyError and str(key.value) == "'zz'" and key.value.args == ("zz",)
    with pytest.raises(ZeroDivisionError) as zero:
        run(g.Shop.divide(1, 0))
    assert type(zero.value) is ZeroDivisionError and str(zero.value) == "float division by zero"


def other_exceptions_are_remote_errors(run: Run) -> None:
    with pytest.raises(RemoteError) as e:
        run(g.Shop.unmapped())
    assert (e.value.type_name, e.value.module, e.value.message) == ("Unmapped", "shop_types", "not in the graft")
    assert "raise Unmapped" in e.value.traceback


def concurrent_calls(run: Run) -> None:
    async def many() -> List[str]:
        return list(await asyncio.gather(*(g.Shop.sleepy(0.05) for _ in range(30))))

    started = time.monotonic()
    assert run(many()) == ["woke"] * 30
    assert time.monotonic() - started < 1.2, "30 calls of 0.05 s ran one after another"


CHECKS = [
    values_cross_as_the_graft_classes,
    containers_are_converted_recursively,
    defaults_and_keyword_only_arguments,
    arguments_are_converted_by_the_declared_types,
    custom_exception_is_the_graft_class_with_fields_and_message,
    builtin_exceptions_keep_type_and_message,
    other_exceptions_are_remote_errors,
    concurrent_calls,
]
