"""`graft_context`: the metadata of the call being served.

Hosted code reads it with `import graft_context; graft_context.headers()`:
a read-only mapping whose names are lower case (an HTTP call's headers, or
the metadata a Graft sent). Outside a call it is empty. gg sets it for each
call; a Graft calling its module in-process sets it the same way, and a
Graft called from inside a hosted method sends it on (docs/CONFIG.md).

This one file is gg's `graft_context` module, every Graft's
`_runtime/context.py` and the `graft-context` package on the gateway's
index, so that all of them share one module object in a process.
"""

import contextvars
import functools
import inspect
import types
from typing import Any, Callable, Dict, Iterable, Mapping, Tuple

_EMPTY: Mapping[str, str] = types.MappingProxyType({})
_incoming: "contextvars.ContextVar[Mapping[str, str]]" = contextvars.ContextVar("graft_context", default=_EMPTY)


def headers() -> Mapping[str, str]:
    """The metadata of the call being served: lower-case names, read-only."""
    return _incoming.get()


def as_mapping(pairs: Iterable[Tuple[str, str]]) -> Mapping[str, str]:
    """Metadata pairs as a read-only mapping; a name given twice holds both values, joined by ", "."""
    merged: Dict[str, str] = {}
    for name, value in pairs:
        name = name.lower()
        merged[name] = value if name not in merged else merged[name] + ", " + value
    return types.MappingProxyType(merged)


def bind(function: Callable[..., Any], pairs: Iterable[Tuple[str, str]]) -> Callable[..., Any]:
    """`function`, which when called runs (and, for a coroutine or a
    generator, keeps running) with `pairs` as the incoming metadata."""
    return functools.partial(run, as_mapping(pairs), function)


def run(metadata: Mapping[str, str], function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    token = _incoming.set(metadata)
    try:
        result = function(*args, **kwargs)
    finally:
        _incoming.reset(token)
    if inspect.iscoroutine(result):
        return _coroutine(metadata, result)
    if inspect.isgenerator(result):
        return _generator(metadata, result)
    if inspect.isasyncgen(result):
        return _async_generator(metadata, result)
    return result


async def _coroutine(metadata: Mapping[str, str], coroutine: Any) -> Any:
    token = _incoming.set(metadata)
    try:
        return await coroutine
    finally:
        _incoming.reset(token)


def _generator(metadata: Mapping[str, str], generator: Any) -> Any:
    try:
        while True:
            token = _incoming.set(metadata)
            try:
                item = next(generator)
            except StopIteration as stop:
                return stop.value
            finally:
                _incoming.reset(token)
            yield item
    finally:
        generator.close()


async def _async_generator(metadata: Mapping[str, str], generator: Any) -> Any:
    try:
        while True:
            token = _incoming.set(metadata)  # each step runs in its consumer's context
            try:
                item = await generator.__anext__()
            except StopAsyncIteration:
                return
            finally:
                _incoming.reset(token)
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
