"""An asyncio client for the Graft wire protocol (docs/PROTOCOL.md).

One `Connection` talks to one gateway. Many calls share it at once, each
matched to its reply by request id, so replies may come back in any order.
When the connection fails or closes, every call waiting on it fails at once
with `Unavailable` (errors.py) naming host and port; nothing hangs. Its
`sent` says whether the call was written: False when it never left (a
failed connect, a closed connection), True when it may have run, but for
calls still unanswered when the gateway closes after its Goodbye: those
crossed the Goodbye and were never read (docs/PROTOCOL.md, "Shutdown"). The next
call on the same `Connection` opens a fresh one, so a gateway that comes back
is used again without restarting the caller.

Big calls (a request frame over `BIG_CALL` bytes) share a window: at most
`window` bytes of their requests are in flight on one connection, and the
next waits its turn, in order (a call bigger than the window goes alone).
Sixty-four 1 MB calls written at once kept 64 MB in flight, out of every
cache, and both ends spent twice the CPU per call on copying it
(BENCHMARKS.md). A call keeps its share until its reply arrives or for
`HOLD` seconds at most, so big calls to a slow method still run side by
side; the wait for a turn counts toward the call's timeout.

Standard library only, Python 3.8+.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import math
import ssl
import struct
import time
import weakref
from typing import Any, Awaitable, Deque, Dict, List, Mapping, Optional, Tuple

from . import headers, identity, wire
from .errors import CallTimeout as CallTimeout, GraftConnectionError as GraftConnectionError
from .tls import Tls
from .reader import FrameReader

DEFAULT_CONNECT_TIMEOUT = 5.0
BIG_CALL = 64 * 1024  # a request frame longer than this takes its turn in the window
PART_ITEMS = 2500  # a first argument, a list of twice this many items or more, goes in parts of this many
DEFAULT_WINDOW = 2 * 1024 * 1024  # request bytes of big calls in flight on one connection
HOLD = 0.01  # seconds a big call keeps its share of the window at most, waiting for its reply
_ID = struct.Struct(">Q")


def _version_refused(host: str, theirs: int) -> str:
    """The gateway speaks another protocol version: what to do about it."""
    package = __name__.rpartition("._runtime.")[0].replace("_", "-") or "<this Graft's package>"
    return ("it speaks protocol version %d and this Graft speaks version %d, so reinstall this Graft from the "
            "gateway's index: pip install -U --index-url http://%s:<its web port>/simple/ %s"
            % (theirs, wire.VERSION, host, package))


class Connection:
    """A multiplexed connection to the gateway at `host:port`."""

    def __init__(self, host: str, port: int, *, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                 max_frame_size: int = wire.DEFAULT_MAX_FRAME_SIZE,
                 heartbeat_interval: Optional[float] = None, window: int = DEFAULT_WINDOW,
                 tls: Optional[Tls] = None, token: Optional[str] = None,
                 server_hostname: Optional[str] = None) -> None:
        self.host = host
        # The name TLS checks the certificate against when `host` is one of its addresses.
        self.server_hostname = server_hostname
        self.token = token  # sent in an Auth frame after the hello (gg --authTokens)
        self.tls = tls  # None: plain TCP
        self.port = port
        self.connect_timeout = connect_timeout
        self.max_frame_size = max_frame_size
        # None: ping at the interval the server announces in its hello.
        self.heartbeat_interval = heartbeat_interval
        self.window = window
        self._protocol: Optional[_Protocol] = None
        self._opening: Optional[asyncio.Lock] = None

    @classmethod
    async def open(cls, host: str, port: int, **options: Any) -> "Connection":
        """Connect and complete the handshake, or raise GraftConnectionError."""
        connection = cls(host, port, **options)
        await connection.connect()
        return connection

    @property
    def closed(self) -> bool:
        """True when no usable connection is open: the next call opens one."""
        return self._protocol is None or not self._protocol.usable

    async def connect(self) -> None:
        """Open the connection unless a usable one is open already."""
        if self._opening is None:
            self._opening = asyncio.Lock()
        async with self._opening:
            if self.closed:
                self._protocol = await self._open()

    async def _open(self) -> "_Protocol":
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.connect_timeout
        protocol = _Protocol(self)
        try:
            await asyncio.wait_for(
                loop.create_connection(lambda: protocol, self.host, self.port,
                                       **_tls_options(self.tls, self.server_hostname)),
                self.connect_timeout,
            )
            await asyncio.wait_for(protocol.ready, max(0.0, deadline - loop.time()))
        except asyncio.TimeoutError:
            protocol.abort()
            raise GraftConnectionError(self.host, self.port, "no answer within %g s" % self.connect_timeout) from None
        except OSError as e:
            protocol.abort()
            if isinstance(e, GraftConnectionError):
                raise
            raise GraftConnectionError(self.host, self.port, _cannot_connect(e)) from None
        return protocol

    def call(self, service: str, method: str, args: List[Any], kwargs: Mapping[str, Any],
             types: Optional[Mapping[str, type]] = None, timeout: Optional[float] = None, obj: str = "") -> Awaitable[Any]:
        """Call `service.method(*args, **kwargs)` on the gateway (on its object `obj`, if given).

        Returns the decoded result; objects and enums are rebuilt from
        `types`. Raises wire.RemoteError if the call failed on the server,
        CallTimeout after `timeout` seconds, GraftConnectionError if the
        connection cannot be opened or fails before the reply, and
        OverflowError/TypeError/wire.WireError for arguments the wire cannot
        carry (nothing is sent then).
        """
        protocol = self._protocol
        if protocol is not None and protocol.usable:  # the call's own coroutine, no other in between
            return protocol.call(service, method, args, kwargs, types or {}, timeout, obj)
        return self._connect_and_call(service, method, args, kwargs, types or {}, timeout, obj)

    async def _connect_and_call(self, service: str, method: str, args: List[Any], kwargs: Mapping[str, Any],
                                types: Mapping[str, type], timeout: Optional[float], obj: str) -> Any:
        await self.connect()
        protocol = self._protocol
        assert protocol is not None
        return await protocol.call(service, method, args, kwargs, types, timeout, obj)

    def home(self, object_id: str) -> "Connection":
        """The connection holding the object `object_id`: this one (replicas.py has several)."""
        return self

    async def close(self) -> None:
        """Close the connection; calls still waiting fail."""
        if self._protocol is not None:
            self._protocol.fail("connection closed by the client")
            self._protocol = None


class _Protocol(asyncio.BufferedProtocol):
    """One TCP connection: hello, frame parsing, pending calls, heartbeats.
    Reads land straight in the `FrameReader`'s buffers (reader.py)."""

    def __init__(self, owner: Connection) -> None:
        self.owner = owner
        self.loop = asyncio.get_running_loop()
        self.transport: Optional[asyncio.Transport] = None
        # Resolved once the server's hello accepted us.
        self.ready: asyncio.Future[None] = self.loop.create_future()
        self.reader = FrameReader(owner.max_frame_size, self._dispatch)
        self.pending: Dict[int, Tuple[asyncio.Future[Any], Mapping[str, type]]] = {}
        # Streaming calls still running, by id (wire_stream.RemoteStream), held
        # weakly: a stream its consumer dropped cancels itself (its __del__).
        self.streams: Dict[int, "weakref.ref[Any]"] = {}
        # The items of returned lists that came ahead of their Replies, and the bytes they took.
        self.parts: Dict[int, Tuple[List[Any], int]] = {}
        self.ids = itertools.count(1)
        self.usable = False
        self.goodbye = False  # the gateway said Goodbye: calls it has not answered when it closes never ran
        self.failed: Optional[GraftConnectionError] = None
        self.peer_max = wire.DEFAULT_MAX_FRAME_SIZE
        self.interval = 10.0
        self.last_recv = self.last_sent = time.monotonic()
        self.ticker: Optional[asyncio.TimerHandle] = None
        # Frames written while `batching` wait in `out` and go in one write
        # at the end of the loop iteration (`_flush`): after a read that
        # resolved several calls, whose callers, woken in the next
        # iteration, then write their next calls together.
        self.out: List[Any] = []
        self.batching = False
        # Request bytes of big calls written (or about to be) and not yet
        # answered, and the big calls waiting for their turn, in order.
        self.in_flight = 0
        self.waiting: Deque[Tuple[int, asyncio.Future[None]]] = collections.deque()

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

    # -- calls

    async def call(self, service: str, method: str, args: List[Any], kwargs: Mapping[str, Any],
                   types: Mapping[str, type], timeout: Optional[float], obj: str = "") -> Any:
        if not self.usable:
            raise self.failed or GraftConnectionError(self.owner.host, self.owner.port, "connection closed")
        request_id = next(self.ids)
        name = "%s.%s" % (service, method)
        metadata = headers.outgoing()
        # In parts only while no other call is out: they let the gateway build
        # while this encodes, which gains nothing when it has other calls to run.
        # Never on an object, nor with metadata: a CallPart carries neither
        # (the graft's version goes in the Call that ends the parts, `_write_rest`).
        first = None if self.pending or obj or metadata else _long_argument(args, kwargs)
        if first is None:
            metadata = identity.with_graft(metadata)
        if first is not None:  # in parts, if they fit: the first now, the rest once it is written
            argument, items = first
            data = wire.encode_call_part(request_id, service, method, argument, items[:PART_ITEMS], self.peer_max)
            estimate = len(data) * -(-len(items) // PART_ITEMS)
            if estimate * 5 // 4 > self.peer_max:
                first = None
        if first is None:
            data = wire.encode_call(request_id, service, method, args, kwargs, _millis(timeout), self.peer_max, obj,
                                    metadata)
            estimate = len(data)
        size = estimate if estimate > BIG_CALL else 0
        if size:
            waited = await self._take_turn(size, name, timeout)
            if waited and timeout is not None:  # what is left of the timeout goes to the server too
                timeout = max(timeout - waited, 0.0)
                if first is None:
                    wire.set_call_timeout(data, _millis(timeout))
        timer = release = None
        held = [size]  # this call's share of the window until the reply, or HOLD
        try:
            if size and not self.usable:  # a goodbye came while it waited: not sent
                raise self.failed or GraftConnectionError(
                    self.owner.host, self.owner.port, "the gateway is closing the connection; call again")
            future = self.loop.create_future()
            self.pending[request_id] = (future, types)
            self._write(data)
            if first is not None:
                self._write_rest(request_id, service, method, first, args, kwargs, timeout)
            if size:
                release = self.loop.call_later(HOLD, self._release, held)
            if timeout is not None:
                timer = self.loop.call_later(timeout, self._expire, request_id, name, timeout)
            return await future
        finally:
            for handle in (timer, release):
                if handle is not None:
                    handle.cancel()
            self.pending.pop(request_id, None)
            self.parts.pop(request_id, None)
            self._release(held)

    def open_stream(self, stream: Any, call: Tuple[str, str, List[Any], Mapping[str, Any]],
                    timeout: Optional[float], obj: str = "") -> int:
        """Sends a streaming call's Call (its timeout bounds each next item) and
        hands `stream` the frames with its id from now on; the id."""
        if not self.usable:
            raise self.failed or GraftConnectionError(self.owner.host, self.owner.port, "connection closed")
        request_id = next(self.ids)
        service, method, args, kwargs = call
        metadata = identity.with_graft(headers.outgoing(), getattr(stream, "graft", ""))
        data = wire.encode_call(request_id, service, method, args, kwargs, _millis(timeout), self.peer_max, obj,
                                metadata)
        self.streams[request_id] = weakref.ref(stream)
        self._write(data)
        return request_id

    def credit(self, request_id: int, n: int) -> None:
        """Gives a running stream `n` more bytes of window."""
        if request_id in self.streams:
            self._write(wire.encode_credit(request_id, n))

    def cancel(self, request_id: int) -> None:
        """Stops a running stream: its frames are ignored from now on."""
        if self.streams.pop(request_id, None) is not None:
            self._write(wire.encode_cancel(request_id))

    def _write_rest(self, request_id: int, service: str, method: str, first: Tuple[str, List[Any]],
                    args: List[Any], kwargs: Mapping[str, Any], timeout: Optional[float]) -> None:
        """The rest of a call sent in parts: each part written as soon as it is
        encoded, so the gateway builds its objects while this encodes the
        next, then the Call with the last items (docs/PROTOCOL.md, CallPart)."""
        argument, items = first
        ahead = (len(items) - 1) // PART_ITEMS  # parts before the Call, the first one written
        try:
            for start in range(PART_ITEMS, ahead * PART_ITEMS, PART_ITEMS):
                part = items[start:start + PART_ITEMS]
                self._write(wire.encode_call_part(request_id, service, method, argument, part, self.peer_max))
            last = items[ahead * PART_ITEMS:]
            if argument:
                args, kwargs = list(args), dict(kwargs, **{argument: last})
            else:
                args = [last] + list(args[1:])
            # The graft's version goes in the Call: the gateway checks it there (a CallPart carries none).
            self._write(wire.encode_call(request_id, service, method, args, kwargs, _millis(timeout), self.peer_max,
                                         "", identity.with_graft(())))
        except BaseException:
            # The gateway holds the parts written so far; a Call it refuses (the
            # argument is not a list in it) lets it drop them. Its answer finds no one waiting.
            self.pending.pop(request_id, None)
            refused = ([], {argument: None}) if argument else ([None], {})
            self._write(wire.encode_call(request_id, service, method, refused[0], refused[1], 0, self.peer_max))
            raise

    def _expire(self, request_id: int, name: str, timeout: float) -> None:
        entry = self.pending.pop(request_id, None)
        if entry is not None and not entry[0].done():
            entry[0].set_exception(self._timed_out(name, timeout))

    def _timed_out(self, name: str, timeout: float) -> CallTimeout:
        return CallTimeout("%s on %s:%d did not finish within %g s" % (name, self.owner.host, self.owner.port, timeout))

    # -- the window of big calls

    async def _take_turn(self, size: int, name: str, timeout: Optional[float]) -> float:
        """Room for a big call of `size` request bytes, at once or after the
        calls before it; how long that took (seconds). Raises CallTimeout
        when `timeout` passes first, GraftConnectionError when the
        connection fails meanwhile."""
        if not self.waiting and self._fits(size):
            self.in_flight += size
            return 0.0
        started = self.loop.time()
        turn = self.loop.create_future()
        self.waiting.append((size, turn))
        timer = None
        if timeout is not None:
            timer = self.loop.call_later(timeout, _fail_turn, turn, self._timed_out(name, timeout))
        try:
            await turn  # _grant counted our bytes in
        except BaseException:
            if turn.done() and not turn.cancelled() and turn.exception() is None:
                self._end_turn(size)  # granted, then cancelled before we ran: hand it on
            raise
        finally:
            if timer is not None:
                timer.cancel()
        return self.loop.time() - started

    def _fits(self, size: int) -> bool:
        """Whether a big call of `size` bytes may go now (alone, it always may)."""
        return not self.in_flight or self.in_flight + size <= self.owner.window

    def _end_turn(self, size: int) -> None:
        self.in_flight -= size
        self._grant()

    def _release(self, held: List[int]) -> None:
        """Gives back a call's share of the window, once."""
        size, held[0] = held[0], 0
        if size:
            self._end_turn(size)

    def _grant(self) -> None:
        """Lets the waiting big calls go, in order, while they fit."""
        waiting = self.waiting
        while waiting:
            size, turn = waiting[0]
            if turn.done():  # timed out or cancelled while waiting
                waiting.popleft()
                continue
            if not self._fits(size):
                return
            waiting.popleft()
            self.in_flight += size
            turn.set_result(None)

    def _write(self, data: Any) -> None:
        if self.batching:
            self.out.append(data)
        elif self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)
            self.last_sent = time.monotonic()

    def _flush(self) -> None:
        """Writes the frames batched in this loop iteration, in one write."""
        self.batching = False
        out = self.out
        if out:
            data = out[0] if len(out) == 1 else b"".join(out)
            out.clear()
            self._write(data)

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
        waiting, self.waiting = self.waiting, collections.deque()
        for _, turn in waiting:
            _fail_turn(turn, self.failed)
        self.abort()

    def abort(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()


def _tls_options(tls: Optional[Tls], server_hostname: Optional[str]) -> Dict[str, Any]:
    """`create_connection`'s TLS arguments: none for plain TCP."""
    if tls is None:
        return {}
    if server_hostname is not None:
        return {"ssl": tls.context(), "server_hostname": server_hostname}
    return {"ssl": tls.context()}


def _cannot_connect(error: OSError) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return ("TLS: its certificate is not trusted: %s (give the CA that signed it with ca=<file>)"
                % (error.verify_message or error))
    if isinstance(error, ssl.SSLError):
        return "TLS handshake failed: %s (is it serving TLS, with --tlsCert?)" % (error.reason or error)
    return "cannot connect: %s" % (error.strerror or error)


def _refused_before_hello(tls: Optional[Tls], received: Any, exc: Optional[Exception]) -> Optional[str]:
    """Why a connection ended before the gateway's hello, when TLS explains it."""
    if tls is None and bytes(received[:2]) == b"\x15\x03":  # a TLS alert record
        return "it serves TLS and refused plain TCP: connect with host=tls://host:port"
    if tls is not None and isinstance(exc, ssl.SSLError) and "CERTIFICATE_REQUIRED" in str(exc.reason):
        return "TLS: it requires a client certificate (give cert=<file>;key=<file>): %s" % exc.reason
    if tls is not None and isinstance(exc, ssl.SSLError):
        return "TLS: the gateway refused the connection: %s" % (exc.reason or exc)
    return None


def _long_argument(args: List[Any], kwargs: Mapping[str, Any]) -> Optional[Tuple[str, List[Any]]]:
    """The argument a call sends in parts, if any, and its items: the first
    positional one, else the first keyword one, that is a list of twice
    PART_ITEMS items or more. A keyword argument goes by its name, the
    positional one by an empty name."""
    if args and type(args[0]) is list and len(args[0]) >= 2 * PART_ITEMS:
        return "", args[0]
    for name, value in kwargs.items():
        if type(value) is list and len(value) >= 2 * PART_ITEMS and name:
            return name, value
    return None


def _joined(ahead: List[Any], last: Any) -> List[Any]:
    """A returned list sent in parts: the items that came ahead, then the Reply's."""
    if type(last) is not list:
        raise wire.WireError("a Reply after ReplyParts carries %s, not a list" % type(last).__name__)
    ahead += last
    return ahead


def _millis(timeout: Optional[float]) -> int:
    """A timeout as the wire's milliseconds: 0 for none, at least 1 otherwise."""
    return 0 if timeout is None else min(max(1, math.ceil(timeout * 1000)), 0xFFFFFFFF)


def _fail_turn(turn: "asyncio.Future[None]", error: BaseException) -> None:
    if not turn.done():
        turn.set_exception(error)
