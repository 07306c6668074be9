"""One system's stream client: measures the stream workloads and prints the figures as one JSON line.

Run by bench/harness.py (through bench/streams.py) in a process of its own,
the server, if any, in another. For each workload: `--warmup` streams, then
`--streams` streams one after the other, each timed from the call to its
first item and to its last. Every item of every stream is checked: the right
value, in order, and the stream's length. CPU seconds of this process and of
`--server-pid` are read around the measured streams.

Workloads (the same items from every system, `bench/service/bench_feed.py`):
  small: Feed.count(10,000), ints 0..9,999
  big:   Feed.blobs(256, 65,536), byte strings of 64 KiB
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import cpu_seconds, peak_rss_bytes, quantile  # noqa: E402
from stream_drivers import STREAM_DRIVERS  # noqa: E402

SERVICE_DIR = Path(__file__).resolve().parents[1] / "service"
WORKLOADS = ("small", "big")


class Workload:
    """One workload: how to open a stream of it on a driver, and the items it must yield, in order."""

    def __init__(self, name: str, items: List[Any], opener: Callable[[Any], Any]):
        self.name, self.items, self.opener = name, items, opener


def workloads(opts: argparse.Namespace) -> Dict[str, Workload]:
    sys.path.insert(0, str(SERVICE_DIR))
    from bench_feed import Feed  # the expected items, as the hosted generator makes them

    n, size, count = opts.small_items, opts.big_size, opts.big_items
    return {
        "small": Workload("small", list(Feed.count(n)), lambda d: d.count(n)),
        "big": Workload("big", list(Feed.blobs(count, size)), lambda d: d.blobs(count, size)),
    }


class AnswerError(AssertionError):
    """A stream answered, but not the items its method yields."""


def _wrong(w: Workload, index: int, got: Any) -> AnswerError:
    want = w.items[index] if index < len(w.items) else "the end"
    show = lambda v: "%s of %d bytes" % (type(v).__name__, len(v)) if isinstance(v, bytes) else repr(v)  # noqa: E731
    return AnswerError("%s: item %d was %s, expected %s" % (w.name, index, show(got), show(want)))


async def one_stream(driver: Any, w: Workload) -> tuple:
    """(ns to the first item, ns to the last) of one stream, each item checked."""
    clock, items = time.perf_counter_ns, w.items
    t0 = clock()
    stream = w.opener(driver).__aiter__()
    unwrap = driver.unwrap  # set by the opener: what to take from this stream's items
    try:
        first = await stream.__anext__()
    except StopAsyncIteration:
        raise _wrong(w, 0, "the end") from None
    t1 = clock()
    got = unwrap(first) if unwrap else first
    if got != items[0] or type(got) is not type(items[0]):
        raise _wrong(w, 0, got)
    i = 1
    try:
        if unwrap is None:
            async for got in stream:
                if got != items[i]:
                    raise _wrong(w, i, got)
                i += 1
        else:
            async for message in stream:
                got = unwrap(message)
                if got != items[i]:
                    raise _wrong(w, i, got)
                i += 1
    except IndexError:
        raise AnswerError("%s: the stream went on after its %d items" % (w.name, len(items))) from None
    t2 = clock()
    if i != len(items):
        raise AnswerError("%s: the stream ended after %d items, expected %d" % (w.name, i, len(items)))
    return t1 - t0, t2 - t0


async def measure(driver: Any, w: Workload, opts: argparse.Namespace, server: Optional[psutil.Process]) -> Dict[str, Any]:
    for _ in range(opts.warmup):
        await one_stream(driver, w)
    # This process's CPU from process_time (ns resolution: an in-process stream of 256 items takes a few ms);
    # the server's from psutil (clock ticks), over streams long enough for it.
    cpu0 = (time.process_time(), cpu_seconds(server))
    first_ns: List[int] = []
    total_ns: List[int] = []
    end = time.monotonic() + opts.seconds
    while len(total_ns) < opts.streams or time.monotonic() < end:
        first, total = await one_stream(driver, w)
        first_ns.append(first)
        total_ns.append(total)
    cpu1 = (time.process_time(), cpu_seconds(server))
    n = len(w.items)
    rates = [n / (t / 1e9) for t in total_ns]
    first_ns.sort()
    return {
        "items": n,
        "item_bytes": len(w.items[0]) if isinstance(w.items[0], bytes) else None,
        "streams": len(total_ns),
        "items_per_s": statistics.median(rates),
        "first_item_p50_us": quantile(first_ns, 0.50) / 1000,
        "first_item_p90_us": quantile(first_ns, 0.90) / 1000,
        "stream_p50_ms": statistics.median(total_ns) / 1e6,
        "cpu": {"client_s": cpu1[0] - cpu0[0], "server_s": cpu1[1] - cpu0[1], "items": n * len(total_ns)},
    }


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--system", required=True, choices=sorted(STREAM_DRIVERS))
    p.add_argument("--target", default="", help="host:port of the server, or inMemory")
    p.add_argument("--server-pid", type=int, default=0, help="the server's pid (0: none, the stream runs in this process)")
    p.add_argument("--streams", type=int, default=20, help="measured streams per workload")
    p.add_argument("--warmup", type=int, default=3, help="streams before measuring (every item checked all the same)")
    p.add_argument("--small-items", type=int, default=10_000)
    p.add_argument("--big-items", type=int, default=256)
    p.add_argument("--big-size", type=int, default=65_536)
    p.add_argument("--workloads", default=",".join(WORKLOADS))
    p.add_argument("--seconds", type=float, default=0, help="go on streaming for at least this long (a load for bench/profile.py)")
    opts = p.parse_args()
    server = psutil.Process(opts.server_pid) if opts.server_pid else None
    driver = STREAM_DRIVERS[opts.system]()
    await driver.open(opts.target)
    try:
        found = workloads(opts)
        results = {name: await measure(driver, found[name], opts, server) for name in opts.workloads.split(",")}
    finally:
        await driver.close()
    print(json.dumps({"workloads": results, "client_peak_rss": peak_rss_bytes(os.getpid())}))


if __name__ == "__main__":
    asyncio.run(main())
