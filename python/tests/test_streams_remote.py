"""Streaming calls over the wire (wire_stream.RemoteStream, transport.py), frame by frame.

A gateway stand-in (`Gateway`, a few lines of asyncio speaking the protocol
with server_frames.py) answers each test's way, and records what the client
sent: its Call, Credits and Cancels. The real gg is tested end to end in
tests/e2e/test_streams_graft.py.
"""

import asyncio
import sys
from pathlib import Path
from typing import Any, Awaitable, Callable, List

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import server_frames  # noqa: E402
from graft_runtime import wire  # noqa: E402
from graft_runtime.transport import CallTimeout, Connection, GraftConnectionError  # noqa: E402
from graft_runtime.wire_stream import CREDIT_AT, RemoteStream  # noqa: E402


class Peer:
    """The gateway's end of one connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.received: List[Any] = []  # every frame but pings, in order

    async def frame(self) -> Any:
        """The client's next frame but Pings (answered)."""
        while True:
            (n,) = wire._U32.unpack(await self.reader.readexactly(4))
            frame = wire.parse_frame(await self.reader.readexactly(n))
            if isinstance(frame, wire.PingFrame):
                self.send(wire.encode_pong(frame.request_id))
                continue
            self.received.append(frame)
            return frame

    async def quiet(self, seconds: float) -> List[Any]:
        """The frames that come within `seconds`."""
        got = []
        try:
            while True:
                got.append(await asyncio.wait_for(self.frame(), seconds))
        except asyncio.TimeoutError:
            return got

    def send(self, *frames: Any) -> None:
        for frame in frames:
            self.writer.write(bytes(frame))

    def items(self, rid: int, *items: Any) -> None:
        self.send(server_frames.encode_items(rid, list(items)))

    def error(self, rid: int, status: int, type_name: str, message: str, **fields: Any) -> None:
        raised = wire.Raised(type_name, "feed" if status == 0 else "builtins", message, [message], fields, "")
        self.send(server_frames.encode_error(rid, status, raised))


Handler = Callable[[Peer], Awaitable[None]]


class Gateway:
    """A gateway running `handler` on each connection; `connection`, a client of it."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.hellos: List[Any] = []  # the clients' hellos
        self.peers: List[Peer] = []

    async def __aenter__(self) -> "Gateway":
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.connection = Connection("127.0.0.1", self.server.sockets[0].getsockname()[1])
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.connection.close()
        self.server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.hellos.append(wire.decode_hello(await reader.readexactly(16)))
        writer.write(wire.encode_hello())
        peer = Peer(reader, writer)
        self.peers.append(peer)
        try:
            await self.handler(peer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass

    def sent(self, kind: type) -> List[Any]:
        """The frames of `kind` the client has sent."""
        return [f for peer in self.peers for f in peer.received if isinstance(f, kind)]


def stream(conn: Connection, method: str = "count", timeout: Any = None, **kwargs: Any) -> RemoteStream:
    return RemoteStream(lambda: conn, ("Feed", method, [], kwargs), {}, timeout, lambda e: e)


def run(main: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(main(), 20))


async def eventually(check: Callable[[], bool], within: float = 1.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "not within %g s" % within
        await asyncio.sleep(0.01)


def test_items_come_in_order_and_the_reply_ends_them() -> None:
    async def handler(peer: Peer) -> None:
        call = await peer.frame()
        assert (call.service, call.method, call.kwargs, call.timeout_ms) == ("Feed", "count", {"n": 3}, 0)
        peer.items(call.request_id, 0, 1)
        peer.items(call.request_id, 2)
        peer.send(server_frames.encode_reply(call.request_id, None))
        await peer.quiet(5)

    async def main() -> None:
        async with Gateway(handler) as gw:
            assert [i async for i in stream(gw.connection, n=3)] == [0, 1, 2]
            assert gw.hellos[0].version == 8 == wire.VERSION and gw.hellos[0].status == 0
            assert gw.sent(wire.CancelFrame) == [] and gw.sent(wire.CreditFrame) == []

    run(main)


def test_credit_is_granted_for_what_was_consumed_once_it_reaches_half_the_window() -> None:
    sizes: List[int] = []

    async def handler(peer: Peer) -> None:
        call = await peer.frame()
        for i in range(4):
            frame = server_frames.encode_items(call.request_id, [bytes([i]) * 60_000])
            sizes.append(len(frame) - 4)
            peer.send(frame)
        await peer.quiet(0.5)
        peer.send(server_frames.encode_reply(call.request_id, None))
        await peer.quiet(5)

    async def main() -> None:
        async with Gateway(handler) as gw:
            s = stream(gw.connection, "blobs")
            assert [(await s.__anext__())[0] for _ in range(2)] == [0, 1]
            assert 2 * sizes[0] < CREDIT_AT <= 3 * sizes[0]
            await asyncio.sleep(0.2)
            assert gw.sent(wire.CreditFrame) == [], "none for 2 frames, nor for frames not consumed"
            assert (await s.__anext__())[0] == 2
            await eventually(lambda: len(gw.sent(wire.CreditFrame)) == 1)
            assert gw.sent(wire.CreditFrame)[0].bytes == sum(sizes[:3]), "the bytes of the three frames consumed"
            assert [i[0] async for i in s] == [3]
            await asyncio.sleep(0.1)
            assert len(gw.sent(wire.CreditFrame)) == 1 and gw.sent(wire.CancelFrame) == []

    run(main)


def test_an_error_after_k_items_comes_after_them() -> None:
    async def handler(peer: Peer) -> None:
        call = await peer.frame()
        peer.items(call.request_id, 0, 1)
        peer.error(call.request_id, wire.STATUS_RAISED, "Broken", "broke after 2 items", after=2)
        call = await peer.frame()
        peer.items(call.request_id, 0)
        peer.error(call.request_id, wire.STATUS_DEADLINE_EXCEEDED, "TimeoutError", "Feed.slow: no item within 1 s")
        await peer.quiet(5)

    async def main() -> None:
        async with Gateway(handler) as gw:
            got = []
            with pytest.raises(wire.RemoteError) as raised:
                async for i in stream(gw.connection, "failing", after=2):
                    got.append(i)
            assert got == [0, 1] and raised.value.fields == {"after": 2} and raised.value.type_name == "Broken"
            got = []
            with pytest.raises(CallTimeout, match="no item within 1 s"):
                async for i in stream(gw.connection, "slow"):
                    got.append(i)
            assert got == [0] and gw.sent(wire.CancelFrame) == [], "nothing to cancel: it ended"

    run(main)


async def endless(peer: Peer) -> None:
    """Each stream gets one item, then nothing until it is cancelled: answered Cancelled.
    A plain call to `ping` is answered "pong"."""
    while True:
        frame = await peer.frame()
        if isinstance(frame, wire.CallFrame) and frame.method == "ping":
            peer.send(server_frames.encode_reply(frame.request_id, "pong"))
        elif isinstance(frame, wire.CallFrame):
            peer.items(frame.request_id, 0)
        elif isinstance(frame, wire.CancelFrame):
            peer.error(frame.request_id, wire.STATUS_CANCELLED, "CancelledError", "cancelled by the client")


@pytest.mark.parametrize("how", ["break", "aclose", "async with", "cancel", "timeout"])
def test_a_consumer_that_stops_sends_cancel(how: str) -> None:
    async def consume(conn: Connection) -> None:
        if how == "break":
            async for i in stream(conn, "slow"):
                break
        elif how == "aclose":
            s = stream(conn, "slow")
            assert await s.__anext__() == 0
            await s.aclose()
            with pytest.raises(StopAsyncIteration):
                await s.__anext__()
        elif how == "async with":
            async with stream(conn, "slow") as s:
                assert await s.__anext__() == 0
        elif how == "cancel":
            async for i in stream(conn, "slow"):
                pass
        else:
            with pytest.raises(CallTimeout, match=r"Feed.slow on 127.0.0.1:\d+ gave no item within 0.2 s"):
                async for i in stream(conn, "slow", timeout=0.2):
                    pass

    async def main() -> None:
        async with Gateway(endless) as gw:
            task = asyncio.ensure_future(consume(gw.connection))
            if how == "cancel":
                await asyncio.sleep(0.2)
                task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                assert how == "cancel"
            await eventually(lambda: len(gw.sent(wire.CancelFrame)) == 1)
            call = gw.sent(wire.CallFrame)[0]
            assert gw.sent(wire.CancelFrame)[0].request_id == call.request_id
            assert call.timeout_ms == (200 if how == "timeout" else 0), "the per-item timeout goes to the gateway"
            assert await gw.connection.call("Feed", "ping", [], {}) == "pong", "the Cancelled answer was dropped"

    run(main)


def test_streams_and_plain_calls_share_one_connection() -> None:
    async def handler(peer: Peer) -> None:
        calls = {}
        while len(calls) < 3:
            frame = await peer.frame()
            calls[frame.method] = frame.request_id
        a, b = calls["letters"], calls["count"]
        peer.items(a, "x")
        peer.items(b, 0)
        peer.send(server_frames.encode_reply(calls["ping"], "pong"))
        peer.items(b, 1)
        peer.items(a, "y")
        peer.send(server_frames.encode_reply(b, None), server_frames.encode_reply(a, None))
        await peer.quiet(5)

    async def main() -> None:
        async with Gateway(handler) as gw:
            conn = gw.connection
            got = await asyncio.gather(_all(stream(conn, "letters")), _all(stream(conn, "count")),
                                       conn.call("Feed", "ping", [], {}))
            assert got == [["x", "y"], [0, 1], "pong"]
            assert len(gw.peers) == 1, "one connection"

    run(main)


async def _all(s: RemoteStream) -> List[Any]:
    return [i async for i in s]


def test_a_lost_connection_ends_the_stream_after_its_items() -> None:
    async def handler(peer: Peer) -> None:
        call = await peer.frame()
        peer.items(call.request_id, 0)
        await asyncio.sleep(0.1)
        peer.writer.close()

    async def main() -> None:
        async with Gateway(handler) as gw:
            got = []
            with pytest.raises(GraftConnectionError, match="Graft gateway at 127.0.0.1"):
                async for i in stream(gw.connection):
                    got.append(i)
            assert got == [0]

    run(main)


def test_an_items_frame_that_does_not_decode_fails_the_stream_and_cancels_it() -> None:
    async def handler(peer: Peer) -> None:
        call = await peer.frame()
        peer.items(call.request_id, 0)
        bad = bytearray(server_frames.encode_items(call.request_id, ["texttext"]))
        bad[-4:] = b"\xff\xfe\xfd\xfc"  # not UTF-8
        peer.send(bad)
        await peer.quiet(5)

    async def main() -> None:
        async with Gateway(handler) as gw:
            got = []
            with pytest.raises(wire.WireError, match="not valid UTF-8"):
                async for i in stream(gw.connection):
                    got.append(i)
            assert got == [0]
            await eventually(lambda: len(gw.sent(wire.CancelFrame)) == 1)

    run(main)
