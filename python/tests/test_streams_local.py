"""Streaming methods called in-process (streams.LocalStream), against fixtures/hosted/ticker.py."""

import asyncio
import dataclasses
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Coroutine

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE / "fixtures" / "hosted"))

import ticker  # noqa: E402
from graft_runtime import GraftClient, errors  # noqa: E402
from graft_runtime.streams import Stream  # noqa: E402


@dataclasses.dataclass
class Tick:
    __graft_module__ = "ticker"
    n: int


class Broken(Exception):
    __graft_module__ = "ticker"
    __graft_fields__ = ("after",)

    def __init__(self, after: int) -> None:
        super().__init__(after)
        self.after = after


def client(timeout: str = "") -> GraftClient:
    made = GraftClient("graft-pypi-ticker", "Ticker", "ticker")
    made.register(Tick, Broken)
    made.set_config("name=graft-pypi-ticker;host=inMemory;modules=%s%s" % (HERE / "fixtures" / "hosted", timeout))
    return made


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 20))


async def collect(stream: Stream) -> list:
    return [item async for item in stream]


async def eventually(check: Callable[[], bool], within: float = 1.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "not within %g s" % within
        await asyncio.sleep(0.01)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for var in list(os.environ):
        if var.startswith("GRAFT_CONFIG"):
            monkeypatch.delenv(var)


def test_items_in_order_of_every_kind_of_source() -> None:
    c = client()
    assert run(collect(c.stream("Ticker", "count", (), {"n": 4}))) == [0, 1, 2, 3]
    assert run(collect(c.stream("Ticker", "squares", (), {"n": 4}))) == [0, 1, 4, 9]
    assert run(collect(c.stream("Ticker", "words", (), {"text": "a bb ccc"}))) == ["a", "bb", "ccc"]
    ticks = run(collect(c.stream("Ticker", "ticks", (), {"n": 2})))
    assert ticks == [Tick(0), Tick(1)] and type(ticks[0]) is Tick, "the graft's class, not the hosted one"


def test_nothing_runs_before_the_first_item_is_asked_for() -> None:
    c = client()
    ticker.seen.pop("lazy", None)
    stream = c.stream("Ticker", "slow", (), {"key": "lazy", "n": 1, "pause": 0})
    assert "lazy" not in ticker.seen
    assert run(collect(stream)) == [0] and ticker.seen["lazy"] == "finished"


def test_sync_generators_run_off_the_event_loop() -> None:
    async def main() -> None:
        ticker.threads.clear()
        assert await collect(client().stream("Ticker", "count", (), {"n": 3})) == [0, 1, 2]
        assert ticker.threads and threading.get_ident() not in ticker.threads

    run(main())


def test_the_first_item_arrives_while_the_generator_runs() -> None:
    async def main() -> None:
        ticks = []
        started = time.monotonic()
        async for i in client().stream("Ticker", "slow", (), {"key": "first", "n": 3, "pause": 0.3}):
            ticks.append(time.monotonic() - started)
        assert ticks[0] < 0.2 and ticks[2] > 0.5, ticks

    run(main())


def test_the_loop_is_free_while_a_sync_generator_blocks() -> None:
    async def main() -> None:
        beats = 0

        async def beat() -> None:
            nonlocal beats
            while True:
                beats += 1
                await asyncio.sleep(0.01)

        task = asyncio.ensure_future(beat())
        assert await collect(client().stream("Ticker", "slow", (), {"key": "free", "n": 3, "pause": 0.2})) == [0, 1, 2]
        task.cancel()
        assert beats > 10, beats

    run(main())


def test_an_exception_after_k_items_comes_after_them_as_the_graft_class() -> None:
    async def main() -> None:
        got = []
        with pytest.raises(Broken) as raised:
            async for i in client().stream("Ticker", "failing", (), {"after": 2}):
                got.append(i)
        assert got == [0, 1] and raised.value.after == 2 and str(raised.value) == "broke after 2 items"

    run(main())


@pytest.mark.parametrize("method", ["slow", "slow_async"])
@pytest.mark.parametrize("how", ["break", "aclose", "async with", "cancel", "timeout"])
def test_a_consumer_that_stops_closes_the_generator(method: str, how: str) -> None:
    key = "%s-%s" % (method, how)
    c = client(";timeout=0.3" if how == "timeout" else "")
    pause = 1.0 if how == "timeout" else 0.05

    def stream() -> Stream:
        return c.stream("Ticker", method, (), {"key": key, "n": 1000, "pause": pause})

    async def consume() -> None:
        if how == "break":
            async for i in stream():
                if i == 2:
                    break
        elif how == "aclose":
            s = stream()
            assert await s.__anext__() == 0
            await s.aclose()
        elif how == "async with":
            async with stream() as s:
                async for i in s:
                    if i == 1:
                        break
        elif how == "cancel":
            async for i in stream():
                pass
        else:
            with pytest.raises(errors.Timeout, match=r"Ticker.%s gave no item within 0.3 s" % method):
                async for i in stream():
                    pass

    async def main() -> None:
        task = asyncio.ensure_future(consume())
        if how == "cancel":
            await asyncio.sleep(0.2)
            task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            assert how == "cancel"
        await eventually(lambda: ticker.seen.get(key) == "closed")

    run(main())
    assert ticker.seen[key] == "closed", "its finally ran before its end"


def test_after_aclose_a_stream_gives_nothing_more() -> None:
    async def main() -> None:
        stream = client().stream("Ticker", "count", (), {"n": 5})
        assert await stream.__anext__() == 0
        await stream.aclose()
        with pytest.raises(StopAsyncIteration):
            await stream.__anext__()

    run(main())


def test_a_sync_generator_runs_a_bounded_number_of_items_ahead() -> None:
    from graft_runtime.producer import AHEAD

    async def main() -> None:
        ticker.threads.clear()
        stream = client().stream("Ticker", "count", (), {"n": 1000})
        assert await stream.__anext__() == 0
        await asyncio.sleep(0.3)
        assert 1 < len(ticker.threads) <= 1 + AHEAD, len(ticker.threads)
        await stream.aclose()
        await asyncio.sleep(0.1)
        assert len(ticker.threads) <= 2 + AHEAD, "nothing pulled once it is closed"

    run(main())


def test_an_item_of_another_type_than_declared_ends_the_stream_as_a_gateway_ends_it() -> None:
    """Each item is checked against the item annotation as a returned value
    is, with the gateway's text: the items before it come, then a TypeError."""
    async def main() -> None:
        got = []
        with pytest.raises(TypeError) as misfit:
            async for item in client().stream("Ticker", "mixed", (), {"n": 5}):
                got.append(item)
        assert got == [Tick(0), Tick(1)]
        assert str(misfit.value) == "Ticker.mixed yielded a value of type str at items[2] where its annotation says Tick"
        stream = client().stream("Ticker", "mixed", (), {"n": 5})
        with pytest.raises(TypeError) as misfit:
            async for item in stream:
                pass
        assert "at items[2]" in str(misfit.value) and stream.finished  # ended: its generator closed
        with pytest.raises(StopAsyncIteration):
            await stream.__anext__()
        got = []
        with pytest.raises(TypeError) as misfit:
            async for item in client().stream("Ticker", "mixed_async", (), {"n": 3}):
                got.append(item)
        assert got == [0]
        assert str(misfit.value) == (
            "Ticker.mixed_async yielded a value of type float at items[1] where its annotation says int")

    run(main())
