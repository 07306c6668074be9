"""Graft objects in-process (objects.py): the hosted class instantiated in this process.

counter_graft is written as graft-pypi generates an object class; the hosted
classes are fixtures/hosted/counters.py, imported here as the graft imports them.
"""

import asyncio
import gc
import os
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE / "fixtures"))

import counter_graft as g  # noqa: E402

HOSTED = str(HERE / "fixtures" / "hosted")


@pytest.fixture(autouse=True)
def in_memory(monkeypatch):
    for var in list(os.environ):
        if var.startswith("GRAFT_CONFIG"):
            monkeypatch.delenv(var)
    g.GraftConfig.set_config("name=graft-pypi-counter;host=inMemory;runtime=python;modules=%s" % HOSTED)
    yield
    g.GraftConfig.set_config(None)


def closed():
    import counters

    return counters.CLOSED


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


def test_state_persists_and_two_objects_are_independent():
    async def main():
        a, b = g.Counter("a"), g.Counter("b", start=10)
        assert await a.add(g.Step(2)) == 2
        assert await a.add(g.Step(3)) == 5
        assert await b.add(g.Step(1)) == 11
        assert await a.add(g.Step(0)) == 5
        await a.close()
        await b.close()

    run(main())


def test_the_constructor_runs_at_the_first_await_and_its_error_comes_from_every_call():
    async def main():
        bad = g.Counter("bad", start=-1)  # nothing runs yet
        for _ in range(2):
            with pytest.raises(ValueError, match="start must be >= 0, got -1"):
                await bad.add(g.Step(1))
        with pytest.raises(ValueError, match="start must be >= 0"):
            async with g.Counter("worse", start=-5):
                pass
        await bad.close()  # never made: nothing to release
        assert "bad" not in closed() and "worse" not in closed()

    run(main())


def test_close_runs_the_hosted_close_and_a_later_call_is_a_clear_error():
    async def main():
        c = g.Counter("closing")
        await c.add(g.Step(1))
        await c.close()
        assert closed()[-1] == "closing"
        await c.close()  # twice: nothing more
        assert closed().count("closing") == 1
        with pytest.raises(g.ReleasedObjectError, match=r"^Counter object [0-9a-f]{32} was released$"):
            await c.add(g.Step(1))

    run(main())


def test_async_with_releases_through_close_or_the_context_manager_exit():
    async def main():
        async with g.Counter("with") as c:
            assert await c.add(g.Step(4)) == 4
        assert closed()[-1] == "with"
        async with g.Session("s1") as s:
            assert await s.hello() == "hello s1"
        assert closed()[-1] == "session s1"

    run(main())


def test_garbage_collection_releases_the_hosted_object():
    async def main():
        c = g.Counter("collected")
        await c.add(g.Step(1))
        del c
        gc.collect()
        s = g.Session("collected")
        await s.hello()
        del s
        gc.collect()
        await asyncio.sleep(0.01)  # the async __aexit__ runs in a task

    run(main())
    assert "collected" in closed() and "session collected" in closed()


def test_calls_on_one_object_run_in_order_and_different_objects_concurrently():
    async def main():
        one = g.Counter("one")
        started = time.monotonic()
        logs = await asyncio.gather(one.slow_append("x", 0.2), one.slow_append("y", 0.01))
        assert logs[1] == ["start x", "end x", "start y", "end y"], "one at a time, in order of arrival"
        a, b = g.Counter("a"), g.Counter("b")
        started = time.monotonic()
        await asyncio.gather(a.slow_append("a", 0.3), b.slow_append("b", 0.3))
        assert time.monotonic() - started < 0.5, "two objects ran side by side"

    run(main())


def test_a_streaming_method_of_an_object():
    async def main():
        c = g.Counter("stream", start=5)
        assert [i async for i in c.count(3)] == [5, 6, 7]
        with pytest.raises(ValueError):
            [i async for i in g.Counter("x", start=-1).count(2)]

    run(main())


def test_a_returned_object_and_an_object_passed_back():
    async def main():
        c = g.Counter("origin", start=3)
        twin = await c.twin()
        assert type(twin) is g.Counter
        assert await twin.add(g.Step(1)) == 4 and await c.add(g.Step(0)) == 3
        assert await c.same() is c, "the hosted object already held gives the same graft object"
        assert await c.absorb(twin) == 7
        assert await twin.add(g.Step(0)) == 0
        await twin.close()
        assert closed()[-1] == "origin-twin"
        with pytest.raises(g.ReleasedObjectError):
            await c.absorb(twin)
        with pytest.raises(TypeError, match="not made yet"):
            await c.absorb(g.Counter("fresh"))

    run(main())


def test_a_method_of_an_object_sees_the_metadata_and_the_deadline():
    """As a gateway sets them: the caller's metadata, and the graft's timeout
    (or what the call being served has left) as graft_context.deadline()."""
    async def main(config):
        g.GraftConfig.set_config("name=graft-pypi-counter;host=inMemory;runtime=python;modules=%s%s" % (HOSTED, config))
        c = g.Counter("a")
        with g.GraftConfig.headers({"x-user": "ann"}):
            return [await c.seen("t%d" % i) for i in range(3)]

    assert run(main("")) == [["t%d" % i, "ann", "-"] for i in range(3)]
    assert run(main(";timeout=30")) == [["t%d" % i, "ann", "29"] for i in range(3)]
