"""The window big calls share on one connection (the base of sender.Sender).

Big calls (a request frame over `sender.BIG_CALL` bytes) share a window: at
most `Connection.window` bytes of their requests are in flight on one
connection, and the next waits its turn, in order (a call bigger than the
window goes alone). Sixty-four 1 MB calls written at once kept 64 MB in
flight, out of every cache, and both ends spent twice the CPU per call on
copying it (BENCHMARKS.md). A call keeps its share until its reply arrives
or for `sender.HOLD` seconds at most, so big calls to a slow method still
run side by side; the wait for a turn counts toward the call's timeout.

Standard library only, Python 3.8+.
"""

from __future__ import annotations

import asyncio
import collections
from typing import TYPE_CHECKING, Deque, List, Optional, Tuple

from .errors import CallTimeout

if TYPE_CHECKING:
    from .transport import Connection


class Window:
    """Turns in the window of big calls, for the connection's calls (sender.py)."""

    def __init__(self, owner: Connection, loop: asyncio.AbstractEventLoop) -> None:
        self.owner = owner  # its `window` is the limit
        self.loop = loop
        # Request bytes of big calls written (or about to be) and not yet
        # answered, and the big calls waiting for their turn, in order.
        self.in_flight = 0
        self.waiting: Deque[Tuple[int, asyncio.Future[None]]] = collections.deque()

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

    def _timed_out(self, name: str, timeout: float) -> CallTimeout:
        """The error of the call `name` still unanswered, or without its turn, after `timeout` seconds."""
        return CallTimeout("%s on %s:%d did not finish within %g s" % (name, self.owner.host, self.owner.port, timeout))

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

    def _fail_turns(self, error: BaseException) -> None:
        """The connection failed: every big call waiting for its turn fails with `error`."""
        waiting, self.waiting = self.waiting, collections.deque()
        for _, turn in waiting:
            _fail_turn(turn, error)


def _fail_turn(turn: "asyncio.Future[None]", error: BaseException) -> None:
    if not turn.done():
        turn.set_exception(error)
