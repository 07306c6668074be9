"""OTLP export (issue 15): with OTEL_EXPORTER_OTLP_ENDPOINT set, each gg
exports one server span per call to a real OTLP/HTTP receiver started here
(the request decoded with opentelemetry-proto). Two gateways chained, a
hosted method on the front one calling a Graft of the back one: one trace,
parents linked, attributes per OpenTelemetry's RPC conventions."""

import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

from gateway import Gateway

GRAFT = "graft-pypi-back"
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"

BACK = """\
import graft_context


class Back:
    @staticmethod
    def seen() -> dict[str, str]:
        return dict(graft_context.headers())

    @staticmethod
    def fail() -> int:
        raise ValueError("no")
"""

FRONT = """\
import os

from graft_pypi_back import Back, GraftConfig

GraftConfig.set_config(os.environ["GRAFT_CONFIG"])


class Front:
    @staticmethod
    async def relay() -> dict[str, str]:
        return await Back.seen()

    @staticmethod
    async def relay_twice() -> list[dict[str, str]]:
        return [await Back.seen(), await Back.seen()]
"""


class Receiver(http.server.ThreadingHTTPServer):
    """An OTLP/HTTP receiver: POST /v1/traces, protobuf, spans kept."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.spans = []  # (service.name, scope name, Span)
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.server_address[1]

    def wait_for(self, count, trace_id=None, timeout=10.0):
        """The spans (of `trace_id`, if given) once there are `count` of them."""
        end = time.monotonic() + timeout
        while True:
            with self.lock:
                found = [s for s in self.spans if trace_id is None or s[2].trace_id.hex() == trace_id]
            if len(found) >= count or time.monotonic() > end:
                return found
            time.sleep(0.05)


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        ok = self.path == "/v1/traces" and self.headers["Content-Type"] == "application/x-protobuf"
        if ok:
            request = trace_service_pb2.ExportTraceServiceRequest.FromString(body)
            with self.server.lock:
                for resource in request.resource_spans:
                    name = attributes(resource.resource.attributes).get("service.name")
                    for scope in resource.scope_spans:
                        self.server.spans.extend((name, scope.scope.name, span) for span in scope.spans)
        answer = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
        self.send_response(200 if ok else 400)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def attributes(pairs):
    """OTLP KeyValues as a dict of plain values."""
    values = {}
    for kv in pairs:
        which = kv.value.WhichOneof("value")
        values[kv.key] = getattr(kv.value, which) if which else None
    return values


def otel_env(receiver, service, **more):
    env = dict(os.environ, OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint, OTEL_SERVICE_NAME=service,
               OTEL_BSP_SCHEDULE_DELAY="50")
    env.update(more)
    return env


def post(gg, service, method, headers=None):
    url = "%s/call/%s/%s" % (gg.calls, service, method)
    req = urllib.request.Request(url, data=b"", method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """The back gateway (TCP on) exporting to a receiver, its Graft installed with pip."""
    root = tmp_path_factory.mktemp("otlp")
    (root / "back").mkdir()
    (root / "back" / "back.py").write_text(BACK)
    (root / "front").mkdir()
    (root / "front" / "front.py").write_text(FRONT)
    receiver = Receiver()
    with Gateway(str(root / "back" / "back.py"), tcp=True, env=otel_env(receiver, "back-svc")) as back:
        cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
               "--target", str(root / "lib"), "--index-url", back.web + "/simple/", GRAFT]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stdout + out.stderr
        yield root, back, receiver
    receiver.shutdown()


def front_env(chain, service="front-svc", **more):
    root, back, receiver = chain
    config = "name=%s;host=127.0.0.1:%d;runtime=python" % (GRAFT, back.tcp_port)
    return otel_env(receiver, service, GRAFT_CONFIG=config, PYTHONPATH=str(root / "lib"), **more)


def by_service(spans, name):
    found = [span for service, _, span in spans if service == name]
    assert len(found) == 1, spans
    return found[0]


def test_one_trace_across_two_gateways_with_the_callers_traceparent(chain):
    root, back, receiver = chain
    with Gateway(str(root / "front" / "front.py"), env=front_env(chain)) as front:
        status, seen = post(front, "Front", "relay", {"traceparent": "00-%s-%s-01" % (TRACE, CALLER_SPAN)})
        assert status == 200, seen
        spans = receiver.wait_for(2, TRACE)
    assert {(service, scope) for service, scope, _ in spans} == {("front-svc", "gg"), ("back-svc", "gg")}, spans
    front_span, back_span = by_service(spans, "front-svc"), by_service(spans, "back-svc")
    # The caller's span is the front span's parent; the front span, the one
    # the hosted method's Graft call named, is the back span's parent.
    assert front_span.parent_span_id.hex() == CALLER_SPAN
    assert back_span.parent_span_id == front_span.span_id
    # ... and the back span is the one its hosted code was told of.
    assert back_span.span_id.hex() == seen["traceparent"].split("-")[2]
    assert back_span.span_id.hex() not in (front_span.span_id.hex(), CALLER_SPAN)
    for span in (front_span, back_span):
        assert span.kind == trace_pb2.Span.SPAN_KIND_SERVER
        assert span.status.code == trace_pb2.Status.STATUS_CODE_UNSET
        assert span.end_time_unix_nano >= span.start_time_unix_nano > 0
    assert front_span.name == "Front/relay" and back_span.name == "Back/seen"
    front_attrs, back_attrs = attributes(front_span.attributes), attributes(back_span.attributes)
    assert {k: front_attrs[k] for k in ("rpc.system", "rpc.service", "rpc.method")} == {
        "rpc.system": "graft", "rpc.service": "Front", "rpc.method": "relay"}, front_attrs
    assert front_attrs["server.address"] == "127.0.0.1" and front_attrs["server.port"] == front.port
    assert front_attrs["network.protocol.name"] == "http" and front_attrs["network.transport"] == "tcp"
    assert back_attrs["rpc.service"] == "Back" and back_attrs["rpc.method"] == "seen", back_attrs
    assert back_attrs["server.port"] == back.tcp_port and "network.protocol.name" not in back_attrs
    assert "error.type" not in back_attrs and back_attrs["graft.outcome"] == "ok"


def test_a_call_without_a_trace_or_with_an_invalid_one_starts_a_linked_trace(chain):
    root, back, receiver = chain
    with Gateway(str(root / "front" / "front.py"), env=front_env(chain)) as front:
        for headers in ({}, {"traceparent": "00-%s-0000000000000000-01" % TRACE}, {"traceparent": "garbage"}):
            status, seen = post(front, "Front", "relay", headers)
            assert status == 200, seen
            trace = seen["traceparent"].split("-")[1]
            assert trace != TRACE
            spans = receiver.wait_for(2, trace)
            front_span, back_span = by_service(spans, "front-svc"), by_service(spans, "back-svc")
            assert front_span.parent_span_id == b"", headers
            assert back_span.parent_span_id == front_span.span_id


def test_a_caller_that_did_not_sample_is_followed_and_an_error_sets_the_status(chain):
    _, back, receiver = chain
    unsampled = "5" * 32
    status, seen = post(back, "Back", "seen", {"traceparent": "00-%s-%s-00" % (unsampled, CALLER_SPAN)})
    assert status == 200 and seen["traceparent"].endswith("-00"), seen
    failed = "6" * 32
    status, _ = post(back, "Back", "fail", {"traceparent": "00-%s-%s-01" % (failed, CALLER_SPAN)})
    assert status == 500
    (_, _, span), = receiver.wait_for(1, failed)
    assert span.status.code == trace_pb2.Status.STATUS_CODE_ERROR and span.status.message == "raised"
    assert attributes(span.attributes)["error.type"] == "raised"
    assert receiver.wait_for(1, unsampled, timeout=0.5) == [], "parentbased_always_on follows the caller"


def test_in_process_a_graft_call_outside_any_trace_starts_one(chain, tmp_path):
    # Front's Graft calls its module in the caller's process: the runtime
    # starts the trace, so both calls the module makes to the back gateway
    # are in it, with one parent.
    root, back, receiver = chain
    with Gateway(str(root / "front" / "front.py"), env=front_env(chain)) as front:
        cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
               "--target", str(tmp_path / "lib"), "--index-url", front.web + "/simple/", "graft-pypi-front"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stdout + out.stderr
    config = "name=graft-pypi-front;host=inMemory;runtime=python;modules=%s" % (root / "front")
    script = ("import asyncio, json\nfrom graft_pypi_front import Front, GraftConfig\n"
              "GraftConfig.set_config(%r)\nprint(json.dumps(asyncio.run(Front.relay_twice())))\n" % config)
    env = front_env(chain)
    env["PYTHONPATH"] = "%s%s%s" % (tmp_path / "lib", os.pathsep, root / "lib")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 0, out.stderr
    first, second = json.loads(out.stdout)
    trace = first["traceparent"].split("-")[1]
    assert second["traceparent"].split("-")[1] == trace
    spans = receiver.wait_for(2, trace)
    assert [service for service, _, _ in spans] == ["back-svc", "back-svc"], spans
    assert {span.span_id.hex() for _, _, span in spans} == {
        first["traceparent"].split("-")[2], second["traceparent"].split("-")[2]}
    parents = {span.parent_span_id.hex() for _, _, span in spans}
    assert len(parents) == 1 and parents != {""}, parents


def relay_in(trace, chain, **env):
    """A front gateway (with `env`) that has relayed one call of `trace`."""
    root = chain[0]
    front = Gateway(str(root / "front" / "front.py"), env=front_env(chain, **env))
    assert post(front, "Front", "relay", {"traceparent": "00-%s-%s-01" % (trace, CALLER_SPAN)})[0] == 200
    return front


def test_spans_still_queued_are_flushed_when_gg_stops(chain):
    receiver, trace = chain[2], "7" * 32
    with relay_in(trace, chain, service="flushed", OTEL_BSP_SCHEDULE_DELAY="60000") as front:
        time.sleep(0.3)
        assert [s for s, _, _ in receiver.wait_for(1, trace, timeout=0.2)] == ["back-svc"], "front's still queued"
        assert front.stop() == 0
    assert by_service(receiver.wait_for(2, trace, timeout=2), "flushed").name == "Front/relay"


def test_an_unsupported_protocol_is_logged_and_exports_nothing(chain):
    receiver, trace = chain[2], "8" * 32
    with relay_in(trace, chain, service="grpc", OTEL_EXPORTER_OTLP_PROTOCOL="grpc") as front:
        assert "protocol `grpc` is not supported" in front.output()
    assert [s for s, _, _ in receiver.wait_for(2, trace, timeout=1)] == ["back-svc"]


def test_spans_name_the_callers_peer_and_carry_its_tracestate(chain):
    """network.peer.address and .port name who called, over HTTP (a client on
    127.0.0.1) and over TCP (the front gateway's Graft); the caller's
    tracestate is the spans' trace state and passes on to the next gateway."""
    root, back, receiver = chain
    trace, state = "9" * 32, "vendor=abc,other=1"
    with Gateway(str(root / "front" / "front.py"), env=front_env(chain)) as front:
        headers = {"traceparent": "00-%s-%s-01" % (trace, CALLER_SPAN), "tracestate": state}
        status, seen = post(front, "Front", "relay", headers)
        assert status == 200, seen
        spans = receiver.wait_for(2, trace)
    assert seen["tracestate"] == state, seen
    for name in ("front-svc", "back-svc"):
        span = by_service(spans, name)
        attrs = attributes(span.attributes)
        assert attrs["network.peer.address"] == "127.0.0.1", (name, attrs)
        assert 0 < attrs["network.peer.port"] < 65536 and attrs["network.peer.port"] not in (front.port, back.tcp_port)
        assert span.trace_state == state, (name, span.trace_state)
    # An invalid traceparent starts a new trace: its tracestate is dropped (W3C).
    status, seen = post(back, "Back", "seen", {"traceparent": "garbage", "tracestate": state})
    assert status == 200 and "tracestate" not in seen, seen


def test_an_mcp_tool_call_is_an_mcp_span(chain):
    """A tool call through /mcp is counted and traced as MCP, not as HTTP:
    OpenTelemetry's MCP attributes, the caller's peer, the trace its
    _meta.traceparent names."""
    _, back, receiver = chain
    trace = "a" * 32
    meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
            "traceparent": "00-%s-%s-01" % (trace, CALLER_SPAN)}
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "Back.seen", "arguments": {}, "_meta": meta}}
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
               "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "Back.seen"}
    req = urllib.request.Request(back.web + "/mcp", data=json.dumps(body).encode(), headers=headers)
    with urllib.request.urlopen(req, timeout=30) as response:
        assert json.loads(response.read())["result"]["isError"] is False
    (_, _, span), = receiver.wait_for(1, trace)
    attrs = attributes(span.attributes)
    assert span.name == "Back/seen" and span.parent_span_id.hex() == CALLER_SPAN
    assert attrs["mcp.method.name"] == "tools/call" and attrs["gen_ai.tool.name"] == "Back.seen", attrs
    assert attrs["gen_ai.operation.name"] == "execute_tool" and attrs["network.protocol.name"] == "http"
    assert attrs["network.peer.address"] == "127.0.0.1" and attrs["server.port"] == back.http_port, attrs
