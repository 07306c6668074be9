"""Graft objects over the wire (objects.py, remote.py), frame by frame.

A gateway stand-in (test_streams_remote.Gateway) keeps counters by id the
way gg keeps objects, and records every Call the client sent: the
constructor's (`__init__`, no object id), each method's (with the id), and
the release (`__release__`). The real gg is tested end to end in
tests/e2e/test_objects_graft.py.
"""

import asyncio
import gc
import os
import sys
from pathlib import Path
from typing import Any, Dict

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "fixtures"))

import counter_graft as g  # noqa: E402
import server_frames  # noqa: E402
from graft_runtime import wire  # noqa: E402
from test_streams_remote import Gateway, Peer  # noqa: E402


async def objects(peer: Peer, table: Dict[str, Dict[str, Any]]) -> None:
    """Counters by id: `__init__`, `add`, `count` (a stream) and `__release__`."""
    while True:
        call = await peer.frame()
        rid, reply = call.request_id, None
        if call.method == "__init__":
            if call.kwargs["start"] < 0:
                raised = wire.Raised("ValueError", "builtins", "start must be >= 0", ["start must be >= 0"], {}, "")
                peer.send(server_frames.encode_error(rid, wire.STATUS_RAISED, raised))
                continue
            object_id = "%032x" % (len(table) + 1)
            table[object_id] = {"n": call.kwargs["start"]}
            reply = wire.ObjectRef("Counter", object_id)
        elif call.object not in table:
            peer.error(rid, wire.STATUS_NOT_FOUND, "NotFound", "Counter object %s was released or never existed" % call.object)
            continue
        elif call.method == "__release__":
            del table[call.object]
        elif call.method == "add":
            table[call.object]["n"] += call.kwargs["step"].by
            reply = table[call.object]["n"]
        elif call.method == "twin":
            reply = wire.ObjectRef("Counter", call.object)
        elif call.method == "count":
            peer.items(rid, *range(table[call.object]["n"], table[call.object]["n"] + call.kwargs["k"]))
        peer.send(server_frames.encode_reply(rid, reply))


def configure(gw: Gateway) -> None:
    g.GraftConfig.set_config("name=graft-pypi-counter;host=127.0.0.1:%d" % gw.connection.port)


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    for var in list(os.environ):
        if var.startswith("GRAFT_CONFIG"):
            monkeypatch.delenv(var)
    yield
    g.GraftConfig.set_config(None)


def run(main) -> None:
    asyncio.run(asyncio.wait_for(main(), 20))


def test_construct_call_and_release_frames() -> None:
    table: Dict[str, Dict[str, Any]] = {}

    async def main() -> None:
        async with Gateway(lambda peer: objects(peer, table)) as gw:
            configure(gw)
            a, b = g.Counter("a", start=1), g.Counter("b")
            assert gw.sent(wire.CallFrame) == [], "nothing is sent before the first await"
            assert await a.add(g.Step(2)) == 3 and await b.add(g.Step(5)) == 5 and await a.add(g.Step(1)) == 4
            calls = gw.sent(wire.CallFrame)
            assert [(c.method, c.object) for c in calls[:2]] == [("__init__", ""), ("add", "0" * 31 + "1")]
            assert calls[0].kwargs == {"name": "a", "start": 1}
            assert [i async for i in a.count(3)] == [4, 5, 6]
            twin = await a.twin()
            assert twin is a, "a reference to an object the client holds gives that graft object"
            await a.close()
            assert gw.sent(wire.CallFrame)[-1][1:3] == ("Counter", "__release__") and "0" * 31 + "1" not in table
            with pytest.raises(g.ReleasedObjectError, match="^Counter object 0{31}1 was released$"):
                await a.add(g.Step(1))
            del b
            gc.collect()
            await asyncio.sleep(0.1)
            assert table == {}, "the collected object was released"

    run(main)


def test_calls_on_one_object_are_sent_in_the_order_they_were_made() -> None:
    table: Dict[str, Dict[str, Any]] = {}

    async def main() -> None:
        async with Gateway(lambda peer: objects(peer, table)) as gw:
            configure(gw)
            c = g.Counter("c")  # the first calls wait for the constructor's, then go in order
            assert await asyncio.gather(*(c.add(g.Step(i)) for i in range(1, 6))) == [1, 3, 6, 10, 15]
            await asyncio.gather(*(c.add(g.Step(i)) for i in range(6, 11)))
            assert [f.kwargs["step"].by for f in gw.sent(wire.CallFrame)[1:]] == list(range(1, 11))

    run(main)


def test_a_constructor_error_and_a_lease_that_ran_out() -> None:
    table: Dict[str, Dict[str, Any]] = {}

    async def main() -> None:
        async with Gateway(lambda peer: objects(peer, table)) as gw:
            configure(gw)
            bad = g.Counter("bad", start=-1)
            for _ in range(2):
                with pytest.raises(ValueError, match="start must be >= 0"):
                    await bad.add(g.Step(1))
            assert len(gw.sent(wire.CallFrame)) == 1, "the constructor ran once"
            c = g.Counter("c")
            await c.add(g.Step(1))
            table.clear()  # as gg does when the lease runs out
            with pytest.raises(g.ReleasedObjectError, match="was released or never existed"):
                await c.add(g.Step(1))
            with pytest.raises(g.ReleasedObjectError, match="was released or never existed"):
                [i async for i in c.count(2)]
            await c.close()  # already gone: fine

    run(main)


def test_a_dropped_connection_resumes_the_objects_by_id() -> None:
    table: Dict[str, Dict[str, Any]] = {}

    async def main() -> None:
        async with Gateway(lambda peer: objects(peer, table)) as gw:
            configure(gw)
            c = g.Counter("c")
            assert await c.add(g.Step(2)) == 2
            gw.peers[0].writer.transport.abort()  # the connection drops; the gateway keeps the object
            await asyncio.sleep(0.05)
            assert await c.add(g.Step(3)) == 5
            assert len(gw.peers) == 2, "a new connection"
            assert {f.object for f in gw.peers[1].received} == {"0" * 31 + "1"}

    run(main)
