"""Starting and talking to the real `gg` binary, for the end-to-end tests.

Everything here uses the standard library only: real sockets, real
processes. `GG_BIN` names the binary (default: `target/debug/gg`).
"""

import json
import os
import signal
import socket
import struct
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GG = Path(os.environ.get("GG_BIN", ROOT / "target" / "debug" / "gg"))


def read_exactly(sock, n):
    """`n` bytes from a raw socket (a wire connection); fails if gg closes it first."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        assert chunk, "gg closed the connection"
        data += chunk
    return data


def read_frame_body(sock):
    """The next wire frame's bytes after its length prefix, for `graft_runtime.wire.parse_frame`."""
    (length,) = struct.unpack(">I", read_exactly(sock, 4))
    return read_exactly(sock, length)


def older_call(frame, service, method, version=5):
    """A Call frame on no object and with no metadata (`wire.encode_call`) as
    an older version lays it out: version 6 without the metadata count
    (added in 7), versions 3 to 5 also without the empty object id (added in 6)."""
    at = 4 + 9 + 8 + len(service.encode()) + len(method.encode())
    assert frame[at:at + 6] == b"\0" * 6, "only a call on no object, with no metadata, has an older form"
    dropped = 2 if version == 6 else 6
    body = frame[4:at] + frame[at + dropped:]
    return struct.pack(">I", len(body)) + body


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Response:
    def __init__(self, status, body, headers):
        self.status = status
        self.body = body
        self.headers = headers

    def json(self):
        return json.loads(self.body)


def request(url, data=None, method=None, timeout=30, headers=None):
    """One HTTP request (with `headers`, if given); answers a Response whatever the status."""
    if isinstance(data, (dict, list, int, str)) and not isinstance(data, bytes):
        data = json.dumps(data).encode()
    req = urllib.request.Request(url, data=data, method=method or ("POST" if data is not None else "GET"),
                                 headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Response(r.status, r.read(), r.headers)
    except urllib.error.HTTPError as e:
        return Response(e.code, e.read(), e.headers)


class Gateway:
    """A running `gg` on free loopback ports."""

    def __init__(self, *modules, args=(), env=None, cwd=None, tcp=False):
        self.port = free_port()
        self.http_port = free_port()
        self.tcp_port = free_port() if tcp else None
        command = [*modules, "--port", str(self.port), "--httpPort", str(self.http_port), "--bind", "127.0.0.1", *args]
        if not any(str(arg).lower().startswith("--draindelay") for arg in args):
            command.append("--drainDelay=0")  # stop at once: no load balancer to tell
        if tcp:
            command += ["--TCPServer", "--tcpPort=%d" % self.tcp_port]
        self._start(command, env, cwd)

    @classmethod
    def raw(cls, args, http_port, port=None, tcp_port=None, env=None, cwd=None):
        """A gateway started with exactly `args`, which must set the ports given here."""
        self = cls.__new__(cls)
        self.port, self.http_port, self.tcp_port = port, http_port, tcp_port
        self._start(list(args), env, cwd)
        return self

    def _start(self, args, env, cwd):
        env = _with_state_dir(env)
        self.log = open(_log_path(), "w+")
        self.process = subprocess.Popen([str(GG), *args], cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_ready()

    @property
    def calls(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def web(self):
        return "http://127.0.0.1:%d" % self.http_port

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("gg exited with %s:\n%s" % (self.process.returncode, self.output()))
            try:
                if request(self.web + "/readyz", timeout=1).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("gg did not become ready:\n" + self.output())

    def call(self, service, method, args=None, timeout=30):
        body = b"" if args is None else args
        return request("%s/call/%s/%s" % (self.calls, service, method), data=body, method="POST", timeout=timeout)

    def output(self, wait_for=None, timeout=5.0):
        """gg's log so far; with `wait_for`, once it holds that text (access
        lines reach the log within 0.1 s of their call), or after `timeout`."""
        end = time.monotonic() + timeout
        while True:
            self.log.flush()
            self.log.seek(0)
            text = self.log.read()
            if wait_for is None or wait_for in text or time.monotonic() > end:
                return text
            time.sleep(0.02)

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        self.log.close()


def _log_path():
    import tempfile

    fd, path = tempfile.mkstemp(prefix="gg-", suffix=".log")
    os.close(fd)
    return path


def run_gg(*args, cwd=None, env=None, timeout=30):
    """Runs gg to completion (for start-up errors, --help, --version)."""
    env = _with_state_dir(env)
    return subprocess.run([str(GG), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


_STATE_DIR = None


def _with_state_dir(env):
    """Keeps the gateways' state (the graft version store) out of the user's home."""
    global _STATE_DIR
    import tempfile

    env = dict(os.environ if env is None else env)
    if "GRAFT_STATE_DIR" not in env:
        if _STATE_DIR is None:
            _STATE_DIR = tempfile.mkdtemp(prefix="gg-state-")
        env["GRAFT_STATE_DIR"] = _STATE_DIR
    return env
