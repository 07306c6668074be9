"""The stream workloads of bench/harness.py (issue 13): Graft against gRPC server streaming.

For each run and each system: the system's server starts afresh (gg hosting
bench/service/bench_feed.py for Graft remote, bench/servers/grpc_server.py
for gRPC; none in-process), bench/clients/measure_streams.py measures both workloads
in a process of its own, and the server stops. Then medians over the runs,
a table with ratios against gRPC, and the targets, in the same form as the
call workloads' (reported, never asserted).
"""

import contextlib
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import processes
from processes import Server
from report import _num, _ratio, render
from targets import _check

BENCH = Path(__file__).resolve().parent
FEED = BENCH / "service" / "bench_feed.py"
DISTRIBUTION = "graft-pypi-feed"
SYSTEMS = [
    ("graft-inmemory", "Graft in-process"),
    ("graft-remote", "Graft remote (gg TCP)"),
    ("grpc", "gRPC (grpc.aio)"),
]
WORKLOADS = [
    ("small", "Feed.count(10,000): a stream of 10,000 ints"),
    ("big", "Feed.blobs(256, 65,536): a stream of 256 byte strings of 64 KiB"),
]
FIGURES = ("items_per_s", "first_item_p50_us", "first_item_p90_us", "stream_p50_ms",
           "client_cpu_us_per_item", "server_cpu_us_per_item", "mb_per_s")


class Streams:
    """The stream workloads of one harness invocation: its Graft `graft-pypi-feed`, its systems and options."""

    def __init__(self, bench: Any, systems: List[str]) -> None:
        self.bench = bench
        self.systems = [s for s, _ in SYSTEMS if s in systems]
        self.lib: Optional[Path] = None
        self.reason = "not installed yet"

    def prepare(self) -> None:
        if any(s.startswith("graft") for s in self.systems):
            self.lib, self.reason = self.bench.install(DISTRIBUTION, FEED)

    @contextlib.contextmanager
    def serving(self, system: str) -> Iterator[Tuple[Optional[Server], str]]:
        if system.startswith("graft") and self.lib is None:
            from harness import Unavailable

            raise Unavailable(self.reason)
        if system == "graft-inmemory":
            yield None, "inMemory"
        elif system == "graft-remote":
            with self.bench.start_gg(FEED) as gg:
                yield gg, "127.0.0.1:%d" % gg.tcp_port
        else:
            with self.bench.serving(system) as served:
                yield served

    def measure(self, system: str) -> Dict[str, Any]:
        o = self.bench.opts
        with self.serving(system) as (server, target):
            args = [sys.executable, str(BENCH / "clients" / "measure_streams.py"), "--system", system, "--target", target,
                    "--server-pid", str(server.pid if server else 0), "--streams", str(o.streams),
                    "--warmup", str(o.stream_warmup)]
            out = processes.run_json(args, self.bench.client_env(), o.timeout)
            if server is not None:
                server.check_alive()
                out["server_peak_rss_mb"] = server.peak_rss_mb()
            return out

    def one_run(self, number: int) -> Dict[str, Any]:
        """Each system once, starting one further along each run, as the call workloads do."""
        from harness import Unavailable

        run: Dict[str, Any] = {"load_before": os.getloadavg()[0]}
        shift = (number - 1) % max(1, len(self.systems))
        for system in self.systems[shift:] + self.systems[:shift]:
            started = time.monotonic()
            try:
                result = self.measure(system)
                result["available"] = True
                rss = result.pop("client_peak_rss", None)
                result["client_peak_rss_mb"] = rss / 2**20 if rss else None
                status = "ok"
            except Unavailable as e:
                result, status = {"available": False, "reason": str(e)}, "not available: %s" % e
            except (processes.ClientError, processes.StartError) as e:
                result, status = {"available": False, "failed": True, "reason": str(e)}, "FAILED: %s" % e
            run[system] = result
            print("run %d  streams %-15s %5.1fs  %s" % (number, system, time.monotonic() - started, status),
                  file=sys.stderr, flush=True)
        return run


def figures(workload: Dict[str, Any]) -> Dict[str, Optional[float]]:
    """One run of one workload, as the flat figures the table shows."""
    cpu = workload["cpu"]
    out = {k: workload[k] for k in FIGURES[:4]}
    out["client_cpu_us_per_item"] = cpu["client_s"] / cpu["items"] * 1e6
    out["server_cpu_us_per_item"] = cpu["server_s"] / cpu["items"] * 1e6 if cpu["server_s"] else None
    size = workload.get("item_bytes")
    out["mb_per_s"] = workload["items_per_s"] * size / 1e6 if size else None
    return out


def medians(runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Per system: the median of each figure over the runs where it answered."""
    summary: Dict[str, Any] = {}
    for system, _ in SYSTEMS:
        done = [r[system] for r in runs if system in r and r[system].get("available")]
        if not done:
            reasons = [r[system].get("reason", "") for r in runs if system in r]
            summary[system] = {"available": False, "reason": reasons[-1] if reasons else "not run"}
            continue
        entry: Dict[str, Any] = {"available": True, "runs": len(done), "workloads": {}}
        for workload, _ in WORKLOADS:
            per_run = [figures(d["workloads"][workload]) for d in done if workload in d["workloads"]]
            if per_run:
                entry["workloads"][workload] = {k: _median([f[k] for f in per_run]) for k in FIGURES}
        entry["server_peak_rss_mb"] = _median([d.get("server_peak_rss_mb") for d in done])
        summary[system] = entry
    return summary


def _median(values: List[Optional[float]]) -> Optional[float]:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def get(summary: Dict[str, Any], system: str, workload: str, key: str) -> Optional[float]:
    entry = summary.get(system, {})
    if not entry.get("available"):
        return None
    return entry["workloads"].get(workload, {}).get(key)


HEADER = ["system", "items/s", "MB/s", "first item p50 us", "p90 us", "stream p50 ms", "CPU us/item caller",
          "server", "srv RSS MB", "items/s /gRPC", "first item /gRPC"]


def table_rows(summary: Dict[str, Any], workload: str) -> List[List[str]]:
    rows = []
    for system, label in SYSTEMS:
        entry = summary.get(system, {})
        if not entry.get("available"):
            rows.append([label, "not available: " + str(entry.get("reason", "not run"))])
            continue
        g = lambda s, k: get(summary, s, workload, k)  # noqa: E731
        rate = g(system, "items_per_s")
        rss = entry.get("server_peak_rss_mb")
        rows.append([
            label, _num(rate), _num(g(system, "mb_per_s")), _num(g(system, "first_item_p50_us")), _num(g(system, "first_item_p90_us")),
            _num(g(system, "stream_p50_ms")), _num(g(system, "client_cpu_us_per_item")),
            _num(g(system, "server_cpu_us_per_item")), _num(rss) if rss is not None else "(in caller)",
            _num(_ratio(rate, g("grpc", "items_per_s"))),
            _num(_ratio(g(system, "first_item_p50_us"), g("grpc", "first_item_p50_us"))),
        ])
    return rows


def tables(summary: Dict[str, Any], markdown: bool = False) -> str:
    parts = []
    for workload, title in WORKLOADS:
        parts.append(("#### " if markdown else "== ") + title)
        parts.append(render(table_rows(summary, workload), HEADER, markdown))
        parts.append("")
    return "\n".join(parts)


def check(summary: Dict[str, Any]) -> Dict[str, List[Dict[str, Any]]]:
    """The targets of issue 13, keyed like the call workloads' targets so targets.render_targets prints them."""
    found: Dict[str, List[Dict[str, Any]]] = {}
    for workload, _ in WORKLOADS:
        g = lambda s, k: get(summary, s, workload, k)  # noqa: E731
        rate, rate_grpc = g("graft-remote", "items_per_s"), g("grpc", "items_per_s")
        first, first_grpc = g("graft-remote", "first_item_p50_us"), g("grpc", "first_item_p50_us")
        checks = []
        if workload == "small":
            checks.append(_check("stream items/s >= 3x gRPC's", _ratio(rate, rate_grpc), 3.0, False,
                                 "Graft remote %s, gRPC %s items/s" % (_num(rate), _num(rate_grpc))))
        checks.append(_check("time to first item <= 1/3 of gRPC's", _ratio(first, first_grpc), 1 / 3, True,
                             "Graft remote %s us, gRPC %s us (p50)" % (_num(first), _num(first_grpc))))
        found["stream " + workload] = checks
    return found


def summarise(stream_runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    """What the harness's JSON keeps of the stream workloads (each run's own figures stay in its run)."""
    summary = medians(stream_runs)
    return {"summary": summary, "targets": check(summary)}


def verdict(opts: Any, runs: List[Dict[str, Any]], systems: List[str]) -> int:
    """Non-zero when a system failed a stream workload; with --smoke also when one was not available (unless allowed)."""
    bad = []
    for system in systems:
        for run in runs:
            r = run.get("streams", {}).get(system, {})
            if r.get("failed") or (opts.smoke and not r.get("available") and not opts.allow_unavailable):
                bad.append("streams %s: %s" % (system, r.get("reason")))
                break
    for line in bad:
        print("FAILED %s" % line, file=sys.stderr)
    return 1 if bad else 0
