"""The metadata a Graft's calls carry (docs/CONFIG.md, "Metadata").

`GraftConfig.set_headers({...})` sets it for every call of the Graft;
`with GraftConfig.headers({...}):` adds to it for the calls made inside the
block. A call made while serving one (inside a hosted method, in gg or
in-process) carries the incoming metadata on, `traceparent` included, so an
identity and a trace reach the next service. A call served in-process
outside any trace starts one (`new_traceparent`, made when first read), so
the calls its hosted code makes share one trace id, as they would behind a
gateway. `incoming()` is what hosted code called in-process reads as
`graft_context.headers()`, on the fast path and the general one alike.
"""

import contextlib
import contextvars
import os
import sys
import time
from typing import Any, Callable, Iterator, Mapping, Optional, Tuple

from . import context as _own_context

context: Any  # the `graft_context` module (typed Any: gg's or an installed one may be older)
try:  # one module per process: gg's, an installed graft-context, or the first Graft's
    import graft_context as context  # type: ignore[import-not-found, no-redef]
except ImportError:
    context = sys.modules.setdefault("graft_context", _own_context)

__all__ = ["block", "context", "incoming", "new_traceparent", "outgoing", "serving", "set_headers"]

Pairs = Tuple[Tuple[str, str], ...]
_empty: Any = getattr(context, "_EMPTY", None)  # `context.headers()` outside any call

_fixed: Pairs = ()
_block: "contextvars.ContextVar[Pairs]" = contextvars.ContextVar("graft headers", default=())


def _pairs(headers: Optional[Mapping[str, str]]) -> Pairs:
    if headers is None:
        return ()
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError("Graft headers are str names and str values, not %r: %r" % (name, value))
    return tuple((name.lower(), value) for name, value in headers.items())


def set_headers(headers: Optional[Mapping[str, str]]) -> None:
    """The metadata every call of this Graft carries (None: none)."""
    global _fixed
    _fixed = _pairs(headers)


@contextlib.contextmanager
def block(headers: Mapping[str, str]) -> Iterator[None]:
    """Adds `headers` to the calls made inside the `with` block."""
    token = _block.set(_block.get() + _pairs(headers))
    try:
        yield
    finally:
        _block.reset(token)


def outgoing(start_trace: bool = False) -> Pairs:
    """The metadata of a call made now: the incoming metadata, then this
    Graft's headers, then those of the enclosing blocks (a later one of the
    same name wins). With `start_trace` (a call served in-process), a new
    `traceparent` when none is there; a remote call without one is left so
    (its gateway starts the trace, and a call without metadata may send a
    long argument in parts)."""
    incoming, block = context.headers(), _block.get()
    if not (incoming or _fixed or block):
        return (("traceparent", new_traceparent()),) if start_trace else ()
    merged = dict(incoming)
    merged.update(_fixed)
    merged.update(block)
    if start_trace and "traceparent" not in merged:
        merged["traceparent"] = new_traceparent()
    return tuple(merged.items())


def new_traceparent() -> str:
    """A W3C `traceparent` starting a trace (random trace and parent ids,
    sampled), for a call made outside any: the calls it leads to share it."""
    ids = os.urandom(24).hex()
    return "00-%s-%s-01" % (ids[:32], ids[32:])


class _NewTrace(Mapping[str, str]):
    """The incoming metadata of a call served in-process outside any trace and
    without metadata: one `traceparent`, made when first read, since most
    calls never read it (os.urandom costs more than the whole fast call)."""

    __slots__ = ("_made",)

    def _pairs(self) -> Mapping[str, str]:
        try:
            return self._made  # type: ignore[has-type, no-any-return]
        except AttributeError:
            self._made = context.as_mapping((("traceparent", new_traceparent()),))
            return self._made  # type: ignore[no-any-return]

    def __getitem__(self, name: str) -> str:
        return self._pairs()[name]

    def __contains__(self, name: object) -> bool:
        return name == "traceparent"

    def __iter__(self) -> Iterator[str]:
        return iter(self._pairs())

    def __len__(self) -> int:
        return 1


def incoming() -> Mapping[str, str]:
    """What hosted code called in-process now reads as `graft_context.headers()`:
    `outgoing(start_trace=True)` as a mapping, the incoming one itself when
    nothing is added to it."""
    found = context.headers()
    if not _fixed and not _block.get():
        if found is _empty or not found:
            return _NewTrace()
        if "traceparent" in found:
            return found  # type: ignore[no-any-return]
    return context.as_mapping(outgoing(start_trace=True))  # type: ignore[no-any-return]


def serving(metadata: Mapping[str, str], timeout: Optional[float], target: Callable[..., Any],
            *args: Any, **kwargs: Any) -> Any:
    """Calls `target` (hosted code, in-process) with `metadata` as its incoming
    metadata and, with `timeout`, that many seconds from now as its deadline."""
    if timeout is None:
        return context.run(metadata, target, *args, **kwargs)
    return context.run_until(time.monotonic() + timeout, metadata, target, *args, **kwargs)
