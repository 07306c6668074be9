"""The Node callers (issue 18): `add` from Node through the TypeScript graft
against @grpc/grpc-js, beside the Python callers.

- `node-graft`: gg hosting bench_service with its TCP server; the graft
  `@graft/pypi-bench` installed by npm from that gg's registry into the work
  folder; Node calls `Bench.add` over gg's TCP protocol.
- `node-grpc`: the same grpc.aio server the Python gRPC caller uses
  (servers/grpc_server.py); Node calls `Add` with @grpc/grpc-js, the proto
  loaded by @grpc/proto-loader.

bench/node/measure.mjs measures as clients/measure.py does (add only: the
sequential p50 and the throughput at 1, 16 and 64 callers); its packages
are pinned in bench/node/package-lock.json, installed by bench/run.sh.
"""

import contextlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import processes
from processes import Server

SYSTEMS = ("node-graft", "node-grpc")
NODE_DIR = Path(__file__).resolve().parent / "node"
GRAFT = "@graft/pypi-bench"


class NoNode(Exception):
    """Node, or bench/node's packages, are not here."""


def measure(bench: Any, system: str) -> Dict[str, Any]:
    """One run of `system`: its server started, the Node client's figures, the server's memory."""
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "@grpc" / "grpc-js").exists():
        raise NoNode("needs node and bench/node/node_modules (bench/run.sh runs npm ci there)")
    with serving(bench, system) as (server, target, graft):
        o = bench.opts
        args = [node, str(NODE_DIR / "measure.mjs"), "--system", system, "--target", target, "--graft", graft,
                "--server-pid", str(server.pid), "--calls", str(o.calls), "--warmup", str(o.warmup),
                "--waves", str(o.waves)]
        figures = processes.run_json(args, None, o.timeout)
        server.check_alive()
        return bench.served(server, figures)


@contextlib.contextmanager
def serving(bench: Any, system: str) -> Iterator[Tuple[Server, str, str]]:
    """The system's server, running, the client's target, and the graft's index.js ("" for gRPC)."""
    if system == "node-grpc":
        with bench.serving("grpc") as (server, target):
            yield server, target, ""
        return
    with bench.start_gg() as gg:
        graft = installed(bench, gg)
        yield gg, "127.0.0.1:%d" % gg.tcp_port, str(graft)


def installed(bench: Any, gg: Server) -> Path:
    """`@graft/pypi-bench`, by npm from `gg`'s registry into the work folder, once per benchmark."""
    project = bench.work / "node-graft"
    index = project / "node_modules" / "@graft" / "pypi-bench" / "index.js"
    if index.exists():
        return index
    project.mkdir(exist_ok=True)
    (project / "package.json").write_text(json.dumps({"name": "bench-node-graft", "private": True}))
    registry = "http://127.0.0.1:%d/npm/" % gg.http_port
    out = subprocess.run(["npm", "install", "--registry", registry, "--no-audit", "--no-fund", "--cache",
                          str(project / ".npm-cache"), GRAFT], cwd=project, capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise NoNode("npm install %s from gg failed: %s" % (GRAFT, (out.stdout + out.stderr)[-500:]))
    return index
