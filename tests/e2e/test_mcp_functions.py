"""`/mcp` beyond classes, against the real gg: a module's functions are
tools too (fixtures/mcp/geo.py), listed and called by the official `mcp`
client; and SIGTERM's drain applies to `/mcp` as to `/call`: a tool call
in flight finishes, new ones are accepted for --drainDelay, then refused."""

import json
import signal
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from gateway import Gateway, request
from test_mcp import MODES, post, session

GEO = Path(__file__).parent / "fixtures" / "mcp" / "geo.py"


@pytest.fixture(scope="module")
def gg():
    with Gateway(str(GEO)) as gateway:
        yield gateway


@pytest.mark.parametrize("mode", MODES)
def test_a_module_function_is_listed_and_called_as_a_tool(gg, mode):
    async def calls(client):
        listed = await client.list_tools()
        return listed.tools, await client.call_tool("geo.distance_km", {"a": "Lyon", "b": "Lille"})

    tools, result = session(gg, mode, fn=calls)
    assert [t.name for t in tools] == ["geo.distance_km", "geo.survey"]
    distance = tools[0]
    assert distance.description == "Kilometres by road between two cities."
    openapi = request(gg.web + "/openapi.json").json()
    body = openapi["paths"]["/call/geo/distance_km"]["post"]["requestBody"]["content"]["application/json"]
    assert distance.input_schema == body["schema"] and distance.input_schema["additionalProperties"] is False
    assert not result.is_error and result.structured_content == {"result": 690}
    assert result.content[0].text == "690"


def survey(gg, seconds):
    """One tools/call of geo.survey, one POST on a connection of its own: its
    result, or the error it met. (The official client follows a tool call
    with a tools/list, which a draining gg rightly refuses.)"""
    meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "geo.survey", "arguments": {"seconds": seconds}, "_meta": meta}}
    headers = {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "geo.survey"}
    try:
        status, _, answer = post(gg, body, headers)
    except OSError as e:
        return e
    assert status == 200, answer
    return json.loads(answer)["result"]["structuredContent"]["result"]


def test_the_drain_applies_to_mcp():
    with Gateway(str(GEO), args=["--drainDelay", "1.5", "--drainTimeout", "10"]) as gg, ThreadPoolExecutor(2) as pool:
        in_flight = pool.submit(survey, gg, 3.0)
        time.sleep(0.5)  # the tool call is running
        gg.process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        assert request(gg.web + "/readyz").status == 503
        # Within --drainDelay, tool calls are still accepted.
        assert survey(gg, 0.0) == "surveyed in 0.0 s"
        time.sleep(1.5)
        # Past it, a new client cannot reach /mcp; the call in flight still finishes.
        refused = None
        try:
            socket.create_connection(("127.0.0.1", gg.http_port), timeout=2).close()
        except ConnectionRefusedError as err:
            refused = err
        assert refused is not None, "gg still accepts connections on --httpPort after --drainDelay"
        assert not isinstance(survey(gg, 0.0), str), "a tool call was answered after --drainDelay"
        assert in_flight.result(timeout=10) == "surveyed in 3.0 s"
        assert gg.process.wait(timeout=10) == 0
