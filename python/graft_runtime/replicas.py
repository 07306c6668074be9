"""Calls to a graft's replicas: several addresses, or a name that resolves to several.

`Replicas` stands where `remote.py` otherwise puts one `transport.Connection`
(and offers what `wire_stream.RemoteStream` uses of one): it keeps one
multiplexed `Connection` per replica address and sends each call to the
replica with the fewest calls outstanding (`balancer.pick`). A name is
resolved on the first call, again every `resolve` seconds and soon after a
replica could not be reached; replicas that stay keep their connection.

A failed call is retried on another replica (`retries` at most, within the
retry budget, after a full-jitter back-off, within its timeout) when it
never ran there: it could not be sent (refused, reset, no hello), the
gateway refused it at once (`Overloaded`, or `Unavailable` while draining),
or it crossed the gateway's Goodbye. A call that may have run (its
connection was lost after it was sent, or it timed out) is retried only if
its method is declared idempotent. A replica that could not be reached is
ejected, and one that failed `breaker` times in a row has its circuit
opened; when every replica's circuit is open a call fails at once with
`CircuitOpen`. Calls on a remote object go to the replica that made it
(found by asking each in turn when the object came from elsewhere); a
stream stays on the replica it started on. Neither is retried.
"""

import asyncio
import itertools
import time
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from . import balancer, names, wire
from .balancer import Policy, Replica, RetryBudget
from .errors import Timeout, Unavailable
from .tls import Tls
from .transport import Connection
from .values import ObjectRef

_NEVER_RAN = (wire.STATUS_UNAVAILABLE, getattr(wire, "STATUS_OVERLOADED", 8))
_PLAIN = frozenset((int, float, str, bool, bytes, type(None), list, dict, tuple))  # never an object
_Call = Tuple[str, str, List[Any], Mapping[str, Any], Optional[Mapping[str, type]], Optional[float], str]
RESOLVE_AFTER_FAILURE = 1.0  # seconds: a failure re-resolves names, at most this often


class Replicas:
    """The replicas at `targets` ((host or name, port) each) under `policy`."""

    def __init__(self, targets: Sequence[Tuple[str, int]], policy: Policy, *, connect_timeout: float,
                 tls: Optional[Tls] = None, token: Optional[str] = None,
                 idempotent: FrozenSet[str] = frozenset(), graft: str = "") -> None:
        self.targets = tuple(targets)
        self.graft = graft
        self.policy = policy
        self.connect_timeout = connect_timeout
        self.tls = tls
        self.token = token
        self.idempotent = idempotent
        self.replicas: List[Replica] = []
        self.homes: Dict[str, Replica] = {}  # object id -> the replica holding it
        self.budget = RetryBudget(policy.retry_budget)
        self.turn = 0
        self.resolved_at = -float("inf")
        self._resolving: Optional["asyncio.Future[None]"] = None
        self._protocol: Any = None  # the stream's connection, for wire_stream.RemoteStream (connect())

    # -- calls

    async def call(self, service: str, method: str, args: List[Any], kwargs: Mapping[str, Any],
                   types: Optional[Mapping[str, type]] = None, timeout: Optional[float] = None, obj: str = "") -> Any:
        """As `Connection.call`, on the replica the policy picks, retried as the module says.
        The first attempt runs here, inline: what a call that succeeds costs is kept small."""
        now = time.monotonic()
        if not self.replicas or now - self.resolved_at >= self.policy.resolve:
            await self._fresh()
        if obj or self.homes:
            home = self._home(obj, args, kwargs)
            if home is not None or obj:
                return await self._on_object(home, service, method, args, kwargs, types, timeout, obj)
        self.budget.called(now)
        index = self._choose(now, ())
        replica = self.replicas[index]
        health = replica.health
        replica.outstanding += 1
        if health.suspect:
            health.started()
        try:
            result = await replica.connection.call(service, method, args, kwargs, types, timeout, obj)
        except (Unavailable, Timeout, wire.RemoteError) as e:
            replica.outstanding -= 1
            return await self._again(index, e, now, (service, method, args, kwargs, types, timeout, obj))
        except BaseException:
            replica.outstanding -= 1
            health.probing = False  # says nothing of the replica; a probe is over
            raise
        replica.outstanding -= 1
        if health.failures or health.suspect:
            health.succeeded()
        if type(result) is ObjectRef:
            self.homes[result.id] = replica
        return result

    async def _again(self, index: int, error: BaseException, started: float, call: _Call) -> Any:
        """After the first attempt failed with `error`: retries, as the module says, or raises."""
        service, method, args, kwargs, types, timeout, obj = call
        may_repeat = "%s.%s" % (service, method) in self.idempotent
        deadline = None if timeout is None else started + timeout
        tried = [index]
        while True:
            if not self._retryable(self.replicas[tried[-1]], error, may_repeat):
                raise error
            left = await self._before_retry(len(tried), deadline, error)
            try:
                index = self._choose(time.monotonic(), tried)
            except Unavailable:
                raise error from None  # no other replica to retry on: the failure itself
            try:
                return await self._attempt(self.replicas[index], service, method, args, kwargs, types, left, obj)
            except (Unavailable, Timeout, wire.RemoteError) as e:
                error = e
                tried.append(index)

    async def _attempt(self, replica: Replica, service: str, method: str, args: List[Any], kwargs: Mapping[str, Any],
                       types: Optional[Mapping[str, type]], timeout: Optional[float], obj: str) -> Any:
        replica.outstanding += 1
        replica.health.started()
        try:
            result = await replica.connection.call(service, method, args, kwargs, types, timeout, obj)
        except (Unavailable, Timeout, wire.RemoteError):
            raise  # _retryable notes it, and ends a probe
        except BaseException:
            replica.health.probing = False  # says nothing of the replica; the probe is over
            raise
        finally:
            replica.outstanding -= 1
        if replica.health.failures:
            replica.health.succeeded()
        if type(result) is ObjectRef:
            self.homes[result.id] = replica
        return result

    def _retryable(self, replica: Replica, error: BaseException, may_repeat: bool) -> bool:
        """Notes the failure on the replica's health; whether the call may go to another one."""
        now = time.monotonic()
        if isinstance(error, Unavailable):  # refused, or the connection dropped: out for a while
            replica.health.failed(now, self.policy, unreachable=True)
            self._resolve_soon(now)
            return not error.sent or may_repeat
        if isinstance(error, Timeout):
            replica.health.failed(now, self.policy, unreachable=False)
            return may_repeat
        status = getattr(error, "status", None)
        if status == wire.STATUS_UNAVAILABLE:  # draining: out, like one that refuses connections
            replica.health.failed(now, self.policy, unreachable=True)
        else:
            replica.health.succeeded()  # it answered (Overloaded too: it is there)
        return status in _NEVER_RAN

    async def _before_retry(self, attempt: int, deadline: Optional[float], error: BaseException) -> Optional[float]:
        """Waits the back-off before retry `attempt`; the timeout left. Raises `error` when
        retries, the budget or the time are spent, or no other replica is usable."""
        if attempt > self.policy.retries or attempt >= len(self.replicas) or not self.budget.take():
            raise error
        delay = balancer.backoff(attempt, self.policy.backoff)
        if deadline is None:
            await asyncio.sleep(delay)
            return None
        left = deadline - time.monotonic()
        if left <= delay:
            raise error
        await asyncio.sleep(delay)
        return left - delay

    def _choose(self, now: float, tried: Sequence[int]) -> int:
        """The replica for the next attempt (balancer.choose); raises when none may take it."""
        self.turn += 1
        return balancer.choose(self.replicas, now, self.turn, self.policy, tried)

    # -- objects

    def _home(self, obj: str, args: List[Any], kwargs: Mapping[str, Any]) -> Optional[Replica]:
        """The replica of the object called, or of an object passed as an argument."""
        if obj:
            return self.homes.get(obj)
        for value in itertools.chain(args, kwargs.values()):
            kind = type(value)
            if kind not in _PLAIN and (kind is ObjectRef or hasattr(value, "_graft_reference")):
                return self._held(value)
        return None

    def _held(self, value: Any) -> Optional[Replica]:
        object_id = value.id if type(value) is ObjectRef else value._graft_reference()[1]
        return self.homes.get(object_id)

    async def _on_object(self, home: Optional[Replica], service: str, method: str, args: List[Any],
                         kwargs: Mapping[str, Any], types: Optional[Mapping[str, type]], timeout: Optional[float],
                         obj: str) -> Any:
        """A call on (or with) an object: on its replica; one not known here is looked for on each."""
        candidates = [home] if home is not None else list(self.replicas)
        for n, replica in enumerate(candidates):
            try:
                result = await self._attempt(replica, service, method, args, kwargs, types, timeout, obj)
            except wire.RemoteError as e:
                replica.health.succeeded()  # it answered
                if home is not None or e.status != wire.STATUS_NOT_FOUND or n == len(candidates) - 1:
                    raise
                continue
            if obj:
                if method == "__release__":
                    self.homes.pop(obj, None)
                else:
                    self.homes[obj] = replica
            return result
        raise Unavailable(*self.targets[0], "no replica to call")  # no replicas: _fresh raised already

    def home(self, object_id: str) -> Any:
        """The connection of the replica holding `object_id` (for its streams), else these replicas."""
        found = self.homes.get(object_id)
        return self if found is None else found.connection

    # -- streams (wire_stream.RemoteStream): `connect()`, then `_protocol`

    async def connect(self) -> None:
        """Connects the replica a stream goes to; `_protocol` is its connection's until the next."""
        await self._fresh()
        tried: List[int] = []
        while True:
            index = self._choose(time.monotonic(), tried)
            replica = self.replicas[index]
            try:
                await replica.connection.connect()
            except Unavailable as e:
                self._retryable(replica, e, False)
                tried.append(index)
                if len(tried) >= len(self.replicas):
                    raise
                continue
            self._protocol = replica.connection._protocol
            return

    async def close(self) -> None:
        for replica in self.replicas:
            await replica.connection.close()

    # -- names

    async def _fresh(self) -> None:
        """The replicas resolved, at most `resolve` seconds ago (then refreshed in the background);
        called when they are not."""
        if not self.replicas:
            await self._resolve()
            if not self.replicas:
                raise Unavailable(*self.targets[0], "no address to call")
        elif time.monotonic() - self.resolved_at >= self.policy.resolve and self._resolving is None:
            self._resolving = asyncio.ensure_future(self._resolve())

    def _resolve_soon(self, now: float) -> None:
        if now - self.resolved_at >= RESOLVE_AFTER_FAILURE and self._names():
            self.resolved_at = min(self.resolved_at, now - self.policy.resolve)

    def _names(self) -> bool:
        return any(not names.is_ip(host) for host, _ in self.targets)

    async def _resolve(self) -> None:
        try:
            self._adopt(await names.resolve_all(self.targets))
        except Unavailable:
            if not self.replicas:
                raise  # else keep the replicas known: the name may be back at the next refresh
        finally:
            self.resolved_at = time.monotonic()
            self._resolving = None

    def _adopt(self, found: names.Found) -> None:
        """Uses the replicas at the addresses `found` (each with the name it came from, or None)."""
        if not found:
            return  # a name that resolves to nothing for now: keep what we had
        old = {r.address: r for r in self.replicas}
        kept: List[Replica] = []
        for address, name in found:
            if any(r.address == address for r in kept):
                continue
            replica = old.pop(address, None)
            if replica is None:
                host = name if name is not None and len(found) == 1 else address[0]
                replica = Replica(address, Connection(
                    host, address[1], connect_timeout=self.connect_timeout, tls=self.tls, token=self.token,
                    server_hostname=name if host != name else None, graft=self.graft))
            kept.append(replica)
        self.replicas = kept
        held = set(map(id, self.homes.values()))
        for gone in old.values():
            if not gone.outstanding and id(gone) not in held:
                asyncio.ensure_future(gone.connection.close())
