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
import shop_suite  # noqa: E402
from gateway import GG, Gateway  # noqa: E402

HOSTED = HERE / "fixtures" / "hosted" / "shop.py"

pytestmark = pytest.mark.skipif(not GG.exists(), reason="gg is not built (cargo build -p graft-gateway)")


@pytest.fixture(scope="module")
def provider():
    # --tracebacks: the suite checks a remote error's traceback as in-process (test_error_privacy.py: the default).
    with Gateway("--modules", str(HOSTED), tcp=True, args=["--tracebacks"]) as gg:
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


@pytest.mark.parametrize("check", shop_suite.CHECKS, ids=lambda c: c.__name__)
def test_the_caller_suite(loop, check):
    check(loop.run_until_complete)


def test_timeout_names_the_call(loop, provider):
    g.GraftConfig.set_config("host=127.0.0.1:%d;timeout=0.2" % provider.tcp_port)
    with pytest.raises(TimeoutError, match="Shop.sleepy"):
        loop.run_until_complete(g.Shop.sleepy(5))
    assert loop.run_until_complete(g.Shop.sleepy(0)) == "woke"


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


def test_each_running_loop_gets_its_own_connection():
    """The last connection is kept for the next call only while its loop runs in the calling thread."""
    import threading

    from graft_runtime.classes import Registry
    from graft_runtime.remote import Remote

    remote = Remote(Registry())
    address = ("127.0.0.1", 1)

    async def two():
        return remote.connection(address), remote.connection(address)

    first, again = asyncio.run(two())
    assert first is again
    second, _ = asyncio.run(two())
    assert second is not first, "a new loop, a new connection"
    found = []
    thread = threading.Thread(target=lambda: found.extend(asyncio.run(two())))
    thread.start()
    thread.join()
    assert found[0] is not second and found[0] is found[1]

    async def while_another_thread_runs():
        seen = []
        ready, done = threading.Event(), threading.Event()

        async def hold():
            seen.append(remote.connection(address))
            ready.set()
            while not done.is_set():
                await asyncio.sleep(0.01)

        other = threading.Thread(target=lambda: asyncio.run(hold()))
        other.start()
        ready.wait(5)
        mine = remote.connection(address)  # the other thread's loop runs, but not in this thread
        done.set()
        other.join()
        return mine, seen[0]

    mine, theirs = asyncio.run(while_another_thread_runs())
    assert mine is not theirs
