"""The benchmark: every system measured on this machine, one after the other, in one command.

Run through bench/run.sh, which makes the virtualenv and builds the
binaries. For each run and each system this starts the system's server in a
process of its own (gg, the gRPC server, uvicorn, the Rust echo server),
runs its client in another (bench/clients/measure.py, or the Rust floor's
echo-client), stops the server, and keeps the figures; then prints medians
over the runs with ratios against gRPC and REST, checks the targets of
issue 4 (reported, never asserted) and writes the same as JSON. The stream
workloads (issue 13, bench/streams.py) run after the calls in each run,
Graft against gRPC server streaming; `--workloads` picks either or both.
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import brokers
import node
import processes
import replicas
import report
import streams
import targets
import variants
from processes import Server, free_port

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SERVICE = BENCH / "service" / "bench_service.py"
FLOOR_SIZES = {"add": 32, "records": 1_000_000, "bytes": 1_000_000}


class Unavailable(Exception):
    """A system that cannot be measured here, for a reason that is not a wrong answer."""


class Bench:
    """What one invocation needs: options, binaries, the generated gRPC code and the installed Graft."""

    def __init__(self, opts: argparse.Namespace, work: Path) -> None:
        self.opts = opts
        self.work = work
        self.bin = Path(opts.bin_dir).resolve()
        self.grpc_gen = work / "grpc_gen"
        self.graft_lib: Optional[Path] = None
        self.graft_reason = "not installed yet"
        self.libs: List[Path] = []

    # ----------------------------------------------------------- preparing

    def generate_grpc(self) -> None:
        self.grpc_gen.mkdir()
        subprocess.run(
            [sys.executable, "-m", "grpc_tools.protoc", "-I", str(BENCH), "--python_out=%s" % self.grpc_gen,
             "--grpc_python_out=%s" % self.grpc_gen, str(BENCH / "bench.proto")],
            check=True,
        )

    def install_graft(self) -> None:
        """The Graft `graft-pypi-bench`, installed with pip from a gg hosting bench_service."""
        self.graft_lib, self.graft_reason = self.install("graft-pypi-bench", SERVICE)

    def install(self, distribution: str, module: Path) -> Tuple[Optional[Path], str]:
        """A Graft installed with pip from a gg hosting `module` (into its own folder, then on the clients' path),
        or None and the reason it could not be."""
        lib = self.work / ("lib-" + distribution)
        try:
            with self.start_gg(module) as gg:
                index = "http://127.0.0.1:%d/simple/" % gg.http_port
                out = subprocess.run(
                    [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir", "--no-deps",
                     "--target", str(lib), "--index-url", index, distribution],
                    capture_output=True, text=True, timeout=300,
                )
        except Unavailable as e:
            return None, str(e)
        if out.returncode != 0:
            last = [line for line in (out.stdout + out.stderr).splitlines() if line.strip()][-1:]
            return None, "pip could not install %s from gg's index: %s" % (distribution, " ".join(last))
        self.libs.append(lib)
        return lib, "installed"

    def start_gg(self, module: Path = SERVICE, env: Optional[Dict[str, str]] = None, tls: Optional[Path] = None,
                 extra: Tuple[str, ...] = ()) -> Server:
        """gg hosting `module`, with `env` added to its environment, given `tls` its server.pem and server.key,
        and the options `extra`."""
        gg = self.bin / "gg"
        if not gg.exists():
            raise Unavailable("%s is not built" % gg)
        port, http_port, tcp_port = free_port(), free_port(), free_port()
        args = [str(gg), "--modules", str(module), "--port", str(port), "--httpPort", str(http_port),
                "--bind", "127.0.0.1", "--TCPServer", "--tcpPort=%d" % tcp_port]
        args += list(extra)
        if tls is not None:
            args += ["--tlsCert", str(tls / "server.pem"), "--tlsKey", str(tls / "server.key")]
        server = Server("gg", args, self.work, env=dict(os.environ, **env) if env else None)
        server.http_port, server.tcp_port = http_port, tcp_port
        scheme = "http" if tls is None else "https"
        try:
            server.wait_http("%s://127.0.0.1:%d/status" % (scheme, http_port), tls and tls / "ca.pem")
            server.wait_tcp(tcp_port)
        except processes.StartError as e:
            server.stop()
            raise Unavailable(str(e)) from None
        return server

    # ----------------------------------------------------------- measuring

    def client_env(self) -> Dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRAFT_CONFIG")}
        paths = [str(self.grpc_gen)] + [str(lib) for lib in self.libs]
        env["PYTHONPATH"] = os.pathsep.join(paths)
        return env

    def client(self, system: str, target: str, server: Optional[Server]) -> Dict[str, Any]:
        o = self.opts
        args = [sys.executable, str(BENCH / "clients" / "measure.py"), "--system", system, "--target", target,
                "--server-pid", str(server.pid if server else 0), "--calls", str(o.calls),
                "--payload-calls", str(o.payload_calls), "--warmup", str(o.warmup), "--waves", str(o.waves)]
        if system in brokers.SYSTEMS:
            args += ["--methods", "add"]
        out = processes.run_json(args, self.client_env(), o.timeout)
        if server is not None:
            server.check_alive()
        return out

    def measure(self, system: str) -> Dict[str, Any]:
        if system == "floor":
            return self.floor()
        if system in node.SYSTEMS:
            try:
                return node.measure(self, system)
            except node.NoNode as e:
                raise Unavailable(str(e)) from None
        with self.serving(system) as (server, target):
            figures = self.client(system, target, server)
            return figures if server is None else self.served(server, figures)

    @contextlib.contextmanager
    def serving(self, system: str) -> Iterator[Tuple[Optional[Server], str]]:
        """The system's server, running (None for in-process systems), and the client's target."""
        if system.startswith("graft") and self.graft_lib is None:
            raise Unavailable(self.graft_reason)
        if system in ("direct", "graft-inmemory"):
            yield None, "inMemory" if system == "graft-inmemory" else ""
        elif system == "graft-remote":
            with self.start_gg() as gg:
                yield gg, "127.0.0.1:%d" % gg.tcp_port
        elif system in replicas.SYSTEMS:
            with replicas.serving(self, system) as served:
                yield served
        elif system in variants.SYSTEMS:
            with variants.serving(self, system) as served:
                yield served
        elif system in brokers.SYSTEMS:
            try:
                with brokers.serving(self, system) as served:
                    yield served
            except brokers.NoRedis as e:
                raise Unavailable(str(e)) from None
        else:
            port = free_port()
            script = {"grpc": "grpc_server.py", "rest": "rest_server.py"}[system]
            args = [sys.executable, str(BENCH / "servers" / script), str(port)]
            with Server(system, args, self.work, env=self.client_env()) as server:
                server.wait_tcp(port)
                yield server, "127.0.0.1:%d" % port

    def floor(self) -> Dict[str, Any]:
        o = self.opts
        for name in ("echo-server", "echo-client"):
            if not (self.bin / name).exists():
                raise Unavailable("%s is not built" % (self.bin / name))
        with Server("floor", [str(self.bin / "echo-server")], self.work, stdout=subprocess.PIPE) as server:
            port = server.ready_port()
            methods = {}
            for method, size in FLOOR_SIZES.items():
                calls = o.calls if method == "add" else o.payload_calls
                warmup = o.warmup if method == "add" else max(3, o.warmup // 20)
                args = [str(self.bin / "echo-client"), "--addr", "127.0.0.1:%d" % port, "--server-pid", str(server.pid),
                        "--size", str(size), "--calls", str(calls), "--throughput-calls", str(calls), "--warmup", str(warmup),
                        "--waves", str(o.waves)]
                methods[method] = processes.run_json(args, None, o.timeout)
            return self.served(server, {"methods": methods})

    @staticmethod
    def served(server: Server, figures: Dict[str, Any]) -> Dict[str, Any]:
        figures["server_peak_rss_mb"] = server.peak_rss_mb()
        return figures


def one_run(bench: Bench, systems: List[str], number: int) -> Dict[str, Any]:
    """Each system once; each run starts one system further along, so a slow spell on a shared machine
    does not always land on the same system."""
    run: Dict[str, Any] = {"load_before": os.getloadavg()[0]}
    shift = (number - 1) % len(systems)
    for system in systems[shift:] + systems[:shift]:
        started = time.monotonic()
        try:
            result = bench.measure(system)
            result["available"] = True
            rss = result.pop("client_peak_rss", None)
            result["client_peak_rss_mb"] = rss / 2**20 if rss else None
            status = "ok"
        except Unavailable as e:
            result, status = {"available": False, "reason": str(e)}, "not available: %s" % e
        except (processes.ClientError, processes.StartError) as e:
            result, status = {"available": False, "failed": True, "reason": str(e)}, "FAILED: %s" % e
        run[system] = result
        print("run %d  %-15s %5.1fs  %s" % (number, system, time.monotonic() - started, status), file=sys.stderr, flush=True)
    return run


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Graft's benchmark against gRPC, REST and a Rust floor.")
    p.add_argument("--smoke", action="store_true", help="a few hundred calls per system; fails if any answer is wrong")
    p.add_argument("--calls", type=int, help="sequential add calls, and calls per throughput level (default 5000; smoke 200)")
    p.add_argument("--payload-calls", type=int, help="the same for the 1 MB methods (default 50; smoke 5)")
    p.add_argument("--warmup", type=int, help="add calls before measuring (default 500; smoke 50)")
    p.add_argument("--runs", type=int, help="runs to take medians over (default 3; smoke 1)")
    p.add_argument("--waves", type=int, help="each throughput level makes at least this many calls per caller,"
                   " so 64 callers make 256 (default 4; smoke 1)")
    p.add_argument("--json", help="where to write the results (default bench/results/latest.json; smoke: smoke.json)")
    p.add_argument("--markdown", help="also write the tables and targets as Markdown to this file (for BENCHMARKS.md)")
    p.add_argument("--systems", default=",".join(s for s, _ in report.SYSTEMS), help="comma-separated subset")
    p.add_argument("--workloads", default="calls,streams", help="calls (add, records, bytes), streams (issue 13), or both")
    p.add_argument("--streams", type=int, help="measured streams per stream workload and system (default 20; smoke 2)")
    p.add_argument("--stream-warmup", type=int, help="streams before measuring (default 3; smoke 1)")
    p.add_argument("--bin-dir", default=str(ROOT / "target" / "release"), help="where gg, echo-server and echo-client are")
    p.add_argument("--allow-unavailable", action="store_true", help="with --smoke: a system not available is not a failure")
    p.add_argument("--timeout", type=float, default=1800, help="seconds one client may take")
    o = p.parse_args()
    defaults = (200, 5, 50, 1, "smoke.json", 1, 2, 1) if o.smoke else (5000, 50, 500, 3, "latest.json", 4, 20, 3)
    o.calls = o.calls or defaults[0]
    o.payload_calls = o.payload_calls or defaults[1]
    o.warmup = o.warmup if o.warmup is not None else defaults[2]
    o.runs = o.runs or defaults[3]
    o.waves = o.waves or defaults[5]
    o.json = o.json or str(BENCH / "results" / defaults[4])
    o.streams = o.streams or defaults[6]
    o.stream_warmup = o.stream_warmup if o.stream_warmup is not None else defaults[7]
    return o


def main() -> int:
    opts = parse_args()
    systems = [s for s in opts.systems.split(",") if s]
    workloads = [w for w in opts.workloads.split(",") if w]
    unknown = set(systems) - set(report.LABELS) | set(workloads) - {"calls", "streams"}
    if unknown:
        sys.exit("unknown systems or workloads: %s (systems: %s; workloads: calls, streams)"
                 % (", ".join(sorted(unknown)), ", ".join(report.LABELS)))
    calls = systems if "calls" in workloads else []
    with tempfile.TemporaryDirectory(prefix="graft-bench-") as tmp:
        bench = Bench(opts, Path(tmp))
        bench.generate_grpc()
        if any(s.startswith("graft") for s in calls):
            bench.install_graft()
        feed = streams.Streams(bench, systems if "streams" in workloads else [])
        feed.prepare()
        runs: List[Dict[str, Any]] = []
        for n in range(opts.runs):
            runs.append(one_run(bench, calls, n + 1) if calls else {"load_before": os.getloadavg()[0]})
            if feed.systems:
                runs[-1]["streams"] = feed.one_run(n + 1)
            document = save(opts, runs)
    print()
    print(render(document, bool(calls), markdown=False) + "\nwritten: %s" % opts.json)
    if opts.markdown:
        Path(opts.markdown).write_text(render(document, bool(calls), markdown=True))
        print("written: %s" % opts.markdown)
    return verdict(opts, runs, calls) | streams.verdict(opts, runs, feed.systems)


def save(opts: argparse.Namespace, runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Medians and targets of the runs so far, written to --json after every run (a long run stopped early keeps them)."""
    summary = report.medians(runs)
    found = targets.all_targets(summary)
    document = {"meta": processes.machine(opts, ROOT), "summary": summary, "targets": found, "runs": runs}
    if any("streams" in run for run in runs):
        document["streams"] = streams.summarise([run["streams"] for run in runs if "streams" in run])
    Path(opts.json).parent.mkdir(parents=True, exist_ok=True)
    Path(opts.json).write_text(json.dumps(document, indent=1) + "\n")
    return document


def render(document: Dict[str, Any], calls: bool, markdown: bool) -> str:
    """The tables and targets of the workloads run, as text or Markdown."""
    parts = []
    if calls:
        parts += [report.tables(document["summary"], markdown), "Targets (issue 4), from the medians; reported, not asserted:",
                  targets.render_targets(document["targets"], markdown), ""]
    if "streams" in document:
        parts += [streams.tables(document["streams"]["summary"], markdown),
                  "Targets (issue 13), from the medians; reported, not asserted:",
                  targets.render_targets(document["streams"]["targets"], markdown), ""]
    return "\n".join(parts)


def verdict(opts: argparse.Namespace, runs: List[Dict[str, Any]], systems: List[str]) -> int:
    """Non-zero when a system failed; with --smoke also when one was not available (unless allowed)."""
    bad = []
    for system in systems:
        for run in runs:
            r = run.get(system, {})
            if r.get("failed") or (opts.smoke and not r.get("available") and not opts.allow_unavailable):
                bad.append("%s: %s" % (system, r.get("reason")))
                break
    for line in bad:
        print("FAILED %s" % line, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
