"""graft_runtime.transport against the real Rust server (echo_server.py):
values, concurrent calls, errors, replies and arguments in parts, timeouts.
A connection's life (reconnects, heartbeats, shutdown) is in
test_connection_life.py.
"""

import asyncio
import dataclasses
import datetime as dt
import enum
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from graft_runtime import wire  # noqa: E402
import server_frames  # noqa: E402
from graft_runtime.transport import CallTimeout, Connection, GraftConnectionError  # noqa: E402
from echo_server import run, server, server_binary  # noqa: E402,F401  (fixtures)

@dataclasses.dataclass
class Point:
    x: int
    y: int


class Color(enum.Enum):
    RED = "red"


TYPES = {"Point": Point, "Color": Color}


def test_values_come_back_with_their_types(server):
    async def main():
        conn = await Connection.open("127.0.0.1", server.port)
        value = {"p": Point(1, -2), "c": Color.RED, "when": dt.datetime(2024, 1, 2, 3, 4, 5), "big": 2**63 - 1,
                 "raw": bytes(range(256)), "t": (1, "a"), "s": {1.5},
                 "table": [Point(i, -i) for i in range(3)],  # tables both ways, through the Rust codec
                 "rows": [wire.UnknownObject("Row", {"a": 1, "b": "é"}), wire.UnknownObject("Row", {"a": None, "b": ""})]}
        assert await conn.call("Demo", "echo", [value], {}, TYPES) == value
        args = await conn.call("Demo", "echo_args", [1, None], {"k": [True]}, TYPES)
        assert args == ([1, None], {"k": [True]})
        await conn.close()

    run(main())


def test_concurrent_calls_share_one_connection_and_finish_out_of_order(server):
    async def main():
        conn = await Connection.open("127.0.0.1", server.port)
        finished = []

        async def one(ms, tag):
            result = await conn.call("Demo", "sleep", [ms, tag], {})
            finished.append(result)
            return result

        started = time.monotonic()
        results = await asyncio.gather(one(400, "slow"), one(100, "medium"), *[one(0, i) for i in range(100)])
        assert results == ["slow", "medium"] + list(range(100))
        assert finished[-2:] == ["medium", "slow"], "replies arrive as calls finish"
        assert time.monotonic() - started < 1.5, "calls ran concurrently"
        assert conn._protocol is not None and next(conn._protocol.ids) == 103, "all on one connection"

    run(main())


def record_writes(conn, what):
    """A list that gets `what(data)` of every write on `conn`'s socket transport."""
    assert conn._protocol is not None and conn._protocol.transport is not None
    transport = conn._protocol.transport
    seen = []
    real_write = transport.write

    def write(data):
        seen.append(what(data))
        real_write(data)

    transport.write = write
    return seen


def test_callers_woken_together_send_their_next_calls_in_one_write(server):
    async def main():
        conn = await Connection.open("127.0.0.1", server.port)
        writes = record_writes(conn, len)

        async def twice(i):
            first = await conn.call("Demo", "echo", [i], {})
            return first, await conn.call("Demo", "echo", [-i], {})  # written once a reply woke it

        assert await asyncio.gather(*(twice(i) for i in range(50))) == [(i, -i) for i in range(50)]
        assert len(writes) < 100, "the second calls were batched: %d writes for 100 calls" % len(writes)
        await conn.close()

    run(main())


def test_remote_errors_carry_the_exception(server):
    async def main():
        conn = await Connection.open("127.0.0.1", server.port)
        with pytest.raises(wire.RemoteError) as e:
            await conn.call("Demo", "fail", ["A-1"], {})
        assert (e.value.status, e.value.type_name, e.value.module) == (wire.STATUS_RAISED, "OutOfStock", "shop")
        assert e.value.fields == {"sku": "A-1"} and e.value.raised.args == ["A-1"]
        assert e.value.message == "A-1 is out of stock" and "Traceback" in e.value.traceback
        with pytest.raises(wire.RemoteError) as e:
            await conn.call("Demo", "nope", [], {})
        assert (e.value.status, e.value.type_name) == (wire.STATUS_NOT_FOUND, "AttributeError")
        with pytest.raises(OverflowError):
            await conn.call("Demo", "echo", [2**64], {})
        assert await conn.call("Demo", "add", [2, 3], {}) == 5, "the connection survives failed calls"

    run(main())


@dataclasses.dataclass
class Refusing:
    """A class whose instances cannot be rebuilt: its __post_init__ raises."""

    x: int

    def __post_init__(self):
        raise ValueError("Refusing(x=%d) is never valid" % self.x)


def test_a_reply_that_cannot_be_rebuilt_fails_its_call_not_hangs_it(server):
    async def main():
        conn = await Connection.open("127.0.0.1", server.port)
        sent = object.__new__(Refusing)
        sent.x = 7
        for value in (sent, [sent] * 3):  # an object alone, and a table of them
            with pytest.raises(ValueError, match=r"Refusing\(x=7\) is never valid"):
                await asyncio.wait_for(conn.call("Demo", "echo", [value], {}, {"Refusing": Refusing}), 5)
        assert await conn.call("Demo", "echo", ["ok"], {}) == "ok", "the connection survives it"
        await conn.close()

    run(main())


def test_a_long_returned_list_comes_in_parts_and_is_joined(server):
    async def main():
        conn = await Connection.open("127.0.0.1", server.port)
        assert conn._protocol is not None
        seen = []
        real = conn._protocol._part
        conn._protocol._part = lambda frame: (seen.append(bytes(frame[:1])), real(frame))  # type: ignore[method-assign]
        points = [Point(i, -i) for i in range(1000)]
        got = await conn.call("Demo", "echo_in_parts", [points, 300], {}, TYPES)
        assert got == points and all(type(p) is Point for p in got), "parts are tables of Points, rebuilt"
        assert seen == [bytes([wire.REPLY_PART])] * 3, "300 + 300 + 300 ahead, the last 100 in the Reply"
        mixed = [1, "two", None, 4.5, Point(5, 5)]
        assert await conn.call("Demo", "echo_in_parts", [mixed, 2], {}, TYPES) == mixed
        assert conn._protocol.parts == {}, "nothing kept once the call is answered"
        await conn.close()

    run(main())


def test_a_reply_in_parts_over_the_clients_limit_fails_the_call_not_the_connection(server):
    async def main():
        conn = await Connection.open("127.0.0.1", server.port, max_frame_size=8192)
        # 2,000 ints in parts of 100: each part fits, all together do not; the server stops first.
        with pytest.raises(wire.RemoteError, match="after 7312 bytes sent ahead in parts, exceeds the limit of 8192"):
            await conn.call("Demo", "echo_in_parts", [list(range(2000)), 100], {})
        assert await conn.call("Demo", "add", [2, 3], {}) == 5
        assert conn._protocol is not None and conn._protocol.parts == {}
        await conn.close()

    run(main())


def test_the_client_holds_a_server_to_its_limit_on_parts_too():
    async def main():
        async def handle(reader, writer):  # sends parts without end, whatever the client's limit
            await reader.readexactly(wire.HELLO_SIZE)
            writer.write(wire.encode_hello())
            head = await reader.readexactly(4)
            frame = await reader.readexactly(int.from_bytes(head, "big"))
            request_id = int.from_bytes(frame[1:9], "big")
            for _ in range(20):
                writer.write(server_frames.encode_reply_part(request_id, [b"x" * 1000]))
            writer.write(server_frames.encode_reply(request_id, []))
            await asyncio.sleep(10)

        srv = await asyncio.start_server(handle, "127.0.0.1", 0)
        conn = await Connection.open("127.0.0.1", srv.sockets[0].getsockname()[1], max_frame_size=8192)
        with pytest.raises(wire.WireError, match="the reply's parts exceed the limit of 8192 bytes"):
            await conn.call("Demo", "anything", [], {})
        assert conn._protocol is not None and conn._protocol.parts == {} and conn._protocol.pending == {}
        srv.close()

    run(main())


def test_a_long_first_argument_goes_in_parts_ahead_of_its_call(server):
    async def main():
        conn = await Connection.open("127.0.0.1", server.port)
        kinds = record_writes(conn, lambda data: bytes(data)[4])  # each write's first frame kind
        points = [Point(i, -i) for i in range(6000)]
        assert await conn.call("Demo", "echo", [points], {}, TYPES) == points
        assert kinds == [wire.CALL_PART, wire.CALL_PART, wire.CALL], "2,500 + 2,500 ahead, the last 1,000 in the Call"
        kinds.clear()
        assert await conn.call("Demo", "echo", [], {"value": points}, TYPES) == points, "a keyword argument too"
        assert kinds == [wire.CALL_PART, wire.CALL_PART, wire.CALL]
        kinds.clear()
        assert await conn.call("Demo", "echo_args", [list(range(4999)), "x"], {"k": 1}) == ([list(range(4999)), "x"], {"k": 1})
        assert kinds == [wire.CALL], "shorter than two parts: one Call"
        kinds.clear()
        got = await conn.call("Demo", "echo_args", [list(range(5000)), "x"], {"k": 1})
        assert got == ([list(range(5000)), "x"], {"k": 1}) and kinds == [wire.CALL_PART, wire.CALL]
        kinds.clear()
        slow = asyncio.ensure_future(conn.call("Demo", "sleep", [200, "late"], {}))
        await asyncio.sleep(0.05)
        assert await conn.call("Demo", "echo", [points], {}, TYPES) == points
        assert kinds == [wire.CALL, wire.CALL], "with another call out, whole: the gateway has work anyway"
        assert await slow == "late"
        await conn.close()

    run(main())


def test_a_call_in_parts_that_cannot_be_encoded_fails_and_the_connection_goes_on(server):
    async def main():
        conn = await Connection.open("127.0.0.1", server.port)
        items = list(range(6000))
        items[4000] = object()  # in the second part: the first is on its way by then
        for args, kwargs in (([items], {}), ([], {"value": items})):
            with pytest.raises(TypeError, match="cannot send a builtins.object over the wire"):
                await conn.call("Demo", "echo", args, kwargs)
        assert await conn.call("Demo", "echo", [list(range(6000))], {}) == list(range(6000))
        assert conn._protocol is not None and conn._protocol.pending == {}
        await conn.close()

    run(main())


def test_timeouts_fail_the_call_not_the_connection(server):
    async def main():
        conn = await Connection.open("127.0.0.1", server.port)
        started = time.monotonic()
        with pytest.raises(CallTimeout, match="did not finish within"):
            await conn.call("Demo", "sleep", [5000], {}, timeout=0.1)
        assert time.monotonic() - started < 1
        assert await conn.call("Demo", "echo", ["ok"], {}, timeout=5) == "ok"

    run(main())
