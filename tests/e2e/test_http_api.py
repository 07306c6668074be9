"""The HTTP call API against its own OpenAPI document (the real gg): what the
document allows is accepted, what it does not is refused with a 400 that says
why, and schemathesis finds no disagreement."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway import ROOT, Gateway, read_exactly, read_frame_body, request

sys.path.insert(0, str(ROOT / "python"))

from graft_runtime import wire  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "httpapi"
# Bounds of the schemathesis run: examples per operation, and seconds for it all.
SCHEMATHESIS_EXAMPLES = 50
SCHEMATHESIS_SECONDS = 240


@pytest.fixture(scope="module")
def gg():
    modules = "%s,%s" % (FIXTURES / "ledger.py", FIXTURES / "overflow.py")
    with Gateway("--modules", modules, tcp=True) as gateway:
        yield gateway


def post(gg, method, body, service="Ledger"):
    """POSTs `body` (bytes as they are, anything else as JSON) to a method."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return request("%s/call/%s/%s" % (gg.calls, service, method), data=data, method="POST")


def error_of(response, status):
    assert response.status == status, (response.status, response.body)
    return response.json()["error"]


@pytest.mark.parametrize("text, value", [(b"1.0", 1), (b"1478.0", 1478), (b"-0.0", 0), (b"1e3", 1000)])
def test_integral_floats_pass_int_parameters(gg, text, value):
    # JSON Schema, and so the document's "type": "integer", counts 1.0 as an integer.
    r = post(gg, "count", b'{"n": %s, "step": %s}' % (text, text))
    assert (r.status, r.json()) == (200, value), r.body
    r = post(gg, "lines", b'{"order": {"line": {"sku": "a", "quantity_in_stock": %s}}, "extra": []}' % text)
    assert r.status == 200 and r.json()[0]["quantity_in_stock"] == value, r.body


@pytest.mark.parametrize("text", [b"1.5", b"-9223372036854775809", b"9223372036854775808.0", b"1e19"])
def test_other_numbers_do_not(gg, text):
    err = error_of(post(gg, "count", b'{"n": %s}' % text), 400)
    assert err["param"] == "n" and "expected int" in err["message"], err


def test_a_nested_wrong_leaf_is_named_by_its_path(gg):
    err = error_of(post(gg, "lines", {"order": {"line": {"sku": "a", "quantity_in_stock": "many"}}, "extra": []}), 400)
    assert err["param"] == "order"
    assert err["message"].endswith('order.line.quantity_in_stock: expected int, got "many"'), err


@pytest.mark.parametrize("body", [b"null", b" null\n"])
def test_a_null_body_is_refused(gg, body):
    # null is a value, not "no arguments"; an empty body is.
    err = error_of(post(gg, "nothing", body), 400)
    assert "got null" in err["message"] and "JSON object" in err["message"], err
    assert (post(gg, "nothing", b"").status, post(gg, "nothing", b"{}").status) == (200, 200)


def test_a_lone_surrogate_is_named(gg):
    err = error_of(post(gg, "label", b'{"text": "a\\ud800b"}'), 400)
    assert "lone surrogate" in err["message"] and "\\ud800" in err["message"], err
    assert "hex escape" not in err["message"], err
    # A pair is one character, and comes back as one.
    r = post(gg, "label", b'{"text": "\\ud83d\\ude00"}')
    assert (r.status, r.json()) == (200, "\U0001F600")


def test_an_int_result_past_64_bits_names_method_type_and_value(gg):
    err = error_of(post(gg, "huge", {}, service="Overflow"), 500)
    assert err["message"].startswith("Overflow.huge returned a value Graft cannot carry: "), err
    assert "int %d" % 2**70 in err["message"] and "64-bit" in err["message"], err
    err = error_of(post(gg, "nested", {}, service="Overflow"), 500)
    assert "Overflow.nested" in err["message"] and "int %d" % -(2**64) in err["message"], err
    err = error_of(post(gg, "later", {}, service="Overflow"), 500)
    assert err["message"].startswith("Overflow.later returned a value Graft cannot carry: the int "), err


def tcp_frames(gg, method, service="Overflow", kwargs=None):
    """The frames gg answers a call of `<service>.<method>(**kwargs)` with
    over TCP, up to its Reply or Error."""
    frames = []
    with socket.create_connection(("127.0.0.1", gg.tcp_port), timeout=30) as sock:
        sock.sendall(wire.encode_hello())
        assert wire.decode_hello(read_exactly(sock, wire.HELLO_SIZE)).status == 0
        sock.sendall(wire.encode_call(1, service, method, [], kwargs or {}))
        while not isinstance(frames[-1:] and frames[-1], (wire.ReplyFrame, wire.ErrorFrame)):
            frames.append(wire.parse_frame(read_frame_body(sock)))
    return frames


def test_an_int_result_past_64_bits_gives_the_same_message_over_tcp(gg):
    [frame] = tcp_frames(gg, "huge")
    assert isinstance(frame, wire.ErrorFrame), frame
    assert frame.raised.message.startswith("Overflow.huge returned a value Graft cannot carry: "), frame
    over_http = error_of(post(gg, "huge", {}, service="Overflow"), 500)["message"]
    assert (frame.raised.type_name, frame.raised.message) == ("OverflowError", over_http), frame


@dataclass
class Line:
    """Ledger's Line as a graft sends it, with a leaf of the wrong type."""
    sku: str
    quantity_in_stock: object


@dataclass
class Order:
    line: Line


def test_a_nested_wrong_leaf_is_named_by_its_path_over_tcp(gg):
    # The same full message as HTTP's 400, not cut short at the outer parameter.
    sent = Order(Line("a", "many"))
    [frame] = tcp_frames(gg, "lines", "Ledger", {"order": sent, "extra": []})
    assert isinstance(frame, wire.ErrorFrame) and frame.status == wire.STATUS_BAD_ARGUMENTS, frame
    message = frame.raised.message
    assert message.endswith('order.line.quantity_in_stock: expected int, got "many"'), message
    order = {"line": {"sku": "a", "quantity_in_stock": "many"}}
    over_http = error_of(post(gg, "lines", {"order": order, "extra": []}), 400)["message"]
    assert message == over_http


def test_the_document_lists_every_status_the_api_answers(gg):
    from openapi_spec_validator import validate

    doc = request(gg.web + "/openapi.json").json()
    validate(doc)
    for path, item in doc["paths"].items():
        assert {"200", "400", "404", "500", "504"} <= set(item["post"]["responses"]), path
    timeout = doc["components"]["responses"]["graft.Timeout"]
    assert "--callTimeout" in timeout["description"]


def test_the_bytes_pattern_is_what_the_gateway_decodes(gg):
    doc = request(gg.web + "/openapi.json").json()
    op = doc["paths"]["/call/Ledger/blob"]["post"]
    schema = op["requestBody"]["content"]["application/json"]["schema"]["properties"]["data"]
    # JSON Schema patterns are ECMA-262 regular expressions, whose `$` is the
    # very end; Python's `$` also matches before a final newline, so `\Z` here.
    pattern = re.compile(re.sub(r"\$$", r"\\Z", schema["pattern"]))
    for text in ["", "QQ==", "QUI=", "QUJD", "QR==", "QUJ=", "QQ", "QQ=", "Q===", "QUJD\n", "ìh", "////"]:
        matches = pattern.search(text) is not None
        r = post(gg, "blob", {"data": text})
        assert (r.status == 200) == matches, (text, r.status, r.body)


def schemathesis_command():
    found = shutil.which("schemathesis") or shutil.which("st")
    if found:
        return [found]
    return [sys.executable, "-m", "schemathesis.cli"]


def test_schemathesis_finds_no_disagreement(tmp_path):
    """Every check schemathesis has, against ledger.py (methods that cannot
    fail on input the document allows), bounded in examples and time."""
    with Gateway("--modules", str(FIXTURES / "ledger.py")) as gg:
        command = [
            *schemathesis_command(), "run", gg.web + "/openapi.json", "--url", gg.calls,
            "--checks", "all", "--max-examples=%d" % SCHEMATHESIS_EXAMPLES,
            "--workers", "1", "--request-timeout", "10", "--no-color",
        ]
        env = dict(os.environ, SCHEMATHESIS_HOOKS="", HYPOTHESIS_STORAGE_DIRECTORY=str(tmp_path))
        run = subprocess.run(
            command, capture_output=True, text=True, timeout=SCHEMATHESIS_SECONDS, cwd=tmp_path, env=env
        )
        report = run.stdout + run.stderr
        assert run.returncode == 0, report[-6000:]
        assert re.search(r"\d+ generated", report), report[-2000:]


def test_a_streamed_int_past_64_bits_names_the_method_after_the_items_before_it(gg):
    r = post(gg, "counting", {}, service="Overflow")
    lines = [json.loads(line) for line in r.body.splitlines()]
    assert (r.status, lines[0]) == (200, 1), r.body
    message = lines[1]["error"]["message"]
    assert message.startswith("Overflow.counting yielded a value Graft cannot carry: the int %d" % 2**70), lines
    items, error = tcp_frames(gg, "counting")
    assert isinstance(items, wire.ItemsFrame) and items.value == [1], items
    assert isinstance(error, wire.ErrorFrame) and error.raised.message == message, error
