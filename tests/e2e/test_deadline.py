"""Deadlines propagate (issue 16): an HTTP caller's `Graft-Timeout-Ms`
becomes the call's deadline; hosted code reads what is left with
`graft_context.deadline()`; a Graft called inside gets no more than that, so
at the deadline the caller gets a timeout, the next gateway cancels its
coroutine (seen on that provider) and a plain method's result is dropped
and counted. The timeout's message names the limit and what set it, the
same over HTTP and TCP. Two real gateways, the Graft installed with pip."""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from gateway import Gateway, read_exactly, read_frame_body, request

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))

from graft_runtime import wire  # noqa: E402

BACK = """\
import asyncio
import time

import graft_context

STATE = {"cancelled": 0, "finished": 0, "left": -1.0}


class Inner:
    @staticmethod
    async def wait(seconds: float) -> float:
        STATE["left"] = graft_context.deadline() or -1.0
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            STATE["cancelled"] += 1
            raise
        STATE["finished"] += 1
        return seconds

    @staticmethod
    def left() -> float:
        left = graft_context.deadline()
        return -1.0 if left is None else left

    @staticmethod
    def block(seconds: float) -> float:
        time.sleep(seconds)
        return seconds

    @staticmethod
    def state() -> dict[str, float]:
        return dict(STATE)
"""

FRONT = """\
import os

import graft_context
from graft_pypi_inner import GraftConfig, Inner

GraftConfig.set_config(os.environ["GRAFT_CONFIG"])


class Outer:
    @staticmethod
    async def relay(seconds: float) -> float:
        return await Inner.wait(seconds)
"""


def post(gg, service, method, body, timeout_ms=None):
    """(status, JSON body, seconds taken) of one call."""
    headers = {"Content-Type": "application/json"}
    if timeout_ms is not None:
        headers["Graft-Timeout-Ms"] = str(timeout_ms)
    url = "%s/call/%s/%s" % (gg.calls, service, method)
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers=headers)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, json.loads(response.read()), time.monotonic() - started
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read()), time.monotonic() - started


BACK_MODULE = []  # the path of the module written from BACK


@pytest.fixture(scope="module")
def gateways(tmp_path_factory):
    root = tmp_path_factory.mktemp("deadline")
    (root / "back").mkdir()
    (root / "back" / "deadlineback.py").write_text(BACK)
    BACK_MODULE[:] = [str(root / "back" / "deadlineback.py")]
    (root / "front").mkdir()
    (root / "front" / "front.py").write_text(FRONT)
    with Gateway(str(root / "back" / "deadlineback.py"), tcp=True) as back:
        cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
               "--target", str(root / "lib"), "--index-url", back.web + "/simple/", "graft-pypi-inner"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stdout + out.stderr
        env = {"PYTHONPATH": str(root / "lib"),
               "GRAFT_CONFIG": "name=graft-pypi-inner;host=127.0.0.1:%d" % back.tcp_port}
        import os
        with Gateway(str(root / "front" / "front.py"), env={**os.environ, **env}) as front:
            yield front, back


def test_hosted_code_reads_the_time_left(gateways):
    _, back = gateways
    status, left, _ = post(back, "Inner", "left", {}, timeout_ms=2000)
    assert status == 200 and 1.5 < left <= 2.0, left
    status, left, _ = post(back, "Inner", "left", {})
    assert status == 200 and 299 < left <= 300, left  # --callTimeout's 300 s
    status, left, _ = post(back, "Inner", "left", {}, timeout_ms=999_999_000)
    assert 299 < left <= 300, left  # the shorter of the two wins


def test_a_deadline_propagates_through_two_gateways_and_cancels_the_coroutine(gateways):
    front, back = gateways
    status, error, took = post(front, "Outer", "relay", {"seconds": 20}, timeout_ms=800)
    assert status == 504 and error["error"]["type"] == "Timeout", error
    assert 0.7 < took < 1.6, "the caller waited %.2f s for an 0.8 s deadline" % took
    deadline = time.monotonic() + 5
    while True:
        _, state, _ = post(back, "Inner", "state", {})
        if state["cancelled"] >= 1 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert state["cancelled"] == 1 and state["finished"] == 0, state
    assert 0.3 < state["left"] <= 0.8, "the provider's call had %s s left" % state["left"]


def test_a_plain_method_past_its_deadline_is_counted_as_abandoned(gateways):
    _, back = gateways

    def abandoned():
        text = request(back.web + "/metrics").body.decode()
        return float(next(line.split()[1] for line in text.splitlines()
                          if line.startswith("graft_calls_abandoned_total ")))

    before = abandoned()
    status, error, took = post(back, "Inner", "block", {"seconds": 1.0}, timeout_ms=300)
    assert status == 504 and took < 0.9, (status, took)
    assert abandoned() == before + 1


@pytest.mark.parametrize("method", ["deadlines", "deadlines_async"])
def test_a_generator_reads_its_items_deadline(method):
    """A stream's limit is on each next item: graft_context.deadline() inside
    a generator is what is left for the item being produced, from when it
    was asked for (so it does not shrink over a long stream)."""
    load = Path(__file__).parent / "fixtures" / "resilience" / "load.py"
    with Gateway(str(load)) as gg:
        url = "%s/call/Load/%s" % (gg.calls, method)
        body = json.dumps({"n": 3, "pause": 0.4}).encode()
        timed = urllib.request.Request(url, data=body, headers={"Graft-Timeout-Ms": "2000"})
        with urllib.request.urlopen(timed, timeout=30) as response:
            left = [json.loads(line) for line in response.read().splitlines()]
        untimed = request(url, data=body, method="POST")
    assert len(left) == 3 and all(1.5 < s <= 2.0 for s in left), left
    assert all(299 < s <= 300 for s in map(json.loads, untimed.body.splitlines())), untimed.body  # --callTimeout


def tcp_error(gg, method, args, timeout_ms):
    """The Error frame gg answers `Inner.<method>(*args)` with over TCP, given `timeout_ms`."""
    with socket.create_connection(("127.0.0.1", gg.tcp_port), timeout=30) as sock:
        sock.sendall(wire.encode_hello())
        assert wire.decode_hello(read_exactly(sock, wire.HELLO_SIZE)).status == 0
        sock.sendall(wire.encode_call(1, "Inner", method, args, {}, timeout_ms=timeout_ms))
        frame = wire.parse_frame(read_frame_body(sock))
    assert isinstance(frame, wire.ErrorFrame), frame
    return frame


def test_the_timeout_names_what_set_the_deadline_over_http_and_tcp(gateways):
    _, back = gateways
    status, error, _ = post(back, "Inner", "wait", {"seconds": 5.0}, timeout_ms=300)
    message = error["error"]["message"]
    assert status == 504 and message == "Inner.wait did not finish within 0.3 s (the caller's timeout)", message
    frame = tcp_error(back, "wait", [5.0], 300)
    assert (frame.status, frame.raised.message) == (wire.STATUS_DEADLINE_EXCEEDED, message), frame
    with Gateway(BACK_MODULE[0], tcp=True, args=["--callTimeout", "0.3"]) as capped:
        status, error, _ = post(capped, "Inner", "wait", {"seconds": 5.0}, timeout_ms=2000)
        message = error["error"]["message"]
        assert status == 504 and message == "Inner.wait did not finish within 0.3 s (--callTimeout)", message
        assert tcp_error(capped, "wait", [5.0], 2000).raised.message == message
