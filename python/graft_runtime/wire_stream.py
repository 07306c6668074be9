"""A streaming call over the wire (docs/PROTOCOL.md, "Streaming calls").

`RemoteStream` sends an ordinary Call on its first `__anext__`, then yields
the items of the Items frames the gateway answers with, as they arrive,
until the final Reply (the end) or Error (raised after the items before it).
Flow control: the gateway may have INITIAL_WINDOW bytes of Items frames
unconsumed; once the application has taken every item of frames that add up
to half of that, a Credit frame gives those bytes back. A consumer that stops
(timeout, cancellation, `aclose()`, or dropping the stream) sends Cancel, and
the gateway closes the generator. The connection (transport.py) hands this
the frames with its id: `items`, `end` and `failed`.
"""

import collections
from typing import Any, Callable, Deque, Dict, List, Optional, Tuple

from . import wire
from .streams import Stream
from .transport import CallTimeout, Connection

INITIAL_WINDOW = 256 * 1024  # bytes of Items frames a stream starts with (the gateway's window)
CREDIT_AT = INITIAL_WINDOW // 2  # consumed bytes that make a Credit

_Call = Tuple[str, str, List[Any], Dict[str, Any]]


class RemoteStream(Stream):
    """The items of one streaming call on a gateway.

    `connection()` is the connection to use (asked on the first `__anext__`),
    `call` the service, method, positional and keyword arguments, `types` the
    classes to rebuild, `timeout` the wait for each next item (seconds, or
    None), and `exception` what a RemoteError becomes for the caller.
    """

    def __init__(self, connection: Callable[[], Connection], call: _Call, types: Dict[str, type],
                 timeout: Optional[float], exception: Callable[[wire.RemoteError], BaseException]) -> None:
        super().__init__("%s.%s" % call[:2], timeout)
        self.connection = connection
        self.call = call
        self.types = types
        self.exception = exception
        self.protocol: Any = None  # dispatch.Protocol, once the Call is sent
        self.request_id = 0
        self.frames: Deque[Tuple[List[Any], int]] = collections.deque()  # (items, frame length), unconsumed
        self.index = 0  # the next item of frames[0]
        self.consumed = 0  # bytes of frames consumed and not yet credited
        self.ended = False  # the final frame (or a failure) has come
        self.error: Optional[BaseException] = None  # what the stream ended with, if not its end
        self.waiter: Any = None  # the future `__anext__` waits on for the next frame
        self.object_id = ""  # the object whose method it calls (object_streams.py), or none

    async def __anext__(self) -> Any:
        if self.frames:
            return self._take()
        if self.finished:
            raise StopAsyncIteration
        try:
            while not self.frames:
                if self.ended:
                    self.finished = True
                    if self.error is not None:
                        raise self.error
                    raise StopAsyncIteration
                if self.protocol is None:
                    await self._start()
                else:
                    await self._arrival()
        except BaseException:
            self._stop()
            raise
        return self._take()

    def _take(self) -> Any:
        items, size = self.frames[0]
        item = items[self.index]
        self.index += 1
        if self.index == len(items):
            self.frames.popleft()
            self.index = 0
            self._consumed(size)
        return item

    def _consumed(self, size: int) -> None:
        self.consumed += size
        if self.consumed >= CREDIT_AT and not self.ended:
            self.protocol.credit(self.request_id, self.consumed)
            self.consumed = 0

    async def _start(self) -> None:
        connection = self.connection()
        await connection.connect()
        protocol = connection._protocol
        assert protocol is not None
        self.request_id = protocol.open_stream(self, self.call, self.timeout, self.object_id)
        self.protocol = protocol

    async def _arrival(self) -> None:
        """Waits for the next frame, for `timeout` at most (CallTimeout)."""
        loop = self.protocol.loop
        waiter = self.waiter = loop.create_future()
        timer = None if self.timeout is None else loop.call_later(self.timeout, _expire, self)
        try:
            await waiter
        finally:
            self.waiter = None
            if timer is not None:
                timer.cancel()

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _stop(self) -> None:
        """The consumer stops: Cancel, unless the stream has ended."""
        self.finished = True
        self.frames.clear()
        if self.protocol is not None and not self.ended:
            self.ended = True
            self.protocol.cancel(self.request_id)

    async def _close(self) -> None:
        self._stop()

    def _drop(self) -> None:
        protocol = self.protocol
        if protocol is not None and not self.ended:
            self.ended = True
            try:
                protocol.loop.call_soon_threadsafe(protocol.cancel, self.request_id)
            except RuntimeError:  # its loop is closed: so is the connection
                pass

    # -- what the connection hands over (dispatch.Protocol)

    def items(self, frame: Any) -> None:
        """An Items frame (its bytes after the length prefix)."""
        try:
            items = wire.parse_frame(frame, self.types).value
        except Exception as e:  # malformed, or a class refused its fields: the stream fails, the gateway stops
            self.failed(e)
            self.protocol.cancel(self.request_id)
            return
        if items:
            self.frames.append((items, len(frame)))
        else:
            self._consumed(len(frame))
        self._wake()

    def end(self, frame: Any) -> None:
        """The final Reply or Error frame."""
        try:
            final = wire.parse_frame(frame, self.types)
        except Exception as e:  # noqa: BLE001 - as in items
            self.failed(e)
            return
        if isinstance(final, wire.ReplyFrame):
            if final.value is not None:
                self.failed(wire.WireError("a streaming call ended with a Reply of %s, not None" % type(final.value).__name__))
                return
            self.ended = True
        elif final.status == wire.STATUS_DEADLINE_EXCEEDED:
            self.failed(CallTimeout(final.raised.message))
        else:
            owner = self.protocol.owner if self.protocol is not None else None  # the gateway that answered
            where = (owner.host, owner.port) if owner is not None else ("", 0)
            self.failed(self.exception(wire.error_of(final.status, final.raised, *where)))
        self._wake()

    def failed(self, error: BaseException) -> None:
        """The stream ends with `error`, after the items that came before it."""
        if not self.ended:
            self.ended = True
            self.error = error
        self._wake()


def _expire(stream: RemoteStream) -> None:
    waiter = stream.waiter
    if waiter is not None and not waiter.done():
        protocol = stream.protocol
        waiter.set_exception(CallTimeout("%s on %s:%d gave no item within %g s" % (
            stream.name, protocol.owner.host, protocol.owner.port, stream.timeout or 0)))
