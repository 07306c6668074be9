import { type Settings } from "./config.js";
import { type Context, type TypeDef, type TypeRef } from "./convert.js";
import { type ExceptionClass, GraftError } from "./errors.js";
export interface ParamDef {
    name: string;
    type: TypeRef;
    positional?: boolean;
}
/** `idempotent`: declared so by its author, a graft may retry it after a lost connection or a timeout. */
export interface MethodDef {
    params: ParamDef[];
    returns: TypeRef;
    streams?: boolean;
    idempotent?: boolean;
}
/** What a graft knows of its service: baked in by the gateway that built it. */
export interface Schema {
    types: Record<string, TypeDef>;
    /** By `Service.method`; a class's constructor is `Service.__init__`. */
    methods: Record<string, MethodDef>;
}
/** Options of a streaming method: an AbortSignal that ends it (as `break` does). */
export interface StreamOptions {
    signal?: AbortSignal;
}
/** A graft object's class, for results that are references to remote objects. */
export type ObjectClass = {
    prototype: object;
};
/** One graft: where its calls go, and how its values and errors convert. */
export declare class Graft implements Context {
    /** The distribution name configurations use: `graft-pypi-<service>`. */
    readonly name: string;
    private readonly schema;
    private readonly exceptions;
    private readonly fallback;
    readonly objects: Record<string, ObjectClass>;
    private code;
    private settings;
    private transports;
    private headers;
    /** `graft-version: <name>/<version>`, sent with every call (docs/PROTOCOL.md, "Metadata"). */
    private readonly identity;
    /** This graft's headers, then its identity: a call's metadata outside any block. */
    private own;
    constructor(
    /** The distribution name configurations use: `graft-pypi-<service>`. */
    name: string, schema: Schema, exceptions: Record<string, ExceptionClass>, fallback?: string | null, 
    /** The package's version: a gateway refuses the calls it no longer answers as this version expects. */
    version?: string | null);
    get types(): Record<string, TypeDef>;
    /** Sets the configuration text (null or "" sets none); checked at once, used from the next call. */
    setConfig(text: string | null | undefined): void;
    /** Resolves the configuration again at the next call (after changing the environment). */
    reload(): void;
    /** The configuration in force; its `source` says where it came from. */
    getConfig(): Settings;
    /** Metadata sent with every call of this graft (names in lower case); null for none. */
    setHeaders(headers: Record<string, string> | null): void;
    /**
     * Adds `headers` to the calls `fn` makes, awaited ones included (Python's
     * `with GraftConfig.headers(...)`); an inner block's name wins. Node only
     * (AsyncLocalStorage); in a browser, setHeaders.
     */
    withHeaders<T>(headers: Record<string, string>, fn: () => T): T;
    /** The metadata of a call made now: this graft's headers, then the enclosing blocks' (a later name wins). */
    private metadata;
    object(service: string, id: string): unknown;
    reference(value: unknown): {
        service: string;
        id: string;
    } | null;
    /** The transport of the configuration in force: one connection, or the replicas of several addresses or a name. */
    private transport;
    /** One transport to `a` (`name`: the name it was resolved from, which TLS checks). */
    private open;
    private spec;
    /** Calls `service.method` (on the remote object `object`, if given) with `values` in parameter order. */
    call(service: string, method: string, values: unknown[], object?: string): Promise<unknown>;
    /** A streaming method's items; `break`, `return()` or the signal cancels it on the gateway. */
    stream(service: string, method: string, values: unknown[], options?: StreamOptions, object?: string): AsyncGenerator<unknown>;
    private error;
    /** Closes this graft's connections (they also let the process exit while idle). */
    close(): Promise<void>;
}
declare global {
    interface SymbolConstructor {
        /** `await using` releases a remote object (Node 20 has the symbol; TypeScript's lib ESNext declares it too). */
        readonly asyncDispose: unique symbol;
    }
}
/**
 * A remote object: an instance of a hosted class living on the gateway. The
 * constructor only keeps its arguments; the hosted object is made at the first
 * call on it. `close()` (or `await using`) releases it.
 */
export declare class RemoteObject {
    private readonly graft;
    private readonly service;
    private readonly init;
    private made;
    constructor(graft: Graft, service: string, init: unknown[]);
    private id;
    /** Calls a method on the hosted object (made first if it was not yet). */
    protected graftCall(method: string, values: unknown[]): Promise<unknown>;
    protected graftStream(method: string, values: unknown[], options?: StreamOptions): AsyncGenerator<unknown>;
    /** Releases the hosted object (its close() runs on the gateway); again is a no-op. */
    close(): Promise<void>;
    [Symbol.asyncDispose](): Promise<void>;
}
export { GraftError };
