"""Remote calls: the graft's service on another gateway, over TCP.

One `transport.Connection` per (event loop, host, port), made on the first
call; for several addresses, or a name, one `replicas.Replicas` instead,
which balances, retries and breaks circuits (docs/CONFIG.md, "Replicas").
It opens its socket lazily and again on the next call after a failure, so
a provider that comes back is used again without restarting the caller; a
provider that is down fails the call at once with a
`GraftConnectionError` (a ConnectionError) naming host and port. The
per-call timeout is the transport's (`CallTimeout`, a TimeoutError).
A failed Error frame becomes what an in-process call would raise: the
graft's exception class, a built-in exception of the same type and
message, or the wire's `RemoteError`.
"""

import asyncio
import os
import weakref
from threading import get_ident
from typing import Any, Callable, Dict, FrozenSet, List, MutableMapping, Optional, Sequence, Tuple, cast

from . import headers as _headers
from . import identity
from .classes import Registry, builtin_exception, rebuild
from .config import Settings
from .tls import Tls
from .broker import Broker
from .replicas import Replicas
from .transport import DEFAULT_CONNECT_TIMEOUT, Connection
from .objects import ReleasedObjectError
from .wire import STATUS_NOT_FOUND, STATUS_OVERLOADED, STATUS_RAISED, STATUS_UNAUTHENTICATED, RemoteError, error_of
from .wire_stream import RemoteStream

_Pool = Dict[Tuple[Any, Any, float, Optional[Tls], Optional[str]], Connection]
_forks = [0]  # fork generation: a forked child never uses its parent's cached connection


def within(timeout: Optional[float]) -> Optional[float]:
    """`timeout`, no longer than what the call being served has left
    (`graft_context.deadline()`): a call made inside a hosted method gets no
    more time than its caller has."""
    left: Optional[float] = _left()
    if left is None:
        return timeout
    return left if timeout is None else min(timeout, left)


def _no_deadline() -> None:  # an older graft_context module, without deadline()
    return None


_left: Callable[[], Optional[float]] = getattr(_headers.context, "deadline", _no_deadline)


def _forked() -> None:
    _forks[0] += 1


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forked)


class Remote:
    """Calls one graft's service on the gateway its configuration names."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.idempotent: FrozenSet[str] = frozenset()  # "Service.method" that a replica may run twice
        # "graft-pypi-shop/1.1.0": sent with each call, so a gateway whose
        # interface changed since refuses the calls it no longer answers as
        # this graft expects (docs/PROTOCOL.md, "Metadata").
        self.graft = ""
        self._pools: MutableMapping[asyncio.AbstractEventLoop, _Pool] = weakref.WeakKeyDictionary()
        # The last call's connection and what it was for: (thread, fork
        # generation, loop, address, timeout, connection). While that loop
        # still runs in the calling thread, it is the running loop (a thread
        # runs one loop at a time), so a run of calls skips the pools and
        # `asyncio.get_running_loop()`, whose pid check is a system call.
        self._last: Optional[Tuple[int, int, "weakref.ref[asyncio.AbstractEventLoop]", Any,
                                   Optional[float], Connection]] = None

    async def call(
        self, settings: Settings, service: str, method: str, args: Sequence[Any], kwargs: Dict[str, Any],
        obj: str = "", types: Optional[Dict[str, type]] = None,
    ) -> Any:
        """Calls `service.method`, on the object `obj` if given; values rebuilt
        from `types` (the registry's by default)."""
        assert settings.host is not None
        connection = self.connection(settings.route, settings.timeout, settings.tls, settings.token)
        try:
            return await connection.call(service, method, list(args), kwargs, types=self.registry.types() if types is None else types,
                                         timeout=within(settings.timeout), obj=obj)
        except RemoteError as e:
            released = e.status == STATUS_NOT_FOUND and identity.REFUSED not in e.message
            if obj and released:  # released (its lease ran out) or never known
                raise ReleasedObjectError(e.message) from None
            raise self.exception(e, settings.host) from None

    async def release(self, settings: Settings, service: str, obj: str) -> None:
        """Releases the object `obj` on its gateway; one already gone is fine."""
        try:
            await self.call(settings, service, "__release__", [], {}, obj=obj, types={})
        except ReleasedObjectError:
            pass

    def stream(self, settings: Settings, service: str, method: str, args: Sequence[Any], kwargs: Dict[str, Any]) -> RemoteStream:
        """The streaming method's items from the gateway (wire_stream.py); it connects on its first `__anext__`."""
        host = settings.route
        assert host is not None
        stream = RemoteStream(lambda: self.connection(host, settings.timeout, settings.tls, settings.token), (service, method, list(args), kwargs),
                              self.registry.types(), settings.timeout, self.exception)
        return stream

    def connection(self, address: Any, timeout: Optional[float] = None, tls: Optional[Tls] = None,
                   token: Optional[str] = None) -> Connection:
        """The connection to `address` for the running loop (it connects on its first call), over TLS with `tls`,
        sending `token` (gg --authTokens) after its hello. `address` is a
        `Settings.route`: one (host, port), or `(hosts, policy)` for replicas
        (replicas.py), which stand in for the connection.

        Connecting gives up after the call's timeout when that is shorter
        than the transport's default.
        """
        last = self._last
        if (last is not None and last[0] == get_ident() and last[1] == _forks[0] and last[3] == address
                and last[4] == timeout and last[5].tls == tls and last[5].token == token):
            cached = last[2]()
            if cached is not None and cached.is_running():
                return last[5]
        loop = asyncio.get_running_loop()
        limit = min(DEFAULT_CONNECT_TIMEOUT, timeout or DEFAULT_CONNECT_TIMEOUT)
        pool = self._pools.setdefault(loop, {})
        key = (address[0], address[1], limit, tls, token)
        found = pool.get(key)
        if found is None:
            found = pool[key] = self._open(address, limit, tls, token)
        self._last = (get_ident(), _forks[0], weakref.ref(loop), address, timeout, found)
        return found

    def _open(self, address: Any, limit: float, tls: Optional[Tls], token: Optional[str]) -> Connection:
        """A connection to one address, or the replicas (which stand in for one) of `(hosts, policy)`."""
        if type(address[1]) is int:
            return Connection(address[0], address[1], connect_timeout=limit, tls=tls, token=token, graft=self.graft)
        if address[1] == "broker":  # host=redis://...: calls through a broker's queues
            return cast(Connection, Broker(address[0], limit))
        replicas = Replicas(address[0], address[1], connect_timeout=limit, tls=tls, token=token, idempotent=self.idempotent,
                            graft=self.graft)
        return cast(Connection, replicas)

    def exception(self, error: RemoteError, host: Optional[Tuple[str, int]] = None) -> BaseException:
        """What the caller sees for a failed call: the same as in-process;
        Overloaded naming `host` (the gateway's address) for status 8."""
        raised = error.raised
        if error.status in (STATUS_UNAUTHENTICATED, STATUS_OVERLOADED):
            return error if type(error) is not RemoteError else error_of(error.status, raised, *(host or ("", 0)))
        args: List[Any] = list(raised.args)
        graft = self.registry.exception(raised.type_name)
        if graft is not None and error.status == STATUS_RAISED:
            return rebuild(graft, raised.message, args, raised.fields)
        builtin = builtin_exception(raised.type_name) if raised.module == "builtins" else None
        if builtin is not None:
            return rebuild(builtin, raised.message, args, {})
        return error
