"""In-process calls through a graft: the caller suite (shop_suite.py), and what only in-process has."""

import asyncio
import os
import sys
from decimal import Decimal
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE / "fixtures"))

import shop_graft as g  # noqa: E402
import shop_suite  # noqa: E402
from graft_runtime import GraftConfigError, errors  # noqa: E402

HOSTED = str(HERE / "fixtures" / "hosted")


@pytest.fixture(autouse=True)
def in_memory(monkeypatch):
    for var in list(os.environ):
        if var.startswith("GRAFT_CONFIG"):
            monkeypatch.delenv(var)
    g.GraftConfig.set_config("name=graft-pypi-shop;host=inMemory;runtime=python;modules=%s" % HOSTED)
    yield
    g.GraftConfig.set_config(None)


def run(coro):
    return asyncio.run(coro)


@pytest.mark.parametrize("check", shop_suite.CHECKS, ids=lambda c: c.__name__)
def test_the_caller_suite(check):
    check(run)


def test_hosted_module_is_the_real_one():
    import shop

    module, tag, loud, extra = run(g.Shop.where("t", loud=True))
    assert (module, tag, loud) == ("shop", "t", True)
    assert shop.Shop.calls[-1] == "t"


def test_timeout_names_the_call():
    g.GraftConfig.set_config("name=graft-pypi-shop;host=inMemory;timeout=0.05;modules=%s" % HOSTED)
    with pytest.raises(errors.Timeout, match=r"Shop.sleepy did not finish within 0.05 s"):
        run(g.Shop.sleepy(5))
    assert run(g.Shop.sleepy(0)) == "woke"


def test_missing_module_is_a_clear_import_error(tmp_path):
    g.GraftConfig.set_config("host=inMemory;modules=%s" % tmp_path)
    sys.modules.pop("shop", None)
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if p != HOSTED]
    try:
        with pytest.raises(ImportError, match=r"in-process call of Shop.total: cannot import 'shop'.*modules="):
            run(g.Shop.total(g.Order([])))
    finally:
        sys.path[:] = saved


def test_set_config_checks_the_text_at_once():
    with pytest.raises(GraftConfigError, match="host='localhost'"):
        g.GraftConfig.set_config("name=graft-pypi-shop;host=localhost")


def test_get_config_reports_the_source(monkeypatch):
    assert g.GraftConfig.get_config().source == "GraftConfig.set_config line 1"
    monkeypatch.setenv("GRAFT_CONFIG_GRAFT_PYPI_SHOP", "host=inMemory;timeout=7")
    assert g.GraftConfig.get_config().timeout is None  # resolved before: cached
    g.GraftConfig.reload()
    assert g.GraftConfig.get_config().timeout == 7.0


def test_coerce_follows_the_declared_types():
    import enum
    from dataclasses import dataclass
    from typing import Dict, FrozenSet, List, Optional, Set, Tuple, Union

    from graft_runtime.coerce import arguments, coerce

    class Level(enum.Enum):
        LOW = 1

    @dataclass
    class Box:
        size: float
        levels: Tuple[Level, ...]

    cases = [
        (3, float, 3.0),
        ([1, 2], Tuple[float, ...], (1.0, 2.0)),
        ([1, "a"], Tuple[float, str], (1.0, "a")),
        ((1, 2), List[float], [1.0, 2.0]),
        ([1, 1], Set[int], {1}),
        ([1], FrozenSet[Level], {Level.LOW}),
        ({1: 2}, Dict[float, Optional[float]], {1.0: 2.0}),
        (None, Optional[float], None),
        (2, Optional[float], 2.0),  # a lone float makes it one, as a gateway does
        (2, Decimal, Decimal(2)),
        (2.5, Decimal, 2.5),  # no Decimal form: left as it is, as for any misfit
        ("x", Union[int, str], "x"),
        (1, Union[str, float], 1),  # a type checker takes an int for a float: it stays an int
        (1, Union[float, str, None], 1),
        (1.5, Union[str, float], 1.5),
        ("nope", Level, "nope"),
    ]
    for value, hint, expected in cases:
        got = coerce(value, hint)
        assert got == expected and type(got) is type(expected), (value, hint, got)
    from graft_runtime.literals import Misfit

    for value, hint in [(True, float), ("1", int), (1.0, int), (True, int), (None, str), ("x", Union[int, float])]:
        with pytest.raises(Misfit):  # refused, as a gateway refuses it
            coerce(value, hint)
    box = coerce(Box(2, [1]), Box)  # type: ignore[arg-type]
    assert box.size == 2.0 and type(box.size) is float and box.levels == (Level.LOW,)

    def f(a: float, *rest: float, b: List[float], **more: float) -> None: ...

    assert arguments(f, [1, 2], {"b": (3,), "c": 4}) == ((1.0, 2.0), {"b": [3.0], "c": 4.0})


def test_a_new_configuration_takes_calls_off_the_fast_path():
    for _ in range(3):  # the first call plans the method, the next ones take its fast path
        assert run(g.Shop.sleepy(0)) == "woke"
    g.GraftConfig.set_config("name=graft-pypi-shop;host=inMemory;timeout=0.05;modules=%s" % HOSTED)
    with pytest.raises(errors.Timeout, match=r"Shop.sleepy did not finish within 0.05 s"):
        run(g.Shop.sleepy(5))
    g.GraftConfig.set_config("name=graft-pypi-shop;host=127.0.0.1:1;runtime=python")
    with pytest.raises(ConnectionError, match="127.0.0.1:1"):
        run(g.Shop.sleepy(0))


def test_a_plain_argument_of_another_type_is_refused_as_a_gateway_refuses_it():
    """A str for an int (or a float, a bool for an int) was passed to the
    hosted method in-process; a gateway refuses it with this text."""
    wrong = [
        (lambda: g.Shop.reserve("a", "3"), 'argument `count` has the wrong type: count: expected int, got "3"'),
        (lambda: g.Shop.reserve("a", 2.5), "argument `count` has the wrong type: count: expected int, got 2.5"),
        (lambda: g.Shop.reserve("a", True), "argument `count` has the wrong type: count: expected int, got true"),
        (lambda: g.Shop.reserve(7, 1), "argument `sku` has the wrong type: sku: expected str, got 7"),
        (lambda: g.Shop.divide("1", 2), 'argument `a` has the wrong type: a: expected float, got "1"'),
        (lambda: g.Shop.where(loud=None), "argument `loud` has the wrong type: loud: expected bool, got null"),
        (lambda: g.Shop.where(extra=[1, "2"]), 'argument `extra` has the wrong type: extra[1]: expected int, got "2"'),
    ]
    for _ in range(3):  # the first call plans each method, the next ones take its fast path
        assert run(g.Shop.divide(1, 2)) == 0.5
        with pytest.raises(g.OutOfStock):
            run(g.Shop.reserve("a", 3))
        assert run(g.Shop.where(loud=True))[2] is True
        for call, message in wrong:
            with pytest.raises(TypeError) as refused:
                run(call())
            assert str(refused.value) == message
