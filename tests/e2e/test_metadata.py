"""Metadata across calls (issue 15): an HTTP caller's headers reach hosted
code as `graft_context.headers()`, and a Graft called from inside a hosted
method carries them on, with its own, to the next gateway (or, in-process,
to the module it calls). Two real gateways, the Graft installed with pip."""

import os
import subprocess
import sys
import urllib.request

import pytest

from gateway import Gateway

GRAFT = "graft-pypi-back"

BACK = """\
import graft_context


class Back:
    @staticmethod
    def seen() -> dict[str, str]:
        return dict(graft_context.headers())

    @staticmethod
    async def seen_async() -> dict[str, str]:
        return dict(graft_context.headers())
"""

FRONT = """\
import os

import graft_context
from graft_pypi_back import Back, GraftConfig

GraftConfig.set_config(os.environ["GRAFT_CONFIG"])
GraftConfig.set_headers({"X-Front": "front"})


class Front:
    @staticmethod
    async def relay() -> dict[str, str]:
        with GraftConfig.headers({"X-Block": "block"}):
            return await Back.seen()

    @staticmethod
    async def relay_async() -> dict[str, str]:
        return await Back.seen_async()

    @staticmethod
    def own() -> dict[str, str]:
        return dict(graft_context.headers())
"""


def post(gg, service, method, headers):
    url = "%s/call/%s/%s" % (gg.calls, service, method)
    req = urllib.request.Request(url, data=b"", method="POST", headers=headers)
    with urllib.request.urlopen(req, timeout=30) as response:
        import json
        return json.loads(response.read())


@pytest.fixture(scope="module")
def back(tmp_path_factory):
    root = tmp_path_factory.mktemp("metadata")
    (root / "back").mkdir()
    (root / "back" / "back.py").write_text(BACK)
    (root / "front").mkdir()
    (root / "front" / "front.py").write_text(FRONT)
    with Gateway(str(root / "back" / "back.py"), tcp=True) as gg:
        cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
               "--target", str(root / "lib"), "--index-url", gg.web + "/simple/", GRAFT, "graft-context"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stdout + out.stderr
        yield root, gg


@pytest.mark.parametrize("mode", ["remote", "inprocess"])
def test_an_identity_set_by_the_first_caller_reaches_the_third_service(back, mode):
    root, back_gg = back
    host = "127.0.0.1:%d" % back_gg.tcp_port if mode == "remote" else "inMemory"
    config = "name=%s;host=%s;runtime=python;modules=%s" % (GRAFT, host, root / "back")
    env = dict(os.environ, GRAFT_CONFIG=config, PYTHONPATH=str(root / "lib"))
    with Gateway(str(root / "front" / "front.py"), env=env) as front:
        sent = {"X-User": "ada", "Authorization": "Bearer secret", "X-Request-Id": "r-1"}
        own = post(front, "Front", "own", sent)
        assert own["x-user"] == "ada" and own["x-request-id"] == "r-1", own
        assert "authorization" not in own and "connection" not in own and "host" not in own, own
        seen = post(front, "Front", "relay", sent)
        assert seen["x-user"] == "ada", seen
        assert seen["x-front"] == "front" and seen["x-block"] == "block", seen
        assert "authorization" not in seen, seen
        seen = post(front, "Front", "relay_async", {"X-User": "grace"})
        assert seen["x-user"] == "grace" and seen["x-front"] == "front" and "x-block" not in seen, seen
        # Nothing leaks from one call into the next.
        assert "x-user" not in post(front, "Front", "own", {})


def test_the_index_serves_graft_context_for_type_checkers(back):
    root, _ = back
    assert (root / "lib" / "graft_context" / "py.typed").exists()
    code = "import graft_context; print(dict(graft_context.headers()))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30,
                         env=dict(os.environ, PYTHONPATH=str(root / "lib")))
    assert out.returncode == 0 and out.stdout.strip() == "{}", out.stdout + out.stderr


TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def test_a_trace_continues_across_two_gateways_and_a_bad_traceparent_starts_one(back):
    root, back_gg = back
    config = "name=%s;host=127.0.0.1:%d;runtime=python" % (GRAFT, back_gg.tcp_port)
    env = dict(os.environ, GRAFT_CONFIG=config, PYTHONPATH=str(root / "lib"))
    with Gateway(str(root / "front" / "front.py"), env=env) as front:
        sent = "00-%s-00f067aa0ba902b7-01" % TRACE
        own = post(front, "Front", "own", {"traceparent": sent})["traceparent"]
        version, trace, span, flags = own.split("-")
        assert (version, trace, flags) == ("00", TRACE, "01") and span not in ("00f067aa0ba902b7", "0" * 16), own
        seen = post(front, "Front", "relay", {"traceparent": sent})["traceparent"]
        assert seen.split("-")[1] == TRACE, seen
        front_line = [line for line in front.output(wait_for="method=relay").splitlines() if "Front" in line and "relay" in line][-1]
        back_line = [line for line in back_gg.output(wait_for=seen.split("-")[2]).splitlines() if seen.split("-")[2] in line][-1]
        front_span = front_line.split("span_id=")[1].split()[0]
        assert 'parent_id="00f067aa0ba902b7"' in front_line and "trace_id=" + TRACE in front_line, front_line
        assert 'parent_id="%s"' % front_span in back_line and 'outcome="ok"' in back_line, back_line
        for bad in ("00-%s-0000000000000000-01" % TRACE, "garbage", "ff-%s-00f067aa0ba902b7-01" % TRACE):
            fresh = post(front, "Front", "own", {"traceparent": bad})["traceparent"]
            assert fresh.split("-")[1] != TRACE and len(fresh.split("-")[1]) == 32, (bad, fresh)


def test_log_format_json_writes_each_call_with_its_trace_ids(back):
    root, _ = back
    import json
    with Gateway(str(root / "back" / "back.py"), args=["--logFormat", "json"]) as gg:
        post(gg, "Back", "seen", {"traceparent": "00-%s-00f067aa0ba902b7-01" % TRACE})
        lines = [json.loads(line) for line in gg.output(wait_for='"seen"').splitlines() if line.startswith("{")]
    calls = [line["fields"] for line in lines if line.get("fields", {}).get("message") == "call"]
    assert calls and calls[-1]["trace_id"] == TRACE and calls[-1]["method"] == "seen", lines
    assert calls[-1]["parent_id"] == "00f067aa0ba902b7" and calls[-1]["outcome"] == "ok", calls


def test_each_call_has_one_access_line_when_gg_has_stopped(back):
    # Access lines wait in a buffer, written every 0.1 s and at exit: one
    # line per call, none lost or written twice.
    root, _ = back
    with Gateway(str(root / "back" / "back.py"), args=["--drainDelay", "0"]) as gg:
        for _ in range(40):
            post(gg, "Back", "seen", {})
        assert gg.stop() == 0
        lines = [line for line in gg.output().splitlines() if "method=seen" in line]
    assert len(lines) == 40, lines
