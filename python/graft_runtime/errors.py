"""The failures a graft's caller sees besides the hosted method's own exceptions.

- `Unavailable` (a ConnectionError): no replica could be reached, or the
  call was lost with its connection. `sent` tells which: False when the
  call was never written to a provider (so retrying it anywhere is safe),
  True when it may have run there.
- `Timeout` (a TimeoutError): the call did not finish within its timeout.
- `CircuitOpen` (an Unavailable): every replica's circuit breaker is open,
  so the call failed at once without being sent.
- `Overloaded` (a RemoteError and a ConnectionError): the gateway refused
  the call at once because it is full (wire status 8); never ran.

Every message names the host:port and the cause. `GraftConnectionError`
and `CallTimeout`, the names of earlier versions, are the same classes.
"""

from typing import Any


class Unavailable(ConnectionError):
    """The gateway at host:port could not be reached, refused the call, or
    the connection failed before its reply. The message names the gateway."""

    def __init__(self, host: str, port: int, problem: str, sent: bool = False) -> None:
        super().__init__("Graft gateway at %s:%d: %s" % (host, port, problem))
        self.host = host
        self.port = port
        self.problem = problem
        self.sent = sent  # True: the call was written before the failure, so it may have run

    def __reduce__(self) -> Any:
        return (type(self), (self.host, self.port, self.problem, self.sent))


class Timeout(TimeoutError):
    """A call did not finish within its timeout (on either side of the wire)."""


class CircuitOpen(Unavailable):
    """The circuit breaker of the gateway at host:port is open after repeated
    failures: calls fail at once until its cool-down ends."""


GraftConnectionError = Unavailable
CallTimeout = Timeout

try:  # SERVER's wire status 8 (protocol version 8)
    from .wire import Overloaded as Overloaded
except ImportError:  # pragma: no cover - until wire.py defines it
    from .wire import RemoteError as _RemoteError

    class Overloaded(_RemoteError, ConnectionError):  # type: ignore[no-redef]
        """The gateway refused the call at once: it runs as many calls as it may."""


__all__ = ["CallTimeout", "CircuitOpen", "GraftConnectionError", "Overloaded", "Timeout", "Unavailable"]
