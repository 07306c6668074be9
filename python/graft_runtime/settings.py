"""One graft's configuration, parsed (config.py parses it): where its calls
run, in this process or through which gateways or broker, and how.

`route` is worked out once, here, for remote.py: one IP address is dialled
as it is; several addresses, or a name to resolve, go to the balancer.
"""

from typing import Optional, Tuple

from .balancer import DEFAULT_POLICY, Policy
from .names import is_ip
from .tls import Tls

Address = Tuple[str, int]


class Settings:
    """One parsed configuration line.

    `host` is None for in-process calls, else the (host, port) to dial, the
    first of `hosts` when several are given. `route` is what `remote.py`
    connects to: `host` itself for one IP address, else `(hosts, policy)`
    for the balancer (several addresses, or a name it resolves).
    `modules` are folders put on `sys.path` for in-process calls.
    `timeout` is the per-call limit in seconds (None: no limit).
    `source` says where the line came from, for messages.
    """

    def __init__(
        self,
        name: Optional[str] = None,
        host: Optional[Tuple[str, int]] = None,
        runtime: str = "python",
        modules: Tuple[str, ...] = (),
        timeout: Optional[float] = None,
        source: str = "default (no configuration)",
        token: Optional[str] = None,
        tls: Optional[Tls] = None,
        hosts: Tuple[Address, ...] = (),
        policy: Policy = DEFAULT_POLICY,
        broker: Optional[str] = None,
    ) -> None:
        self.name = name
        self.host = host
        self.hosts = hosts or ((host,) if host is not None else ())
        self.policy = policy
        self.broker = broker  # `host=redis://...`: calls go through that broker (broker.py)
        self.route = (broker, "broker") if broker else _route(self.hosts, policy)
        self.runtime = runtime
        self.modules = modules
        self.timeout = timeout
        self.source = source
        self.token = token  # sent to the gateway in the Auth frame; never shown by repr
        self.tls = tls

    @property
    def in_memory(self) -> bool:
        return self.host is None

    def __repr__(self) -> str:
        where = "inMemory" if self.host is None else self.broker or "%s://%s" % (
            "tcp" if self.tls is None else "tls", ",".join("%s:%d" % h for h in self.hosts))
        return "Settings(name=%r, host=%r, runtime=%r, modules=%r, timeout=%r, source=%r, tls=%r)" % (
            self.name,
            where,
            self.runtime,
            self.modules,
            self.timeout,
            self.source,
            self.tls,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Settings):
            return NotImplemented
        mine = (self.name, self.hosts, self.runtime, self.modules, self.timeout, self.tls, self.policy, self.broker)
        theirs = (other.name, other.hosts, other.runtime, other.modules, other.timeout, other.tls, other.policy, other.broker)
        return mine == theirs

    __hash__ = None  # type: ignore[assignment]


def _route(hosts: Tuple[Address, ...], policy: Policy) -> object:
    """What remote.py connects to: one IP address as itself (no balancer), else the balancer's
    `(hosts, policy)`."""
    if len(hosts) == 1 and is_ip(hosts[0][0]):
        return hosts[0]
    return (hosts, policy) if hosts else None
