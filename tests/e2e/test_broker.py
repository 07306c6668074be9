"""Calls through a broker (issue 19): a real redis-server, real gateways with
--broker, and callers configured with host=redis://... in their own processes."""

import os
import signal

import pytest

from broker_helpers import JOBS, call, caller, install_jobs, metric, provider, result, runs, wait_for
from gateway import request
from redis_server import RedisServer


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    lib = tmp_path_factory.mktemp("lib")
    install_jobs(lib)
    return lib


@pytest.fixture
def redis():
    with RedisServer() as server:
        yield server


@pytest.fixture
def log(tmp_path):
    return tmp_path / "runs.log"


def test_values_exceptions_streams_and_metadata_cross_the_broker(lib, redis, log):
    with provider(redis, log) as gg:
        r = call(lib, redis, """
            receipt = await Jobs.work("a")
            try:
                await Jobs.fail(7)
                failed = None
            except JobError as e:
                failed = [type(e).__name__, str(e), e.code]
            with GraftConfig.headers({"user": "ann"}):
                who = await Jobs.whoami()
            return {"add": await Jobs.add(2, 3), "receipt": [type(receipt).__name__, receipt.job, receipt.runs_on],
                    "failed": failed, "items": [i async for i in Jobs.count(5)], "who": who}
        """, timeout="20")
        assert r == {"add": 5, "receipt": ["Receipt", "a", gg.process.pid], "failed": ["JobError", "job failed with 7", 7],
                     "items": [0, 1, 2, 3, 4], "who": "ann some"}
        status = request(gg.web + "/status").json()
        assert status["broker"]["url"] == redis.url
        assert status["broker"]["queues"] == ["graft:calls:Jobs"]
        assert metric(gg, 'graft_calls_started_total{method="add",protocol="broker",service="Jobs"}') == 1


def test_a_stream_its_caller_stops_reading_is_closed(lib, redis, log):
    with provider(redis, log):
        r = call(lib, redis, """
            ticks = Jobs.ticks()
            got = [await ticks.__anext__() for _ in range(3)]
            await ticks.aclose()
            return [got, await Jobs.add(1, 1)]  # sent after the stream's cancel, on the same connection
        """)
        assert r == [[0, 1, 2], 2]
        wait_for(lambda: runs(log, "ticks closed"), what="the generator closed")


def test_a_call_made_with_no_provider_up_is_answered_once_one_starts(lib, redis, log):
    waiting = caller(lib, redis, "return await Jobs.add(20, 22)")
    wait_for(lambda: redis.command("XLEN", "graft:calls:Jobs") == 1, what="the call in the queue")
    assert waiting.poll() is None
    with provider(redis, log):
        assert result(waiting) == 42
    assert redis.command("XLEN", "graft:calls:Jobs") == 0


def test_an_expired_call_is_not_run(lib, redis, log):
    r = call(lib, redis, """
        try:
            await Jobs.work("late")
        except Timeout as e:
            return str(e)
    """, timeout="0.5")
    assert "did not finish within 0.5 s" in r
    with provider(redis, log) as gg:
        wait_for(lambda: metric(gg, "graft_broker_calls_expired_total") == 1, what="the call dropped")
        assert call(lib, redis, 'return (await Jobs.work("on time")).job') == "on time"
    assert [arg for _, _, arg in runs(log)] == ["on time"]


def test_two_providers_share_one_queue_and_each_call_runs_once(lib, redis, log):
    with provider(redis, log) as one, provider(redis, log) as two:
        r = call(lib, redis, """
            done = await asyncio.gather(*(Jobs.work("job%d" % i, 0.05) for i in range(40)))
            return sorted(d.job for d in done)
        """)
        assert r == sorted("job%d" % i for i in range(40))
    ran = runs(log)
    assert sorted(arg for _, _, arg in ran) == r
    assert {pid for pid, _, _ in ran} == {one.process.pid, two.process.pid}


@pytest.mark.parametrize("method", ["rework", "work"])
def test_a_provider_killed_mid_call(lib, redis, log, method):
    """Taken over after --brokerReclaim: run again only if idempotent, else a clear error."""
    first = provider(redis, log, "--brokerReclaim", "1")
    waiting = caller(lib, redis, """
        try:
            return (await Jobs.%s("long", 2)).runs_on
        except ConnectionError as e:
            return [type(e).__name__, str(e)]
    """ % method)
    wait_for(lambda: runs(log, "long"), what="the call running")
    first.stop(signal.SIGKILL)
    with provider(redis, log, "--brokerReclaim", "1") as second:
        answer = result(waiting)
        wait_for(lambda: redis.command("XLEN", "graft:calls:Jobs") == 0, what="the queue emptied")
    ran = [pid for pid, _, _ in runs(log, "long")]
    if method == "rework":
        assert answer == second.process.pid
        assert ran == [first.process.pid, second.process.pid]
    else:
        assert answer[0] == "ConnectionError"
        assert "Jobs.work was taken from the queue by a gateway that stopped before answering" in answer[1]
        assert "not idempotent" in answer[1]
        assert ran == [first.process.pid]


def test_fire_and_forget_runs_once_after_a_provider_restart(lib, redis, log):
    with provider(redis, log):
        pass  # the queue's group exists; nobody takes calls now
    assert call(lib, redis, 'return await GraftConfig.send(Jobs.notify, "hello")') is None
    assert runs(log) == []
    with provider(redis, log) as gg:
        wait_for(lambda: runs(log, "hello"), what="the notification")
        assert [(pid, m) for pid, m, _ in runs(log)] == [(gg.process.pid, "notify")]
    with pytest.raises(AssertionError, match="only a method annotated -> None"):
        call(lib, redis, "return await GraftConfig.send(Jobs.add, 1, 2)")


def test_backpressure_and_the_queue_length_in_metrics(lib, redis, log):
    with provider(redis, log, "--maxInFlight", "1") as gg:
        waiting = caller(lib, redis, """
            done = await asyncio.gather(*(Jobs.work("q%d" % i, 0.5) for i in range(5)))
            return [d.job for d in done]
        """)
        queued = 'graft_broker_queue_length{queue="graft:calls:Jobs"}'
        wait_for(lambda: (metric(gg, queued) or 0) >= 3, what="a queue length of 3 or more")
        assert result(waiting) == ["q%d" % i for i in range(5)]
        wait_for(lambda: metric(gg, queued) == 0, what="an empty queue")
    assert os.path.exists(log)


def test_a_broker_that_cannot_be_reached_stops_the_gateway():
    from gateway import free_port, run_gg

    url = "redis://127.0.0.1:%d/0" % free_port()
    out = run_gg("--modules", str(JOBS), "--port", "0", "--httpPort", "0", "--broker", url)
    assert out.returncode == 1
    assert "cannot reach the broker %s" % url in out.stderr, out.stderr
