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
    private readonly address;
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
    private readonly where;
    private constructor();
    /** Dials `address` (with TLS: checked against `servername`, else its host) and exchanges hellos. */
    static open(address: Address & {
        servername?: string;
    }, tls: TlsFiles | null, token: string | null): Promise<Connection>;
    /** The failure `problem` (naming this connection's address); `sent`: a call may have run. */
    private lost;
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
    /** An Error frame as a RawError; a lost connection (the call was sent) as Unavailable. */
    private rawError;
    close(): void;
}
