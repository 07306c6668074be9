"""Driving a hosted async generator from the gateway, one item at a time.

The gateway asks for each next item only when its caller has room for it
(flow control), so an item is produced on the host's event loop and handed
back through a concurrent future; closing stops a pending item first, so the
generator's `finally` runs."""

import asyncio


async def _next(agen):
    try:
        return True, await agen.__anext__()
    except StopAsyncIteration:
        return False, None


def next_item(agen, loop):
    """A concurrent future of (True, item), or (False, None) at the end."""
    return asyncio.run_coroutine_threadsafe(_next(agen), loop)


def close(agen, pending, loop):
    """Cancels `pending` (a future from next_item, or None), then closes `agen`."""

    async def closing():
        if pending is not None:
            pending.cancel()
        aclose = getattr(agen, "aclose", None)
        # A cancelled __anext__ may still be unwinding: aclose() refuses
        # ("already running") until it has; try again for up to a second.
        for _ in range(200):
            try:
                if aclose is not None:
                    await aclose()
                return
            except RuntimeError:
                await asyncio.sleep(0.005)

    asyncio.run_coroutine_threadsafe(closing(), loop)
