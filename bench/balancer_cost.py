"""The balancer's cost per call, measured side by side (BENCHMARKS.md, "Replicas").

One release gg hosting bench/service, pinned to core 1; a caller pinned to
core 0 (a process per round) makes 4,000 sequential `Bench.add` calls through
a `GraftClient`, then 8,000 shared by 64 callers, and prints wall and CPU
microseconds per call and the calls/s at 64. Rounds alternate three callers:
the runtime of `--before` (a commit, taken with `git archive`) on one IP
address, today's runtime on one IP address (no balancer), and today's on
`localhost` (a name: through graft_runtime/replicas.py). Prints the medians.

    python3 bench/balancer_cost.py [--before 6db83f1] [--rounds 5]
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from processes import Server, free_port

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CALLER = r'''
import asyncio, json, sys, time
sys.path.insert(0, sys.argv[1])
from graft_runtime.client import GraftClient
client = GraftClient("graft-pypi-bench", service="Bench", module="bench_service")
client.set_config("name=graft-pypi-bench;host=" + sys.argv[2])
async def main():
    add = client.call
    for _ in range(500):
        assert await add("Bench", "add", [1, 2], {}) == 3
    t, c = time.perf_counter(), time.process_time()
    for _ in range(4000):
        await add("Bench", "add", [1, 2], {})
    wall, cpu = (time.perf_counter() - t) / 4000 * 1e6, (time.process_time() - c) / 4000 * 1e6
    async def some():
        for _ in range(125):
            await add("Bench", "add", [1, 2], {})
    t = time.perf_counter()
    await asyncio.gather(*(some() for _ in range(64)))
    print(json.dumps([wall, cpu, 8000 / (time.perf_counter() - t)]))
asyncio.run(main())
'''


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", default="6db83f1", help="the commit whose runtime is the baseline")
    p.add_argument("--rounds", type=int, default=5)
    o = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="graft-balancer-") as tmp:
        work = Path(tmp)
        archive = subprocess.run(["git", "archive", o.before, "python/graft_runtime"], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(work)], input=archive, check=True)
        port, http_port, tcp_port = free_port(), free_port(), free_port()
        args = ["taskset", "-c", "1", str(ROOT / "target" / "release" / "gg"), "--modules",
                str(BENCH / "service" / "bench_service.py"), "--port", str(port), "--httpPort", str(http_port),
                "--bind", "127.0.0.1", "--TCPServer", "--tcpPort=%d" % tcp_port]
        callers = {"before, one host": (work / "python", "127.0.0.1:%d" % tcp_port),
                   "now, one host": (ROOT / "python", "127.0.0.1:%d" % tcp_port),
                   "now, balancer": (ROOT / "python", "localhost:%d" % tcp_port)}
        figures = {name: [] for name in callers}
        with Server("gg", args, work) as gg:
            gg.wait_http("http://127.0.0.1:%d/status" % http_port)
            for _ in range(o.rounds):
                for name, (runtime, host) in callers.items():
                    out = subprocess.run(["taskset", "-c", "0", sys.executable, "-c", CALLER, str(runtime), host],
                                         check=True, capture_output=True, text=True, timeout=300)
                    figures[name].append(json.loads(out.stdout))
                    time.sleep(0.2)
    print("%-18s %12s %14s %12s" % ("caller", "wall us/call", "CPU us/call", "calls/s @64"))
    for name, rows in figures.items():
        wall, cpu, tput = (statistics.median(col) for col in zip(*rows))
        print("%-18s %12.1f %14.1f %12.0f" % (name, wall, cpu, tput))


if __name__ == "__main__":
    main()
