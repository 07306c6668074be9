"""What bounds an HTTP connection: --idleTimeout closes silent and idle
kept-alive connections, --headerTimeout half-sent ones (a slowloris), --maxConnections caps how many the HTTP
listeners hold, and --maxBodyBytes answers a larger body 413 with the JSON
error body; through all of it gg keeps serving."""

import os
import socket
import time
from pathlib import Path

import pytest

from gateway import Gateway, request

FIXTURES = Path(__file__).parent / "fixtures"
ENV = dict(os.environ, PYTHONPATH=str(FIXTURES / "pythonpath"))
SVC = ("--modules", str(FIXTURES / "svc"))

HALF_HEADERS = b"POST /call/Inventory/add HTTP/1.1\r\nHost: gg\r\nContent-Le"
HALF_BODY = b"POST /call/Inventory/add HTTP/1.1\r\nHost: gg\r\nContent-Length: 100\r\n\r\n{\"a\": "


def open_connections(port, count, first_bytes):
    """`count` connections to `port`, each sent `first_bytes` (maybe none) and then nothing more."""
    conns = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        if first_bytes:
            sock.sendall(first_bytes)
        conns.append(sock)
    return conns


def closed_by_gg(sock, until):
    """Whether gg closes `sock` before the monotonic time `until` (an answer before the close is allowed)."""
    while time.monotonic() < until:
        sock.settimeout(max(0.01, until - time.monotonic()))
        try:
            if sock.recv(4096) == b"":
                return True
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
    return False


def test_400_silent_or_half_sent_connections_are_closed_and_gg_keeps_serving():
    args = ["--headerTimeout", "1", "--idleTimeout", "1", "--maxConnections", "1000"]
    with Gateway(*SVC, args=args, env=ENV) as gg:
        started = time.monotonic()
        conns = (
            open_connections(gg.port, 150, b"")
            + open_connections(gg.port, 150, HALF_HEADERS)
            + open_connections(gg.port, 50, HALF_BODY)
            + open_connections(gg.http_port, 50, HALF_HEADERS)
        )
        assert len(conns) == 400
        assert gg.call("Inventory", "add", {"a": 2, "b": 3}).json() == 5
        until = started + 6  # 1 s of timeout, with room for a loaded machine
        still_open = [c for c in conns if not closed_by_gg(c, until)]
        for c in conns:
            c.close()
        assert not still_open, "%d of 400 connections still open after 6 s" % len(still_open)
        assert gg.call("Inventory", "add", {"a": 4}).json() == 5
        assert request(gg.web + "/status").status == 200


def test_a_connection_past_the_limit_waits_until_one_closes():
    with Gateway(*SVC, args=["--idleTimeout", "2", "--maxConnections", "20"], env=ENV) as gg:
        time.sleep(0.3)  # the start-up's own probe connections have ended
        held = open_connections(gg.port, 20, b"")
        started = time.monotonic()
        answer = gg.call("Inventory", "add", {"a": 1, "b": 1}, timeout=20)
        waited = time.monotonic() - started
        for c in held:
            c.close()
        assert answer.json() == 2
        # The 21st connection was accepted only once the silent ones timed out (2 s).
        assert 1.0 < waited < 10, waited
        started = time.monotonic()
        assert gg.call("Inventory", "add", {"a": 1, "b": 1}).json() == 2
        assert time.monotonic() - started < 1.0


def test_a_kept_alive_connection_closes_when_idle_but_not_while_a_call_runs():
    import http.client

    with Gateway(*SVC, args=["--idleTimeout", "1", "--headerTimeout", "1"], env=ENV) as gg:
        conn = http.client.HTTPConnection("127.0.0.1", gg.port, timeout=10)
        conn.request("POST", "/call/Inventory/sleep", body=b'{"seconds": 2.5}')
        assert conn.getresponse().read() == b"2.5"  # the call outlived both timeouts
        conn.request("POST", "/call/Inventory/add", body=b'{"a": 1}')
        assert conn.getresponse().read() == b"2"  # the same connection, kept alive
        assert closed_by_gg(conn.sock, time.monotonic() + 5)
        conn.close()


def test_a_body_over_max_body_bytes_answers_413_with_the_json_error_body():
    with Gateway(*SVC, args=["--maxBodyBytes", "1000"], env=ENV) as gg:
        small = {"data": "a" * 500}
        assert gg.call("Inventory", "blob", small).status != 413
        big = gg.call("Inventory", "add", b'{"a": 1, "b": 1, "pad": "' + b"x" * 2000 + b'"}')
        assert big.status == 413
        assert big.headers["Content-Type"] == "application/json"
        error = big.json()["error"]
        assert error["type"] == "PayloadTooLarge"
        assert "--maxBodyBytes" in error["message"]
        assert gg.call("Inventory", "add", {"a": 1, "b": 1}).json() == 2


def test_the_default_body_limit_is_the_tcp_frame_limit():
    with Gateway(*SVC, env=ENV) as gg:
        # 3 MiB: past axum's 2 MiB default, within the 64 MiB of a TCP frame.
        body = b'{"a": 1, "b": 1, "pad": "' + b"x" * (3 << 20) + b'"}'
        answer = gg.call("Inventory", "add", body)
        assert answer.status == 400, answer.body[:300]  # the extra argument, not the size
        assert answer.json()["error"]["type"] == "ArgumentError"
        over = gg.call("Inventory", "add", b"x" * ((64 << 20) + 1), timeout=60)
        assert over.status == 413, over.body[:300]


@pytest.mark.parametrize("flag", ["--headerTimeout=0", "--maxConnections=0", "--maxBodyBytes=0", "--drainDelay=-1"])
def test_limits_out_of_range_are_refused(flag):
    from gateway import run_gg

    assert run_gg(str(FIXTURES / "svc"), flag).returncode == 2
