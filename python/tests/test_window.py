"""The window of big calls (graft_runtime/window.py) against the real Rust
server (graft-wire's examples/echo_server.rs): big calls take turns within
it, small ones never wait, and a call waiting for its turn times out, is
cancelled or fails with its connection without keeping any of it.
"""

import asyncio
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from graft_runtime import sender  # noqa: E402
from graft_runtime.transport import CallTimeout, Connection, GraftConnectionError  # noqa: E402
from echo_server import Server, run, server, server_binary  # noqa: E402,F401  (fixtures)


def test_big_calls_take_turns_in_the_window_and_all_come_back(server):
    async def main():
        conn = await Connection.open("127.0.0.1", server.port, window=300_000)
        protocol = conn._protocol
        assert protocol is not None and protocol.transport is not None
        seen = []
        real_write = protocol.transport.write

        def write(data):
            seen.append(protocol.in_flight)
            real_write(data)

        protocol.transport.write = write  # type: ignore[method-assign]
        blobs = [bytes([i]) * 200_000 for i in range(12)]
        small = [conn.call("Demo", "echo", [i], {}) for i in range(20)]
        results = await asyncio.gather(*(conn.call("Demo", "echo", [b], {}) for b in blobs), *small)
        assert results == blobs + list(range(20))
        # one 200 KB call at a time fits a 300 KB window; small calls never wait
        assert max(seen) <= 300_000 and protocol.in_flight == 0 and not protocol.waiting
        alone = await conn.call("Demo", "echo", [b"x" * 500_000], {})  # bigger than the window: goes alone
        assert alone == b"x" * 500_000 and protocol.in_flight == 0
        await conn.close()

    run(main())


def test_a_call_waiting_for_its_turn_times_out_and_gives_nothing_away(server, monkeypatch):
    monkeypatch.setattr(sender, "HOLD", 30.0)  # the slow call keeps its share until it answers

    async def main():
        conn = await Connection.open("127.0.0.1", server.port, window=100_000)
        protocol = conn._protocol
        assert protocol is not None
        holder = asyncio.ensure_future(conn.call("Demo", "sleep", [600, b"a" * 200_000], {}))
        await asyncio.sleep(0.05)
        assert protocol.in_flight > 0
        started = time.monotonic()
        with pytest.raises(CallTimeout, match=r"^Demo\.echo on 127\.0\.0\.1:\d+ did not finish within 0\.1 s$"):
            await conn.call("Demo", "echo", [b"b" * 200_000], {}, timeout=0.1)
        assert time.monotonic() - started < 0.5, "the wait counts toward the timeout"
        waiting = asyncio.ensure_future(conn.call("Demo", "echo", [b"c" * 200_000], {}))
        await asyncio.sleep(0.05)
        waiting.cancel()  # cancelled while waiting for its turn
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert await holder == b"a" * 200_000
        assert await conn.call("Demo", "echo", [b"d" * 200_000], {}, timeout=5) == b"d" * 200_000
        assert protocol.in_flight == 0 and not protocol.waiting
        await conn.close()

    run(main())


def test_calls_waiting_for_their_turn_fail_when_the_connection_does(server_binary, monkeypatch):
    monkeypatch.setattr(sender, "HOLD", 30.0)

    async def main():
        srv = Server(server_binary)
        conn = await Connection.open("127.0.0.1", srv.port, window=100_000)
        holder = asyncio.ensure_future(conn.call("Demo", "sleep", [5000, b"a" * 200_000], {}))
        waiter = asyncio.ensure_future(conn.call("Demo", "echo", [b"b" * 200_000], {}))
        await asyncio.sleep(0.1)
        assert conn._protocol is not None and len(conn._protocol.waiting) == 1
        started = time.monotonic()
        srv.kill()
        for call in (holder, waiter):
            with pytest.raises(GraftConnectionError, match="127.0.0.1"):
                await call
        assert time.monotonic() - started < 2

    run(main())


def test_slow_big_calls_do_not_hold_the_window_for_each_other(server):
    async def main():
        conn = await Connection.open("127.0.0.1", server.port, window=100_000)
        started = time.monotonic()
        calls = [conn.call("Demo", "sleep", [400, bytes([i]) * 200_000], {}) for i in range(5)]
        assert await asyncio.gather(*calls) == [bytes([i]) * 200_000 for i in range(5)]
        # one at a time would take 2 s; each gives its share back after HOLD
        assert time.monotonic() - started < 1.2
        assert conn._protocol is not None and conn._protocol.in_flight == 0
        await conn.close()

    run(main())
