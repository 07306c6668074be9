"""Streaming methods: what a graft's streaming method returns, in both modes.

A hosted method whose return annotation is an iterator streams its results
(docs/PROTOCOL.md, "Streaming calls"). Its graft method is a plain `def`
returning a `Stream`: an async iterator, and an async context manager with
`aclose()`. Nothing runs until the first `__anext__`. Both kinds keep to the
same rules:

- `timeout` (the configuration's) bounds the wait for each next item, not the
  whole stream; passing it raises a TimeoutError and stops the stream;
- a consumer that stops (breaks out of `async for`, so the stream is dropped;
  calls `aclose()`; is cancelled; times out) closes the hosted generator:
  `close()`/`aclose()`, so its `finally` runs;
- an exception raised by the generator after k items comes after those k
  items, as the graft's class, as for a plain call.

`LocalStream` is the in-process kind: it iterates the hosted generator itself,
a sync one's `next()` in a worker thread so the event loop is free while it
runs; `wire_stream.RemoteStream` is the remote one.
"""

import asyncio
import inspect
from typing import Any, AsyncIterator, Dict, Optional, Sequence, Tuple

from .config import Settings


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


_PASS = (KeyboardInterrupt, SystemExit, asyncio.CancelledError, GeneratorExit)  # never mapped, as local.py


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
        # A sync source's next() running in a worker thread, if one is.
        self.running: Optional["asyncio.Future[Tuple[bool, Any]]"] = None

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
        return self.local.to_graft(item)

    async def _open(self) -> None:
        """Calls the hosted method (its arguments converted as for a plain call)."""
        assert self.call is not None
        settings, method, args, kwargs = self.call
        self.call = None
        self.loop = asyncio.get_running_loop()
        result = self.local.invoke(settings, method, args, kwargs)
        try:
            if inspect.isawaitable(result):  # an `async def` that returns an iterator
                result = await result
            if hasattr(result, "__anext__") or hasattr(result, "__aiter__"):
                self.source, self.is_async = result.__aiter__(), True
            else:
                self.source = iter(result)
        except _PASS:
            raise
        except BaseException as exc:  # noqa: BLE001 - the hosted code's
            raise _Raised(exc) from None

    async def _next_sync(self) -> Any:
        assert self.loop is not None
        running = self.running = self.loop.run_in_executor(None, _step, self.source)
        done, _ = await asyncio.wait({running}, timeout=self.timeout)
        if not done:
            raise self._timed_out()
        self.running = None
        try:
            more, item = running.result()
        except _PASS:
            raise
        except BaseException as exc:  # noqa: BLE001 - the hosted code's
            raise _Raised(exc) from None
        if not more:
            raise StopAsyncIteration
        return item

    async def _next_async(self) -> Any:
        if self.timeout is None:
            return await _pull(self.source)
        try:
            return await asyncio.wait_for(_pull(self.source), self.timeout)
        except asyncio.TimeoutError:  # wait_for's own: _pull passes the source's on as _Raised
            raise self._timed_out() from None

    def _timed_out(self) -> asyncio.TimeoutError:
        return asyncio.TimeoutError("%s gave no item within %g s (timeout from %s)"
                                    % (self.name, self.timeout or 0, self.timeout_source))

    async def _close(self) -> None:
        source, running = self.source, self.running
        if source is None:
            return
        if self.is_async:
            await _aclose(source)
            return
        if running is not None:
            await asyncio.wait({running})  # the next() under way ends first
        assert self.loop is not None
        await self.loop.run_in_executor(None, _close, source)

    def _drop(self) -> None:
        if self.source is None or self.loop is None:
            return
        try:
            self.loop.call_soon_threadsafe(_close_soon, self.loop, self.source, self.is_async, self.running)
        except RuntimeError:  # the loop is closed: a sync generator is closed here, an async one cannot be
            if not self.is_async:
                _close(self.source)


def _step(source: Any) -> Tuple[bool, Any]:
    """The source's next item, in a worker thread: (True, item), or (False, None) at its end."""
    try:
        return True, next(source)
    except StopIteration:
        return False, None


async def _pull(source: Any) -> Any:
    """The async source's next item; what it raises (but cancellation) as _Raised."""
    try:
        return await source.__anext__()
    except StopAsyncIteration:
        raise
    except _PASS:
        raise
    except BaseException as exc:  # noqa: BLE001 - the hosted code's
        raise _Raised(exc) from None


def _close(source: Any) -> None:
    close = getattr(source, "close", None)
    if close is not None:
        try:
            close()
        except Exception:  # noqa: BLE001, S110 - a generator that fails to close has stopped anyway
            pass


async def _aclose(source: Any) -> None:
    aclose = getattr(source, "aclose", None)
    if aclose is not None:
        try:
            await aclose()
        except Exception:  # noqa: BLE001, S110 - as _close
            pass


def _close_soon(loop: asyncio.AbstractEventLoop, source: Any, is_async: bool,
                running: Optional["asyncio.Future[Any]"]) -> None:
    """Closes a dropped stream's source, on its loop: an async one in a task,
    a sync one in a worker thread once the next() under way has returned."""
    if is_async:
        loop.create_task(_aclose(source))
    elif running is not None and not running.done():
        running.add_done_callback(lambda _: loop.run_in_executor(None, _close, source))
    else:
        loop.run_in_executor(None, _close, source)
