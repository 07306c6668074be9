"""A connection's life against the real Rust server (echo_server.py) and
fake ones: refused, dropped and reconnected, kept alive by pings, a silent
server detected, another protocol version refused, a graceful shutdown,
and the client answering the server's ping.
"""

import asyncio
import socket
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from graft_runtime import wire  # noqa: E402
from graft_runtime.transport import Connection, GraftConnectionError  # noqa: E402
from echo_server import Server, run, server, server_binary  # noqa: E402,F401  (fixtures)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_connection_refused_names_host_and_port():
    port = free_port()

    async def main():
        started = time.monotonic()
        with pytest.raises(GraftConnectionError) as e:
            await Connection.open("127.0.0.1", port)
        assert "127.0.0.1:%d" % port in str(e.value) and "cannot connect" in str(e.value)
        assert (e.value.host, e.value.port) == ("127.0.0.1", port)
        assert isinstance(e.value, ConnectionError)
        assert time.monotonic() - started < 2

    run(main())


def test_a_dropped_server_fails_pending_calls_fast_and_the_next_call_reconnects(server_binary):
    first = Server(server_binary)
    port = first.port

    async def main():
        conn = await Connection.open("127.0.0.1", port)
        pending = [asyncio.ensure_future(conn.call("Demo", "sleep", [30000], {})) for _ in range(5)]
        await asyncio.sleep(0.2)
        killed = time.monotonic()
        first.kill()
        for call in pending:
            with pytest.raises(GraftConnectionError, match="127.0.0.1:%d" % port):
                await call
        assert time.monotonic() - killed < 1, "pending calls failed fast"
        assert conn.closed
        with pytest.raises(GraftConnectionError, match="cannot connect"):
            await conn.call("Demo", "echo", [1], {})
        second = Server(server_binary, port)
        try:
            assert await conn.call("Demo", "echo", ["back"], {}) == "back"
        finally:
            second.kill()

    run(main())


def test_idle_connection_is_kept_alive_by_pings(server_binary):
    fast = Server(server_binary, heartbeat_ms=100)  # the server closes after 300 ms of silence

    async def main():
        conn = await Connection.open("127.0.0.1", fast.port)
        await asyncio.sleep(1.0)
        assert not conn.closed
        first = conn._protocol
        assert await conn.call("Demo", "echo", [1], {}) == 1
        assert conn._protocol is first, "the same connection, not a new one"

    try:
        run(main())
    finally:
        fast.kill()


async def fake_server(answer):
    """A TCP server that answers the hello with `answer`, then stays silent."""

    async def handle(reader, writer):
        await reader.readexactly(wire.HELLO_SIZE)
        writer.write(answer)
        await asyncio.sleep(10)

    return await asyncio.start_server(handle, "127.0.0.1", 0)


def test_a_silent_server_is_detected_by_missing_heartbeats():
    async def main():
        srv = await fake_server(wire.encode_hello(heartbeat_ms=100))
        port = srv.sockets[0].getsockname()[1]
        conn = await Connection.open("127.0.0.1", port)
        started = time.monotonic()
        with pytest.raises(GraftConnectionError, match="three heartbeat intervals"):
            await conn.call("Demo", "echo", [1], {})
        assert 0.25 < time.monotonic() - started < 2
        srv.close()

    run(main())


def test_another_protocol_version_is_refused_clearly():
    async def main():
        srv = await fake_server(wire.encode_hello(version=4, status=wire.HELLO_UNSUPPORTED_VERSION))
        port = srv.sockets[0].getsockname()[1]
        with pytest.raises(GraftConnectionError) as e:
            await Connection.open("127.0.0.1", port)
        assert str(e.value) == (
            "Graft gateway at 127.0.0.1:%d: it speaks protocol version 4 and this Graft speaks version 8, so "
            "reinstall this Graft from the gateway's index: pip install -U --index-url "
            "http://127.0.0.1:<its web port>/simple/ <this Graft's package>" % port
        )
        srv.close()

    run(main())


def test_graceful_shutdown_finishes_calls_in_flight(server):
    async def main():
        conn = await Connection.open("127.0.0.1", server.port)
        call = asyncio.ensure_future(conn.call("Demo", "sleep", [300, "finished"], {}))
        await asyncio.sleep(0.1)
        server.stop_gracefully()
        assert await call == "finished"
        await asyncio.sleep(0.1)
        assert conn.closed, "Goodbye: no new calls on this connection"

    run(main())


def test_the_client_answers_a_servers_ping():
    async def main():
        answered = asyncio.get_running_loop().create_future()

        async def handle(reader, writer):
            await reader.readexactly(wire.HELLO_SIZE)
            writer.write(wire.encode_hello() + wire.encode_ping(77))
            while True:
                frame = wire.decode_frame(await reader.readexactly(13))
                if not isinstance(frame, wire.PingFrame):  # skip the client's own pings
                    answered.set_result(frame)
                    return

        srv = await asyncio.start_server(handle, "127.0.0.1", 0)
        conn = await Connection.open("127.0.0.1", srv.sockets[0].getsockname()[1])
        assert await asyncio.wait_for(answered, 5) == wire.PongFrame(77)
        await conn.close()
        srv.close()

    run(main())
