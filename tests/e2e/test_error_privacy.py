"""Errors reveal nothing by default, against the real gg hosting
tests/e2e/fixtures/svc and tests/e2e/fixtures/streams/feed.py: a raised
exception reaches HTTP and TCP callers as its type, module, message and
fields plus a call id, and gg's log keeps the traceback beside that id;
`/libraries` names each module's file without its folder; `--tracebacks`
sends tracebacks to callers."""

import json
import os
from pathlib import Path

import pytest

from gateway import Gateway, request
from test_objects_tcp import Client

FIXTURES = Path(__file__).parent / "fixtures"
FEED = FIXTURES / "streams" / "feed.py"
ENV = dict(os.environ, PYTHONPATH=str(FIXTURES / "pythonpath"))


def gateway(*args):
    return Gateway("--modules", "%s,%s" % (FIXTURES / "svc", FEED), tcp=True, args=list(args), env=ENV)


@pytest.fixture(scope="module")
def gg():
    with gateway() as g:
        yield g


@pytest.fixture(scope="module")
def gg_tracebacks():
    with gateway("--tracebacks") as g:
        yield g


def reveals_nothing(text):
    assert "Traceback" not in text and "raise OutOfStock" not in text and "raise Broken" not in text, text
    assert str(FIXTURES) not in text and ".py" not in text, text


def test_http_500_has_type_message_fields_and_a_call_id(gg):
    r = gg.call("Inventory", "reserve", {"sku": "A1", "wanted": 4})
    assert r.status == 500
    reveals_nothing(r.body.decode())
    err = r.json()["error"]
    assert (err["type"], err["module"], err["message"]) == ("OutOfStock", "inventory", "A1: only 0 left, wanted 4")
    assert err["fields"] == {"sku": "A1", "wanted": 4} and "traceback" not in err
    log = gg.output()
    at = log.index("call %s raised inventory.OutOfStock" % err["callId"])
    assert "raise OutOfStock(sku, wanted)" in log[at:], log


def test_a_stream_error_reveals_nothing(gg):
    r = request(gg.calls + "/call/Feed/failing", data={"after": 1})
    last = json.loads(r.body.decode().splitlines()[-1])["error"]
    reveals_nothing(json.dumps(last))
    assert last["type"] == "Broken" and last["callId"] in gg.output()


def test_tcp_error_frame_has_no_traceback(gg):
    client = Client(gg.tcp_port)
    try:
        error = client.call("Inventory", "reserve", "A1", 4)
    finally:
        client.close()
    raised = error.raised
    assert (raised.type_name, raised.module, raised.fields) == ("OutOfStock", "inventory", {"sku": "A1", "wanted": 4})
    reveals_nothing(raised.traceback)
    call_id = raised.traceback.split()[2].rstrip(":")
    assert raised.traceback.startswith("call id ") and "call %s raised" % call_id in gg.output()


def test_libraries_show_no_folders(gg):
    body = request(gg.web + "/libraries").body.decode()
    assert str(FIXTURES) not in body
    files = {s["name"]: s["file"] for s in json.loads(body)["services"]}
    assert files["Inventory"] == "inventory.py" and files["Feed"] == "feed.py", files


def test_tracebacks_flag_sends_them_over_http_and_tcp(gg_tracebacks):
    err = gg_tracebacks.call("Inventory", "reserve", {"sku": "A1", "wanted": 4}).json()["error"]
    assert "raise OutOfStock(sku, wanted)" in err["traceback"] and "callId" not in err
    client = Client(gg_tracebacks.tcp_port)
    try:
        assert "raise OutOfStock(sku, wanted)" in client.call("Inventory", "reserve", "A1", 4).raised.traceback
    finally:
        client.close()
