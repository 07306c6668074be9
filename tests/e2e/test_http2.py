"""HTTP/2 on the call port, against the real gg over real sockets: h2c with
prior knowledge and h2 over TLS chosen by ALPN (curl, built with nghttp2),
HTTP/1.1 beside them; a connection's first bytes are read within the usual
bounds (a stalled preface closes within --headerTimeout), and an HTTP/2
connection that runs no request is idle whatever frames it sends."""

import os
import socket
import subprocess
import time
from pathlib import Path

from gateway import Gateway, read_exactly
from test_tls import TlsGateway, certs  # noqa: F401 - the certificates fixture

FIXTURES = Path(__file__).parent / "fixtures"
ENV = dict(os.environ, PYTHONPATH=str(FIXTURES / "pythonpath"))
SVC = str(FIXTURES / "svc")
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
SETTINGS = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
PING = b"\x00\x00\x08\x06\x00\x00\x00\x00\x00" + b"12345678"


def curl(*args):
    """curl's output: the body, then a line with the HTTP version it spoke."""
    out = subprocess.run(["curl", "-sS", "--max-time", "20", "-w", "\\n%{http_version}", *args],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.rsplit("\n", 1)


def post(url, body):
    return ["-X", "POST", "-H", "Content-Type: application/json", "--data", body, url]


def closed_within(sock, seconds, keep_sending=b""):
    """Whether gg closes `sock` within `seconds` (sending `keep_sending` every 0.3 s meanwhile)."""
    end = time.monotonic() + seconds
    sock.settimeout(0.3)
    while time.monotonic() < end:
        try:
            if keep_sending:
                sock.sendall(keep_sending)
            if sock.recv(65536) == b"":
                return True
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return True
    return False


def test_h2c_with_prior_knowledge_and_http1_on_the_call_port():
    with Gateway("--modules", SVC, env=ENV) as gg:
        url = gg.calls + "/call/Inventory/add"
        assert curl("--http2-prior-knowledge", *post(url, '{"a": 2, "b": 3}')) == ["5", "2"]
        body, version = curl("--http2-prior-knowledge", *post(url, '{"a": "x"}'))
        assert version == "2" and '"param":"a"' in body.replace(" ", ""), body
        assert curl("--http1.1", *post(url, '{"a": 2}')) == ["3", "1.1"]
        assert curl(*post(url, '{"a": 2}')) == ["3", "1.1"]  # no upgrade without prior knowledge
        end = time.monotonic() + 5
        while gg.output().count("method=add") < 3 and time.monotonic() < end:
            time.sleep(0.05)
        assert gg.output().count("method=add") == 3, gg.output()  # the refused one is no call


def test_h2_over_tls_is_chosen_by_alpn(certs):  # noqa: F811
    with TlsGateway(certs) as gg:
        args = ["--cacert", str(certs / "ca.pem")]
        url = gg.calls + "/call/Adder/add"
        assert curl("--http2", *args, *post(url, '{"a": 1, "b": 2}')) == ["3", "2"]
        # Two requests on one connection (curl 7.88 reuses an h2c one only over TLS).
        both = curl("--http2", *args, "-w", "[%{http_version} %{num_connects}]", *post(url, '{"a": 1, "b": 2}'), url)
        assert both == ["3[2 1]3[2 0]"], both
        assert curl("--http1.1", *args, *post(url, '{"a": 1, "b": 2}')) == ["3", "1.1"]


def test_first_bytes_and_idle_http2_connections_are_bounded():
    args = ["--headerTimeout", "1", "--idleTimeout", "3"]
    with Gateway("--modules", SVC, args=args, env=ENV) as gg:
        stalled = socket.create_connection(("127.0.0.1", gg.port))
        stalled.sendall(PREFACE[:8])  # "PRI * HT", then nothing
        assert closed_within(stalled, 2.5), "a stalled preface is closed within --headerTimeout"
        pinging = socket.create_connection(("127.0.0.1", gg.port))
        pinging.sendall(PREFACE + SETTINGS)
        started = time.monotonic()
        assert closed_within(pinging, 6, keep_sending=PING), "pings are no request: idle after --idleTimeout"
        assert time.monotonic() - started > 2.5
        # The HTTP/1 side keeps its header timeout.
        slow = socket.create_connection(("127.0.0.1", gg.port))
        slow.sendall(b"POST /call/Inventory/add HTTP/1.1\r\n")
        assert closed_within(slow, 2.5)
        for sock in (stalled, pinging, slow):
            sock.close()


def server_settings(port):
    """The settings gg's first SETTINGS frame announces on a new h2c connection: {id: value}."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(PREFACE + SETTINGS)
        head = read_exactly(sock, 9)
        length, kind = int.from_bytes(head[:3], "big"), head[3]
        assert kind == 4 and head[4] & 1 == 0, head  # SETTINGS, not an ACK
        body = read_exactly(sock, length)
    return {int.from_bytes(body[i:i + 2], "big"): int.from_bytes(body[i + 2:i + 6], "big")
            for i in range(0, length, 6)}


def test_http2_runs_at_most_max_in_flight_per_connection_streams():
    max_concurrent_streams = 0x3
    with Gateway("--modules", SVC, args=["--maxInFlightPerConnection", "7"], env=ENV) as gg:
        assert server_settings(gg.port).get(max_concurrent_streams) == 7
    with Gateway("--modules", SVC, env=ENV) as gg:
        assert server_settings(gg.port).get(max_concurrent_streams) == 256  # the default
