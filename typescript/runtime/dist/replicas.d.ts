import type { Wire } from "./codec.js";
import type { Address } from "./config.js";
import { type Policy } from "./balancer.js";
import { type CallSpec, type Transport } from "./transport.js";
/** Opens a transport to one replica (`name`: the name it was resolved from, for TLS). */
export type Opener = (address: Address, name: string | null) => Promise<Transport>;
/** The addresses of a name; null where names are not resolved here (fetch resolves them itself). */
export type Resolver = ((host: string) => Promise<string[]>) | null;
export declare class Replicas implements Transport {
    private readonly targets;
    private readonly policy;
    private readonly open;
    private readonly resolver;
    /** Whether a call's method is declared idempotent. */
    private readonly idempotent;
    closed: Error | null;
    private replicas;
    /** Object id -> the replica holding it. */
    private homes;
    private budget;
    private turn;
    private resolvedAt;
    private resolving;
    constructor(targets: Address[], policy: Policy, open: Opener, resolver: Resolver, 
    /** Whether a call's method is declared idempotent. */
    idempotent: (c: CallSpec) => boolean);
    call(c: CallSpec): Promise<Wire>;
    private attempt;
    /** Notes the failure on the replica's health; whether the call may go to another one. */
    private retryable;
    /** Waits the back-off before the next retry; the call with the time left. Throws `e` when spent. */
    private beforeRetry;
    /** The replica for the next attempt (balancer.choose); throws when none may take it. */
    private choose;
    /** The replica for a retry, or the failure `e` itself when no other may take it. */
    private chooseOr;
    /** undefined: not an object's call; else the replica of the object called or passed (null: not known here). */
    private homeOf;
    /** A call on (or with) an object: on its replica; one not known here is looked for on each. */
    private onObject;
    /** A stream: on the object's replica, else the one chosen (another if it cannot be reached); never retried. */
    stream(c: CallSpec, signal?: AbortSignal): AsyncGenerator<Wire>;
    private connected;
    close(): void;
    /** The replicas resolved at most `resolve` seconds ago (else refreshed in the background). */
    private fresh;
    private resolveSoon;
    private resolve;
    /** Uses the replicas at the addresses found; replicas that stay keep their transport. */
    private adopt;
}
export declare function isIp(host: string): boolean;
