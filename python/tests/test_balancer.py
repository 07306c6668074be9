"""The balancer's decisions (graft_runtime/balancer.py): pick, ejection, breaker, budget, back-off."""

import sys

import pytest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from graft_runtime import balancer, errors  # noqa: E402
from graft_runtime.balancer import BACKOFF_CAP, Health, Policy, RetryBudget, backoff  # noqa: E402

POLICY = Policy(breaker=3, breaker_cooldown=5.0, eject=30.0)


class Replica:
    def __init__(self, outstanding, health):
        self.outstanding, self.health = outstanding, health


def healthy(n):
    return [Health() for _ in range(n)]


def pick(loads, healths, now, turn, policy, skip=()):
    return balancer.pick([Replica(n, h) for n, h in zip(loads, healths)], now, turn, policy, skip)


def test_least_outstanding_wins_and_ties_go_round():
    hs = healthy(3)
    assert pick([4, 1, 2], hs, 0.0, 0, POLICY) == 1
    assert [pick([0, 0, 0], hs, 0.0, t, POLICY) for t in range(6)] == [0, 1, 2, 0, 1, 2]


def test_round_robin_ignores_load_and_skip_leaves_replicas_out():
    hs = healthy(3)
    rr = POLICY._replace(balance="round_robin")
    assert [pick([9, 0, 0], hs, 0.0, t, rr) for t in range(3)] == [0, 1, 2]
    assert pick([0, 0, 0], hs, 0.0, 0, POLICY, skip=[0, 1]) == 2
    assert pick([0, 0, 0], hs, 0.0, 0, POLICY, skip=[0, 1, 2]) is None


def test_an_unreachable_replica_is_ejected_then_probed_once_then_back():
    hs = healthy(2)
    hs[0].failed(10.0, POLICY, unreachable=True)
    assert hs[0].why == "ejected" and not hs[0].usable(39.9)
    assert [pick([0, 0], hs, 20.0, t, POLICY) for t in range(4)] == [1, 1, 1, 1]
    assert hs[0].usable(40.0)  # the ejection is over: one probe may go
    hs[0].started()
    assert not hs[0].usable(40.0), "a second call waits for the probe"
    hs[0].succeeded()
    assert hs[0].usable(40.0) and hs[0].why == "" and hs[0].failures == 0


def test_calls_under_way_when_it_went_out_count_once_and_prove_nothing():
    h = Health()
    h.failed(0.0, POLICY, unreachable=True)
    for _ in range(10):
        h.failed(0.1, POLICY, unreachable=True)
        h.succeeded()
    assert h.failures == 1 and h.why == "ejected" and not h.usable(29.0)


def test_a_failed_probe_puts_it_out_again():
    h = Health()
    h.failed(0.0, POLICY, unreachable=True)
    h.started()
    h.failed(30.0, POLICY, unreachable=True)
    assert not h.usable(59.0) and h.usable(60.0)


def test_the_circuit_opens_after_failures_in_a_row_half_opens_and_closes():
    h = Health()
    for t in (1.0, 2.0):
        h.failed(t, POLICY, unreachable=False)
        assert h.usable(t), "below the threshold, still in"
    h.failed(3.0, POLICY, unreachable=False)
    assert h.is_open(3.0) and not h.usable(7.9)
    assert h.usable(8.0) and not h.is_open(8.0)  # half-open: one probe
    h.started()
    h.failed(8.1, POLICY, unreachable=False)  # the probe failed: open again
    assert h.is_open(8.1) and not h.usable(13.0) and h.usable(13.1)
    h.started()
    h.succeeded()
    assert not h.is_open(13.1) and h.usable(13.1) and h.failures == 0


def test_a_success_resets_the_count():
    h = Health()
    h.failed(0.0, POLICY, unreachable=False)
    h.failed(0.0, POLICY, unreachable=False)
    h.succeeded()
    h.failed(0.0, POLICY, unreachable=False)
    assert not h.is_open(0.0)


def test_the_retry_budget_is_a_share_of_calls_plus_a_floor():
    now = [100.0]
    budget = RetryBudget(0.2, window=10, floor=1.0, clock=lambda: now[0])  # 10 retries + 20% of calls
    for _ in range(100):
        budget.called()
    granted = sum(budget.take() for _ in range(100))
    assert granted == 30
    now[0] += 10.0  # the window has passed: only the floor is left
    assert sum(budget.take() for _ in range(100)) == 10


def test_backoff_is_full_jitter_exponential_and_capped():
    assert backoff(1, 0.05, rand=lambda: 1.0) == 0.05
    assert backoff(3, 0.05, rand=lambda: 1.0) == 0.2
    assert backoff(3, 0.05, rand=lambda: 0.5) == 0.1
    assert backoff(30, 0.05, rand=lambda: 1.0) == BACKOFF_CAP
    assert backoff(2, 0.05, rand=lambda: 0.0) == 0.0


def test_choose_falls_back_to_ejected_replicas_but_not_to_open_circuits():
    class Conn:
        host = "10.0.0.1"

    replicas = [balancer.Replica(("10.0.0.%d" % i, 9092), Conn()) for i in (1, 2)]
    replicas[0].health.failed(0.0, POLICY, unreachable=True)
    replicas[1].health.failed(0.0, POLICY, unreachable=True)
    assert balancer.choose(replicas, 1.0, 0, POLICY, ()) in (0, 1), "ejected ones still get calls"
    for r in replicas:
        for _ in range(3):
            r.health.started()
            r.health.failed(1.0, POLICY, unreachable=True)
    with pytest.raises(errors.CircuitOpen, match=r"every replica's circuit is open \(2\); circuit open after 4 "
                                                 r"failures in a row; next probe in 5\.0 s"):
        balancer.choose(replicas, 1.0, 0, POLICY, ())
    with pytest.raises(errors.Unavailable, match="no other replica"):
        balancer.choose(replicas, 1.0, 0, POLICY, (0, 1))
