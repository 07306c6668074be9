"""A streaming method over the HTTP call API, against the real gg hosting
tests/e2e/fixtures/streams/feed.py: NDJSON lines flushed as the generator
yields them, Server-Sent Events on request, an error after k items as the
last line or event, 400 before any item, the generator closed when the
client goes away (over HTTP, and over TCP with raw frames), and
--callTimeout bounding the wait for each item."""

import http.client
import json
import socket
import sys
import time
import uuid
from pathlib import Path

import pytest

from gateway import ROOT, Gateway, read_exactly, read_frame_body, request

sys.path.insert(0, str(ROOT / "python"))

from graft_runtime import wire  # noqa: E402

FEED = Path(__file__).parent / "fixtures" / "streams" / "feed.py"


@pytest.fixture(scope="module")
def gg():
    with Gateway("--modules", str(FEED), tcp=True) as gateway:
        yield gateway


class Stream:
    """One streaming call, read line by line as the gateway sends it."""

    def __init__(self, gg, method, args, accept=None, timeout=30):
        self.conn = http.client.HTTPConnection("127.0.0.1", gg.port, timeout=timeout)
        headers = {"Content-Type": "application/json"}
        if accept:
            headers["Accept"] = accept
        self.started = time.monotonic()
        self.conn.request("POST", "/call/Feed/%s" % method, body=json.dumps(args), headers=headers)
        self.response = self.conn.getresponse()

    @property
    def status(self):
        return self.response.status

    def content_type(self):
        return self.response.getheader("Content-Type", "")

    def line(self):
        """The next line without its newline, or None at the end."""
        raw = self.response.readline()
        return raw.rstrip(b"\n").decode() if raw else None

    def values(self):
        """The remaining NDJSON lines, parsed."""
        out = []
        while (line := self.line()) is not None:
            if line:
                out.append(json.loads(line))
        return out

    def events(self):
        """The remaining Server-Sent Events, as (event name or None, parsed data)."""
        out, name, data = [], None, []
        while (line := self.line()) is not None:
            if line == "":
                if data:
                    out.append((name, json.loads("\n".join(data))))
                name, data = None, []
            elif line.startswith("event:"):
                name = line[len("event:"):].strip()
            elif line.startswith("data:"):
                data.append(line[len("data:"):].strip())
        return out

    def close(self):
        self.conn.close()

    def drop(self):
        """Goes away abruptly, as a client that crashed or lost its network."""
        sock = self.conn.sock
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
        self.conn.close()


def seen(gg, key):
    r = gg.call("Feed", "seen", {"key": key})
    assert r.status == 200, r.body
    return r.json()


def wait_seen(gg, key, wanted, within):
    deadline = time.monotonic() + within
    while (state := seen(gg, key)) != wanted and time.monotonic() < deadline:
        time.sleep(0.05)
    return state


def test_items_come_as_ndjson_lines(gg):
    s = Stream(gg, "count", {"n": 5})
    assert s.status == 200 and s.content_type().startswith("application/x-ndjson"), s.content_type()
    assert s.values() == [0, 1, 2, 3, 4]
    rows = Stream(gg, "rows", {"n": 2}).values()
    assert rows == [{"n": 0, "name": "row-0"}, {"n": 1, "name": "row-1"}]
    assert Stream(gg, "tokens", {"prompt": "one two three"}).values() == ["one", "two", "three"]
    assert Stream(gg, "count", {"n": 0}).values() == []


def test_each_line_is_flushed_as_it_is_produced(gg):
    key = uuid.uuid4().hex
    s = Stream(gg, "slow", {"key": key, "n": 4, "pause": 0.5})
    assert s.status == 200
    assert json.loads(s.line()) == 0
    first = time.monotonic() - s.started
    # The generator is still running: the last item is 1.5 s away.
    assert seen(gg, key) == "running"
    assert first < 1.0, "the first item took %.2f s" % first
    assert s.values() == [1, 2, 3]
    assert time.monotonic() - s.started >= 1.4
    assert seen(gg, key) == "finished"


def test_async_generators_stream_too(gg):
    key = uuid.uuid4().hex
    s = Stream(gg, "slow_async", {"key": key, "n": 3, "pause": 0.5})
    assert json.loads(s.line()) == 0
    assert seen(gg, key) == "running"
    assert s.values() == [1, 2]


def test_server_sent_events_on_request(gg):
    s = Stream(gg, "count", {"n": 3}, accept="text/event-stream")
    assert s.status == 200 and s.content_type().startswith("text/event-stream"), s.content_type()
    assert s.events() == [(None, 0), (None, 1), (None, 2), ("end", None)]


def test_an_error_after_k_items_ends_the_ndjson_stream(gg):
    values = Stream(gg, "failing", {"after": 2}).values()
    assert values[:2] == [0, 1] and len(values) == 3, values
    error = values[2]["error"]
    assert (error["type"], error["module"], error["message"]) == ("Broken", "feed", "broke after 2 items")
    assert error["fields"] == {"after": 2}
    assert "traceback" not in error and error["callId"]  # test_error_privacy.py: --tracebacks


def test_an_error_after_k_items_ends_the_event_stream(gg):
    events = Stream(gg, "failing", {"after": 1}, accept="text/event-stream").events()
    assert events[0] == (None, 0) and len(events) == 2, events
    name, data = events[1]
    assert name == "error" and data["error"]["type"] == "Broken", events
    assert data["error"]["fields"] == {"after": 1}


def test_an_error_before_any_item_is_a_line_too(gg):
    values = Stream(gg, "failing", {"after": 0}).values()
    assert len(values) == 1 and values[0]["error"]["type"] == "Broken", values


@pytest.mark.parametrize("accept", [None, "text/event-stream"])
def test_bad_arguments_are_a_400_before_any_item(gg, accept):
    s = Stream(gg, "count", {"n": "many"}, accept=accept)
    assert s.status == 400 and s.content_type().startswith("application/json")
    error = json.loads(s.response.read())["error"]
    assert error["param"] == "n" and "expected int" in error["message"], error
    s = Stream(gg, "nope", {}, accept=accept)
    assert s.status == 404
    assert json.loads(s.response.read())["error"]["type"] == "NotFound"


@pytest.mark.parametrize("how", ["close", "drop"])
def test_a_client_that_goes_away_closes_the_generator(gg, how):
    key = uuid.uuid4().hex
    s = Stream(gg, "slow", {"key": key, "n": 1000, "pause": 0.05})
    assert json.loads(s.line()) == 0
    assert seen(gg, key) == "running"
    s.drop() if how == "drop" else s.close()
    assert wait_seen(gg, key, "closed", within=3) == "closed"


def first_item_over_tcp(sock, key, method):
    """Calls `Feed.<method>(key, 1000, 0.05)` (50 s to its end) over TCP and reads its first item."""
    sock.sendall(wire.encode_hello())
    assert wire.decode_hello(read_exactly(sock, wire.HELLO_SIZE)).status == 0
    sock.sendall(wire.encode_call(1, "Feed", method, [key, 1000, 0.05], {}))
    frame = wire.parse_frame(read_frame_body(sock))
    assert isinstance(frame, wire.ItemsFrame) and frame.value[:1] == [0], frame


@pytest.mark.parametrize("method", ["slow", "slow_async"])
@pytest.mark.parametrize("how", ["close", "reset"])
def test_a_dropped_tcp_connection_closes_the_generator(gg, method, how):
    key = uuid.uuid4().hex
    sock = socket.create_connection(("127.0.0.1", gg.tcp_port), timeout=10)
    first_item_over_tcp(sock, key, method)
    assert seen(gg, key) == "running"
    if how == "reset":
        # SO_LINGER 0: close sends a RST, as a crashed client's kernel may.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.close()
    # "closed": its finally ran before the end ("finished" is 50 s away).
    assert wait_seen(gg, key, "closed", within=3) == "closed"


def test_streams_and_plain_calls_go_side_by_side(gg):
    keys = [uuid.uuid4().hex for _ in range(3)]
    streams = [Stream(gg, "slow", {"key": k, "n": 3, "pause": 0.3}) for k in keys]
    assert [json.loads(s.line()) for s in streams] == [0, 0, 0]
    ping = gg.call("Feed", "ping", {})
    assert (ping.status, ping.json()) == (200, "pong")
    assert [s.values() for s in streams] == [[1, 2]] * 3


def test_call_timeout_bounds_the_wait_for_each_item():
    with Gateway("--modules", str(FEED), args=["--callTimeout", "1"]) as gg:
        # 4 items 0.5 s apart: 1.5 s in all, each within the 1 s limit.
        ok = uuid.uuid4().hex
        assert Stream(gg, "slow", {"key": ok, "n": 4, "pause": 0.5}).values() == [0, 1, 2, 3]
        assert seen(gg, ok) == "finished"
        # The second item is 3 s away: the stream ends with an error after the first.
        late = uuid.uuid4().hex
        s = Stream(gg, "slow", {"key": late, "n": 3, "pause": 3})
        values = s.values()
        took = time.monotonic() - s.started
        assert values[0] == 0 and len(values) == 2, values
        error = values[1]["error"]
        assert error["type"] == "Timeout" and "--callTimeout" in error["message"], error
        assert took < 2.5, "the stream ended after %.2f s" % took
        assert wait_seen(gg, late, "closed", within=4) == "closed"


def test_openapi_describes_the_streams(gg):
    from openapi_spec_validator import validate

    doc = request(gg.web + "/openapi.json").json()
    validate(doc)
    ok = doc["paths"]["/call/Feed/rows"]["post"]["responses"]["200"]["content"]
    assert set(ok) == {"application/x-ndjson", "text/event-stream"}
    item = ok["application/x-ndjson"]["x-itemSchema"]["anyOf"][0]
    assert item == {"$ref": "#/components/schemas/Row"}
    plain = doc["paths"]["/call/Feed/ping"]["post"]["responses"]["200"]["content"]
    assert set(plain) == {"application/json"}
