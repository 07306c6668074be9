"""One system's client: measures its three methods and prints the figures as one JSON line.

Run by bench/harness.py in a process of its own (the server, if any, runs in
another). For each method: warm-up calls (every answer checked in full),
`--calls` sequential calls each timed, a concurrent warm-up burst, then for
each concurrency C a run of calls shared by C asyncio tasks over this one
client. CPU seconds of this process and of `--server-pid` are read around
the measured parts. The sequential calls come before the concurrent burst,
so a client that pools connections makes them on the one it would use alone.
"""

import argparse
import asyncio
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from drivers import DRIVERS  # noqa: E402
from payloads import ADD_ARGS, check_add, check_bytes, check_records, make_blob, make_records  # noqa: E402


def cpu_seconds(process: Optional[psutil.Process]) -> float:
    if process is None:
        return 0.0
    t = process.cpu_times()
    return t.user + t.system


def peak_rss_bytes(pid: int) -> Optional[int]:
    """VmHWM: the most resident memory the process ever had."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


class Method:
    """One method of one driver: the callable, its arguments and the check of its answer."""

    def __init__(self, call: Callable[..., Any], is_async: bool, args: tuple, check: Callable[[Any, bool], None]):
        self.call, self.is_async, self.args, self.check = call, is_async, args, check

    async def once(self, full: bool = False) -> None:
        answer = self.call(*self.args)
        if self.is_async:
            answer = await answer
        self.check(answer, full)


def methods_of(driver: Any) -> Dict[str, Method]:
    records = make_records(driver.record_class)
    blob = make_blob()
    a = driver.is_async
    methods = {
        "add": Method(driver.add, a, ADD_ARGS, check_add),
        "records": Method(driver.echo_records, a, (records,), lambda got, full: check_records(records, got, full)),
        "bytes": Method(driver.echo_bytes, a, (blob,), lambda got, full: check_bytes(blob, got, full)),
    }
    if hasattr(driver, "add_on_object"):  # add's work, on an object (Graft's remote objects; the direct call)
        methods["object"] = Method(driver.add_on_object, a, ADD_ARGS, check_add)
    return methods


async def sequential(m: Method, calls: int) -> List[int]:
    """Nanoseconds of each of `calls` calls, one after the other."""
    clock = time.perf_counter_ns
    samples = []
    call, args, check = m.call, m.args, m.check
    for _ in range(calls):
        t0 = clock()
        answer = call(*args)
        if m.is_async:
            answer = await answer
        t1 = clock()
        samples.append(t1 - t0)
        check(answer, False)
    return samples


async def concurrent(m: Method, callers: int, total: int) -> float:
    """Seconds for `total` calls shared by `callers` tasks."""
    left = [total]

    async def caller() -> None:
        while left[0] > 0:
            left[0] -= 1
            await m.once()

    start = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(callers)))
    return time.perf_counter() - start


async def loop_mean_ns(m: Method, calls: int) -> float:
    """Mean nanoseconds per call in a tight loop: no timer around each call (for sub-microsecond figures)."""
    call, args = m.call, m.args
    if m.is_async:
        start = time.perf_counter_ns()
        for _ in range(calls):
            await call(*args)
    else:
        start = time.perf_counter_ns()
        for _ in range(calls):
            call(*args)
    return (time.perf_counter_ns() - start) / calls


def quantile(sorted_ns: List[int], q: float) -> float:
    """Nearest rank, as the Rust floor's client computes it."""
    rank = max(1, min(len(sorted_ns), math.ceil(q * len(sorted_ns))))
    return sorted_ns[rank - 1]


async def measure(m: Method, opts: argparse.Namespace, name: str, server: Optional[psutil.Process]) -> Dict[str, Any]:
    payload = name not in ("add", "object")
    calls = opts.payload_calls if payload else opts.calls
    levels = opts.concurrency
    me = psutil.Process()
    for _ in range(opts.warmup if not payload else max(3, opts.warmup // 20)):
        await m.once(full=True)
    cpu0 = (cpu_seconds(me), cpu_seconds(server))
    samples = await sequential(m, calls)
    cpu1 = (cpu_seconds(me), cpu_seconds(server))
    # Warm-up for the concurrent runs (a client may open connections for them), outside the CPU count;
    # add's burst has opened them by the time the payload methods run.
    await concurrent(m, max(levels), calls if payload else max(levels))
    cpu2 = (cpu_seconds(me), cpu_seconds(server))
    throughput: Dict[str, float] = {}
    total = 0
    for c in levels:
        n = max(calls, c * opts.waves)
        throughput[str(c)] = n / await concurrent(m, c, n)
        total += n
    cpu3 = (cpu_seconds(me), cpu_seconds(server))
    await m.once(full=True)
    samples.sort()
    out: Dict[str, Any] = {
        "seq": {
            "n": len(samples),
            "p50_us": quantile(samples, 0.50) / 1000,
            "p99_us": quantile(samples, 0.99) / 1000,
            "mean_us": sum(samples) / len(samples) / 1000,
        },
        "throughput": throughput,
        "cpu": {
            "client_s": cpu1[0] - cpu0[0] + cpu3[0] - cpu2[0],
            "server_s": cpu1[1] - cpu0[1] + cpu3[1] - cpu2[1],
            "calls": calls + total,
        },
    }
    if not payload and server is None:
        out["seq"]["loop_mean_us"] = await loop_mean_ns(m, max(calls, 20000)) / 1000
    return out


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--system", required=True, choices=sorted(DRIVERS))
    p.add_argument("--target", default="", help="host:port of the server, or inMemory")
    p.add_argument("--server-pid", type=int, default=0, help="the server's pid (0: none, the call runs in this process)")
    p.add_argument("--calls", type=int, default=2000)
    p.add_argument("--payload-calls", type=int, default=50)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--waves", type=int, default=4, help="each throughput level makes at least this many calls per caller")
    p.add_argument("--concurrency", type=lambda s: [int(x) for x in s.split(",")], default=[1, 16, 64])
    p.add_argument("--methods", default="add,records,bytes,object", help="those the system has (object: Graft and direct)")
    opts = p.parse_args()
    server = psutil.Process(opts.server_pid) if opts.server_pid else None
    driver = DRIVERS[opts.system]()
    await driver.open(opts.target)
    try:
        methods = methods_of(driver)
        names = [name for name in opts.methods.split(",") if name in methods]
        results = {name: await measure(methods[name], opts, name, server) for name in names}
    finally:
        await driver.close()
    print(json.dumps({"methods": results, "client_peak_rss": peak_rss_bytes(os.getpid())}))


if __name__ == "__main__":
    asyncio.run(main())
