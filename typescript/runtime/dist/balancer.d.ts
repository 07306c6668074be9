export declare const BACKOFF_CAP = 2;
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
export declare const DEFAULT_POLICY: Policy;
/** The policy of a configuration's checked keys (config.ts), defaults for the rest. */
export declare function policyOf(keys: Record<string, string | number>): Policy;
/** Seconds on a monotonic clock. */
export declare function now(): number;
/** One replica's state: out until `outUntil` (ejected or circuit open), failures in a row, a probe in flight. */
export declare class Health {
    failures: number;
    outUntil: number;
    why: "" | "ejected" | "circuit open";
    /** Out once: the next call is a probe. */
    suspect: boolean;
    probing: boolean;
    /** Whether a call may go to it now: in, or back from an out period with no probe in flight. */
    usable(at: number): boolean;
    /** A call goes to it; a call after an out period is the probe. */
    started(): void;
    /** A call on it succeeded (or failed on the method's own account); only a probe proves a suspect well. */
    succeeded(): void;
    /** A call failed on it (`unreachable`: could not reach it, or the connection dropped). */
    failed(at: number, policy: Policy, unreachable: boolean): void;
    private out;
}
/** What the balancer reads of a replica. */
export interface Balanced {
    host: string;
    port: number;
    outstanding: number;
    health: Health;
}
/** The replica (index) for the next call, or -1 when none is usable; `skip`: tried already. */
export declare function pick(replicas: readonly Balanced[], at: number, turn: number, policy: Policy, skip?: readonly number[]): number;
/**
 * `pick`, else (none usable) the least loaded of those merely ejected: its
 * probe. Throws CircuitOpen when every replica not tried has its circuit open,
 * Unavailable when none is left.
 */
export declare function choose(replicas: readonly Balanced[], at: number, turn: number, policy: Policy, tried: readonly number[]): number;
/** Allows a retry while retries stay within `ratio` of the calls of the last 10 s, plus 10 a second. */
export declare class RetryBudget {
    private readonly ratio;
    private readonly clock;
    /** [second, calls, retries], oldest first. */
    private seconds;
    constructor(ratio: number, clock?: () => number);
    private current;
    /** One more call. */
    called(): void;
    /** Spends one retry if the budget allows it. */
    take(): boolean;
}
/** Seconds to wait before retry number `attempt` (1, 2, ...): full jitter. */
export declare function backoff(attempt: number, base: number, rand?: () => number): number;
