// Calls to a graft's replicas: several addresses, or a name that resolves to
// several (docs/CONFIG.md, "Replicas"), as python/graft_runtime/replicas.py
// makes them. One transport per replica; each call goes to the replica with
// the fewest calls outstanding (balancer.ts). A call that never ran (it could
// not be sent, or the gateway refused it at once: Unavailable status while
// draining, Overloaded) is retried on another replica, at most `retries`
// times, within the retry budget, after a back-off and within its timeout; a
// call that may have run (its connection was lost after it was sent, or it
// timed out) only if its method is idempotent. Calls on a remote object go to
// the replica that made it; a stream stays on the replica it started on.
// Neither is retried.
import { Health, RetryBudget, backoff, choose, now } from "./balancer.js";
import { Timeout, Unavailable } from "./errors.js";
import { isRaw } from "./transport.js";
/** Statuses of calls the gateway refused at once: Unavailable (draining), Overloaded. */
const NEVER_RAN = [5, 8];
/** Seconds: a failure re-resolves names, at most this often. */
const RESOLVE_AFTER_FAILURE = 1;
class Replica {
    host;
    port;
    name;
    open;
    outstanding = 0;
    health = new Health();
    transport = null;
    constructor(host, port, name, open) {
        this.host = host;
        this.port = port;
        this.name = name;
        this.open = open;
    }
    /** Its transport, opened again once closed. */
    async connect() {
        const current = this.transport;
        const known = current && await current.catch(() => null);
        if (known && !known.closed)
            return known;
        if (this.transport !== current)
            return this.connect(); // another caller opened it meanwhile
        this.transport = this.open({ host: this.host, port: this.port }, this.name);
        this.transport.catch(() => { this.transport = null; });
        return this.transport;
    }
    close() {
        this.transport?.then((t) => t.close(), () => undefined);
    }
}
export class Replicas {
    targets;
    policy;
    open;
    resolver;
    idempotent;
    closed = null;
    replicas = [];
    /** Object id -> the replica holding it. */
    homes = new Map();
    budget;
    turn = 0;
    resolvedAt = -Infinity;
    resolving = null;
    constructor(targets, policy, open, resolver, 
    /** Whether a call's method is declared idempotent. */
    idempotent) {
        this.targets = targets;
        this.policy = policy;
        this.open = open;
        this.resolver = resolver;
        this.idempotent = idempotent;
        this.budget = new RetryBudget(policy.retry_budget);
    }
    async call(c) {
        await this.fresh();
        const home = this.homeOf(c);
        if (home !== undefined)
            return this.onObject(home, c);
        this.budget.called();
        const started = now(), tried = [];
        let spec = c, index = this.choose(tried);
        for (;;) {
            try {
                return await this.attempt(this.replicas[index], spec);
            }
            catch (e) {
                tried.push(index);
                if (!this.retryable(this.replicas[index], e, this.idempotent(c)))
                    throw e;
                spec = await this.beforeRetry(tried.length, started, c, e);
                index = this.chooseOr(tried, e);
            }
        }
    }
    async attempt(replica, c) {
        replica.outstanding += 1;
        replica.health.started();
        try {
            const result = await (await replica.connect()).call(c);
            if (replica.health.failures || replica.health.suspect)
                replica.health.succeeded();
            if (result.t === "ref")
                this.homes.set(result.id, replica);
            return result;
        }
        finally {
            replica.outstanding -= 1;
        }
    }
    /** Notes the failure on the replica's health; whether the call may go to another one. */
    retryable(replica, e, mayRepeat) {
        const at = now();
        if (e instanceof Unavailable) { // refused, or the connection dropped: out for a while
            replica.health.failed(at, this.policy, true);
            this.resolveSoon(at);
            return !e.sent || mayRepeat;
        }
        if (e instanceof Timeout) {
            replica.health.failed(at, this.policy, false);
            return mayRepeat;
        }
        if (!isRaw(e)) {
            replica.health.probing = false; // says nothing of the replica; a probe is over
            return false;
        }
        if (e.status === 5)
            replica.health.failed(at, this.policy, true); // draining: out
        else
            replica.health.succeeded(); // it answered (Overloaded too: it is there)
        return NEVER_RAN.includes(e.status);
    }
    /** Waits the back-off before the next retry; the call with the time left. Throws `e` when spent. */
    async beforeRetry(attempt, started, c, e) {
        if (attempt > this.policy.retries || attempt >= this.replicas.length || !this.budget.take())
            throw e;
        const delay = backoff(attempt, this.policy.backoff);
        const left = c.timeout ? started + c.timeout - now() : null;
        if (left !== null && left <= delay)
            throw e;
        await new Promise((r) => setTimeout(r, delay * 1000));
        return left === null ? c : { ...c, timeout: left - delay };
    }
    /** The replica for the next attempt (balancer.choose); throws when none may take it. */
    choose(tried) {
        this.turn += 1;
        return choose(this.replicas, now(), this.turn, this.policy, tried);
    }
    /** The replica for a retry, or the failure `e` itself when no other may take it. */
    chooseOr(tried, e) {
        try {
            return this.choose(tried);
        }
        catch {
            throw e;
        }
    }
    /** undefined: not an object's call; else the replica of the object called or passed (null: not known here). */
    homeOf(c) {
        if (c.object)
            return this.homes.get(c.object) ?? null;
        if (!this.homes.size)
            return undefined;
        for (const v of [...c.args, ...c.kwargs.map(([, w]) => w)]) {
            if (v.t === "ref")
                return this.homes.get(v.id);
        }
        return undefined;
    }
    /** A call on (or with) an object: on its replica; one not known here is looked for on each. */
    async onObject(home, c) {
        const candidates = home ? [home] : this.replicas;
        for (const [n, replica] of candidates.entries()) {
            let result;
            try {
                result = await this.attempt(replica, c);
            }
            catch (e) {
                const last = home !== null || n === candidates.length - 1;
                if (!isRaw(e) || e.status !== 1 || last)
                    throw e;
                continue;
            }
            if (c.method === "__release__")
                this.homes.delete(c.object);
            else if (c.object)
                this.homes.set(c.object, replica);
            return result;
        }
        throw new Unavailable("no replica to call", this.targets[0].host, this.targets[0].port);
    }
    /** A stream: on the object's replica, else the one chosen (another if it cannot be reached); never retried. */
    async *stream(c, signal) {
        await this.fresh();
        const home = c.object ? this.homes.get(c.object) : undefined;
        const [replica, transport] = home ? [home, await home.connect()] : await this.connected();
        replica.outstanding += 1;
        try {
            yield* transport.stream(c, signal);
        }
        finally {
            replica.outstanding -= 1;
        }
    }
    async connected() {
        const tried = [];
        for (;;) {
            const index = this.choose(tried);
            const replica = this.replicas[index];
            try {
                return [replica, await replica.connect()];
            }
            catch (e) {
                tried.push(index);
                this.retryable(replica, e, false);
                if (tried.length >= this.replicas.length)
                    throw e;
            }
        }
    }
    close() {
        this.replicas.forEach((r) => r.close());
    }
    /** The replicas resolved at most `resolve` seconds ago (else refreshed in the background). */
    async fresh() {
        if (!this.replicas.length) {
            await (this.resolving ??= this.resolve());
            if (!this.replicas.length)
                throw new Unavailable("no address to call", this.targets[0].host, this.targets[0].port);
        }
        else if (now() - this.resolvedAt >= this.policy.resolve && this.resolving === null) {
            this.resolving = this.resolve().catch(() => undefined);
        }
    }
    resolveSoon(at) {
        if (at - this.resolvedAt >= RESOLVE_AFTER_FAILURE && this.resolver) {
            this.resolvedAt = Math.min(this.resolvedAt, at - this.policy.resolve);
        }
    }
    async resolve() {
        try {
            this.adopt(await resolveAll(this.targets, this.resolver));
        }
        catch (e) {
            if (!this.replicas.length)
                throw e; // else keep those known: the name may be back at the next refresh
        }
        finally {
            this.resolvedAt = now();
            this.resolving = null;
        }
    }
    /** Uses the replicas at the addresses found; replicas that stay keep their transport. */
    adopt(found) {
        if (!found.length)
            return;
        const kept = [];
        for (const [a, name] of found) {
            if (kept.some((r) => r.host === a.host && r.port === a.port))
                continue;
            const old = this.replicas.find((r) => r.host === a.host && r.port === a.port);
            kept.push(old ?? new Replica(a.host, a.port, name, this.open));
        }
        const held = new Set(this.homes.values());
        for (const gone of this.replicas)
            if (!kept.includes(gone) && !gone.outstanding && !held.has(gone))
                gone.close();
        this.replicas = kept;
    }
}
/** Every target's addresses, each with the name it came from; throws the first failure when none resolves. */
async function resolveAll(targets, resolver) {
    const found = [];
    const failed = [];
    for (const t of targets) {
        if (resolver === null || isIp(t.host)) {
            found.push([t, null]);
            continue;
        }
        try {
            for (const ip of await resolver(t.host))
                found.push([{ host: ip, port: t.port }, t.host]);
        }
        catch (e) {
            failed.push(new Unavailable(`cannot resolve ${t.host}: ${e.message}`, t.host, t.port));
        }
    }
    if (failed.length && !found.length)
        throw failed[0];
    return found;
}
export function isIp(host) {
    return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":");
}
