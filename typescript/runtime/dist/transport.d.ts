import type { Wire } from "./codec.js";
import type { TypeRef } from "./convert.js";
/** One call: its arguments already wire values, with their types for the HTTP API's JSON. */
export interface CallSpec {
    service: string;
    method: string;
    /** A remote object's id, or "" (with method `__init__` to make one, `__release__` to release it). */
    object: string;
    args: Wire[];
    kwargs: [string, Wire][];
    /** What a call returns (a stream: each item), to read the HTTP API's JSON. */
    returns: TypeRef;
    metadata: [string, string][];
    /** Seconds, or null for no limit; for a stream, per item. */
    timeout: number | null;
}
/** An Error frame (or the HTTP API's error body) before it becomes a graft's error class. */
export interface RawError {
    raw: true;
    status: number;
    typeName: string;
    module: string;
    message: string;
    fields: [string, Wire][];
    traceback: string;
    callId: string | null;
}
export declare function isRaw(e: unknown): e is RawError;
export interface Transport {
    call(c: CallSpec): Promise<Wire>;
    stream(c: CallSpec, signal?: AbortSignal): AsyncGenerator<Wire>;
    close(): void;
    /** Set when it cannot be used again. */
    closed: Error | null;
}
