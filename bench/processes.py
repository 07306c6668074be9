"""Processes for bench/harness.py: servers started and stopped, clients run for their JSON, the machine described."""

import json
import os
import platform
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional


class StartError(Exception):
    """A server that did not start, or died while measured; the message holds the end of its log."""


class ClientError(Exception):
    """A client that failed: a wrong answer, an error or a time-out; the message holds the end of its stderr."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(text: str, lines: int = 6) -> str:
    kept = [line for line in text.splitlines() if line.strip()][-lines:]
    return " | ".join(kept)


class Server:
    """One server process, its output in a log file under `work` (or a pipe, for `ready <port>`)."""

    http_port = 0
    tcp_port = 0

    def __init__(self, name: str, args: List[str], work: Path, env: Optional[Dict[str, str]] = None, stdout: Any = None):
        self.name = name
        self.log_path = work / ("%s-%d.log" % (name, time.monotonic_ns()))
        self.log = open(self.log_path, "w+")
        self.process = subprocess.Popen(
            args, env=env, stdout=stdout or self.log, stderr=self.log, stdin=subprocess.DEVNULL, text=True
        )
        self.pid = self.process.pid

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text()

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise StartError("%s exited with status %s: %s" % (self.name, self.process.returncode, _tail(self.output())))

    def wait_tcp(self, port: int, timeout: float = 60) -> None:
        self._wait(lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close(), timeout)

    def wait_http(self, url: str, ca: Optional[Path] = None, timeout: float = 60) -> None:
        """Until `url` answers 200 (over https, trusting `ca`)."""
        context = ssl.create_default_context(cafile=str(ca)) if ca else None

        def ready() -> None:
            with urllib.request.urlopen(url, timeout=1, context=context) as r:
                if r.status != 200:
                    raise OSError("status %d" % r.status)

        self._wait(ready, timeout)

    def _wait(self, probe: Any, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            try:
                probe()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise StartError("%s not ready after %gs: %s" % (self.name, timeout, _tail(self.output()))) from None
                time.sleep(0.05)

    def ready_port(self) -> int:
        """The port from the server's first line, `ready <port>` (the Rust echo server)."""
        line = self.process.stdout.readline()
        if not line.startswith("ready "):
            self.check_alive()
            raise StartError("%s said %r instead of `ready <port>`" % (self.name, line))
        return int(line.split()[1])

    def peak_rss_mb(self) -> Optional[float]:
        """VmHWM of the live server: the most resident memory it ever had."""
        try:
            with open("/proc/%d/status" % self.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        self.log.close()

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def run_json(args: List[str], env: Optional[Dict[str, str]], timeout: float) -> Dict[str, Any]:
    """Runs a client to completion; its last line of stdout is its JSON figures."""
    try:
        out = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        stderr = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
        raise ClientError("no answer after %gs: %s" % (timeout, _tail(stderr))) from None
    if out.returncode != 0:
        raise ClientError("exit status %d: %s" % (out.returncode, _tail(out.stderr)))
    lines = out.stdout.strip().splitlines()
    if not lines:
        raise ClientError("no figures printed: %s" % _tail(out.stderr))
    result: Dict[str, Any] = json.loads(lines[-1])
    return result


def machine(opts: Any, root: Path) -> Dict[str, Any]:
    """Where and how the figures were taken."""
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True).stdout.strip()
    return {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(mem_kb / 2**20, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "git_commit": commit + ("-dirty" if dirty else ""),
        "load_after": os.getloadavg(),
        "argv": sys.argv[1:],
        "options": {k: v for k, v in vars(opts).items()},
    }
