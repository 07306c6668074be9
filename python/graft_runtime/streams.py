"""Streaming methods: what a graft's streaming method returns, in both modes.

A hosted method whose return annotation is an iterator streams its results
(docs/PROTOCOL.md, "Streaming calls"). Its graft method is a plain `def`
returning a `Stream`: an async iterator, and an async context manager with
`aclose()`. Nothing runs until the first `__anext__`. Both kinds keep to the
same rules:

- `timeout` (the configuration's) bounds the wait for each next item, not the
  whole stream; passing it raises `errors.Timeout` (a TimeoutError) and stops the stream;
- a consumer that stops (breaks out of `async for`, so the stream is dropped;
  calls `aclose()`; is cancelled; times out) closes the hosted generator:
  `close()`/`aclose()`, so its `finally` runs;
- an exception raised by the generator after k items comes after those k
  items, as the graft's class, as for a plain call.

`LocalStream` is the in-process kind: it iterates the hosted generator itself,
a sync one in a thread of its own (producer.py) so the event loop is free
while it runs; `wire_stream.RemoteStream` is the remote one.
"""

import asyncio
import inspect
from typing import Any, AsyncIterator, Dict, Optional, Sequence, Tuple

from .coerce import hints
from .config import Settings
from .errors import UNMAPPED, Timeout
from .producer import END, ITEM, Producer
from .returns import item_hint


class Stream(AsyncIterator[Any]):
    """The items of one streaming call, as they come: `async for item in stream`."""

    def __init__(self, name: str, timeout: Optional[float]) -> None:
        self.name = name  # Service.method, for messages
        self.timeout = timeout  # seconds to wait for each next item, or None
        self.finished = False  # no more items: it ended, failed, or the consumer stopped

    def __aiter__(self) -> "Stream":
        return self

    async def __aenter__(self) -> "Stream":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stops the stream: the hosted generator is closed (its `finally` has run
        in-process by the time this returns); later `__anext__` calls end it."""
        if not self.finished:
            self.finished = True
            await self._close()

    async def _close(self) -> None:
        """Closes what still runs, and waits for it."""

    def _drop(self) -> None:
        """Dropped unfinished (a consumer broke out of `async for`): closes what still runs, soon."""

    def __del__(self) -> None:
        if not getattr(self, "finished", True):
            self.finished = True
            self._drop()


class _Raised(Exception):
    """The hosted code raised `error` (not our timeout or cancellation)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(error)
        self.error = error




class LocalStream(Stream):
    """A streaming method called in this process."""

    def __init__(self, local: Any, settings: Settings, method: str, args: Sequence[Any], kwargs: Dict[str, Any]) -> None:
        super().__init__("%s.%s" % (local.service, method), settings.timeout)
        self.local = local  # local.Local: the call, conversions and exceptions
        self.call: Optional[Tuple[Settings, str, Sequence[Any], Dict[str, Any]]] = (settings, method, args, kwargs)
        self.timeout_source = settings.source  # where the timeout was set, for its message
        self.source: Any = None  # the hosted iterator, once called
        self.is_async = False
        self.loop: Optional[asyncio.AbstractEventLoop] = None
        self.producer: Optional[Producer] = None  # what pulls a sync source, in its thread
        # The method's name and item annotation, which each item is checked
        # against as a gateway checks it (typed.py); and the next item's index.
        self.typed: Optional[Tuple[str, Any]] = None
        self.index = 0

    async def __anext__(self) -> Any:
        if self.finished:
            raise StopAsyncIteration
        try:
            if self.call is not None:
                await self._open()
            item = await (self._next_async() if self.is_async else self._next_sync())
        except StopAsyncIteration:
            self.finished = True
            raise
        except _Raised as raised:
            self.finished = True
            exc = raised.error
            raise self.local.exception(exc).with_traceback(exc.__traceback__) from None
        except BaseException:  # our timeout, or the consumer was cancelled
            if not self.finished:
                self.finished = True
                self._drop()
            raise
        self.index += 1
        try:
            return self.local.to_graft(item, self.typed, self.index - 1)
        except BaseException:  # an item that does not fit ends the stream, as on a gateway
            self.finished = True
            await self._close()
            raise

    async def _open(self) -> None:
        """Calls the hosted method (its arguments converted as for a plain call)."""
        assert self.call is not None
        settings, method, args, kwargs = self.call
        self.call = None
        self.loop = asyncio.get_running_loop()
        result = await self._invoke(settings, method, args, kwargs)
        try:
            if inspect.isawaitable(result):  # an `async def` that returns an iterator
                result = await result
            if hasattr(result, "__anext__") or hasattr(result, "__aiter__"):
                self.source, self.is_async = result.__aiter__(), True
            else:
                self.source = iter(result)
                self.producer = Producer(self.source, self.loop)
        except UNMAPPED:
            raise
        except BaseException as exc:  # noqa: BLE001 - the hosted code's
            raise _Raised(exc) from None

    async def _invoke(self, settings: Settings, method: str, args: Sequence[Any], kwargs: Dict[str, Any]) -> Any:
        """The hosted method's own result (object_streams.py calls an object's)."""
        self.typed = items_typed(self.name, self.local.plan(settings, method).target)
        return self.local.invoke(settings, method, args, kwargs)

    async def _next_sync(self) -> Any:
        producer = self.producer
        assert producer is not None and self.loop is not None
        taken = producer.take()
        while taken is None:
            waiter = producer.waiter
            assert waiter is not None
            timer = None if self.timeout is None else self.loop.call_later(self.timeout, self._expire, waiter)
            try:
                await waiter
            finally:
                if timer is not None:
                    timer.cancel()
            taken = producer.take()
        kind, value = taken
        if kind == ITEM:
            return value
        if kind == END:
            raise StopAsyncIteration
        if isinstance(value, UNMAPPED):
            raise value
        raise _Raised(value)

    def _expire(self, waiter: "asyncio.Future[None]") -> None:
        if not waiter.done():
            waiter.set_exception(self._timed_out())

    async def _next_async(self) -> Any:
        if self.timeout is None:
            return await _pull(self.source)
        try:
            return await asyncio.wait_for(_pull(self.source), self.timeout)
        except asyncio.TimeoutError:  # wait_for's own: _pull passes the source's on as _Raised
            raise self._timed_out() from None

    def _timed_out(self) -> Timeout:
        return Timeout("%s gave no item within %g s (timeout from %s)"
                                    % (self.name, self.timeout or 0, self.timeout_source))

    async def _close(self) -> None:
        if self.producer is not None:
            self.producer.stop()
            assert self.loop is not None
            await self.loop.run_in_executor(None, self.producer.closed.wait)  # its finally has run
        elif self.source is not None:
            await _aclose(self.source)

    def _drop(self) -> None:
        if self.producer is not None:
            self.producer.stop()  # thread-safe: its thread closes the source
        elif self.source is not None and self.loop is not None:
            try:
                self.loop.call_soon_threadsafe(_aclose_soon, self.loop, self.source)
            except RuntimeError:  # the loop is closed: the generator's own finalizer is all that is left
                pass


def items_typed(name: str, target: Any) -> Optional[Tuple[str, Any]]:
    """What a streaming method's items are checked against: its name and
    item annotation (`Row` of `-> Iterator[Row]`); None if it has none."""
    hint = item_hint(hints(target).get("return"))
    return None if hint is None or hint is Any else (name, hint)


async def _pull(source: Any) -> Any:
    """The async source's next item; what it raises (but cancellation) as _Raised."""
    try:
        return await source.__anext__()
    except StopAsyncIteration:
        raise
    except UNMAPPED:
        raise
    except BaseException as exc:  # noqa: BLE001 - the hosted code's
        raise _Raised(exc) from None


async def _aclose(source: Any) -> None:
    aclose = getattr(source, "aclose", None)
    if aclose is not None:
        try:
            await aclose()
        except Exception:  # noqa: BLE001, S110 - a generator that fails to close has stopped anyway
            pass


def _aclose_soon(loop: asyncio.AbstractEventLoop, source: Any) -> None:
    """Closes a dropped stream's async source, in a task on its loop."""
    loop.create_task(_aclose(source))
