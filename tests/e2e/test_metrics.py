"""/metrics against the real gg: the counts equal the calls made over HTTP
and TCP (read with prometheus_client's parser), a running call is in flight,
and `promtool check metrics` finds nothing to complain about."""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))
from graft_runtime import wire  # noqa: E402

from gateway import Gateway, read_exactly, read_frame_body, request  # noqa: E402
from test_auth import fetch  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
ENV = dict(os.environ, PYTHONPATH=str(FIXTURES / "pythonpath"))
MODULES = ("--modules", "%s,%s" % (FIXTURES / "svc", FIXTURES / "streams" / "feed.py"))


def tcp_calls(port, calls):
    """Makes each (method, kwargs) call to Inventory on one TCP connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(wire.encode_hello())
        read_exactly(sock, wire.HELLO_SIZE)
        for n, (method, kwargs) in enumerate(calls, 1):
            sock.sendall(wire.encode_call(n, "Inventory", method, [], kwargs))
            assert wire.parse_frame(read_frame_body(sock)).request_id == n


def scrape(gg):
    answer = request(gg.web + "/metrics")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return answer.body.decode()


def samples(text):
    """{(name, frozenset(labels)): value} of every sample."""
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found[(s.name, frozenset(s.labels.items()))] = s.value
    return found


def value(found, name, **labels):
    return found.get((name, frozenset(labels.items())))


def test_metrics_count_the_calls_made_over_http_and_tcp():
    with Gateway(*MODULES, tcp=True, env=ENV) as gg:
        for a in range(3):
            assert gg.call("Inventory", "add", {"a": a}).status == 200
        for _ in range(2):
            assert gg.call("Inventory", "reserve", {"sku": "x", "wanted": 1}).status == 500
        assert gg.call("Feed", "count", {"n": 4}).body.count(b"\n") == 4
        assert gg.call("Inventory", "add", {"a": "x"}).status == 400
        tcp_calls(gg.tcp_port, [("add", {"a": 1})] * 4 + [("reserve", {"sku": "x", "wanted": 1}), ("add", {"a": "x"})])
        found = samples(scrape(gg))

    def counted(name, **labels):
        return value(found, name, service=labels.pop("service", "Inventory"), **labels)

    assert counted("graft_calls_started_total", method="add", protocol="http") == 3
    assert counted("graft_calls_handled_total", method="add", protocol="http", outcome="ok") == 3
    assert counted("graft_calls_handled_total", method="reserve", protocol="http", outcome="raised") == 2
    assert counted("graft_calls_handled_total", service="Feed", method="count", protocol="http", outcome="ok") == 1
    assert counted("graft_calls_started_total", method="add", protocol="tcp") == 4
    assert counted("graft_calls_handled_total", method="add", protocol="tcp", outcome="ok") == 4
    assert counted("graft_calls_handled_total", method="reserve", protocol="tcp", outcome="raised") == 1
    # Arguments that do not fit are refused before the call begins, over TCP as over HTTP.
    for protocol in ("http", "tcp"):
        assert counted("graft_calls_handled_total", method="add", protocol=protocol, outcome="bad_arguments") is None
        assert value(found, "graft_calls_refused_total", protocol=protocol, outcome="bad_arguments") == 1
    assert counted("graft_call_duration_seconds_count", method="add") == 7
    assert counted("graft_call_duration_seconds_bucket", method="add", le="+Inf") == 7
    assert counted("graft_call_duration_seconds_count", method="reserve") == 3
    handled = sum(v for (name, _), v in found.items() if name == "graft_calls_handled_total")
    assert handled == 3 + 2 + 1 + 5
    assert value(found, "graft_calls_in_flight") == 0
    assert value(found, "graft_streams_open") == 0
    assert value(found, "graft_remote_objects") == 0
    assert value(found, "graft_http_connections_open", listener="web") >= 1  # the scrape's own
    assert value(found, "graft_http_received_bytes_total", listener="calls") > 6 * 100
    assert value(found, "graft_http_sent_bytes_total", listener="calls") > 6 * 100
    assert value(found, "process_resident_memory_bytes") > 10 << 20
    assert value(found, "process_open_fds") > 0


def test_a_running_call_and_stream_are_in_flight():
    with Gateway(*MODULES, env=ENV) as gg:
        slow = threading.Thread(target=gg.call, args=("Inventory", "sleep", {"seconds": 1.5}))
        slow.start()
        time.sleep(0.5)
        running = samples(scrape(gg))
        slow.join()
        done = samples(scrape(gg))
    assert value(running, "graft_calls_in_flight") == 1
    assert value(running, "graft_calls_started_total", service="Inventory", method="sleep", protocol="http") == 1
    assert value(running, "graft_calls_handled_total", service="Inventory", method="sleep", protocol="http",
                 outcome="ok") is None
    assert value(done, "graft_calls_in_flight") == 0
    assert value(done, "graft_calls_handled_total", service="Inventory", method="sleep", protocol="http",
                 outcome="ok") == 1


def test_promtool_finds_nothing_to_complain_about():
    with Gateway(*MODULES, tcp=True, env=ENV) as gg:
        gg.call("Inventory", "add", {"a": 1})
        gg.call("Inventory", "reserve", {"sku": "x", "wanted": 1})
        tcp_calls(gg.tcp_port, [("add", {"a": 2})])
        text = scrape(gg)
    checked = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0 and not checked.stdout.strip() and not checked.stderr.strip(), (
        checked.stdout + checked.stderr
    )


class Counted:
    """A raw TCP connection that counts the bytes it sends and receives after the hello."""

    def __init__(self, port, token=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(wire.encode_hello())
        read_exactly(self.sock, wire.HELLO_SIZE)
        self.sent = self.received = self.ids = 0
        if token is not None:
            self.send(wire.encode_auth(token))

    def send(self, frame):
        self.sock.sendall(frame)
        self.sent += len(frame)

    def call(self, method, **kwargs):
        self.ids += 1
        self.send(wire.encode_call(self.ids, "Inventory", method, [], kwargs))
        body = read_frame_body(self.sock)
        self.received += 4 + len(body)
        return wire.parse_frame(body)


def test_tcp_traffic_and_refused_calls_are_counted(tmp_path):
    tokens = tmp_path / "tokens"
    tokens.write_text("ops=tok-ops-4Kq\n")
    with Gateway(*MODULES, tcp=True, args=["--authTokens", str(tokens)], env=ENV) as gg:
        def post(path, body, token="tok-ops-4Kq"):
            return fetch(gg.calls + path, token and "Bearer " + token, data=body)[0]

        assert post("/call/Nowhere/add", b"{}") == 404
        assert post("/call/Inventory/nowhere", b"{}") == 404
        assert post("/objects/Nowhere", b"{}") == 404
        assert post("/call/Inventory/add", b'{"a": "x"}') == 400
        assert post("/call/Inventory/add", b'{"b": 1}') == 400
        assert post("/call/Inventory/add", b"not json") == 400
        assert post("/call/Inventory/add", b'{"a": 1}', token=None) == 401
        assert request(gg.web + "/libraries").status == 401  # not a call: not counted
        assert post("/call/Inventory/add", b'{"a": 1}') == 200
        connections = [Counted(gg.tcp_port, "tok-ops-4Kq"), Counted(gg.tcp_port, "tok-ops-4Kq"), Counted(gg.tcp_port)]
        good, other, anonymous = connections
        assert good.call("add", a=1).value == 2 and other.call("add", a=2).value == 3
        assert good.call("nowhere").status == 1
        assert anonymous.call("add", a=1).status == wire.STATUS_UNAUTHENTICATED
        assert anonymous.call("add", a=1).status == wire.STATUS_UNAUTHENTICATED
        open_now = samples(scrape(gg))
        for connection in connections:
            connection.sock.close()
        found = until(lambda: samples(scrape(gg)), lambda f: value(f, "graft_tcp_connections_open") == 0)

    def refused(protocol, outcome):
        return value(found, "graft_calls_refused_total", protocol=protocol, outcome=outcome)

    assert refused("http", "not_found") == 3
    assert refused("http", "bad_arguments") == 2
    assert refused("http", "bad_request") == 1
    assert refused("http", "unauthenticated") == 1
    assert refused("tcp", "not_found") == 1
    assert refused("tcp", "unauthenticated") == 2
    assert value(open_now, "graft_tcp_connections_open") == 3
    assert value(found, "graft_tcp_connections_total") == 3
    assert value(found, "graft_tcp_received_bytes_total") == sum(c.sent for c in connections)
    assert value(found, "graft_tcp_sent_bytes_total") == sum(c.received for c in connections)
    assert value(found, "graft_http_connections_total", listener="calls") >= 8
    assert value(found, "graft_calls_started_total", service="Inventory", method="add", protocol="tcp") == 2


def until(read, done, timeout=5.0):
    """`read()` once `done` holds of it, or at `timeout`."""
    end = time.monotonic() + timeout
    while True:
        found = read()
        if done(found) or time.monotonic() > end:
            return found
        time.sleep(0.05)
