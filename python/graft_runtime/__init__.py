"""The runtime inside every generated graft (vendored as `<graft>/_runtime/`).

Standard library only, relative imports only, Python 3.8 or later.

- `config`: the connection string (`name=...;host=...;runtime=python;modules=...;timeout=...`);
- `sources`: environment variables, files, code and the package default, by precedence;
- `client`: `GraftClient`, which routes each call, and the `GraftConfig` base class;
- `local`: in-process calls, converting the graft's classes to the hosted module's and back
  (`convert`, per type) and by the hosted annotations (`coerce`), each method planned once
  (`plans`: the target, and a fast path for values that need no conversion);
- `remote`: calls over TCP, through `transport` and `wire` (the protocol, docs/PROTOCOL.md);
- `streams`: what a streaming method returns, an async iterator (`LocalStream` in-process,
  `wire_stream.RemoteStream` over TCP);
- `objects`: graft classes of remote objects (`GraftObject`), made at their first await, released
  by `close()`, `async with` or garbage collection (`object_streams`: their streaming methods);
- `classes`: the graft's registered classes and the rebuilding of exceptions;
- `errors`: what a remote call's caller sees when it fails (`Unavailable`, `Timeout`, ...);
- `identity`: the graft's name and version, sent with each remote call.
"""

from .classes import NOT_GIVEN, NotGiven
from .client import GraftClient, GraftConfig
from .config import GraftConfigError, Settings
from .errors import CallTimeout, CircuitOpen, GraftConnectionError, Overloaded, Timeout, Unavailable
from .identity import graft_version
from .objects import GraftObject, ReleasedObjectError
from .wire import RemoteError, Unauthenticated, WireError

__all__ = [
    "NOT_GIVEN",
    "CallTimeout",
    "CircuitOpen",
    "GraftConnectionError",
    "Overloaded",
    "Timeout",
    "Unavailable",
    "GraftClient",
    "GraftConfig",
    "GraftConfigError",
    "GraftObject",
    "NotGiven",
    "ReleasedObjectError",
    "RemoteError",
    "Settings",
    "Unauthenticated",
    "WireError",
    "graft_version",
]
