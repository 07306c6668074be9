"""TLS for a graft's connection: `host=tls://h:p`, `ca=`, `cert=`, `key=`.

`Tls` holds the files a configuration names; its `context()` is the
`ssl.SSLContext` the transport connects with: it checks the gateway's
certificate against the system's roots, or against `ca` when given, and
the gateway's name (`h`), and presents `cert` and `key` to a gateway that
asks for a client certificate (`--tlsClientCa`). The files are read once
the configuration is checked, so a missing or broken file is an error then,
never a fallback to plain TCP. Standard library only.
"""

import ssl
import threading
from typing import Dict, Optional, Tuple

_Key = Tuple[Optional[str], Optional[str], Optional[str]]
_contexts: Dict[_Key, ssl.SSLContext] = {}
_lock = threading.Lock()


class TlsError(ValueError):
    """A TLS file that cannot be used; the message names the key and the file."""


class Tls:
    """The TLS files of one configuration (None: not given)."""

    def __init__(self, ca: Optional[str] = None, cert: Optional[str] = None, key: Optional[str] = None) -> None:
        self.ca = ca
        self.cert = cert
        self.key = key

    def _key(self) -> _Key:
        return (self.ca, self.cert, self.key)

    def context(self) -> ssl.SSLContext:
        """The client context for these files, made once per process."""
        with _lock:
            found = _contexts.get(self._key())
            if found is None:
                found = _contexts[self._key()] = _make(self.ca, self.cert, self.key)
            return found

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tls) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return "Tls(ca=%r, cert=%r, key=%r)" % self._key()


def _make(ca: Optional[str], cert: Optional[str], key: Optional[str]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if ca is not None:
        try:
            context.load_verify_locations(cafile=ca)
        except (OSError, ssl.SSLError) as e:
            raise TlsError("ca", ca, _why(e)) from None
    if cert is not None:
        try:
            context.load_cert_chain(certfile=cert, keyfile=key)
        except (OSError, ssl.SSLError) as e:
            raise TlsError("cert", cert, "%s (with key=%r)" % (_why(e), key)) from None
    return context


def _why(error: Exception) -> str:
    if isinstance(error, ssl.SSLError):
        return "not a usable PEM file: %s" % (error.reason or error)
    if isinstance(error, OSError):
        return "cannot read it: %s" % (error.strerror or error)
    return str(error)
