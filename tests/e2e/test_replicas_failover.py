"""Replicas failing under load: 64 callers of a graft over three real gg
(127.0.0.2-4). A replica killed with SIGKILL loses no idempotent call and
hangs none; non-idempotent calls in flight on it fail with Unavailable and
later ones go to the live replicas; restarted, it is back in rotation. A
rolling restart (SIGTERM, drain, restart, one replica at a time) fails no
call of any kind. A replica that is full (Overloaded) sends its calls on to
another."""

import asyncio
import collections
import signal
import threading
import time

import pytest

from gateway import request
from replicas import Replica, configure, hammer, install_graft, ports, start

IPS = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
CALLERS = 64


@pytest.fixture(scope="module")
def graft(tmp_path_factory):
    first = start(IPS[:1])
    try:
        return install_graft(first[0], tmp_path_factory.mktemp("lib"))
    finally:
        first[0].stop()


def run(coroutine, bound):
    """Runs the load, which must end within `bound` seconds: no call hangs."""
    return asyncio.run(asyncio.wait_for(coroutine, bound))


def who(results, since=0.0):
    return collections.Counter(v.split("/")[0] for t, kind, v in results if kind == "ok" and t >= since)


def test_sigkill_under_load_loses_no_idempotent_call(graft):
    replicas = start(IPS, args=["--drainDelay=0"])
    victim = replicas[1]
    configure(graft, [r.address for r in replicas], eject=1, breaker_cooldown=1)
    try:
        results = {"where": [], "take": []}

        async def main():
            end = time.monotonic() + 6
            killed = []

            async def kill():
                await asyncio.sleep(2)
                killed.append(time.monotonic())
                victim.stop(signal.SIGKILL)

            await asyncio.gather(
                kill(),
                hammer(lambda: graft.Inventory.where(0.02), CALLERS // 2, lambda: time.monotonic() > end, results["where"]),
                hammer(lambda: graft.Inventory.take(0.02), CALLERS // 2, lambda: time.monotonic() > end, results["take"]),
            )
            return killed[0]

        killed_at = run(main(), 40)
        where_failed = [e for _, kind, e in results["where"] if kind == "error"]
        assert where_failed == [], where_failed[:5]
        take_failed = [(t, e) for t, kind, e in results["take"] if kind == "error"]
        assert all(type(e) is graft.Unavailable and victim.ip in str(e) for _, e in take_failed), take_failed[:5]
        assert all(killed_at - 0.5 < t < killed_at + 0.5 for t, _ in take_failed), "only calls in flight at the kill fail"
        assert len(take_failed) <= CALLERS // 2
        after = who(results["where"], killed_at + 0.5) + who(results["take"], killed_at + 0.5)
        assert victim.ip not in after and set(after) == {IPS[0], IPS[2]}, after
        assert who(results["where"], 0)[victim.ip] > 0, "it had its share before"

        victim.start()
        back = []

        async def again():
            end = time.monotonic() + 15
            while time.monotonic() < end and not back:
                out = []
                await hammer(lambda: graft.Inventory.where(0.0), 8, lambda: len(out) >= 200, out)
                assert all(kind == "ok" for _, kind, _ in out), [v for _, k, v in out if k != "ok"][:3]
                back.extend(t for t, kind, v in out if v.startswith(victim.ip + "/"))

        run(again(), 40)
        assert back, "the restarted replica is back in rotation"
    finally:
        for replica in replicas:
            replica.stop()


def test_a_rolling_restart_fails_no_call(graft):
    replicas = start(IPS, args=["--drainDelay=1", "--drainTimeout=10"])
    configure(graft, [r.address for r in replicas], eject=1)
    results = []
    try:
        async def main():
            stop = []

            async def roll():
                for replica in replicas:
                    await asyncio.sleep(0.5)
                    await asyncio.to_thread(replica.stop, signal.SIGTERM)
                    assert replica.process.returncode == 0, replica.output()
                    await asyncio.to_thread(replica.start)
                await asyncio.sleep(1.5)  # eject=1: the last one restarted is probed and used again
                stop.append(True)

            await asyncio.gather(
                roll(),
                hammer(lambda: graft.Inventory.where(0.01), CALLERS // 2, lambda: bool(stop), results),
                hammer(lambda: graft.Inventory.take(0.01), CALLERS // 2, lambda: bool(stop), results),
            )

        run(main(), 120)
        failed = [v for _, kind, v in results if kind == "error"]
        assert failed == [], (len(failed), failed[:5])
        assert len(results) > 1000
        assert set(who(results)) == set(IPS)
    finally:
        for replica in replicas:
            replica.stop()


def in_flight_and_shed(replica):
    """The replica's calls in flight and calls shed so far, from its /metrics."""
    text = request("http://%s:%d/metrics" % (replica.ip, replica.ports["http"])).body.decode()
    values = dict(line.split()[:2] for line in text.splitlines() if line.startswith("graft_calls_"))
    return float(values["graft_calls_in_flight"]), float(values["graft_calls_shed_total"])


def test_overloaded_is_retried_on_another_replica(graft):
    shared = ports()
    full = Replica(IPS[0], shared, ["--maxInFlight", "1", "--drainDelay=0"]).start()
    free = Replica(IPS[1], shared, ["--drainDelay=0"]).start()
    url = "http://%s:%d/call/Inventory/slow_sync" % (full.ip, shared["port"])
    busy = threading.Thread(target=request, args=(url, {"seconds": 3}))
    try:
        busy.start()  # takes the full replica's one place
        deadline = time.monotonic() + 10
        while in_flight_and_shed(full)[0] < 1:
            assert time.monotonic() < deadline, "the slow call did not start"
            time.sleep(0.02)
        shed_before = in_flight_and_shed(full)[1]
        configure(graft, [full.address, free.address], balance="round_robin")

        async def main():
            # take is not idempotent: a call refused as Overloaded never ran, so it goes on anyway.
            return [await graft.Inventory.take() for _ in range(6)]

        answered = collections.Counter(who.split("/")[0] for who in run(main(), 30))
        assert answered == {free.ip: 6}, answered
        assert in_flight_and_shed(full)[1] - shed_before >= 3, "every other call went to the full replica first"
    finally:
        busy.join()
        full.stop()
        free.stop()
