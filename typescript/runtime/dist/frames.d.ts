import { type Wire } from "./codec.js";
/** The protocol version this client speaks (metadata in a Call, Auth; version 8: the status Overloaded). */
export declare const VERSION = 8;
export declare const MAGIC: number[];
/** The largest frame this client accepts by default (64 MiB). */
export declare const MAX_FRAME: number;
/** Error statuses: 0 Raised ... 8 Overloaded. */
export declare const STATUS_NAMES: readonly ["Raised", "NotFound", "BadArguments", "Internal", "DeadlineExceeded", "Unavailable", "Cancelled", "Unauthenticated", "Overloaded"];
export interface Hello {
    version: number;
    status: number;
    max_frame_size: number;
    heartbeat_ms: number;
}
export type Frame = {
    frame: "call";
    id: bigint;
    service: string;
    method: string;
    object: string;
    metadata: [string, string][];
    timeout_ms: number;
    args: Wire[];
    kwargs: [string, Wire][];
} | {
    frame: "reply" | "reply_part" | "items";
    id: bigint;
    value: Wire;
} | {
    frame: "error";
    id: bigint;
    status: number;
    type_name: string;
    module: string;
    message: string;
    args: Wire[];
    fields: [string, Wire][];
    traceback: string;
} | {
    frame: "ping" | "pong" | "cancel";
    id: bigint;
} | {
    frame: "goodbye";
    id: bigint;
    reason: string;
} | {
    frame: "protocol_error";
    id: bigint;
    code: number;
    message: string;
} | {
    frame: "call_part";
    id: bigint;
    service: string;
    method: string;
    argument: string;
    value: Wire;
} | {
    frame: "credit";
    id: bigint;
    bytes: number;
} | {
    frame: "auth";
    id: bigint;
    token: string;
};
export declare function encodeHello(h: Hello): Uint8Array;
export declare function decodeHello(bytes: Uint8Array): Hello;
/** A whole frame, its length prefix included. */
export declare function encodeFrame(f: Frame): Uint8Array;
/** The frame in `bytes` (length prefix included), checked against `maxFrame`. */
export declare function decodeFrame(bytes: Uint8Array, maxFrame?: number): Frame;
/** Refuses a length prefix below 9 or above the limit, before any body is read. */
export declare function checkLength(length: number, maxFrame?: number): void;
/** A frame from its kind, id and body (the bytes after the length prefix). */
export declare function decodeBody(bytes: Uint8Array): Frame;
