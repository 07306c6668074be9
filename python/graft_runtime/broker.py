"""Calls through a broker: `host=redis://host:6379/0` (docs/CONFIG.md).

A call is one entry added to its service's queue, the Redis stream
`graft:calls:<Service>`: `call`, a wire Call frame (docs/PROTOCOL.md, with
its timeout and metadata), and `reply`, this caller's list
(`graft:reply:<random>`). A gateway started with `--broker` takes it, runs
it and pushes the answer on that list as wire frames: Items (a stream's
items, or a long list's first ones), then one Reply or Error. One task per
event loop reads the list (`BLMPOP`) and hands each frame to its call.

`Broker` stands in for a `transport.Connection` in `remote.py` (and for
its protocol in `wire_stream.RemoteStream`), so results, exceptions,
streams, deadlines and metadata go as over TCP. A call's timeout counts
from when it was queued; a gateway drops a call whose deadline passed
without running it, and the caller gets `Timeout`. Without a timeout a
call waits in the queue until a gateway takes it. `send` (through
`GraftConfig.send`) queues a call and does not wait for it.
"""

import asyncio
import contextvars
import itertools
import math
import uuid
import weakref
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Tuple
from urllib.parse import unquote, urlsplit

from . import headers, wire
from .errors import CallTimeout, GraftConnectionError
from .resp import Resp

SCHEMES = ("redis",)
BATCH = 256  # frames taken from the reply list at once
# Set while `sending` calls a method: through a broker, its call is queued and not awaited.
SENDING: "contextvars.ContextVar[bool]" = contextvars.ContextVar("graft_sending", default=False)


def queue_of(service: str) -> str:
    return "graft:calls:" + service


class Broker:
    """The calls of one event loop through the Redis at `url`."""

    tls = None  # what remote.py compares a cached connection by
    token = None

    def __init__(self, url: str, connect_timeout: float = 5.0) -> None:
        parts = urlsplit(url)
        self.url = url
        self.host = parts.hostname or "localhost"
        self.port = parts.port or 6379
        self.db = int((parts.path or "/0").strip("/") or 0)
        password = unquote(parts.password) if parts.password else None
        user = unquote(parts.username) if parts.username else None
        self.auth: Tuple[str, ...] = tuple(x for x in (user, password) if x) if password else ()
        self.connect_timeout = connect_timeout
        self.reply = "graft:reply:" + uuid.uuid4().hex
        self.ids = itertools.count(1)
        self.pending: Dict[int, Tuple["asyncio.Future[Any]", Mapping[str, type], List[Any]]] = {}
        self.streams: Dict[int, "weakref.ref[Any]"] = {}
        self.commands: Optional[Resp] = None
        self.listener: Optional["asyncio.Task[None]"] = None
        self.lock: Optional[asyncio.Lock] = None
        self.loop: Any = None
        self.owner = self  # RemoteStream reads host and port from its protocol's owner
        self._protocol = self  # RemoteStream opens its call on the connection's protocol

    @property
    def usable(self) -> bool:
        return self.commands is not None and self.commands.usable and self.listener is not None

    async def connect(self) -> None:
        """Opens the connections and starts reading the reply list, unless done."""
        if self.lock is None:
            self.lock = asyncio.Lock()
        async with self.lock:
            if self.usable:
                return
            self.loop = asyncio.get_running_loop()
            try:
                self.commands = await self._open()
                listening = await self._open()
            except (OSError, asyncio.TimeoutError, ConnectionError) as e:
                raise GraftConnectionError(self.host, self.port, "cannot reach the broker: %s" % (e or type(e).__name__)) from None
            self.listener = self.loop.create_task(self._listen(listening))

    async def _open(self) -> Resp:
        return await Resp.open(self.host, self.port, self.connect_timeout, self.auth, self.db)

    async def call(self, service: str, method: str, args: List[Any], kwargs: Mapping[str, Any],
                   types: Optional[Mapping[str, type]] = None, timeout: Optional[float] = None, obj: str = "") -> Any:
        """Queues the call and awaits its answer, as `transport.Connection.call`."""
        if SENDING.get():
            return await self.send(service, method, args, kwargs)
        if obj:
            raise TypeError("%s.%s: methods of remote objects are not called through a broker; use host=h:p" % (service, method))
        if not self.usable:
            await self.connect()
        request_id = next(self.ids)
        frame = wire.encode_call(request_id, service, method, args, kwargs, _millis(timeout), wire.DEFAULT_MAX_FRAME_SIZE,
                                 "", headers.outgoing())
        future = self.loop.create_future()
        self.pending[request_id] = (future, types or {}, [])
        timer = None
        try:
            await self._queue(service, frame, True)
            if timeout is not None:
                timer = self.loop.call_later(timeout, self._expire, request_id, "%s.%s" % (service, method), timeout)
            return await future
        finally:
            if timer is not None:
                timer.cancel()
            self.pending.pop(request_id, None)

    async def send(self, service: str, method: str, args: List[Any], kwargs: Mapping[str, Any]) -> None:
        """Queues the call without waiting for it: it runs once a gateway takes it."""
        if not self.usable:
            await self.connect()
        frame = wire.encode_call(next(self.ids), service, method, args, kwargs, 0, wire.DEFAULT_MAX_FRAME_SIZE,
                                 "", headers.outgoing())
        await self._queue(service, frame, False)

    def _queue(self, service: str, frame: bytearray, answered: bool) -> "asyncio.Future[Any]":
        assert self.commands is not None
        fields: Tuple[Any, ...] = ("call", bytes(memoryview(frame)[4:]))
        if answered:
            fields += ("reply", self.reply)
        return self.commands.command("XADD", queue_of(service), "*", *fields)

    def _expire(self, request_id: int, name: str, timeout: float) -> None:
        entry = self.pending.pop(request_id, None)
        if entry is not None and not entry[0].done():
            entry[0].set_exception(CallTimeout("%s through the broker %s:%d did not finish within %g s"
                                               % (name, self.host, self.port, timeout)))

    # -- streams (wire_stream.RemoteStream calls these as a protocol's)

    def open_stream(self, stream: Any, call: Tuple[str, str, List[Any], Mapping[str, Any]],
                    timeout: Optional[float], obj: str = "") -> int:
        """Queues a streaming call; its frames go to `stream` from now on."""
        service, method, args, kwargs = call
        request_id = next(self.ids)
        frame = wire.encode_call(request_id, service, method, args, kwargs, _millis(timeout), wire.DEFAULT_MAX_FRAME_SIZE,
                                 obj, headers.outgoing())
        self.streams[request_id] = weakref.ref(stream)
        queued = self._queue(service, frame, True)
        queued.add_done_callback(lambda f: f.cancelled() or f.exception() is None or stream.failed(f.exception()))
        return request_id

    def credit(self, request_id: int, n: int) -> None:
        """No flow control through a broker: the reply list holds the items."""

    def cancel(self, request_id: int) -> None:
        """The consumer stopped: later frames are dropped, and `<reply>:cancel:<id>` tells the
        gateway, which closes the generator at its next item (within 0.2 s of items)."""
        if self.streams.pop(request_id, None) is not None and self.commands is not None and self.commands.usable:
            told = self.commands.command("SET", "%s:cancel:%d" % (self.reply, request_id), 1, "PX", 300_000)
            told.add_done_callback(_quiet)

    def home(self, object_id: str) -> "Broker":
        return self

    async def close(self) -> None:
        for conn in (self.commands,):
            if conn is not None:
                conn.close()
        if self.listener is not None:
            self.listener.cancel()
        self.commands = self.listener = None

    # -- answers

    async def _listen(self, conn: Resp) -> None:
        """Reads this caller's reply list until the connection fails."""
        try:
            while True:
                found = await conn.command("BLMPOP", 0, 1, self.reply, "LEFT", "COUNT", BATCH)
                for frame in found[1] if found else ():
                    self._dispatch(frame)
        except asyncio.CancelledError:
            conn.close()
            raise
        except Exception as e:  # the connection failed: every waiting call fails now
            conn.close()
            self._fail(GraftConnectionError(self.host, self.port, "lost the broker: %s" % e, sent=True))

    def _fail(self, error: BaseException) -> None:
        self.listener = None
        pending, self.pending = self.pending, {}
        for future, _, _ in pending.values():
            if not future.done():
                future.set_exception(error)
        streams, self.streams = self.streams, {}
        for held in streams.values():
            stream = held()
            if stream is not None:
                stream.failed(error)

    def _dispatch(self, frame: bytes) -> None:
        kind, request_id = wire._KIND_ID.unpack_from(frame, 0)
        held = self.streams.get(request_id)
        if held is not None:
            stream = held()
            if kind == wire.ITEMS and stream is not None:
                stream.items(frame)
            elif stream is not None:
                self.streams.pop(request_id, None)
                stream.end(frame)
            return
        entry = self.pending.get(request_id)
        if entry is None or entry[0].done():
            return  # the caller gave up on it
        future, types, ahead = entry
        try:
            decoded = wire.parse_frame(frame, types)
        except Exception as e:  # noqa: BLE001 - this call fails, not the others
            future.set_exception(e)
            return
        if kind == wire.ITEMS:
            ahead.extend(decoded.value)
        elif kind == wire.REPLY:
            value = decoded.value
            future.set_result(ahead + value if ahead and type(value) is list else value)
        elif decoded.status == wire.STATUS_DEADLINE_EXCEEDED:
            future.set_exception(CallTimeout(decoded.raised.message))
        else:
            future.set_exception(wire.RemoteError(decoded.status, decoded.raised))


async def sending(method: Callable[..., Awaitable[None]], args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> None:
    """`GraftConfig.send(Svc.notify, ...)`: calls a `-> None` method; with
    host=redis://..., it returns once the call is queued, without waiting
    for it to run (elsewhere it returns once the call returns)."""
    returns = getattr(method, "__annotations__", {}).get("return", "?")
    if returns not in (None, "None", type(None)):
        name = getattr(method, "__qualname__", repr(method))
        raise TypeError("%s returns %s: only a method annotated -> None can be sent without waiting" % (name, returns))
    token = SENDING.set(True)
    try:
        await method(*args, **kwargs)
    finally:
        SENDING.reset(token)


def _quiet(future: "asyncio.Future[Any]") -> None:
    """A reply nobody awaits: its failure (the connection lost) is the next call's to meet."""
    if not future.cancelled():
        future.exception()


def _millis(timeout: Optional[float]) -> int:
    """A timeout as the wire's milliseconds: 0 for none, at least 1 otherwise."""
    return 0 if timeout is None else min(max(1, math.ceil(timeout * 1000)), 0xFFFFFFFF)
