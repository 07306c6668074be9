"""Remote calls through a graft, against the real gg over TCP.

The same fixture graft as test_inmemory.py, configured with `host=127.0.0.1:<tcp port>`
of a gateway hosting `fixtures/hosted/shop.py`: the same results, classes and
exceptions; a stopped provider fails fast naming host and port; a restarted one
is used again by the same caller.
"""

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE / "fixtures"))
sys.path.insert(0, str(HERE.parents[1] / "tests" / "e2e"))

import shop_graft as g  # noqa: E402
from gateway import GG, Gateway  # noqa: E402
from graft_runtime import RemoteError  # noqa: E402

HOSTED = HERE / "fixtures" / "hosted" / "shop.py"

pytestmark = pytest.mark.skipif(not GG.exists(), reason="gg is not built (cargo build -p graft-gateway)")


@pytest.fixture(scope="module")
def provider():
    with Gateway("--modules", str(HOSTED), tcp=True) as gg:
        yield gg


@pytest.fixture
def loop(provider, monkeypatch):
    for var in list(os.environ):
        if var.startswith("GRAFT_CONFIG"):
            monkeypatch.delenv(var)
    g.GraftConfig.set_config("name=graft-pypi-shop;host=tcp://127.0.0.1:%d;runtime=python" % provider.tcp_port)
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()
    g.GraftConfig.set_config(None)


def test_values_cross_as_the_graft_classes(loop):
    order = g.Order([g.Item("ab", g.Color.GREEN), g.Item("cde")])
    assert loop.run_until_complete(g.Shop.total(order)) == 5
    painted = loop.run_until_complete(g.Shop.paint(order.items, g.Color.RED))
    assert painted == [g.Item("ab", g.Color.RED), g.Item("cde", g.Color.RED)]
    assert all(type(i) is g.Item and type(i.color) is g.Color for i in painted)
    grouped = loop.run_until_complete(g.Shop.by_color(order))
    assert grouped == {g.Color.GREEN: (g.Item("ab", g.Color.GREEN),), g.Color.RED: (g.Item("cde"),)}
    assert loop.run_until_complete(g.Shop.colors({g.Color.RED})) == {g.Color.GREEN}


def test_defaults_and_keyword_only_arguments(loop):
    assert loop.run_until_complete(g.Shop.where()) == ("shop", "x", False, [])
    assert loop.run_until_complete(g.Shop.where("t", loud=True, extra=[1])) == ("shop", "t", True, [1])


def test_custom_exception_with_fields_and_message(loop):
    with pytest.raises(g.OutOfStock) as e:
        loop.run_until_complete(g.Shop.reserve("sku-1", 3))
    assert type(e.value) is g.OutOfStock
    assert (e.value.sku, e.value.left) == ("sku-1", 2)
    assert str(e.value) == "sku-1 is out of stock (2 left)"


@pytest.mark.parametrize(
    "call, kind, message",
    [
        (lambda: g.Shop.lookup("zz"), KeyError, "'zz'"),
        (lambda: g.Shop.divide(1, 0), ZeroDivisionError, "float division by zero"),
    ],
)
def test_builtin_exceptions_keep_type_and_message(loop, call, kind, message):
    with pytest.raises(kind) as e:
        loop.run_until_complete(call())
    assert type(e.value) is kind and str(e.value) == message


def test_other_exceptions_are_remote_errors(loop):
    with pytest.raises(RemoteError) as e:
        loop.run_until_complete(g.Shop.unmapped())
    assert (e.value.type_name, e.value.module, e.value.message) == ("Unmapped", "shop_types", "not in the graft")


def test_timeout_names_the_call(loop, provider):
    g.GraftConfig.set_config("host=127.0.0.1:%d;timeout=0.2" % provider.tcp_port)
    with pytest.raises(TimeoutError, match="Shop.sleepy"):
        loop.run_until_complete(g.Shop.sleepy(5))
    assert loop.run_until_complete(g.Shop.sleepy(0)) == "woke"


def test_concurrent_calls_share_one_connection(loop):
    async def many():
        return await asyncio.gather(*(g.Shop.sleepy(0.05) for _ in range(30)))

    started = time.monotonic()
    assert loop.run_until_complete(many()) == ["woke"] * 30
    assert time.monotonic() - started < 1.5, "calls ran one after another"


def test_provider_down_fails_fast_then_comes_back(monkeypatch):
    for var in list(os.environ):
        if var.startswith("GRAFT_CONFIG"):
            monkeypatch.delenv(var)
    gg = Gateway("--modules", str(HOSTED), tcp=True)
    tcp, http = gg.tcp_port, gg.http_port
    g.GraftConfig.set_config("host=127.0.0.1:%d" % tcp)
    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(g.Shop.divide(6, 3)) == 2.0
        gg.stop()
        started = time.monotonic()
        with pytest.raises(ConnectionError, match="127.0.0.1:%d" % tcp):
            loop.run_until_complete(g.Shop.divide(6, 3))
        with pytest.raises(ConnectionError, match="127.0.0.1:%d" % tcp):
            loop.run_until_complete(g.Shop.divide(6, 3))
        assert time.monotonic() - started < 5, "a stopped provider must fail fast"
        args = ["--modules", str(HOSTED), "--port", str(gg.port), "--httpPort", str(http), "--bind", "127.0.0.1",
                "--TCPServer", "--tcpPort=%d" % tcp]
        with Gateway.raw(args, http_port=http, port=gg.port, tcp_port=tcp):
            assert loop.run_until_complete(g.Shop.divide(6, 3)) == 2.0
    finally:
        loop.close()
        gg.log.close()
        g.GraftConfig.set_config(None)
