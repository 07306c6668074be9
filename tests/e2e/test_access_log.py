"""gg's access line, against the real gg over real sockets: one line per
call, HTTP and TCP, naming the caller's address and the name of the
--authTokens entry it presented (never the token), in text and
--logFormat json; --accessLog=false turns the lines off. /metrics counts
the calls by that name too (graft_calls_by_caller_total)."""

import http.client
import json
import os
from pathlib import Path

import pytest

from gateway import Gateway, request
from test_auth import BARE, GOOD, TOKENS, AuthClient
from test_metrics import samples, value

FIXTURES = Path(__file__).parent / "fixtures"
ENV = dict(os.environ, PYTHONPATH=str(FIXTURES / "pythonpath"))
SVC = str(FIXTURES / "svc")


@pytest.fixture(scope="module")
def tokens(tmp_path_factory):
    path = tmp_path_factory.mktemp("access") / "tokens"
    path.write_text(TOKENS)
    return path


def http_call(gg, method, token):
    """Calls Inventory.`method` over HTTP; answers the status and the caller's own address."""
    conn = http.client.HTTPConnection("127.0.0.1", gg.port, timeout=30)
    try:
        conn.connect()
        ours = "%s:%d" % conn.sock.getsockname()[:2]
        conn.request("POST", "/call/Inventory/" + method, body=b'{"a": 1}',
                     headers={"Authorization": "Bearer " + token})
        return conn.getresponse().status, ours
    finally:
        conn.close()


def tcp_call(gg, method, token):
    client = AuthClient(gg.tcp_port, token)
    try:
        ours = "%s:%d" % client.sock.getsockname()[:2]
        assert client.call("Inventory", method, 1) == 2
        return ours
    finally:
        client.close()


def lines_of(gg, needle):
    return [line for line in gg.output(wait_for=needle).splitlines() if needle in line]


def test_text_lines_name_the_peer_and_the_token_name(tokens):
    with Gateway("--modules", SVC, tcp=True, args=["--authTokens", str(tokens)], env=ENV) as gg:
        status, ours = http_call(gg, "add", GOOD)
        assert status == 200
        line, = lines_of(gg, "peer=%s " % ours)
        assert "method=add" in line and "token=alice" in line and 'protocol=http' in line, line
        ours = tcp_call(gg, "add", BARE)
        line, = lines_of(gg, "peer=%s " % ours)
        assert "token=line 3" in line and 'protocol=tcp' in line, line
        assert GOOD not in gg.output() and BARE not in gg.output()
        assert http_call(gg, "add", GOOD)[0] == 200
        metrics = request(gg.web + "/metrics").body.decode()
    found = samples(metrics)
    by = dict(service="Inventory", method="add")
    assert value(found, "graft_calls_by_caller_total", caller="alice", **by) == 2
    assert value(found, "graft_calls_by_caller_total", caller="line 3", **by) == 1
    assert GOOD not in metrics and BARE not in metrics


def test_json_lines_name_the_peer_and_the_token_name(tokens):
    args = ["--authTokens", str(tokens), "--logFormat", "json"]
    with Gateway("--modules", SVC, tcp=True, args=args, env=ENV) as gg:
        _, http_peer = http_call(gg, "add", GOOD)
        tcp_peer = tcp_call(gg, "add", GOOD)
        lines = [json.loads(line) for line in gg.output(wait_for=tcp_peer).splitlines() if line.startswith("{")]
    calls = [line["fields"] for line in lines if line.get("fields", {}).get("message") == "call"]
    assert [(c["peer"], c["token"], c["protocol"]) for c in calls] == [
        (http_peer, "alice", "http"), (tcp_peer, "alice", "tcp")], calls


@pytest.mark.parametrize("args, env", [
    (["--accessLog=false"], {}),
    (["--ACCESSLOG=false"], {}),
    ([], {"GG_LOG": "info,gg::access=off"}),
])
def test_access_lines_can_be_turned_off(args, env):
    with Gateway("--modules", SVC, tcp=True, args=args, env=dict(ENV, **env)) as gg:
        assert http_call(gg, "add", "unused")[0] == 200
        tcp_call(gg, "add", None)
        log = gg.output(wait_for="never written", timeout=0.5)
    assert "method=add" not in log and "found 1 services" in log, log


def test_access_lines_are_on_by_default_and_without_auth_name_no_token():
    with Gateway("--modules", SVC, args=["--accessLog=true"], env=ENV) as gg:
        _, ours = http_call(gg, "add", "ignored")
        line, = lines_of(gg, "peer=%s " % ours)
        metrics = request(gg.web + "/metrics").body.decode()
    assert "token= " in line or line.rstrip().endswith("token="), line
    assert not any(name == "graft_calls_by_caller_total" for name, _ in samples(metrics))
