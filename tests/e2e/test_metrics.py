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
        tcp_calls(gg.tcp_port, [("add", {"a": 1})] * 4 + [("reserve", {"sku": "x", "wanted": 1}), ("add", {"a": "x"})])
        found = samples(scrape(gg))

    def counted(name, **labels):
        return value(found, name, service=labels.pop("service", "Inventory"), **labels)

    assert counted("graft_calls_started_total", method="add", protocol="http") == 3
    assert counted("graft_calls_handled_total", method="add", protocol="http", outcome="ok") == 3
    assert counted("graft_calls_handled_total", method="reserve", protocol="http", outcome="raised") == 2
    assert counted("graft_calls_handled_total", service="Feed", method="count", protocol="http", outcome="ok") == 1
    assert counted("graft_calls_started_total", method="add", protocol="tcp") == 5
    assert counted("graft_calls_handled_total", method="add", protocol="tcp", outcome="ok") == 4
    assert counted("graft_calls_handled_total", method="add", protocol="tcp", outcome="bad_arguments") == 1
    assert counted("graft_calls_handled_total", method="reserve", protocol="tcp", outcome="raised") == 1
    assert counted("graft_call_duration_seconds_count", method="add") == 8
    assert counted("graft_call_duration_seconds_bucket", method="add", le="+Inf") == 8
    assert counted("graft_call_duration_seconds_count", method="reserve") == 3
    handled = sum(v for (name, _), v in found.items() if name == "graft_calls_handled_total")
    assert handled == 3 + 2 + 1 + 6
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
