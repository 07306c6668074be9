"""Replicas of one service for tests/e2e/test_replicas*.py: real `gg` processes
on 127.0.0.2, 127.0.0.3, ... (the whole 127/8 is on loopback here), all on
the same ports, as replicas on several hosts would be; and its graft,
installed by pip from the first replica's index."""

import asyncio
import importlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from gateway import GG, Gateway, _log_path, _with_state_dir, free_port, request

FIXTURE = Path(__file__).parent / "fixtures" / "replicas"
GRAFT = "graft-pypi-inventory"


class Replica:
    """One gg on `ip`, serving the fixture; `netns` runs it in that network namespace."""

    def __init__(self, ip, ports, args=(), netns=None):
        self.ip, self.ports, self.args, self.netns = ip, ports, list(args), netns
        self.process = None
        self.log = open(_log_path(), "w+")

    @property
    def address(self):
        return "%s:%d" % (self.ip, self.ports["tcp"])

    def start(self, wait=True):
        command = [str(GG), str(FIXTURE / "inventory.py"), "--bind", self.ip, "--port", str(self.ports["port"]),
                   "--httpPort", str(self.ports["http"]), "--TCPServer", "--tcpPort", str(self.ports["tcp"]), *self.args]
        if self.netns:
            command = ["ip", "netns", "exec", self.netns, *command]
        env = _with_state_dir(dict(os.environ, REPLICA=self.ip))
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "gg on %s exited:\n%s" % (self.ip, self.output())
            if self.netns or _ready("http://%s:%d/readyz" % (self.ip, self.ports["http"])):
                if not self.netns or self._ready_in_netns():
                    return
            time.sleep(0.05)
        raise AssertionError("gg on %s did not become ready:\n%s" % (self.ip, self.output()))

    def _ready_in_netns(self):
        url = "http://%s:%d/readyz" % (self.ip, self.ports["http"])
        probe = "import urllib.request as u; u.urlopen(%r, timeout=1)" % url
        out = subprocess.run(["ip", "netns", "exec", self.netns, sys.executable, "-c", probe], capture_output=True, timeout=10)
        return out.returncode == 0

    def send(self, sig):
        self.process.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=40):
        return Gateway.stop(self, sig, timeout) if self.process is not None else None

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()


def _ready(url):
    try:
        return request(url, timeout=1).status == 200
    except OSError:
        return False


def ports():
    """One set of ports for every replica (free on 127.0.0.1, so most likely on the others)."""
    return {"port": free_port(), "http": free_port(), "tcp": free_port()}


def start(ips, args=(), netns=None):
    shared = ports()
    replicas = [Replica(ip, shared, args, netns).start(wait=False) for ip in ips]
    for replica in replicas:
        replica.wait_ready()
    return replicas


def install_graft(replica, target):
    """The service's graft, by pip from `replica`'s index, into `target`; the imported package."""
    index = "http://%s:%d/simple/" % (replica.ip, replica.ports["http"])
    cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir", "--target",
           str(target), "--index-url", index, GRAFT]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    sys.path.insert(0, str(target))
    return importlib.import_module(GRAFT.replace("-", "_"))


def configure(graft, hosts, **keys):
    """Points `graft` at `hosts` (a list of host:port) with the given replica keys."""
    extra = "".join(";%s=%s" % kv for kv in keys.items())
    graft.GraftConfig.set_config("name=%s;host=%s;timeout=20%s" % (GRAFT, ",".join(hosts), extra))


async def hammer(call, callers, until, results):
    """`callers` tasks each calling `call()` until `until()` is true; each
    outcome appended to `results` as (time, kind, value or exception)."""

    async def one():
        while not until():
            started = time.monotonic()
            try:
                value = await call()
                results.append((started, "ok", value))
            except Exception as e:  # noqa: BLE001 - every failure is counted
                results.append((started, "error", e))
                await asyncio.sleep(0)  # a call failing at once must not starve the others

    await asyncio.gather(*(one() for _ in range(callers)))
