"""Driving a hosted async generator from the gateway.

`pump` runs on the host's event loop: it takes each item as the generator
yields it and hands it to the gateway's `sink`, at most `room` items ahead
of what the gateway has passed on (flow control: the gateway gives room
back as its caller takes items). `close` stops a pump and closes its
generator, so the generator's `finally` runs."""

import asyncio
import time

import graft_context


async def pump(agen, sink, room, context):
    """Hands each item of `agen` to `sink.item`, then `sink.end()` or `sink.fail(exc)`.
    Each step runs with `context`'s metadata pairs as the incoming metadata
    and, as its deadline, its item limit (seconds, or None) from when it began."""
    pairs, limit = context
    incoming = graft_context.as_mapping(pairs)
    items = agen.__aiter__()
    try:
        while True:
            at = None if limit is None else time.monotonic() + limit
            tokens = graft_context._set(incoming, at)
            try:
                item = await items.__anext__()
            except StopAsyncIteration:
                break
            finally:
                graft_context._reset(tokens)
            await room.acquire()
            if not sink.item(item):
                return
    except asyncio.CancelledError:
        raise
    except BaseException as exc:  # noqa: B902 - whatever the generator raised is the caller's
        sink.fail(exc)
    else:
        sink.end()


def start(agen, sink, ahead, loop, context):
    """Starts `pump` on `loop`; answers its concurrent future and its room."""
    room = asyncio.Semaphore(ahead)
    return asyncio.run_coroutine_threadsafe(pump(agen, sink, room, context), loop), room


def give_room(room, n, loop):
    """Lets the pump hand `n` more items (from any thread)."""

    def release():
        for _ in range(n):
            room.release()

    loop.call_soon_threadsafe(release)


def close(agen, pending, loop):
    """Cancels `pending` (a pump's future, or None), then closes `agen`."""

    async def closing():
        if pending is not None:
            pending.cancel()
        aclose = getattr(agen, "aclose", None)
        # A cancelled pump may still be unwinding the generator: aclose()
        # refuses ("already running") until it has; try again for up to a second.
        for _ in range(200):
            try:
                if aclose is not None:
                    await aclose()
                return
            except RuntimeError:
                await asyncio.sleep(0.005)

    asyncio.run_coroutine_threadsafe(closing(), loop)
