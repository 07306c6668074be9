"""Where the time goes: one system under a steady load, profiled (for BENCHMARKS.md).

    bench/.venv/bin/pip install py-spy      # once
    bench/.venv/bin/python bench/profile.py --system graft-remote --method add --callers 1,64
    bench/.venv/bin/python bench/profile.py --system graft-remote --stream small   # a stream workload, one caller

For each number of callers: the system's server starts afresh (gg for Graft
remote, as bench/harness.py starts it), bench/clients/load.py calls the
method for `--seconds`, and meanwhile `perf stat` (context switches, CPU)
and `perf record -g` watch the server, then `py-spy` samples the caller.
Prints the load's rate and CPU, the server's CPU and context switches per
call, its thread count, where its samples fall (kernel or not, top
symbols), and the caller's hottest Python frames. Run the release build
(`cargo build --release -p graft-gateway`) first. With `--stream`, the load
is one caller taking streams of that workload one after the other
(bench/clients/measure_streams.py), and the figures are per item.
"""

import argparse
import collections
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import streams
from harness import BENCH, ROOT, Bench


def perf_stat(pid: int, seconds: float) -> Dict[str, float]:
    out = subprocess.run(["perf", "stat", "-x", ",", "-e", "context-switches,task-clock", "-p", str(pid), "--", "sleep", str(seconds)],
                         capture_output=True, text=True).stderr
    found = {}
    for line in out.splitlines():
        cells = line.split(",")
        if len(cells) > 2 and cells[0].replace(".", "").isdigit():
            found[cells[2]] = float(cells[0])
    return found


def perf_top(pid: int, seconds: float, work: Path) -> List[str]:
    data = work / ("perf-%d.data" % pid)
    subprocess.run(["perf", "record", "-F", "499", "-g", "-p", str(pid), "-o", str(data), "--", "sleep", str(seconds)],
                   capture_output=True)
    lines = []
    for sort in ("dso", "sym"):
        report = subprocess.run(["perf", "report", "-i", str(data), "--no-children", "--sort", sort, "--stdio", "-g", "none"],
                                capture_output=True, text=True).stdout
        rows = [r.strip() for r in report.splitlines() if re.match(r"\s+\d+\.\d+%", r)]
        lines += ["  by %s: %s" % (sort, r) for r in rows[: 6 if sort == "dso" else 12]]
    return lines


def py_spy_top(pid: int, seconds: float, work: Path) -> List[str]:
    spy = Path(sys.executable).parent / "py-spy"
    if not spy.exists():
        return ["  (py-spy not installed: %s/pip install py-spy)" % spy.parent]
    raw = work / ("spy-%d.txt" % pid)
    subprocess.run([str(spy), "record", "-r", "250", "-d", str(int(seconds)), "-f", "raw", "-p", str(pid), "-o", str(raw)],
                   capture_output=True)
    own: collections.Counter = collections.Counter()
    within: collections.Counter = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines() if raw.exists() else []:
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        total += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            within[frame] += int(count)
    if not total:
        return []
    lines = ["  self %5.1f%%  %s" % (100 * n / total, frame) for frame, n in own.most_common(12)]
    # Inclusive time, leaving out the frames every sample passes through (asyncio.run and the loop).
    inner = [(frame, n) for frame, n in within.most_common() if n < 0.9 * total][:12]
    return lines + ["  incl %5.1f%%  %s" % (100 * n / total, frame) for frame, n in inner]


def profile(bench: Bench, system: str, method: str, callers: int, seconds: float) -> List[str]:
    with bench.serving(system) as (server, target):
        load = subprocess.Popen(
            [sys.executable, str(BENCH / "clients" / "load.py"), "--system", system, "--target", target,
             "--method", method, "--callers", str(callers), "--seconds", str(seconds + 2)],
            env=bench.client_env(), stdout=subprocess.PIPE, text=True,
        )
        lines, stat = watch(bench, server, load, seconds)
        result: Dict[str, Any] = json.loads(load.communicate()[0].strip().splitlines()[-1])
    head = ["== %s %s, %d caller(s): %.0f calls/s, caller CPU %.1f us/call" % (
        system, method, callers, result["calls_per_s"], result["client_cpu_us_per_call"])]
    return head + per_unit(stat, result["calls_per_s"] * seconds / 3, seconds / 3, "call") + lines


def profile_stream(bench: Bench, feed: streams.Streams, system: str, workload: str, seconds: float) -> List[str]:
    with feed.serving(system) as (server, target):
        load = subprocess.Popen(
            [sys.executable, str(BENCH / "clients" / "measure_streams.py"), "--system", system, "--target", target,
             "--workloads", workload, "--warmup", "1", "--streams", "1", "--seconds", str(seconds + 2)],
            env=bench.client_env(), stdout=subprocess.PIPE, text=True,
        )
        lines, stat = watch(bench, server, load, seconds)
        result: Dict[str, Any] = json.loads(load.communicate()[0].strip().splitlines()[-1])["workloads"][workload]
    cpu = result["cpu"]
    head = ["== %s stream %s: %.0f items/s, first item p50 %.0f us, caller CPU %.2f us/item (%d streams)" % (
        system, workload, result["items_per_s"], result["first_item_p50_us"], cpu["client_s"] / cpu["items"] * 1e6,
        result["streams"])]
    return head + per_unit(stat, result["items_per_s"] * seconds / 3, seconds / 3, "item") + lines


def per_unit(stat: Dict[str, float], units: float, seconds: float, unit: str) -> List[str]:
    if not stat:
        return []
    return ["  server: %.2f us CPU/%s, %.2f context switches/%s (perf stat over %.1fs)" % (
        stat.get("task-clock", 0) * 1000 / units, unit, stat.get("context-switches", 0) / units, unit, seconds)]


def watch(bench: Bench, server: Any, load: Any, seconds: float) -> Tuple[List[str], Dict[str, float]]:
    """perf on the server (if any) and py-spy on the caller, a third of `seconds` each, while the load runs."""
    time.sleep(1.5)
    part = seconds / 3
    lines: List[str] = []
    stat: Dict[str, float] = {}
    if server is not None and shutil.which("perf"):
        stat = perf_stat(server.pid, part)
        threads = len(list(Path("/proc/%d/task" % server.pid).iterdir()))
        lines += perf_top(server.pid, part, bench.work) + ["  server threads: %d" % threads]
    else:
        time.sleep(2 * part)
    lines += ["  caller's hottest frames (py-spy):"] + py_spy_top(load.pid, part, bench.work)
    return lines, stat


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--system", default="graft-remote", choices=("graft-remote", "graft-inmemory", "grpc", "rest", "direct"))
    p.add_argument("--method", default="add", choices=("add", "records", "bytes"))
    p.add_argument("--callers", default="1,64", help="comma-separated")
    p.add_argument("--seconds", type=float, default=9)
    p.add_argument("--stream", choices=[w for w, _ in streams.WORKLOADS], help="profile this stream workload instead of a method")
    p.add_argument("--bin-dir", default=str(ROOT / "target" / "release"))
    opts = p.parse_args()
    opts.calls = opts.payload_calls = opts.warmup = opts.timeout = 0
    with tempfile.TemporaryDirectory(prefix="graft-profile-") as tmp:
        bench = Bench(opts, Path(tmp))
        bench.generate_grpc()
        if opts.stream:
            feed = streams.Streams(bench, [opts.system])
            feed.prepare()
            print("\n".join(profile_stream(bench, feed, opts.system, opts.stream, opts.seconds)), flush=True)
            return
        if opts.system.startswith("graft"):
            bench.install_graft()
        for callers in (int(c) for c in opts.callers.split(",")):
            print("\n".join(profile(bench, opts.system, opts.method, callers, opts.seconds)), flush=True)


if __name__ == "__main__":
    main()
