"""`graft_context`: the metadata of the call being served.

Hosted code reads it with `import graft_context; graft_context.headers()`:
a read-only mapping whose names are lower case (an HTTP call's headers, or
the metadata a Graft sent). Outside a call it is empty. `deadline()` is
the time the call has left, in seconds (None: no limit); a Graft called
inside it gets no more than that. gg sets it for each
call; a Graft calling its module in-process sets it the same way, and a
Graft called from inside a hosted method sends it on (docs/CONFIG.md).

This one file is gg's `graft_context` module, every Graft's
`_runtime/context.py` and the `graft-context` package on the gateway's
index, so that all of them share one module object in a process.
"""

import contextvars
import functools
import inspect
import time
import types
from typing import Any, Callable, Dict, Iterable, Mapping, Optional, Tuple

_EMPTY: Mapping[str, str] = types.MappingProxyType({})
_incoming: "contextvars.ContextVar[Mapping[str, str]]" = contextvars.ContextVar("graft_context", default=_EMPTY)
# When the call being served must end, on time.monotonic()'s clock; None: no limit.
_deadline: "contextvars.ContextVar[Optional[float]]" = contextvars.ContextVar("graft_deadline", default=None)
# gg's (graft-python's context.rs): the metadata and the deadline of the plain
# call, or generator step, that this thread runs for it (None outside one).
# The context variables, set by a Graft calling in-process, win over them. Code
# a plain method hands to another thread does not see them.
_served_headers: Optional[Callable[[], Optional[Mapping[str, str]]]] = None
_served_deadline: Optional[Callable[[], Optional[float]]] = None


def headers() -> Mapping[str, str]:
    """The metadata of the call being served: lower-case names, read-only."""
    found = _incoming.get()
    if found is _EMPTY and _served_headers is not None:
        return _served_headers() or _EMPTY
    return found


def deadline() -> Optional[float]:
    """The seconds the call being served has left (0.0 once past), or None
    when it has no limit (and outside a call)."""
    at = _at()
    return None if at is None else max(0.0, at - time.monotonic())


def _at() -> Optional[float]:
    """When the call being served must end (time.monotonic()'s clock), if it must."""
    at = _deadline.get()
    if at is None and _served_deadline is not None:
        return _served_deadline()
    return at


def as_mapping(pairs: Iterable[Tuple[str, str]]) -> Mapping[str, str]:
    """Metadata pairs as a read-only mapping; a name given twice holds both values, joined by ", "."""
    merged: Dict[str, str] = {}
    for name, value in pairs:
        name = name.lower()
        merged[name] = value if name not in merged else merged[name] + ", " + value
    return types.MappingProxyType(merged)


def bind(function: Callable[..., Any], pairs: Iterable[Tuple[str, str]], at: Optional[float] = None) -> Callable[..., Any]:
    """`function`, which when called runs (and, for a coroutine or a
    generator, keeps running) with `pairs` as the incoming metadata and `at`
    (time.monotonic()'s clock; None: no limit) as its deadline."""
    return functools.partial(run_until, at, as_mapping(pairs), function)


def run(metadata: Mapping[str, str], function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Calls `function` with `metadata` as the incoming metadata; the deadline stays as it is."""
    return run_until(_at(), metadata, function, *args, **kwargs)


def run_until(at: Optional[float], metadata: Mapping[str, str], function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Calls `function` with `metadata` as the incoming metadata and `at` as its deadline."""
    tokens = _set(metadata, at)
    try:
        result = function(*args, **kwargs)
    finally:
        _reset(tokens)
    if inspect.iscoroutine(result):
        return _coroutine(metadata, at, result)
    if inspect.isgenerator(result):
        return _generator(metadata, at, result)
    if inspect.isasyncgen(result):
        return _async_generator(metadata, at, result)
    return result


def _set(metadata: Mapping[str, str], at: Optional[float]) -> Tuple[Any, Any]:
    return _incoming.set(metadata), _deadline.set(at)


def _reset(tokens: Tuple[Any, Any]) -> None:
    _deadline.reset(tokens[1])
    _incoming.reset(tokens[0])


async def _coroutine(metadata: Mapping[str, str], at: Optional[float], coroutine: Any) -> Any:
    tokens = _set(metadata, at)
    try:
        return await coroutine
    finally:
        _reset(tokens)


def _generator(metadata: Mapping[str, str], at: Optional[float], generator: Any) -> Any:
    try:
        while True:
            tokens = _set(metadata, at)
            try:
                item = next(generator)
            except StopIteration as stop:
                return stop.value
            finally:
                _reset(tokens)
            yield item
    finally:
        generator.close()


async def _async_generator(metadata: Mapping[str, str], at: Optional[float], generator: Any) -> Any:
    try:
        while True:
            tokens = _set(metadata, at)  # each step runs in its consumer's context
            try:
                item = await generator.__anext__()
            except StopAsyncIteration:
                return
            finally:
                _reset(tokens)
            yield item
    finally:
        await generator.aclose()


def idempotent(function: Any) -> Any:
    """`@graft_context.idempotent` declares a method safe to run twice: a
    Graft then retries a call of it that may have run (its connection was
    lost, or it timed out) on another replica. Returns `function` itself,
    marked; a static or class method may be wrapped either way round."""
    inner = getattr(function, "__func__", None)
    if inner is not None:  # staticmethod / classmethod
        inner.__graft_idempotent__ = True
    else:
        function.__graft_idempotent__ = True
    return function
