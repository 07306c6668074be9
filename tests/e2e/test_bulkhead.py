"""Bulkheads: one stuck plain method holds at most --maxThreadsPerMethod
blocking threads (a quarter of the 512 by default), counting calls past
their deadline that still run; its further calls are refused at once as
Overloaded, and every other plain method still answers within milliseconds."""

import socket
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))

from graft_runtime import wire  # noqa: E402

from gateway import Gateway, read_exactly, read_frame_body, request  # noqa: E402

LOAD = str(Path(__file__).parent / "fixtures" / "resilience" / "load.py")
STUCK_SECONDS = 30  # longer than the test: the gateway is stopped while they still sleep


def metric(gg, name):
    text = request(gg.web + "/metrics").body.decode()
    return float(next(line.split()[1] for line in text.splitlines() if line.startswith(name + " ")))


def stuck_calls(port, first_id, count):
    """A connection sending `count` calls of Load.stuck, each with a 1 s timeout."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    sock.sendall(wire.encode_hello())
    assert wire.decode_hello(read_exactly(sock, wire.HELLO_SIZE)).status == 0
    calls = (bytes(wire.encode_call(i, "Load", "stuck", [STUCK_SECONDS], {}, timeout_ms=1000))
             for i in range(first_id, first_id + count))
    sock.sendall(b"".join(calls))
    return sock


def statuses(sock, count):
    return [wire.parse_frame(read_frame_body(sock)).status for _ in range(count)]


@pytest.fixture
def gg():
    with Gateway(LOAD, tcp=True, args=["--callTimeout", "5"]) as gateway:
        yield gateway
        gateway.stop(timeout=5)


def test_600_stuck_calls_of_one_method_leave_the_others_answering(gg):
    conns = [stuck_calls(gg.tcp_port, 1 + 200 * n, 200) for n in range(3)]
    time.sleep(0.3)  # all 600 have arrived and started or been refused
    for _ in range(20):
        started = time.monotonic()
        answer = gg.call("Load", "quick", {}, timeout=5)
        took = time.monotonic() - started
        assert answer.status == 200 and answer.json() == "quick", answer.body
        assert took < 0.25, "another plain method took %.3f s next to the stuck ones" % took
    # 128 ran (a quarter of 512 threads); the rest were refused at once; the
    # 128 time out after their 1 s and are counted as abandoned.
    seen = [status for sock in conns for status in statuses(sock, 200)]
    assert seen.count(wire.STATUS_OVERLOADED) == 600 - 128, sorted(set(seen))
    assert seen.count(wire.STATUS_DEADLINE_EXCEEDED) == 128
    assert metric(gg, "graft_calls_abandoned_total") == 128
    assert metric(gg, "graft_calls_shed_total") == 600 - 128
    # Past their deadline they still hold their threads: more calls are refused.
    with stuck_calls(gg.tcp_port, 1, 1) as sock:
        assert statuses(sock, 1) == [wire.STATUS_OVERLOADED]
    assert gg.call("Load", "quick", {}, timeout=5).status == 200
    for sock in conns:
        sock.close()


def open_stream(gg, method, args, status=200):
    """A streaming call of Load over HTTP, held open: (connection, its first
    NDJSON line, parsed; or the error body of a refused one)."""
    import http.client
    import json

    conn = http.client.HTTPConnection("127.0.0.1", gg.port, timeout=30)
    conn.request("POST", "/call/Load/%s" % method, body=json.dumps(args), headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    assert response.status == status
    if status != 200:
        assert response.getheader("Retry-After") == "1"
        return conn, json.loads(response.read())
    return conn, json.loads(response.readline())


def test_plain_generators_hold_their_methods_threads_and_streams_count_in_flight():
    with Gateway(LOAD, args=["--maxThreadsPerMethod", "2", "--maxInFlight", "3"]) as gg:
        held = [open_stream(gg, "drip", {"seconds": STUCK_SECONDS}) for _ in range(2)]
        assert [first for _, first in held] == [0.0, 0.0]
        # A third stream of the stuck generator would take a third thread: refused at once, 503.
        conn, refused = open_stream(gg, "drip", {"seconds": STUCK_SECONDS}, status=503)
        conn.close()
        error = refused["error"]
        assert error["type"] == "Overloaded" and "Load.drip holds 2 blocking threads" in error["message"], error
        assert gg.call("Load", "quick", {}, timeout=5).json() == "quick"
        # Streams are calls in flight (--maxInFlight 3): the third open one fills it.
        held.append(open_stream(gg, "trickle", {"seconds": STUCK_SECONDS}))
        full = gg.call("Load", "quick", {}, timeout=5)
        assert full.status == 503 and "--maxInFlight" in full.json()["error"]["message"], full.body
        conn, refused = open_stream(gg, "trickle", {"seconds": 1}, status=503)
        conn.close()
        assert "--maxInFlight" in refused["error"]["message"], refused
        assert metric(gg, "graft_calls_shed_total") == 3
        for conn, _ in held:
            conn.close()
        gg.stop(timeout=5)
