"""A real `redis-server` (Debian's package) for the broker tests, on a free
port with its own temporary folder, and a few plain commands against it."""

import shutil
import socket
import subprocess
import tempfile
import time

import pytest

from gateway import free_port


class RedisServer:
    """`redis-server` on 127.0.0.1 and a free port, stopped on exit."""

    def __init__(self):
        if shutil.which("redis-server") is None:
            pytest.fail("redis-server is not installed: scripts/setup.sh installs it (apt-get install redis-server)")
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="graft-redis-")
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
                "--save", "", "--appendonly", "no", "--daemonize", "no"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.command("PING") == "PONG":
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError("redis-server did not start on port %d" % self.port)

    @property
    def url(self):
        return "redis://127.0.0.1:%d/0" % self.port

    def command(self, *args):
        """One command's reply: str, int, bytes, None or a list."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            out = b"*%d\r\n" % len(args)
            for arg in args:
                data = arg if isinstance(arg, bytes) else str(arg).encode()
                out += b"$%d\r\n%s\r\n" % (len(data), data)
            sock.sendall(out)
            return _reply(sock.makefile("rb"))

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def _reply(f):
    line = f.readline()
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        raise AssertionError("Redis: " + rest.decode())
    if kind == b":":
        return int(rest)
    if kind == b"$":
        return None if int(rest) < 0 else f.read(int(rest) + 2)[:-2]
    if kind == b"*":
        return None if int(rest) < 0 else [_reply(f) for _ in range(int(rest))]
    raise AssertionError("not RESP: %r" % line)
