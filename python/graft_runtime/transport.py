"""An asyncio client for the Graft wire protocol (docs/PROTOCOL.md).

One `Connection` talks to one gateway. Many calls share it at once, each
matched to its reply by request id, so replies may come back in any order.
When the connection fails or closes, every call waiting on it fails at once
with `Unavailable` (errors.py) naming host and port; nothing hangs. Its
`sent` says whether the call was written: False when it never left (a
failed connect, a closed connection), True when it may have run, but for
calls still unanswered when the gateway closes after its Goodbye: those
crossed the Goodbye and were never read (docs/PROTOCOL.md, "Shutdown"). The next
call on the same `Connection` opens a fresh one, so a gateway that comes back
is used again without restarting the caller.

Each open connection is a `dispatch.Protocol`: it reads frames and hands
each to the call waiting for it; what it writes, calls and their window of
big calls, is `sender.Sender`'s and `window.Window`'s.

Standard library only, Python 3.8+.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any, Awaitable, Dict, List, Mapping, Optional

from . import wire
from .dispatch import Protocol
from .errors import CallTimeout as CallTimeout, GraftConnectionError as GraftConnectionError
from .tls import Tls

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_WINDOW = 2 * 1024 * 1024  # request bytes of big calls in flight on one connection (window.py)


class Connection:
    """A multiplexed connection to the gateway at `host:port`."""

    def __init__(self, host: str, port: int, *, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                 max_frame_size: int = wire.DEFAULT_MAX_FRAME_SIZE,
                 heartbeat_interval: Optional[float] = None, window: int = DEFAULT_WINDOW,
                 tls: Optional[Tls] = None, token: Optional[str] = None,
                 server_hostname: Optional[str] = None, graft: str = "") -> None:
        self.host = host
        # "graft-pypi-shop/1.1.0": the graft whose calls this carries, named in each (identity.py).
        self.graft = graft
        # The name TLS checks the certificate against when `host` is one of its addresses.
        self.server_hostname = server_hostname
        self.token = token  # sent in an Auth frame after the hello (gg --authTokens)
        self.tls = tls  # None: plain TCP
        self.port = port
        self.connect_timeout = connect_timeout
        self.max_frame_size = max_frame_size
        # None: ping at the interval the server announces in its hello.
        self.heartbeat_interval = heartbeat_interval
        self.window = window
        self._protocol: Optional[Protocol] = None
        self._opening: Optional[asyncio.Lock] = None

    @classmethod
    async def open(cls, host: str, port: int, **options: Any) -> "Connection":
        """Connect and complete the handshake, or raise GraftConnectionError."""
        connection = cls(host, port, **options)
        await connection.connect()
        return connection

    @property
    def closed(self) -> bool:
        """True when no usable connection is open: the next call opens one."""
        return self._protocol is None or not self._protocol.usable

    async def connect(self) -> None:
        """Open the connection unless a usable one is open already."""
        if self._opening is None:
            self._opening = asyncio.Lock()
        async with self._opening:
            if self.closed:
                self._protocol = await self._open()

    async def _open(self) -> Protocol:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.connect_timeout
        protocol = Protocol(self)
        try:
            await asyncio.wait_for(
                loop.create_connection(lambda: protocol, self.host, self.port,
                                       **_tls_options(self.tls, self.server_hostname)),
                self.connect_timeout,
            )
            await asyncio.wait_for(protocol.ready, max(0.0, deadline - loop.time()))
        except asyncio.TimeoutError:
            protocol.abort()
            raise GraftConnectionError(self.host, self.port, "no answer within %g s" % self.connect_timeout) from None
        except OSError as e:
            protocol.abort()
            if isinstance(e, GraftConnectionError):
                raise
            raise GraftConnectionError(self.host, self.port, _cannot_connect(e)) from None
        return protocol

    def call(self, service: str, method: str, args: List[Any], kwargs: Mapping[str, Any],
             types: Optional[Mapping[str, type]] = None, timeout: Optional[float] = None, obj: str = "") -> Awaitable[Any]:
        """Call `service.method(*args, **kwargs)` on the gateway (on its object `obj`, if given).

        Returns the decoded result; objects and enums are rebuilt from
        `types`. Raises wire.RemoteError if the call failed on the server,
        CallTimeout after `timeout` seconds, GraftConnectionError if the
        connection cannot be opened or fails before the reply, and
        OverflowError/TypeError/wire.WireError for arguments the wire cannot
        carry (nothing is sent then).
        """
        protocol = self._protocol
        if protocol is not None and protocol.usable:  # the call's own coroutine, no other in between
            return protocol.call(service, method, args, kwargs, types or {}, timeout, obj)
        return self._connect_and_call(service, method, args, kwargs, types or {}, timeout, obj)

    async def _connect_and_call(self, service: str, method: str, args: List[Any], kwargs: Mapping[str, Any],
                                types: Mapping[str, type], timeout: Optional[float], obj: str) -> Any:
        await self.connect()
        protocol = self._protocol
        assert protocol is not None
        return await protocol.call(service, method, args, kwargs, types, timeout, obj)

    def home(self, object_id: str) -> "Connection":
        """The connection holding the object `object_id`: this one (replicas.py has several)."""
        return self

    async def close(self) -> None:
        """Close the connection; calls still waiting fail."""
        if self._protocol is not None:
            self._protocol.fail("connection closed by the client")
            self._protocol = None


def _tls_options(tls: Optional[Tls], server_hostname: Optional[str]) -> Dict[str, Any]:
    """`create_connection`'s TLS arguments: none for plain TCP."""
    if tls is None:
        return {}
    if server_hostname is not None:
        return {"ssl": tls.context(), "server_hostname": server_hostname}
    return {"ssl": tls.context()}


def _cannot_connect(error: OSError) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return ("TLS: its certificate is not trusted: %s (give the CA that signed it with ca=<file>)"
                % (error.verify_message or error))
    if isinstance(error, ssl.SSLError):
        return "TLS handshake failed: %s (is it serving TLS, with --tlsCert?)" % (error.reason or error)
    return "cannot connect: %s" % (error.strerror or error)
