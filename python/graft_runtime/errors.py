"""The failures a graft's caller sees, and the Error frame's statuses.

- `RemoteError`: the call failed on the server; it carries the `Raised`
  exception of the Error frame and its STATUS_* code.
- `Unavailable` (a ConnectionError): no replica could be reached, or the
  call was lost with its connection. `sent` tells which: False when the
  call was never written to a provider (so retrying it anywhere is safe),
  True when it may have run there.
- `Timeout` (a TimeoutError): the call did not finish within its timeout.
- `CircuitOpen` (an Unavailable): every replica's circuit breaker is open,
  so the call failed at once without being sent.
- `Overloaded` (a RemoteError and a ConnectionError): the gateway refused
  the call at once because it is full (wire status 8); never ran.
- `Unauthenticated` (a RemoteError and a PermissionError): the gateway
  needs a known token (wire status 7).

Every message names the host:port and the cause. `GraftConnectionError`
and `CallTimeout`, the names of earlier versions, are the same classes.
wire.py, which parses the Error frame, re-exports the remote ones.
"""

import asyncio
from typing import Any, Dict, List, NamedTuple

# What hosted code raises that reaches its caller as it is, never mapped to
# a graft's exception: interrupts, exits, cancellation, a generator closed.
UNMAPPED = (KeyboardInterrupt, SystemExit, asyncio.CancelledError, GeneratorExit)

# Error statuses (docs/PROTOCOL.md).
STATUS_RAISED, STATUS_NOT_FOUND, STATUS_BAD_ARGUMENTS, STATUS_INTERNAL = 0, 1, 2, 3
STATUS_DEADLINE_EXCEEDED, STATUS_UNAVAILABLE, STATUS_CANCELLED = 4, 5, 6
STATUS_UNAUTHENTICATED = 7  # version 7: the gateway needs a known token (gg --authTokens)
STATUS_OVERLOADED = 8  # version 8: the gateway runs as many calls as it may and refused this one


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


class Raised(NamedTuple):
    """An exception raised on the server, as the Error frame carries it."""

    type_name: str
    module: str
    message: str
    args: List[Any]
    fields: Dict[str, Any]
    traceback: str


class RemoteError(Exception):
    """A call failed on the server. `status` is a STATUS_* code; `raised`
    holds the exception; its parts are also attributes of the error."""

    def __init__(self, status: int, raised: Raised) -> None:
        super().__init__("%s.%s: %s" % (raised.module, raised.type_name, raised.message))
        self.status = status
        self.raised = raised
        self.type_name = raised.type_name
        self.module = raised.module
        self.message = raised.message
        self.fields = raised.fields
        self.traceback = raised.traceback


class Refusal(RemoteError):
    """A call the gateway at host:port refused; its message names that
    address, where the graft connected (the gateway names nothing of itself)."""

    # What the gateway did, before its own message.
    did = "refused the call"

    def __init__(self, status: int, raised: Raised, host: str = "", port: int = 0) -> None:
        super().__init__(status, raised)
        self.host = host
        self.port = port
        if host:
            self.args = ("Graft gateway at %s:%d %s: %s" % (host, port, self.did, raised.message),)


class Unauthenticated(Refusal, PermissionError):
    """The gateway at host:port needs a known token and this graft sent none,
    or an unknown one: set `token=` in its configuration, or GRAFT_TOKEN."""


class Overloaded(Refusal, ConnectionError):
    """The gateway at host:port refused the call at once, before it ran: it
    runs as many calls as it may (gg --maxInFlight, --maxInFlightPerConnection,
    --maxThreadsPerMethod). Safe to call again, on another replica or later."""

    did = "is overloaded"


def error_of(status: int, raised: Raised, host: str = "", port: int = 0) -> RemoteError:
    """The error an Error frame of `status` raises: Overloaded (8),
    Unauthenticated (7) or a RemoteError."""
    if status == STATUS_OVERLOADED:
        return Overloaded(status, raised, host, port)
    if status == STATUS_UNAUTHENTICATED:
        return Unauthenticated(status, raised, host, port)
    return RemoteError(status, raised)


__all__ = [
    "CallTimeout", "CircuitOpen", "GraftConnectionError", "Overloaded", "Raised", "Refusal", "RemoteError",
    "Timeout", "Unauthenticated", "Unavailable", "error_of",
]
