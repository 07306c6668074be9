"""Parsing a graft's connection string: where its calls run.

A configuration is one line of `key=value` pairs separated by `;`::

    name=graft-pypi-energypricecalculator;host=calc:9092;runtime=python;modules=/app/src;timeout=5

Keys (case-insensitive): `name` (the graft's distribution name), `host`,
`runtime`, `modules` and `timeout`. `host` is `inMemory` or empty (calls run
in this process), `h:p` or `tcp://h:p` (calls go over TCP), or several
addresses, `a:p,b:p,c:p` (replicas, balanced by `replicas.py`, with the keys
of `balancer.Policy`). Anything else is a `GraftConfigError` naming the key
and the value: there is no silent fallback to in-process calls.

A text may hold several configurations, one a line; blank lines and lines
starting with `#` are skipped. `select` picks the line for one graft: the
line whose `name` is the graft's (names compare as PEP 503 normalises them),
else a line without `name`, which applies to every graft. Two lines for the
same graft are an error. Every line is checked, including other grafts'.
"""

import re
from urllib.parse import urlsplit
from typing import Dict, List, Optional, Tuple

from .balancer import BALANCES, DEFAULT_POLICY, Policy
from .settings import Address
from .settings import Settings as Settings  # what a line becomes; its users import it from here
from .tls import Tls, TlsError

# The keys of a graft's replicas (balancer.Policy), each a number but `balance`.
POLICY_KEYS = ("balance", "retries", "retry_budget", "backoff", "breaker", "breaker_cooldown", "eject", "resolve")
KEYS = ("name", "host", "runtime", "modules", "timeout", "token", "ca", "cert", "key") + POLICY_KEYS
RUNTIMES = ("python",)
# Where a graft whose configuration has no `token=` finds its gateway's token.
TOKEN_ENV = "GRAFT_TOKEN"


class GraftConfigError(ValueError):
    """A configuration that cannot be used; the message names the key and value."""


def normalize_name(name: str) -> str:
    """A distribution name as PEP 503 compares them: lower case, runs of -_. as one -."""
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def parse_host(value: str, where: str = "") -> Optional[Tuple[str, int]]:
    """`inMemory` or empty -> None; `h:p`, `tcp://h:p` or `tls://h:p` -> (h, p); else an error."""
    text = value.strip()
    if text == "" or text.lower() == "inmemory":
        return None
    rest = text
    if "://" in text:
        scheme, rest = text.split("://", 1)
        if scheme.lower() not in ("tcp", "tls"):
            raise _bad("host", value, where, "the scheme %r is not supported; use inMemory, host:port, tcp://host:port, tls://host:port or redis://host:port/db" % scheme)
    host, sep, port = rest.rpartition(":")
    if not sep or not host or "/" in rest:
        raise _bad("host", value, where, "expected inMemory, host:port, tcp://host:port or tls://host:port")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise _bad("host", value, where, "the port %r is not a number from 1 to 65535" % port)
    return host, int(port)


def parse_broker(value: str, where: str = "") -> Optional[Tuple[str, Address]]:
    """`redis://[user:password@]h:p/db` -> (the URL, (h, p)); None for any other host."""
    text = value.strip()
    if not text.lower().startswith("redis://"):
        return None
    try:
        parts = urlsplit(text)
        port = parts.port or 6379
        db = (parts.path or "/0").strip("/") or "0"
    except ValueError as e:
        raise _bad("host", value, where, "not a Redis URL: %s" % e) from None
    if not parts.hostname or not db.isdigit() or "," in text:
        raise _bad("host", value, where, "expected one broker, redis://host:port/db (db a number)")
    return text, (parts.hostname, port)


def parse_hosts(value: str, where: str = "") -> Tuple[Address, ...]:
    """`host=` as its addresses: () for in-process, else one or more (h, p),
    from `h:p` or `a:p,b:p`; the first address's scheme (`tls://a:p,b:p`) is every one's."""
    text = value.strip()
    if "," not in text:
        one = parse_host(text, where)
        return () if one is None else (one,)
    parts = [p.strip() for p in text.split(",")]
    scheme = parts[0].split("://", 1)[0] + "://" if "://" in parts[0] else ""
    for part in parts[1:]:
        if "://" in part and part.split("://", 1)[0].lower() != (scheme[:-3].lower() or "tcp"):
            raise _bad("host", value, where, "the addresses mix schemes; give the first one's to all, or none")
    found = []
    for part in parts:
        address = parse_host(part if "://" in part else scheme + part, where) if part else None
        if address is None:
            raise _bad("host", value, where, "%r is not host:port; list replicas as a:p,b:p" % part)
        if address not in found:
            found.append(address)
    return tuple(found)


def parse_line(line: str, where: str = "") -> Dict[str, str]:
    """The `key=value` pairs of one line, keys lower-cased; checks the keys only."""
    pairs: Dict[str, str] = {}
    for part in line.split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep:
            raise GraftConfigError("%s%r is not key=value" % (_at(where), part.strip()))
        if key not in KEYS:
            raise GraftConfigError(
                "%sunknown key %r (value %r); known keys: %s" % (_at(where), key, value.strip(), ", ".join(KEYS))
            )
        if key in pairs:
            raise GraftConfigError("%sthe key %r is given twice (%r and %r)" % (_at(where), key, pairs[key], value.strip()))
        pairs[key] = value.strip()
    return pairs


def settings_from(pairs: Dict[str, str], where: str = "") -> Settings:
    """Checks every value of one parsed line and builds its Settings."""
    broker = parse_broker(pairs.get("host", ""), where)
    hosts = (broker[1],) if broker else parse_hosts(pairs.get("host", ""), where)
    runtime = pairs.get("runtime", "python").strip() or "python"
    if runtime.lower() not in RUNTIMES:
        raise _bad("runtime", runtime, where, "this graft runs Python only (runtime=python)")
    modules = tuple(m.strip() for m in pairs.get("modules", "").split(",") if m.strip())
    return Settings(
        name=pairs.get("name") or None,
        host=hosts[0] if hosts else None,
        runtime=runtime.lower(),
        modules=modules,
        timeout=_timeout(pairs.get("timeout", ""), where),
        source=where or "configuration",
        token=pairs.get("token") or None,
        tls=_tls(pairs, where),
        hosts=hosts,
        policy=_policy(pairs, where),
        broker=broker[0] if broker else None,
    )


def parse(text: str, where: str = "") -> List[Settings]:
    """Every configuration in `text` (one a line, `#` comments), each checked."""
    found: List[Settings] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        here = "%s line %d" % (where, number) if where else "line %d" % number
        found.append(settings_from(parse_line(line, here), here))
    return found


def select(configs: List[Settings], graft: str) -> Optional[Settings]:
    """The configuration for `graft`: its own named line, else an unnamed line, else None."""
    wanted = normalize_name(graft)
    named = [c for c in configs if c.name is not None and normalize_name(c.name) == wanted]
    unnamed = [c for c in configs if c.name is None]
    for group in (named, unnamed):
        if len(group) > 1:
            raise GraftConfigError(
                "%s and %s both configure %s; keep one" % (group[0].source, group[1].source, graft)
            )
        if group:
            return group[0]
    return None


def _timeout(value: str, where: str) -> Optional[float]:
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        raise _bad("timeout", value, where, "expected a number of seconds") from None
    if not seconds >= 0 or seconds == float("inf"):
        raise _bad("timeout", value, where, "expected a number of seconds, 0 or more (0: no limit)")
    return seconds or None


def _policy(pairs: Dict[str, str], where: str) -> Policy:
    """The replicas' keys (balancer.Policy), each checked; the defaults for those not given."""
    given = {k: pairs[k].strip() for k in POLICY_KEYS if pairs.get(k, "").strip()}
    if not given:
        return DEFAULT_POLICY
    values: Dict[str, object] = {}
    for key, text in given.items():
        if key == "balance":
            if text.lower() not in BALANCES:
                raise _bad(key, text, where, "expected %s" % " or ".join(BALANCES))
            values[key] = text.lower()
            continue
        whole = key in ("retries", "breaker")
        try:
            number = int(text) if whole else float(text)
        except ValueError:
            raise _bad(key, text, where, "expected a whole number" if whole else "expected a number") from None
        if not 0 <= number < float("inf") or (key == "breaker" and number < 1):
            raise _bad(key, text, where, "expected %s" % ("1 or more" if key == "breaker" else "0 or more"))
        values[key] = number
    return DEFAULT_POLICY._replace(**values)  # type: ignore[arg-type]


def _tls(pairs: Dict[str, str], where: str) -> Optional[Tls]:
    """`host=tls://...` with its `ca`, `cert` and `key` files, checked and loaded; None for plain TCP."""
    files = {k: pairs[k] for k in ("ca", "cert", "key") if pairs.get(k)}
    host = pairs.get("host", "").strip()
    if not host.lower().startswith("tls://"):
        for k, v in files.items():
            raise _bad(k, v, where, "TLS files need host=tls://host:port (the host is %r)" % host)
        return None
    if ("cert" in files) != ("key" in files):
        k = "cert" if "cert" in files else "key"
        raise _bad(k, files[k], where, "a client certificate needs both cert=<file> and key=<file>")
    tls = Tls(files.get("ca"), files.get("cert"), files.get("key"))
    try:
        tls.context()
    except TlsError as e:
        key, value, why = e.args
        raise _bad(key, value, where, why) from None
    return tls


def _at(where: str) -> str:
    return "%s: " % where if where else ""


def _bad(key: str, value: str, where: str, why: str) -> GraftConfigError:
    return GraftConfigError("%sinvalid %s=%r: %s" % (_at(where), key, value, why))
