"""One tool call through /mcp against the same call through /call.

Starts `gg` (release build: `cargo build --release -p graft-gateway`, or
GG_BIN) hosting bench/service, then calls `Bench.add(40, 2)` over plain
HTTP/1.1 keep-alive connections (the standard library's http.client, the
same client for both paths), each answer parsed and checked:

- /call: `POST /call/Bench/add` with `{"a": 40, "b": 2}`;
- /mcp: a 2026-07-28 `tools/call` of `Bench.add` (its `_meta`, and the
  MCP-Protocol-Version, Mcp-Method and Mcp-Name headers), answered as a
  JSON-RPC result with structuredContent and text.

Prints p50/p99 latency with one caller, calls/s with 1 and 16 callers
(threads, each on its own connection) and gg's CPU per 10,000 calls.
`--smoke` makes a few hundred calls (for CI: no speed is asserted).
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICE = ROOT / "bench" / "service" / "bench_service.py"
META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "bench", "version": "1"}}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Route:
    """How one path sends `add(40, 2)` and reads 42 back."""

    def __init__(self, name, port):
        self.name, self.port = name, port

    def request(self):
        if self.name == "/call":
            body = json.dumps({"a": 40, "b": 2}).encode()
            return "/call/Bench/add", body, {"Content-Type": "application/json"}
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                           "params": {"name": "Bench.add", "arguments": {"a": 40, "b": 2}, "_meta": META}}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                   "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "Bench.add"}
        return "/mcp", body, headers

    def check(self, answer):
        value = json.loads(answer)
        if self.name == "/mcp":
            result = value["result"]
            assert not result["isError"] and result["content"][0]["text"] == "42", value
            value = result["structuredContent"]["result"]
        assert value == 42, value


def calls(path, n, latencies=None):
    """`n` calls on one keep-alive connection; each one's seconds into `latencies`."""
    url, body, headers = path.request()
    conn = http.client.HTTPConnection("127.0.0.1", path.port, timeout=30)
    try:
        for _ in range(n):
            began = time.perf_counter()
            conn.request("POST", url, body, headers)
            response = conn.getresponse()
            answer = response.read()
            if latencies is not None:
                latencies.append(time.perf_counter() - began)
            assert response.status == 200, (response.status, answer)
            path.check(answer)
    finally:
        conn.close()


def throughput(path, callers, per_caller):
    threads = [threading.Thread(target=calls, args=(path, per_caller)) for _ in range(callers)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return callers * per_caller / (time.perf_counter() - began)


def cpu_seconds(pid):
    fields = Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(path, pid, n):
    calls(path, max(n // 10, 50))  # warm up
    latencies = []
    cpu = cpu_seconds(pid)
    calls(path, n, latencies)
    cpu = cpu_seconds(pid) - cpu
    latencies.sort()
    return {
        "p50_us": statistics.median(latencies) * 1e6,
        "p99_us": latencies[int(len(latencies) * 0.99) - 1] * 1e6,
        "calls_per_s_1": n / sum(latencies),
        "calls_per_s_16": throughput(path, 16, max(n // 16, 10)),
        "cpu_s_per_10k": cpu / n * 10_000,
    }


def start_gg(binary):
    port, web = free_port(), free_port()
    args = [str(binary), str(SERVICE), "--port", str(port), "--httpPort", str(web), "--bind", "127.0.0.1"]
    gg = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                          env={"GRAFT_STATE_DIR": "/tmp/gg-bench-mcp-state", **os.environ})
    for _ in range(600):
        try:
            with socket.create_connection(("127.0.0.1", web), timeout=0.2):
                return gg, port, web
        except OSError:
            time.sleep(0.05)
    gg.kill()
    raise SystemExit("gg did not start")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a few hundred calls, for CI")
    parser.add_argument("--calls", type=int, default=20_000)
    options = parser.parse_args()
    binary = Path(os.environ.get("GG_BIN", ROOT / "target" / "release" / "gg"))
    n = 300 if options.smoke else options.calls
    gg, port, web = start_gg(binary)
    try:
        # Both on the web listener (--httpPort), so only the protocol differs.
        rows = {"/call": measure(Route("/call", web), gg.pid, n),
                "/mcp": measure(Route("/mcp", web), gg.pid, n)}
    finally:
        gg.terminate()
        gg.wait(15)
    print("add(40, 2), %d calls each, gg %s" % (n, binary))
    print("| path | p50 us | p99 us | calls/s @1 | @16 | gg CPU s/10k |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, r in rows.items():
        print("| %s | %.0f | %.0f | %.0f | %.0f | %.2f |" % (
            name, r["p50_us"], r["p99_us"], r["calls_per_s_1"], r["calls_per_s_16"], r["cpu_s_per_10k"]))
    ratio = rows["/mcp"]["p50_us"] / rows["/call"]["p50_us"]
    print("/mcp p50 = %.2f x /call p50" % ratio)
    if not options.smoke:
        (ROOT / "bench" / "results" / "mcp.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
