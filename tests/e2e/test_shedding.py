"""Load shedding: past `--maxInFlight` (the gateway) or
`--maxInFlightPerConnection` (one TCP connection) a call is refused at once
as Overloaded, never queued: HTTP 503 with Retry-After and a JSON error,
TCP an Error of status 8 (status 5 for a client of version 7)."""

import socket
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))

from graft_runtime import wire  # noqa: E402

from gateway import Gateway, older_call, read_exactly, read_frame_body, request  # noqa: E402

LOAD = str(Path(__file__).parent / "fixtures" / "resilience" / "load.py")


@pytest.fixture(scope="module")
def gg():
    args = ["--maxInFlight", "6", "--maxInFlightPerConnection", "3"]
    with Gateway(LOAD, tcp=True, args=args) as gateway:
        yield gateway


def metric(gg, name):
    text = request(gg.web + "/metrics").body.decode()
    lines = [line for line in text.splitlines() if line.startswith(name + " ")]
    assert lines, "no %s in /metrics" % name
    return float(lines[0].split()[1])


def naps(gg, count, seconds):
    """`count` HTTP calls of Load.nap(seconds) on threads of their own, started now."""
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(gg.call("Load", "nap", {"seconds": seconds})))
               for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads, answers


def wait_in_flight(gg, count):
    deadline = time.monotonic() + 10
    while metric(gg, "graft_calls_in_flight") < count:
        assert time.monotonic() < deadline, "the calls did not start"
        time.sleep(0.02)


def test_past_max_in_flight_http_answers_503_at_once(gg):
    shed_before = metric(gg, "graft_calls_shed_total")
    threads, answers = naps(gg, 6, 2.0)
    wait_in_flight(gg, 6)
    started = time.monotonic()
    refused = gg.call("Load", "quick", {})
    took = time.monotonic() - started
    assert refused.status == 503, refused.body
    assert took < 0.5, "the call waited %.2f s instead of being refused" % took
    assert refused.headers["Retry-After"] == "1"
    error = refused.json()["error"]
    assert error["type"] == "Overloaded" and "--maxInFlight" in error["message"], error
    assert metric(gg, "graft_calls_in_flight") <= 6
    assert metric(gg, "graft_calls_shed_total") >= shed_before + 1
    for thread in threads:
        thread.join(10)
    assert sorted(a.status for a in answers) == [200] * 6
    assert gg.call("Load", "quick", {}).status == 200  # places are free again


def connect(port, version=wire.VERSION):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(wire.encode_hello(version=version))
    hello = wire.decode_hello(read_exactly(sock, wire.HELLO_SIZE))
    assert (hello.version, hello.status) == (version, 0)
    return sock


def nap_call(request_id, seconds, version=wire.VERSION):
    frame = wire.encode_call(request_id, "Load", "nap", [seconds], {})
    return frame if version >= 7 else older_call(frame, "Load", "nap", version)


@pytest.mark.parametrize("version, status", [(wire.VERSION, wire.STATUS_OVERLOADED), (7, wire.STATUS_UNAVAILABLE)])
def test_past_max_in_flight_per_connection_tcp_refuses_at_once(gg, version, status):
    with connect(gg.tcp_port, version) as sock:
        started = time.monotonic()
        sock.sendall(b"".join(bytes(nap_call(i, 1.0, version)) for i in range(1, 5)))
        first = wire.parse_frame(read_frame_body(sock))
        assert time.monotonic() - started < 0.5, "the fourth call was queued"
        assert (type(first).__name__, first.request_id, first.status) == ("ErrorFrame", 4, status), first
        assert "3 calls run on this connection" in first.raised.message
        replies = [wire.parse_frame(read_frame_body(sock)) for _ in range(3)]
        assert sorted(r.request_id for r in replies) == [1, 2, 3]


def test_the_error_is_overloaded_for_a_graft(gg):
    """The Python runtime raises Overloaded, naming the gateway, for status 8."""
    with connect(gg.tcp_port) as sock:
        sock.sendall(b"".join(bytes(nap_call(i, 1.0)) for i in range(1, 5)))
        error = wire.parse_frame(read_frame_body(sock))
        raised = wire.error_of(error.status, error.raised, "127.0.0.1", gg.tcp_port)
        assert isinstance(raised, wire.Overloaded) and isinstance(raised, ConnectionError)
        assert "127.0.0.1:%d is overloaded" % gg.tcp_port in str(raised)
        for _ in range(3):
            read_frame_body(sock)
