"""In-process calls carry what a remote call carries to its hosted code:
graft_context.headers() (the caller's metadata, with a traceparent) and
graft_context.deadline() (the configured timeout, or what the call being
served has left), on the first call and on the fast path alike."""

import asyncio
import re
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from graft_runtime import GraftClient, headers  # noqa: E402
from graft_runtime import context  # noqa: E402

HOSTED = str(HERE / "fixtures" / "hosted")
TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-[0-9a-f]{16}-01$")


def client(extra: str = "") -> GraftClient:
    made = GraftClient("graft-pypi-seen", "Seen", "seen")
    made.set_config("name=graft-pypi-seen;host=inMemory;modules=%s%s" % (HOSTED, extra))
    return made


def calls(made: GraftClient, method: str, n: int = 4) -> list:
    """`n` calls in a row: the first plans the method, the next take its fast path."""
    async def main() -> list:
        return [await made.call("Seen", method, (), {"tag": "t%d" % i}) for i in range(n)]
    return asyncio.run(main())


def trace_id(seen: dict) -> str:
    found = TRACEPARENT.match(seen["headers"]["traceparent"])
    assert found, seen
    return found.group(1)


@pytest.mark.parametrize("method", ["plain", "later"])
def test_every_call_sees_the_callers_metadata_and_a_trace(method: str) -> None:
    made = client()
    headers.set_headers({"X-Team": "blue"})
    try:
        with headers.block({"x-user": "ann"}):
            seen = calls(made, method)
    finally:
        headers.set_headers(None)
    assert [s["headers"]["x-user"] for s in seen] == ["ann"] * 4
    assert [s["headers"]["x-team"] for s in seen] == ["blue"] * 4
    assert len({trace_id(s) for s in seen}) == 4, "each call outside a trace starts its own"
    plain = calls(made, method)
    assert all(set(s["headers"]) == {"traceparent"} for s in plain), plain
    assert len({trace_id(s) for s in plain}) == 4


def test_a_call_inside_a_served_one_continues_its_trace_and_metadata() -> None:
    made = client()
    incoming = context.as_mapping([("traceparent", "00-%s-%s-01" % ("a" * 32, "b" * 16)), ("x-user", "bob")])
    seen = context.run(incoming, calls, made, "plain")
    assert {trace_id(s) for s in seen} == {"a" * 32}
    assert [s["headers"]["x-user"] for s in seen] == ["bob"] * 4
    assert calls(made, "twice") == [True] * 4


@pytest.mark.parametrize("method", ["plain", "later"])
def test_the_deadline_is_the_timeout_or_what_the_served_call_has_left(method: str) -> None:
    assert all(s["deadline"] is None for s in calls(client(), method))
    timed = calls(client(";timeout=5"), method)
    assert all(4.0 < s["deadline"] <= 5.0 for s in timed), timed
    served = context.run_until(time.monotonic() + 2.0, context.as_mapping(()), calls, client(), method)
    assert all(1.0 < s["deadline"] <= 2.0 for s in served), served
    both = context.run_until(time.monotonic() + 2.0, context.as_mapping(()), calls, client(";timeout=5"), method)
    assert all(1.0 < s["deadline"] <= 2.0 for s in both), both
