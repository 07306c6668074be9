import type { Wire } from "./codec.js";
import { type Context } from "./convert.js";
import type { CallSpec, Transport } from "./transport.js";
export declare class HttpTransport implements Transport {
    private readonly base;
    private readonly token;
    private readonly ctx;
    closed: Error | null;
    private readonly turns;
    constructor(base: string, token: string | null, ctx: Context);
    private url;
    private send;
    /** A fetch that failed: never sent when the connection was refused, else it may have run. */
    private unreachable;
    /** Calls on one remote object leave in the order they were made, as on TCP's one
     *  connection: each waits until the one before it is answered, since requests on
     *  several connections could reach the gateway in any order (it runs an object's
     *  calls one at a time anyway). */
    private inTurn;
    call(c: CallSpec): Promise<Wire>;
    private callNow;
    /** NDJSON lines, each an item; a last `{"error": ...}` line raises it. */
    stream(c: CallSpec, signal?: AbortSignal): AsyncGenerator<Wire>;
    private item;
    close(): void;
}
