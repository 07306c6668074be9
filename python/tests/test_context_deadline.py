"""graft_context.deadline(): the time the call being served has left, kept
through a coroutine's and a generator's steps; a Graft's call made inside
gets no more (remote.within)."""

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from graft_runtime import context  # noqa: E402
from graft_runtime.remote import within  # noqa: E402


def test_outside_a_call_there_is_no_deadline() -> None:
    assert context.deadline() is None
    assert within(None) is None and within(2.5) == 2.5


def test_a_plain_call_sees_what_is_left_and_within_takes_the_shorter() -> None:
    at = time.monotonic() + 1.0
    left = context.run_until(at, context.as_mapping(()), context.deadline)
    assert 0.9 < left <= 1.0
    assert 0.9 < context.run_until(at, context.as_mapping(()), within, 5.0) <= 1.0
    assert context.run_until(at, context.as_mapping(()), within, 0.25) == 0.25
    assert context.run_until(time.monotonic() - 1, context.as_mapping(()), context.deadline) == 0.0
    assert context.deadline() is None


def test_a_coroutine_and_a_generator_keep_their_deadline() -> None:
    async def later() -> float:
        await asyncio.sleep(0)
        left = context.deadline()
        assert left is not None
        return left

    def items():
        yield context.deadline()
        yield context.deadline()

    bound = context.bind(later, [("x-a", "1")], time.monotonic() + 2.0)
    assert 1.9 < asyncio.run(bound()) <= 2.0
    steps = list(context.bind(items, [], time.monotonic() + 3.0)())
    assert all(2.9 < left <= 3.0 for left in steps)
    assert context.deadline() is None


def test_run_keeps_the_deadline_in_force() -> None:
    at = time.monotonic() + 1.0
    inner = context.run_until(at, context.as_mapping(()), context.run, context.as_mapping(()), context.deadline)
    assert 0.9 < inner <= 1.0
