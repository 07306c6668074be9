"""The decisions of a graft with several replicas, without I/O (replicas.py does the calls).

- `Policy`: the configuration keys (docs/CONFIG.md): `balance`, `retries`,
  `retry_budget`, `backoff`, `breaker`, `breaker_cooldown`, `eject`, `resolve`.
- `Health`: one replica's outlier ejection and circuit breaker. A replica
  that could not be reached (refused, reset, no hello) is *ejected* for
  `eject` seconds; after `breaker` failures in a row of any kind its circuit
  *opens* for `breaker_cooldown` seconds. When either period ends the
  replica is *probed*: one call at a time goes to it (half-open) until one
  succeeds, which closes it; a failure puts it out again.
- `pick`: least outstanding calls among the usable replicas, ties taken in
  turn (round-robin) so that an idle graft still spreads its calls;
  `balance=round_robin` takes them in turn whatever their load. `choose`
  adds what happens when none is usable.
- `RetryBudget`: retries are at most `retry_budget` of the calls of the last
  10 s, plus 10 a second, so that retries never multiply the load of an outage.
- `backoff`: exponential with full jitter: uniform(0, min(2 s, backoff * 2**n)).
"""

import random
import time
from collections import deque
from typing import Any, Callable, Deque, List, NamedTuple, Optional, Sequence, Tuple

from .errors import CircuitOpen, Unavailable

BALANCES = ("least", "round_robin")
BACKOFF_CAP = 2.0  # seconds
BUDGET_WINDOW = 10.0  # seconds of calls a retry budget looks back on
BUDGET_FLOOR = 10.0  # retries a second allowed whatever the ratio


class Policy(NamedTuple):
    """A graft's balancing, retry, breaker and ejection settings (defaults: docs/CONFIG.md)."""

    balance: str = "least"
    retries: int = 3
    retry_budget: float = 0.2
    backoff: float = 0.05
    breaker: int = 5
    breaker_cooldown: float = 5.0
    eject: float = 30.0
    resolve: float = 30.0


DEFAULT_POLICY = Policy()


class Health:
    """One replica's state: `out_until` (ejected, or its circuit open, until
    then), `why` it is out, `failures` in a row, and `probing` (a call in
    flight after an out period; none other goes until it ends)."""

    __slots__ = ("failures", "out_until", "why", "suspect", "probing")

    def __init__(self) -> None:
        self.failures = 0
        self.out_until = 0.0
        self.why = ""  # "" (in), "ejected" or "circuit open"
        self.suspect = False  # out once: the next call is a probe
        self.probing = False

    def usable(self, now: float) -> bool:
        """Whether a call may go to it now: in, or back from an out period
        with no probe in flight (half-open)."""
        if not self.suspect:
            return True
        return now >= self.out_until and not self.probing

    def is_open(self, now: float) -> bool:
        """Its circuit is open: calls to it fail at once."""
        return self.why == "circuit open" and now < self.out_until

    def started(self) -> None:
        """A call goes to it; a call after an out period is the probe."""
        if self.suspect:
            self.probing = True

    def succeeded(self) -> None:
        """A call on it succeeded (or failed on the method's own account). One
        that was under way when it went out proves nothing: only the probe does."""
        if self.suspect and not self.probing:
            return
        self.failures = 0
        self.suspect = self.probing = False
        self.why = ""

    def failed(self, now: float, policy: Policy, unreachable: bool) -> None:
        """A call failed on it: `unreachable` when it could not be reached or
        dropped the connection (ejected). The failures of calls that were
        under way when it went out count as one (the one that put it out)."""
        was_probe, self.probing = self.probing, False
        if now < self.out_until and not was_probe:
            return
        self.failures += 1
        if self.failures >= policy.breaker or (was_probe and self.why == "circuit open"):
            self._out(now + policy.breaker_cooldown, "circuit open")
        elif unreachable:
            self._out(now + policy.eject, "ejected")

    def _out(self, until: float, why: str) -> None:
        self.out_until = max(self.out_until, until) if self.why == why else until
        self.why = why
        self.suspect = True


def pick(replicas: Sequence[Any], now: float, turn: int, policy: Policy, skip: Sequence[int] = ()) -> Optional[int]:
    """The replica (index) for the next call, or None when none is usable.

    Each of `replicas` has `outstanding` (its calls under way) and `health`;
    `turn` is a counter that rotates the start so ties go round; replicas in
    `skip` (tried already) are left out.
    """
    n = len(replicas)
    best = -1
    least = 0
    for k in range(n):
        i = (turn + k) % n
        replica = replicas[i]
        if (replica.health.suspect and not replica.health.usable(now)) or i in skip:
            continue
        if policy.balance == "round_robin":
            return i
        if best < 0 or replica.outstanding < least:
            best, least = i, replica.outstanding
    return best if best >= 0 else None


class Replica:
    """One replica address, its connection (transport.Connection), its calls outstanding and its health."""

    __slots__ = ("address", "connection", "outstanding", "health")

    def __init__(self, address: Tuple[str, int], connection: Any) -> None:
        self.address = address
        self.connection = connection
        self.outstanding = 0
        self.health = Health()


def choose(replicas: Sequence[Replica], now: float, turn: int, policy: Policy, tried: Sequence[int]) -> int:
    """`pick`, else (none usable) the least loaded of those merely ejected, which
    gets the call rather than nothing: its probe. Raises CircuitOpen when every
    replica not tried has its circuit open, Unavailable when none is left."""
    index = pick(replicas, now, turn, policy, tried)
    if index is not None:
        return index
    spare = [i for i, r in enumerate(replicas) if i not in tried and r.health.why != "circuit open"]
    if spare:
        return min(spare, key=lambda i: (replicas[i].outstanding, replicas[i].health.out_until))
    left = [r for i, r in enumerate(replicas) if i not in tried]
    if not left:
        raise Unavailable(*replicas[tried[-1]].address, "no other replica to retry on")
    soonest = min(left, key=lambda r: r.health.out_until)
    several = "" if len(replicas) == 1 else "every replica's circuit is open (%d); " % len(replicas)
    raise CircuitOpen(soonest.connection.host, soonest.address[1],
                      "%scircuit open after %d failures in a row; next probe in %.1f s"
                      % (several, soonest.health.failures, max(0.0, soonest.health.out_until - now)))


class RetryBudget:
    """Allows a retry while retries stay within `ratio` of the calls of the
    last `window` seconds, plus `floor` a second. Counts by the second."""

    def __init__(self, ratio: float, window: float = BUDGET_WINDOW, floor: float = BUDGET_FLOOR,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ratio = ratio
        self.window = int(window)
        self.floor = floor
        self.clock = clock
        self.seconds: Deque[List[int]] = deque()  # [second, calls, retries], oldest first

    def _now(self, now: Optional[float] = None) -> List[int]:
        second = int(self.clock() if now is None else now)
        seconds = self.seconds
        if not seconds or seconds[-1][0] != second:
            seconds.append([second, 0, 0])
            while seconds[0][0] <= second - self.window:
                seconds.popleft()
        return seconds[-1]

    def called(self, now: Optional[float] = None) -> None:
        """One more call (`now`: the clock's time, if read already)."""
        seconds = self.seconds
        if seconds and seconds[-1][0] == int(now if now is not None else self.clock()):
            seconds[-1][1] += 1
        else:
            self._now(now)[1] += 1

    def take(self) -> bool:
        """Spends one retry if the budget allows it."""
        current = self._now()
        calls = sum(s[1] for s in self.seconds)
        retries = sum(s[2] for s in self.seconds)
        if retries >= self.ratio * calls + self.floor * self.window:
            return False
        current[2] += 1
        return True


def backoff(attempt: int, base: float, rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait before retry number `attempt` (1, 2, ...): full jitter."""
    return rand() * min(BACKOFF_CAP, base * 2.0 ** (attempt - 1))
