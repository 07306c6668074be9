// The decisions of a graft with several replicas, without I/O (replicas.ts
// does the calls), as python/graft_runtime/balancer.py makes them:
// - Policy: the configuration keys (docs/CONFIG.md, "Replicas").
// - Health: one replica's outlier ejection and circuit breaker. A replica that
//   could not be reached is ejected for `eject` seconds; after `breaker`
//   failures in a row its circuit opens for `breaker_cooldown` seconds; then
//   one probe call goes to it (half-open) until one succeeds.
// - pick: fewest calls outstanding among the usable replicas, ties taken in
//   turn; `balance=round_robin` takes them in turn whatever their load.
// - RetryBudget: retries at most `retry_budget` of the calls of the last 10 s,
//   plus 10 a second.
// - backoff: exponential with full jitter.

import { CircuitOpen, Unavailable } from "./errors.js";

export const BACKOFF_CAP = 2; // seconds
const BUDGET_WINDOW = 10; // seconds of calls a retry budget looks back on
const BUDGET_FLOOR = 10; // retries a second allowed whatever the ratio

export interface Policy {
  balance: "least" | "round_robin";
  retries: number;
  retry_budget: number;
  backoff: number;
  breaker: number;
  breaker_cooldown: number;
  eject: number;
  resolve: number;
}

export const DEFAULT_POLICY: Policy = {
  balance: "least", retries: 3, retry_budget: 0.2, backoff: 0.05, breaker: 5, breaker_cooldown: 5, eject: 30, resolve: 30,
};

/** The policy of a configuration's checked keys (config.ts), defaults for the rest. */
export function policyOf(keys: Record<string, string | number>): Policy {
  return { ...DEFAULT_POLICY, ...keys } as Policy;
}

/** Seconds on a monotonic clock. */
export function now(): number {
  return performance.now() / 1000;
}

/** One replica's state: out until `outUntil` (ejected or circuit open), failures in a row, a probe in flight. */
export class Health {
  failures = 0;
  outUntil = 0;
  why: "" | "ejected" | "circuit open" = "";
  /** Out once: the next call is a probe. */
  suspect = false;
  probing = false;

  /** Whether a call may go to it now: in, or back from an out period with no probe in flight. */
  usable(at: number): boolean {
    return !this.suspect || (at >= this.outUntil && !this.probing);
  }

  /** A call goes to it; a call after an out period is the probe. */
  started(): void {
    if (this.suspect) this.probing = true;
  }

  /** A call on it succeeded (or failed on the method's own account); only a probe proves a suspect well. */
  succeeded(): void {
    if (this.suspect && !this.probing) return;
    this.failures = 0;
    this.suspect = this.probing = false;
    this.why = "";
  }

  /** A call failed on it (`unreachable`: could not reach it, or the connection dropped). */
  failed(at: number, policy: Policy, unreachable: boolean): void {
    const wasProbe = this.probing;
    this.probing = false;
    if (at < this.outUntil && !wasProbe) return; // calls under way when it went out count once
    this.failures += 1;
    if (this.failures >= policy.breaker || (wasProbe && this.why === "circuit open")) {
      this.out(at + policy.breaker_cooldown, "circuit open");
    } else if (unreachable) {
      this.out(at + policy.eject, "ejected");
    }
  }

  private out(until: number, why: "ejected" | "circuit open"): void {
    this.outUntil = this.why === why ? Math.max(this.outUntil, until) : until;
    this.why = why;
    this.suspect = true;
  }
}

/** What the balancer reads of a replica. */
export interface Balanced { host: string; port: number; outstanding: number; health: Health }

/** The replica (index) for the next call, or -1 when none is usable; `skip`: tried already. */
export function pick(replicas: readonly Balanced[], at: number, turn: number, policy: Policy, skip: readonly number[] = []): number {
  const n = replicas.length;
  let best = -1, least = 0;
  for (let k = 0; k < n; k++) {
    const i = (turn + k) % n;
    const r = replicas[i]!;
    if ((r.health.suspect && !r.health.usable(at)) || skip.includes(i)) continue;
    if (policy.balance === "round_robin") return i;
    if (best < 0 || r.outstanding < least) [best, least] = [i, r.outstanding];
  }
  return best;
}

/**
 * `pick`, else (none usable) the least loaded of those merely ejected: its
 * probe. Throws CircuitOpen when every replica not tried has its circuit open,
 * Unavailable when none is left.
 */
export function choose(replicas: readonly Balanced[], at: number, turn: number, policy: Policy, tried: readonly number[]): number {
  const index = pick(replicas, at, turn, policy, tried);
  if (index >= 0) return index;
  const left = replicas.map((r, i) => [r, i] as const).filter(([, i]) => !tried.includes(i));
  const spare = left.filter(([r]) => r.health.why !== "circuit open");
  if (spare.length) {
    spare.sort(([a], [b]) => a.outstanding - b.outstanding || a.health.outUntil - b.health.outUntil);
    return spare[0]![1];
  }
  if (!left.length) {
    const last = replicas[tried[tried.length - 1]!]!;
    throw new Unavailable(`Graft gateway at ${last.host}:${last.port}: no other replica to retry on`, last.host, last.port);
  }
  const [soonest] = left.map(([r]) => r).sort((a, b) => a.health.outUntil - b.health.outUntil);
  const several = replicas.length === 1 ? "" : `every replica's circuit is open (${replicas.length}); `;
  const wait = Math.max(0, soonest!.health.outUntil - at).toFixed(1);
  throw new CircuitOpen(soonest!.host, soonest!.port,
    `${several}circuit open after ${soonest!.health.failures} failures in a row; next probe in ${wait} s`);
}

/** Allows a retry while retries stay within `ratio` of the calls of the last 10 s, plus 10 a second. */
export class RetryBudget {
  /** [second, calls, retries], oldest first. */
  private seconds: [number, number, number][] = [];

  constructor(private readonly ratio: number, private readonly clock: () => number = now) {}

  private current(): [number, number, number] {
    const second = Math.floor(this.clock());
    const last = this.seconds[this.seconds.length - 1];
    if (last && last[0] === second) return last;
    const made: [number, number, number] = [second, 0, 0];
    this.seconds.push(made);
    while (this.seconds[0]![0] <= second - BUDGET_WINDOW) this.seconds.shift();
    return made;
  }

  /** One more call. */
  called(): void {
    this.current()[1] += 1;
  }

  /** Spends one retry if the budget allows it. */
  take(): boolean {
    const current = this.current();
    let calls = 0, retries = 0;
    for (const s of this.seconds) { calls += s[1]; retries += s[2]; }
    if (retries >= this.ratio * calls + BUDGET_FLOOR * BUDGET_WINDOW) return false;
    current[2] += 1;
    return true;
  }
}

/** Seconds to wait before retry number `attempt` (1, 2, ...): full jitter. */
export function backoff(attempt: number, base: number, rand: () => number = Math.random): number {
  return rand() * Math.min(BACKOFF_CAP, base * 2 ** (attempt - 1));
}
