// The balancer's decisions without I/O, as python/tests test balancer.py's:
// least outstanding with ties in turn, round robin, ejection, the breaker and
// its probe, CircuitOpen, the retry budget and the back-off's bounds.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  type Balanced, DEFAULT_POLICY, Health, RetryBudget, backoff, choose, pick, policyOf,
} from "../runtime/balancer.js";
import { CircuitOpen, GraftError, Unavailable } from "../runtime/errors.js";

const replicas = (...outstanding: number[]): Balanced[] =>
  outstanding.map((n, i) => ({ host: `10.0.0.${i + 1}`, port: 9092, outstanding: n, health: new Health() }));

test("the fewest calls outstanding wins; ties go round", () => {
  assert.equal(pick(replicas(3, 1, 2), 0, 0, DEFAULT_POLICY), 1);
  const idle = replicas(0, 0, 0);
  assert.deepEqual([0, 1, 2, 3].map((turn) => pick(idle, 0, turn, DEFAULT_POLICY)), [0, 1, 2, 0]);
  assert.equal(pick(replicas(0, 5), 0, 0, DEFAULT_POLICY, [0]), 1, "a replica tried already is skipped");
});

test("round_robin takes replicas in turn whatever their load", () => {
  const policy = policyOf({ balance: "round_robin" });
  assert.deepEqual([0, 1, 2].map((turn) => pick(replicas(9, 0, 0), 0, turn, policy)), [0, 1, 2]);
});

test("an unreachable replica is ejected, then probed once, and back after a success", () => {
  const rs = replicas(0, 0);
  rs[0]!.health.failed(100, DEFAULT_POLICY, true);
  assert.equal(rs[0]!.health.why, "ejected");
  assert.deepEqual([0, 1, 2].map((turn) => pick(rs, 110, turn, DEFAULT_POLICY)), [1, 1, 1]);
  assert.equal(pick(rs, 131, 0, DEFAULT_POLICY), 0, "after `eject` seconds: the probe");
  rs[0]!.health.started();
  assert.equal(rs[0]!.health.usable(131), false, "one probe at a time");
  rs[0]!.health.succeeded();
  assert.equal(rs[0]!.health.suspect, false);
  assert.equal(rs[0]!.health.failures, 0);
});

test("failures in a row open the circuit; CircuitOpen when every circuit is open", () => {
  const rs = replicas(0, 0);
  const policy = policyOf({ breaker: 2 });
  for (const r of rs) {
    r.health.failed(10, policy, false);
    r.health.failed(10.5, policy, false);
  }
  assert.equal(rs[0]!.health.why, "circuit open");
  assert.throws(() => choose(rs, 11, 0, policy, []), (e: unknown) => {
    assert.ok(e instanceof CircuitOpen && e instanceof Unavailable && e instanceof GraftError && e instanceof Error);
    assert.equal(e.sent, false);
    assert.match(e.message, /^Graft gateway at 10\.0\.0\.\d:9092: every replica's circuit is open \(2\); circuit open after 2 failures in a row; next probe in 4\.\d s$/);
    return true;
  });
});

test("when all are merely ejected a call still goes to one; none left to retry is Unavailable", () => {
  const rs = replicas(2, 1);
  rs.forEach((r) => r.health.failed(0, DEFAULT_POLICY, true));
  assert.equal(choose(rs, 1, 0, DEFAULT_POLICY, []), 1);
  assert.throws(() => choose(rs, 1, 0, DEFAULT_POLICY, [0, 1]), /no other replica to retry on/);
});

test("the retry budget: 20% of the calls of the last 10 s, plus 10 a second", () => {
  let clock = 1000;
  const budget = new RetryBudget(0.2, () => clock);
  for (let i = 0; i < 100; i++) budget.called();
  let allowed = 0;
  while (budget.take()) allowed++;
  assert.equal(allowed, 20 + 100);
  clock += 11;
  assert.equal(budget.take(), true, "ten seconds later the window is fresh");
});

test("back-off is full jitter, capped at 2 s", () => {
  assert.equal(backoff(1, 0.05, () => 1), 0.05);
  assert.equal(backoff(3, 0.05, () => 1), 0.2);
  assert.equal(backoff(10, 0.05, () => 1), 2);
  assert.equal(backoff(3, 0.05, () => 0), 0);
});
