import type { Wire } from "./codec.js";
import { type Context } from "./convert.js";
import type { CallSpec, Transport } from "./transport.js";
export declare class HttpTransport implements Transport {
    private readonly base;
    private readonly token;
    private readonly ctx;
    closed: Error | null;
    constructor(base: string, token: string | null, ctx: Context);
    private url;
    private send;
    /** A fetch that failed: never sent when the connection was refused, else it may have run. */
    private unreachable;
    call(c: CallSpec): Promise<Wire>;
    /** NDJSON lines, each an item; a last `{"error": ...}` line raises it. */
    stream(c: CallSpec, signal?: AbortSignal): AsyncGenerator<Wire>;
    private item;
    close(): void;
}
