"""A hosted sync generator, pulled in a thread of its own (for streams.LocalStream).

`Producer` runs the generator's `next()` in its own thread, up to AHEAD items
ahead of the consumer, so the event loop is never blocked by it and items
reach the consumer as they are produced, without a thread hop per item (a
hop per item, through an executor, gave a tenth of the items per second of a
remote stream). Once the consumer stops (`stop`), the thread pulls no more:
it closes the generator (its `finally` runs) as soon as the `next()` under
way, if any, has returned. The thread owns the generator, so nothing else
ever runs it at the same time.
"""

import asyncio
import collections
import threading
from typing import Any, Deque, Optional, Tuple

AHEAD = 16  # items pulled before the consumer asks for them, at most (as gg does)
ITEM, END, RAISED = 0, 1, 2  # what the thread hands over: an item, the end, or what next() raised


class Producer:
    """The items of the sync iterator `source`, as (ITEM, item), then (END, None) or (RAISED, exception)."""

    def __init__(self, source: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.source = source
        self.loop = loop
        self.cond = threading.Condition(threading.Lock())
        self.ready: Deque[Tuple[int, Any]] = collections.deque()  # pulled, not yet taken
        self.stopped = False
        self.closed = threading.Event()  # the source has been closed (or has ended)
        # The future the consumer waits on while nothing is ready (set under `cond`).
        self.waiter: Optional["asyncio.Future[None]"] = None
        threading.Thread(target=self._run, name="graft-stream", daemon=True).start()

    def take(self) -> Optional[Tuple[int, Any]]:
        """The next thing pulled, or None (then `waiter` is set: await it)."""
        with self.cond:
            if self.ready:
                taken = self.ready.popleft()
                self.cond.notify()
                return taken
            self.waiter = self.loop.create_future()
            return None

    def stop(self) -> None:
        """No more items: the thread closes the source after the next() under way."""
        with self.cond:
            self.stopped = True
            self.ready.clear()
            self.cond.notify()

    def _run(self) -> None:
        try:
            while self._room():
                try:
                    pulled: Tuple[int, Any] = (ITEM, next(self.source))
                except StopIteration:
                    pulled = (END, None)
                except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which maps it
                    pulled = (RAISED, exc)
                self._hand(pulled)
                if pulled[0] != ITEM:
                    return
        finally:
            close = getattr(self.source, "close", None)
            try:
                if close is not None:
                    close()
            except Exception:  # noqa: BLE001, S110 - a generator that fails to close has stopped anyway
                pass
            self.closed.set()

    def _room(self) -> bool:
        """Waits until fewer than AHEAD items are ready; False once stopped."""
        with self.cond:
            while len(self.ready) >= AHEAD and not self.stopped:
                self.cond.wait()
            return not self.stopped

    def _hand(self, pulled: Tuple[int, Any]) -> None:
        with self.cond:
            if self.stopped:
                return
            self.ready.append(pulled)
            waiter, self.waiter = self.waiter, None
        if waiter is not None:
            try:
                self.loop.call_soon_threadsafe(_wake, waiter)
            except RuntimeError:  # the consumer's loop has closed
                self.stop()


def _wake(waiter: "asyncio.Future[None]") -> None:
    if not waiter.done():
        waiter.set_result(None)
