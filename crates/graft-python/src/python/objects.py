"""Remote objects: new ids, and an object's release, run by the gateway.

Loaded by the gateway as the module `_graft_objects`."""

import asyncio
import inspect
import secrets


def new_id():
    """A new object id: 128 random bits as 32 lower-case hex characters."""
    return secrets.token_hex(16)


def release(obj, loop):
    """Runs the first of obj's close(), aclose(), __exit__ and __aexit__ it has;
    a coroutine it returns runs on `loop` (this thread waits for it)."""
    hook = _hook(obj)
    if hook is None:
        return
    result = hook()
    if inspect.isawaitable(result):
        asyncio.run_coroutine_threadsafe(_awaited(result), loop).result()


async def _awaited(awaitable):
    return await awaitable


def _hook(obj):
    for name in ("close", "aclose"):
        method = getattr(obj, name, None)
        if callable(method):
            return method
    cls = type(obj)
    if hasattr(cls, "__exit__"):
        return lambda: obj.__exit__(None, None, None)
    if hasattr(cls, "__aexit__"):
        return lambda: obj.__aexit__(None, None, None)
    return None
