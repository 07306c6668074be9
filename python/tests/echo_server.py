"""The real Rust server for runtime tests: graft-wire's
examples/echo_server.rs (the `Demo` service) over loopback TCP, built with
cargo unless GRAFT_WIRE_ECHO_SERVER names it; pytest fixtures for it.
"""

import asyncio
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def server_binary():
    given = os.environ.get("GRAFT_WIRE_ECHO_SERVER")
    if given:
        return given
    cargo = ["cargo", "build", "-q", "-p", "graft-wire", "--example", "echo_server"]
    subprocess.run(cargo, cwd=ROOT, check=True)
    return str(ROOT / "target" / "debug" / "examples" / "echo_server")


class Server:
    """A running echo_server process."""

    def __init__(self, binary, port=0, heartbeat_ms=None):
        argv = [binary, str(port)] + ([str(heartbeat_ms)] if heartbeat_ms else [])
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        assert line.startswith("listening on "), line
        self.port = int(line.rsplit(":", 1)[1])

    def kill(self):
        self.process.kill()
        self.process.wait(5)

    def stop_gracefully(self):
        self.process.stdin.close()  # the example's shutdown signal


@pytest.fixture
def server(server_binary):
    running = Server(server_binary)
    yield running
    running.kill()


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 20))
