"""What a connection writes: calls, whole or in parts, and streaming calls'
Call, Credit and Cancel frames (the base of dispatch.Protocol, which reads
the answers). Big calls take their turn in the window first (window.py).

Frames written while a read resolved several calls are batched into one
write at the end of the loop iteration (`_flush`).

Standard library only, Python 3.8+.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
import weakref
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Tuple

from . import headers, wire
from .errors import GraftConnectionError
from .window import Window

if TYPE_CHECKING:
    from .transport import Connection

BIG_CALL = 64 * 1024  # a request frame longer than this takes its turn in the window
PART_ITEMS = 2500  # a first argument, a list of twice this many items or more, goes in parts of this many
HOLD = 0.01  # seconds a big call keeps its share of the window at most, waiting for its reply


class Sender(Window):
    """Writes calls and waits for their answers, which dispatch.Protocol hands over."""

    def __init__(self, owner: Connection) -> None:
        super().__init__(owner, asyncio.get_running_loop())
        self.transport: Optional[asyncio.Transport] = None
        self.pending: Dict[int, Tuple[asyncio.Future[Any], Mapping[str, type]]] = {}
        # Streaming calls still running, by id (wire_stream.RemoteStream), held
        # weakly: a stream its consumer dropped cancels itself (its __del__).
        self.streams: Dict[int, "weakref.ref[Any]"] = {}
        # The items of returned lists that came ahead of their Replies, and the bytes they took.
        self.parts: Dict[int, Tuple[List[Any], int]] = {}
        self.ids = itertools.count(1)
        self.usable = False
        self.failed: Optional[GraftConnectionError] = None
        self.peer_max = wire.DEFAULT_MAX_FRAME_SIZE
        self.last_sent = time.monotonic()
        # Frames written while `batching` wait in `out` and go in one write
        # at the end of the loop iteration (`_flush`): after a read that
        # resolved several calls, whose callers, woken in the next
        # iteration, then write their next calls together.
        self.out: List[Any] = []
        self.batching = False

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
        if first is not None:  # in parts, if they fit: the first now, the rest once it is written
            argument, items = first
            data = wire.encode_call_part(request_id, service, method, argument, items[:PART_ITEMS], self.peer_max)
            estimate = len(data) * -(-len(items) // PART_ITEMS)
            if estimate * 5 // 4 > self.peer_max:
                first = None
        if first is None:
            data = wire.encode_call(request_id, service, method, args, kwargs, _millis(timeout), self.peer_max, obj,
                                    metadata, self.owner.graft)
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
        data = wire.encode_call(request_id, service, method, args, kwargs, _millis(timeout), self.peer_max, obj,
                                headers.outgoing(), self.owner.graft)
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
                                         "", (), self.owner.graft))
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


def _millis(timeout: Optional[float]) -> int:
    """A timeout as the wire's milliseconds: 0 for none, at least 1 otherwise."""
    return 0 if timeout is None else min(max(1, math.ceil(timeout * 1000)), 0xFFFFFFFF)
