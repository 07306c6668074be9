import type { Wire } from "./codec.js";
import type { Address } from "./config.js";
import type { CallSpec, Transport } from "./transport.js";
export interface TlsFiles {
    ca: string | null;
    cert: string | null;
    key: string | null;
}
/** A connection; `open` dials and exchanges hellos. */
export declare class Connection implements Transport {
    private readonly where;
    private socket;
    private buffer;
    private handlers;
    private nextId;
    private peerMax;
    private lastSent;
    private lastHeard;
    private timer;
    /** Set once the connection failed, closed or said Goodbye: the next call opens a new one. */
    closed: Error | null;
    private constructor();
    static open(address: Address, tls: TlsFiles | null, token: string | null): Promise<Connection>;
    private exchangeHellos;
    private startHeartbeat;
    private send;
    private received;
    private dispatch;
    private fail;
    private register;
    private done;
    private callFrame;
    call(c: CallSpec): Promise<Wire>;
    /** A streaming call's items; returning early (break, return(), the signal) sends Cancel. */
    stream(c: CallSpec, signal?: AbortSignal): AsyncGenerator<Wire>;
    private next;
    close(): void;
}
