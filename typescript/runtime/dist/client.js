// The client inside a graft: its configuration, its transports, and each
// call from the generated methods' arguments to their results or errors.
import { policyOf } from "./balancer.js";
import { GraftConfigError } from "./config.js";
import { lower, raise } from "./convert.js";
import { GraftError, ReleasedObjectError, raised } from "./errors.js";
import { HttpTransport } from "./http.js";
import { nodeHost, resolve } from "./sources.js";
import { Replicas, isIp } from "./replicas.js";
import { Connection } from "./tcp.js";
import { isRaw } from "./transport.js";
/** One graft: where its calls go, and how its values and errors convert. */
export class Graft {
    name;
    schema;
    exceptions;
    fallback;
    objects = {};
    code = null;
    settings = null;
    transports = new Map();
    headers = [];
    /** `graft-version: <name>/<version>`, sent with every call (docs/PROTOCOL.md, "Metadata"). */
    identity;
    /** This graft's headers, then its identity: a call's metadata outside any block. */
    own;
    constructor(
    /** The distribution name configurations use: `graft-pypi-<service>`. */
    name, schema, exceptions, fallback = null, 
    /** The package's version: a gateway refuses the calls it no longer answers as this version expects. */
    version = null) {
        this.name = name;
        this.schema = schema;
        this.exceptions = exceptions;
        this.fallback = fallback;
        this.identity = version ? [["graft-version", `${name}/${version}`]] : [];
        this.own = this.identity;
    }
    get types() { return this.schema.types; }
    /** Sets the configuration text (null or "" sets none); checked at once, used from the next call. */
    setConfig(text) {
        if (text)
            resolve(this.name, text, null, { env: {}, readFile: null });
        this.code = text || null;
        this.settings = null;
    }
    /** Resolves the configuration again at the next call (after changing the environment). */
    reload() { this.settings = null; }
    /** The configuration in force; its `source` says where it came from. */
    getConfig() {
        this.settings ??= resolve(this.name, this.code, this.fallback, nodeHost()) ?? unconfigured(this.name);
        return this.settings;
    }
    /** Metadata sent with every call of this graft (names in lower case); null for none. */
    setHeaders(headers) {
        this.headers = pairs(headers);
        this.own = [...this.headers.filter(([k]) => k !== "graft-version"), ...this.identity];
    }
    /**
     * Adds `headers` to the calls `fn` makes, awaited ones included (Python's
     * `with GraftConfig.headers(...)`); an inner block's name wins. Node only
     * (AsyncLocalStorage); in a browser, setHeaders.
     */
    withHeaders(headers, fn) {
        const store = blocks();
        if (store === null)
            throw new GraftConfigError("withHeaders needs node:async_hooks (Node 20.16 or later); in a browser, use setHeaders");
        return store.run([...(store.getStore() ?? []), ...pairs(headers)], fn);
    }
    /** The metadata of a call made now: this graft's headers, then the enclosing blocks' (a later name wins). */
    metadata() {
        const block = blockStore?.getStore();
        if (!block?.length)
            return this.own;
        const merged = new Map(this.own);
        for (const [k, v] of block)
            merged.set(k, v);
        return [...merged];
    }
    object(service, id) {
        const cls = this.objects[service];
        const obj = Object.create(cls ? cls.prototype : RemoteObject.prototype);
        Object.assign(obj, { graft: this, service, init: [], made: null });
        objectState.set(obj, { service, id, released: false });
        return obj;
    }
    reference(value) {
        const state = typeof value === "object" && value !== null ? objectState.get(value) : undefined;
        return state && state.id ? { service: state.service, id: state.id } : null;
    }
    /** The transport of the configuration in force: one connection, or the replicas of several addresses or a name. */
    async transport() {
        const s = this.getConfig();
        if (s.scheme === null || !s.hosts.length)
            return unconfigured(this.name, s.source);
        const key = `${s.scheme}://${s.hosts.map((a) => (a.host.includes(":") ? `[${a.host}]` : a.host) + `:${a.port}`).join(",")}`;
        const found = await this.transports.get(key);
        if (found && !found.closed)
            return found;
        const token = s.token ?? nodeHost().env["GRAFT_TOKEN"] ?? null;
        const http = s.scheme === "http" || s.scheme === "https";
        const made = s.hosts.length === 1 && (http || isIp(s.hosts[0].host))
            ? this.open(s, s.hosts[0], null, token)
            : Promise.resolve(new Replicas(s.hosts, policyOf(s.policy), (a, name) => this.open(s, a, name, token), http ? null : lookup, (c) => this.schema.methods[`${c.service}.${c.method}`]?.idempotent === true));
        this.transports.set(key, made);
        made.catch(() => this.transports.delete(key));
        return made;
    }
    /** One transport to `a` (`name`: the name it was resolved from, which TLS checks). */
    open(s, a, name, token) {
        if (s.scheme === "http" || s.scheme === "https") {
            return Promise.resolve(new HttpTransport(`${s.scheme}://${a.host.includes(":") ? `[${a.host}]` : a.host}:${a.port}`, token, this));
        }
        const tls = s.scheme === "tls" ? s.tls ?? { ca: null, cert: null, key: null } : null;
        return Connection.open(name === null ? a : { ...a, servername: name }, tls, token);
    }
    spec(service, method, values, object) {
        const def = this.schema.methods[`${service}.${method}`];
        const args = [], kwargs = [];
        def?.params.forEach((p, i) => {
            const v = values[i];
            if (v === undefined)
                return;
            const w = lower(v, p.type, this);
            if (p.positional)
                args.push(w);
            else
                kwargs.push([p.name, w]);
        });
        return { service, method, object, args, kwargs, returns: def?.returns ?? { kind: "any" },
            metadata: this.metadata(), timeout: this.getConfig().timeout };
    }
    /** Calls `service.method` (on the remote object `object`, if given) with `values` in parameter order. */
    async call(service, method, values, object = "") {
        const spec = this.spec(service, method, values, object);
        const transport = await this.transport();
        try {
            return raise(await transport.call(spec), this, spec.returns);
        }
        catch (e) {
            throw this.error(e, spec);
        }
    }
    /** A streaming method's items; `break`, `return()` or the signal cancels it on the gateway. */
    async *stream(service, method, values, options, object = "") {
        const spec = this.spec(service, method, values, object);
        const transport = await this.transport();
        try {
            for await (const item of transport.stream(spec, options?.signal)) {
                if (options?.signal?.aborted)
                    throw options.signal.reason;
                yield raise(item, this, spec.returns);
            }
        }
        catch (e) {
            throw this.error(e, spec);
        }
    }
    error(e, spec) {
        if (!isRaw(e))
            return e;
        const fields = Object.fromEntries(e.fields.map(([k, v]) => [k, raise(v, this)]));
        if (spec.object && e.status === 1 && /released or never existed/.test(e.message)) {
            return Object.assign(new ReleasedObjectError(e.message), { typeName: e.typeName, module: e.module });
        }
        return raised(this.exceptions, e.status, { ...e, fields });
    }
    /** Closes this graft's connections (they also let the process exit while idle). */
    async close() {
        const all = [...this.transports.values()];
        this.transports.clear();
        for (const t of await Promise.allSettled(all))
            if (t.status === "fulfilled")
                t.value.close();
    }
}
/** Every address of a name, as Node's resolver gives them, each once. */
const lookup = async (host) => {
    const dns = await import("node:dns/promises");
    return [...new Set((await dns.lookup(host, { all: true })).map((a) => a.address))];
};
function pairs(headers) {
    return Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]);
}
/** The headers of the enclosing withHeaders blocks; made at the first block. */
let blockStore = null;
function blocks() {
    const proc = globalThis.process;
    const hooks = proc?.getBuiltinModule?.("node:async_hooks");
    blockStore ??= hooks ? new hooks.AsyncLocalStorage() : null;
    return blockStore;
}
function unconfigured(name, source = "nothing configures it") {
    throw new GraftConfigError(`${source}: ${name} runs on a gateway, never in this process: configure host=host:port, tcp://, tls:// or http(s)://host:port (GRAFT_CONFIG, or GraftConfig.setConfig)`);
}
const objectState = new WeakMap();
/**
 * A remote object: an instance of a hosted class living on the gateway. The
 * constructor only keeps its arguments; the hosted object is made at the first
 * call on it. `close()` (or `await using`) releases it.
 */
export class RemoteObject {
    graft;
    service;
    init;
    made = null;
    constructor(graft, service, init) {
        this.graft = graft;
        this.service = service;
        this.init = init;
    }
    id() {
        const known = objectState.get(this);
        if (known) {
            if (known.released)
                return Promise.reject(new ReleasedObjectError(`${known.service} object ${known.id} was released`));
            return Promise.resolve(known.id);
        }
        this.made ??= this.graft.call(this.service, "__init__", this.init).then((ref) => {
            const id = this.graft.reference(ref)?.id ?? "";
            objectState.set(this, { service: this.service, id, released: false });
            return id;
        });
        return this.made;
    }
    /** Calls a method on the hosted object (made first if it was not yet). */
    async graftCall(method, values) {
        return this.graft.call(this.service, method, values, await this.id());
    }
    async *graftStream(method, values, options) {
        yield* this.graft.stream(this.service, method, values, options, await this.id());
    }
    /** Releases the hosted object (its close() runs on the gateway); again is a no-op. */
    async close() {
        const state = objectState.get(this) ?? (this.made ? (await this.made.catch(() => null), objectState.get(this)) : undefined);
        if (!state || state.released)
            return;
        state.released = true;
        await this.graft.call(this.service, "__release__", [], state.id);
    }
    [Symbol.asyncDispose]() {
        return this.close();
    }
}
export { GraftError };
