"""One connection's asyncio protocol (transport.Connection opens it): the
hello, each frame read handed to the call or stream waiting for it,
heartbeats, and failing every waiter at once when the connection ends.
What it writes is sender.py's.

Standard library only, Python 3.8+.
"""

from __future__ import annotations

import asyncio
import ssl
import struct
import time
from typing import TYPE_CHECKING, Any, List, Optional

from . import wire
from .errors import CallTimeout, GraftConnectionError
from .reader import FrameReader
from .sender import Sender
from .tls import Tls

if TYPE_CHECKING:
    from .transport import Connection

_ID = struct.Struct(">Q")


class Protocol(Sender, asyncio.BufferedProtocol):
    """One TCP connection: hello, frame parsing, pending calls, heartbeats.
    Reads land straight in the `FrameReader`'s buffers (reader.py)."""

    def __init__(self, owner: Connection) -> None:
        super().__init__(owner)
        # Resolved once the server's hello accepted us.
        self.ready: asyncio.Future[None] = self.loop.create_future()
        self.reader = FrameReader(owner.max_frame_size, self._dispatch)
        self.goodbye = False  # the gateway said Goodbye: calls it has not answered when it closes never ran
        self.interval = 10.0
        self.last_recv = time.monotonic()
        self.ticker: Optional[asyncio.TimerHandle] = None

    # -- asyncio callbacks

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        interval_ms = int((self.owner.heartbeat_interval or 10.0) * 1000)
        transport.write(wire.encode_hello(self.owner.max_frame_size, interval_ms))
        if self.owner.token:
            transport.write(wire.encode_auth(self.owner.token))

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.reader.get_buffer()

    def buffer_updated(self, nbytes: int) -> None:
        self.last_recv = time.monotonic()
        if not self.reader.filled(nbytes):
            return  # more of a big frame to come
        try:
            if not self.usable and not self.ready.done() and not self._read_hello():
                return
            if self.reader.frames() > 1 and not self.batching:
                # The woken callers run in the next iteration, before this
                # (with one, there is nothing to put together).
                self.batching = True
                self.loop.call_soon(self._flush)
        except wire.WireError as e:
            self.fail("sent bytes that break the protocol: %s" % e)
        except Exception as e:  # a bug here must not leave calls hanging
            self.fail("could not read the server's frames: %r" % e)

    def connection_lost(self, exc: Optional[Exception]) -> None:
        reason = "connection lost: %s" % exc if exc else "the server closed the connection"
        if not self.usable:
            reason = _refused_before_hello(self.owner.tls, self.reader.view[self.reader.start:self.reader.end], exc) or reason
        self.fail(reason)

    # -- reading

    def _read_hello(self) -> bool:
        raw = self.reader.hello()
        if raw is None:
            return False
        hello = wire.decode_hello(raw)
        if hello.status == wire.HELLO_UNSUPPORTED_VERSION or hello.version != wire.VERSION:
            self.fail(_version_refused(self.owner.host, hello.version))
            return False
        if hello.status != wire.HELLO_OK:
            self.fail("rejected the hello with status %d" % hello.status)
            return False
        self.peer_max = max(hello.max_frame_size, 4096)
        self.interval = self.owner.heartbeat_interval or max(hello.heartbeat_ms, 10) / 1000.0
        self.usable = True
        self.ready.set_result(None)
        self.ticker = self.loop.call_later(self.interval / 2, self._tick)
        return True

    def _dispatch(self, frame: Any) -> None:
        kind = frame[0]
        if kind == wire.REPLY_PART:
            self._part(frame)
            return
        if kind == wire.ITEMS:
            held = self.streams.get(_ID.unpack_from(frame, 1)[0])
            stream = held() if held is not None else None
            if stream is not None:  # else its consumer stopped
                stream.items(frame)
            return
        if kind == wire.REPLY or kind == wire.ERROR:
            request_id = _ID.unpack_from(frame, 1)[0]
            entry = self.pending.pop(request_id, None)
            ahead = self.parts.pop(request_id, None)
            if entry is None and request_id in self.streams:
                stream = self.streams.pop(request_id)()
                if stream is not None:
                    stream.end(frame)
                return
            if entry is None or entry[0].done():
                return  # the caller gave up on it (timeout, cancellation)
            future, types = entry
            try:
                decoded = wire.parse_frame(frame, types)
                if ahead is not None and kind == wire.REPLY:
                    decoded = decoded._replace(value=_joined(ahead[0], decoded.value))
            except Exception as e:  # malformed, or a class that refused its fields: this call fails, not hangs
                future.set_exception(e)  # the frame's length keeps the stream in step
                return
            if kind == wire.REPLY:
                future.set_result(decoded.value)
            elif decoded.status == wire.STATUS_DEADLINE_EXCEEDED:
                future.set_exception(CallTimeout(decoded.raised.message))
            else:  # Overloaded and Unauthenticated name this gateway, the one that refused
                future.set_exception(wire.error_of(decoded.status, decoded.raised, self.owner.host, self.owner.port))
            return
        decoded = wire.parse_frame(frame)
        if isinstance(decoded, wire.PingFrame):
            self._write(wire.encode_pong(decoded.request_id))
        elif isinstance(decoded, wire.GoodbyeFrame):
            self.usable = False  # owed replies still arrive; new calls reconnect
            self.goodbye = True
            if not self.pending and not self.streams and self.transport is not None:
                self.transport.close()
        elif isinstance(decoded, wire.ProtocolErrorFrame):
            self.fail("closed the connection: %s" % decoded.message)
        elif not isinstance(decoded, wire.PongFrame):
            raise wire.WireError("unexpected %s frame from the server" % type(decoded).__name__)

    def _part(self, frame: Any) -> None:
        """A returned list's first items, ahead of its Reply: decoded now,
        while the gateway reads the rest. The parts and the Reply together
        may be no bigger than one frame the client accepts."""
        request_id = _ID.unpack_from(frame, 1)[0]
        entry = self.pending.get(request_id)
        if entry is None or entry[0].done():
            return  # the caller gave up on it
        future, types = entry
        items, size = self.parts.get(request_id, ([], 0))
        size += len(frame)
        try:
            if size > self.owner.max_frame_size:
                raise wire.WireError("the reply's parts exceed the limit of %d bytes" % self.owner.max_frame_size)
            items += wire.parse_frame(frame, types).value
        except Exception as e:  # as in _dispatch: the call fails, the rest of its reply is ignored
            self.pending.pop(request_id, None)
            self.parts.pop(request_id, None)
            future.set_exception(e)
            return
        self.parts[request_id] = (items, size)

    def _tick(self) -> None:
        """Ping when quiet; give up on a server silent for three intervals."""
        now = time.monotonic()
        if now - self.last_recv >= 3 * self.interval:
            self.fail("sent nothing for %g s (three heartbeat intervals); the connection is dead" % (now - self.last_recv))
            return
        if now - self.last_sent >= self.interval / 2 or now - self.last_recv >= self.interval:
            self._write(wire.encode_ping(0))
        self.ticker = self.loop.call_later(self.interval / 2, self._tick)

    # -- failure

    def fail(self, problem: str) -> None:
        """Close for good: every waiting call fails now with the reason."""
        if self.failed is None:
            self.failed = GraftConnectionError(self.owner.host, self.owner.port, problem)
        self.usable = False
        if self.ticker is not None:
            self.ticker.cancel()
        if not self.ready.done():
            self.ready.set_exception(self.failed)
        pending, self.pending = self.pending, {}
        self.parts.clear()
        streams, self.streams = self.streams, {}
        for held in streams.values():
            stream = held()
            if stream is not None:
                stream.failed(self.failed)
        lost = self.failed if self.goodbye else GraftConnectionError(self.owner.host, self.owner.port, problem, sent=True)
        for future, _ in pending.values():
            if not future.done():
                future.set_exception(lost)
        self._fail_turns(self.failed)
        self.abort()

    def abort(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()


def _version_refused(host: str, theirs: int) -> str:
    """The gateway speaks another protocol version: what to do about it."""
    package = __name__.rpartition("._runtime.")[0].replace("_", "-") or "<this Graft's package>"
    return ("it speaks protocol version %d and this Graft speaks version %d, so reinstall this Graft from the "
            "gateway's index: pip install -U --index-url http://%s:<its web port>/simple/ %s"
            % (theirs, wire.VERSION, host, package))


def _refused_before_hello(tls: Optional[Tls], received: Any, exc: Optional[Exception]) -> Optional[str]:
    """Why a connection ended before the gateway's hello, when TLS explains it."""
    if tls is None and bytes(received[:2]) == b"\x15\x03":  # a TLS alert record
        return "it serves TLS and refused plain TCP: connect with host=tls://host:port"
    if tls is not None and isinstance(exc, ssl.SSLError) and "CERTIFICATE_REQUIRED" in str(exc.reason):
        return "TLS: it requires a client certificate (give cert=<file>;key=<file>): %s" % exc.reason
    if tls is not None and isinstance(exc, ssl.SSLError):
        return "TLS: the gateway refused the connection: %s" % (exc.reason or exc)
    return None


def _joined(ahead: List[Any], last: Any) -> List[Any]:
    """A returned list sent in parts: the items that came ahead, then the Reply's."""
    if type(last) is not list:
        raise wire.WireError("a Reply after ReplyParts carries %s, not a list" % type(last).__name__)
    ahead += last
    return ahead
