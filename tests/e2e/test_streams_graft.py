"""Streaming methods through a Graft, in-process and remote, end to end.

The real gg hosts tests/e2e/fixtures/streams/feed.py with its TCP server; its
graft, graft-pypi-feed, is installed from gg's index with real pip and
imported here. Every behaviour test runs in both modes (`mode`): in-process
(`host=inMemory`, the generator runs in this process) and remote (over TCP,
protocol version 5, the generator runs in gg). What a generator did is read
through the graft too (`Feed.seen`), so in each mode it is read where it ran.
"""

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, AsyncIterator, Callable, List

import pytest

from gateway import Gateway

STREAMS = Path(__file__).parent / "fixtures" / "streams"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def hosted(tmp_path_factory):
    """gg hosting feed.py (with --TCPServer) and the graft's package, imported."""
    lib = tmp_path_factory.mktemp("lib")
    env = dict(os.environ, GRAFT_STATE_DIR=str(tmp_path_factory.mktemp("state")))
    with Gateway("--modules", str(STREAMS / "feed.py"), tcp=True, env=env) as gg:
        out = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
             "--target", str(lib), "--index-url", gg.web + "/simple/", "graft-pypi-feed"],
            capture_output=True, text=True, timeout=300,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        sys.path.insert(0, str(lib))
        try:
            import graft_pypi_feed

            yield gg, graft_pypi_feed
        finally:
            sys.path.remove(str(lib))


@pytest.fixture(params=["inMemory", "remote"])
def g(request, hosted, monkeypatch):
    """The graft, configured for one mode; `g.configure(extra)` adds settings (a timeout)."""
    gg, graft = hosted
    for var in list(os.environ):
        if var.startswith("GRAFT_CONFIG"):
            monkeypatch.delenv(var)
    host = "inMemory" if request.param == "inMemory" else "127.0.0.1:%d" % gg.tcp_port

    def configure(extra: str = "") -> None:
        graft.GraftConfig.set_config("name=graft-pypi-feed;host=%s;runtime=python;modules=%s%s" % (host, STREAMS, extra))

    configure()
    graft.configure = configure
    graft.mode = request.param
    yield graft
    graft.GraftConfig.set_config(None)


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 60))


async def collect(stream: AsyncIterator[Any]) -> List[Any]:
    return [item async for item in stream]


async def eventually(check: Callable[[], Any], within: float = 1.0) -> float:
    """Waits until the coroutine function `check` answers true; how long it took (s)."""
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < within, "not within %g s" % within
        await asyncio.sleep(0.02)
    return time.monotonic() - started


def key(g: Any, name: str) -> str:
    """A key for Feed.seen, new for each run: in-process and gg share none."""
    return "%s-%s-%d" % (name, g.mode, time.monotonic_ns())


def run_caller(lib: Path, host: str) -> Any:
    config = "name=graft-pypi-feed;host=%s;runtime=python;modules=%s" % (host, STREAMS)
    env = dict(os.environ, GRAFT_CONFIG=config, PYTHONPATH=str(lib))
    out = subprocess.run([sys.executable, str(STREAMS / "caller.py")], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_the_stream_suite_sees_the_right_values(hosted):
    """fixtures/streams/caller.py, whose two transcripts test_parity.py compares."""
    gg, graft = hosted
    lib = Path(graft.__file__).parents[1]
    remote = run_caller(lib, "127.0.0.1:%d" % gg.tcp_port)
    row = remote["rows"]["items"][2]
    assert row["type"] == "graft_pypi_feed.Row" and row["fields"]["name"] == {"type": "builtins.str", "value": "row-2"}
    assert remote["failing"] == {"items": [{"type": "builtins.int", "value": 0}, {"type": "builtins.int", "value": 1}],
                                 "raised": "graft_pypi_feed.Broken", "str": "broke after 2 items", "after": 2}
    assert [i["value"] for i in remote["failing_async"]["items"]] == [0, 1, 2]
    assert remote["blobs"]["items"][1] == {"type": "builtins.bytes", "b64": "AQEBAQE="}
    assert remote["bad argument"]["items"] == [] and remote["bad argument"]["raised"] == "builtins.TypeError"


def test_items_come_in_order(g):
    async def main() -> None:
        assert await collect(g.Feed.count(5)) == [0, 1, 2, 3, 4]
        assert await collect(g.Feed.count(0)) == []
        assert await collect(g.Feed.tokens("the quick brown fox")) == ["the", "quick", "brown", "fox"]
        rows = await collect(g.Feed.rows(3))
        assert rows == [g.Row(0, "row-0"), g.Row(1, "row-1"), g.Row(2, "row-2")]
        assert all(type(r) is g.Row for r in rows), "the graft's own class"
        assert await collect(g.Feed.squares(5)) == [0, 1, 4, 9, 16]
        assert await collect(g.Feed.words("a bb ccc")) == ["a", "bb", "ccc"]
        assert await collect(g.Feed.letters("xyz")) == ["x", "y", "z"]
        many = await collect(g.Feed.count(20_000))
        assert many == list(range(20_000))

    run(main())


def test_the_first_item_arrives_while_the_generator_runs(g):
    async def main() -> None:
        k = key(g, "first")
        started = time.monotonic()
        stream = g.Feed.slow(k, 3, 0.5)
        assert await stream.__anext__() == 0
        first = time.monotonic() - started
        assert first < 0.4, "the first item came after %.2f s" % first
        assert await g.Feed.seen(k) == "running", "the generator is still running"
        assert [i async for i in stream] == [1, 2]
        assert time.monotonic() - started > 0.9
        assert await g.Feed.seen(k) == "finished"

    run(main())


def test_an_exception_after_k_items_comes_after_them_as_the_graft_class(g):
    async def main() -> None:
        for method in ("failing", "failing_async"):
            got = []
            with pytest.raises(g.Broken) as raised:
                async for i in getattr(g.Feed, method)(3):
                    got.append(i)
            assert got == [0, 1, 2], method
            assert raised.value.after == 3 and str(raised.value) == "broke after 3 items"
        with pytest.raises(g.Broken) as raised:
            async for i in g.Feed.failing(0):
                pass
        assert raised.value.after == 0

    run(main())


def test_an_item_that_does_not_fit_its_type_ends_the_stream_with_a_type_error(g):
    """Items are checked against the declared item type as a returned value
    is checked against its return type, in both modes, with the same text:
    the items before it come, then a TypeError, and the generator is closed."""
    async def main() -> None:
        cases = [("misfits", 2, "Feed.misfits yielded a value of type int at items[2].name where its annotation says str"),
                 ("misfits", 0, "Feed.misfits yielded a value of type int at items[0].name where its annotation says str"),
                 ("misfits_async", 1, "Feed.misfits_async yielded a value of type float at items[1] "
                                      "where its annotation says int")]
        for method, bad, message in cases:
            k = key(g, "%s-%d" % (method, bad))
            got = []
            with pytest.raises(TypeError) as misfit:
                async for item in getattr(g.Feed, method)(k, bad):
                    got.append(item)
            assert len(got) == bad and str(misfit.value) == message, (method, got)
            await eventually(lambda: _closed(g, k))

    run(main())


async def _closed(g: Any, k: str) -> bool:
    return await g.Feed.seen(k) == "closed"


@pytest.mark.parametrize("method", ["slow", "slow_async"])
@pytest.mark.parametrize("how", ["break", "aclose", "async with", "task cancelled"])
def test_a_consumer_that_stops_closes_the_generator_within_a_second(g, method, how):
    k = key(g, "%s-%s" % (method, how))

    async def consume() -> None:
        stream = getattr(g.Feed, method)
        if how == "break":
            async for i in stream(k, 1000, 0.05):
                if i == 2:
                    break
        elif how == "aclose":
            s = stream(k, 1000, 0.05)
            assert await s.__anext__() == 0
            await s.aclose()
        elif how == "async with":
            async with stream(k, 1000, 0.05) as s:
                assert await s.__anext__() == 0
        else:
            async for i in stream(k, 1000, 0.05):
                pass

    async def main() -> None:
        task = asyncio.ensure_future(consume())
        if how == "task cancelled":
            await asyncio.sleep(0.3)
            task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            assert how == "task cancelled"
        stopped = await eventually(lambda: _seen_is(g, k, "closed"), within=1.0)
        assert stopped < 1.0, "its finally ran %.2f s after the consumer stopped" % stopped

    run(main())


async def _seen_is(g: Any, k: str, state: str) -> bool:
    return bool(await g.Feed.seen(k) == state)


def test_timeout_bounds_the_wait_for_each_item_and_closes_the_generator(g):
    g.configure(";timeout=0.5")

    async def main() -> None:
        # Items 0.3 s apart, ten of them: 3 s in all, yet each within the timeout.
        assert await collect(g.Feed.slow(key(g, "paced"), 10, 0.3)) == list(range(10))
        k = key(g, "late")
        got = []
        started = time.monotonic()
        with pytest.raises(TimeoutError) as raised:
            async for i in g.Feed.slow(k, 5, 0.8):
                got.append(i)
        waited = time.monotonic() - started
        assert got == [0] and 0.45 < waited < 0.8, (got, waited)
        assert "Feed.slow" in str(raised.value) and "0.5 s" in str(raised.value)
        await eventually(lambda: _seen_is(g, k, "closed"), within=1.0)

    run(main())


def test_streams_and_plain_calls_share_one_connection(g):
    async def main() -> None:
        k = key(g, "shared")
        jobs = [collect(g.Feed.count(3000)), collect(g.Feed.tokens("a b c d")), collect(g.Feed.rows(500)),
                collect(g.Feed.slow(k, 5, 0.05)), collect(g.Feed.blobs(20, 100_000))]
        jobs += [g.Feed.ping() for _ in range(20)] + [g.Feed.batch(10_000)]
        got = await asyncio.gather(*jobs)
        assert got[0] == list(range(3000)) and got[1] == ["a", "b", "c", "d"]
        assert [r.n for r in got[2]] == list(range(500)) and got[3] == [0, 1, 2, 3, 4]
        assert [b[:1] * len(b) == b and len(b) for b in got[4]] == [100_000] * 20
        assert got[5:25] == ["pong"] * 20 and got[25] == list(range(10_000))
        if g.mode == "remote":
            pool = g._client.remote._pools[asyncio.get_running_loop()]
            assert len(pool) == 1, "one connection for all of them"

    run(main())


def rss_kb(pid: int, field: str) -> int:
    for line in Path("/proc/%d/status" % pid).read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError("no %s for %d" % (field, pid))


def test_a_slow_consumer_of_big_items_keeps_gg_memory_bounded(tmp_path):
    """gg's peak RSS (VmHWM) while 200 items of 1 MB pass to a consumer that
    takes 10 ms over each: flow control pauses the generator, so gg holds a
    few items at a time, not the stream."""
    lib = tmp_path / "lib"
    env = dict(os.environ, GRAFT_STATE_DIR=str(tmp_path / "state"))
    with Gateway("--modules", str(STREAMS / "feed.py"), tcp=True, env=env) as gg:
        out = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
             "--target", str(lib), "--index-url", gg.web + "/simple/", "graft-pypi-feed"],
            capture_output=True, text=True, timeout=300,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        config = "name=graft-pypi-feed;host=127.0.0.1:%d;runtime=python" % gg.tcp_port
        script = _SLOW_CONSUMER % (str(lib), config)
        start = rss_kb(gg.process.pid, "VmHWM")
        consumer = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
        assert consumer.returncode == 0, consumer.stderr
        assert consumer.stdout.split() == ["200", "200000000", "ok"], consumer.stdout
        peak = rss_kb(gg.process.pid, "VmHWM")
    grew = (peak - start) / 1024
    print("gg VmHWM %.0f MB at start, %.0f MB after the stream" % (start / 1024, peak / 1024))
    assert grew < 150, "gg's peak RSS grew by %.0f MB (from %.0f MB) for a 200 MB stream" % (grew, start / 1024)


_SLOW_CONSUMER = """
import asyncio, sys
sys.path.insert(0, %r)
import graft_pypi_feed as g
g.GraftConfig.set_config(%r)

async def main():
    n = total = 0
    async for blob in g.Feed.blobs(200, 1000000):
        assert blob == bytes([n %% 256]) * 1000000
        n += 1
        total += len(blob)
        await asyncio.sleep(0.01)
    print(n, total, await g.Feed.ping() == "pong" and "ok")

asyncio.run(main())
"""
