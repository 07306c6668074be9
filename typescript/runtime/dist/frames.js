// Frames and hellos of Graft's wire protocol (docs/PROTOCOL.md, sections 1 and 2).
import { Reader, WireError, Writer, decodeValue, encodeValue } from "./codec.js";
/** The protocol version this client speaks (metadata in a Call, Auth; version 8: the status Overloaded). */
export const VERSION = 8;
export const MAGIC = [0x47, 0x52, 0x46, 0x54];
/** The largest frame this client accepts by default (64 MiB). */
export const MAX_FRAME = 64 * 1024 * 1024;
/** Error statuses: 0 Raised ... 8 Overloaded. */
export const STATUS_NAMES = [
    "Raised", "NotFound", "BadArguments", "Internal", "DeadlineExceeded",
    "Unavailable", "Cancelled", "Unauthenticated", "Overloaded",
];
const KINDS = {
    call: 0x01, reply: 0x02, error: 0x03, ping: 0x04, pong: 0x05, goodbye: 0x06,
    protocol_error: 0x07, reply_part: 0x08, call_part: 0x09, items: 0x0a, credit: 0x0b,
    cancel: 0x0c, auth: 0x0d,
};
const NAMES = Object.fromEntries(Object.entries(KINDS).map(([k, v]) => [v, k]));
export function encodeHello(h) {
    const w = new Writer();
    MAGIC.forEach((b) => w.u8(b));
    w.u16(h.version);
    w.u16(h.status);
    w.u32(h.max_frame_size);
    w.u32(h.heartbeat_ms);
    return w.bytes();
}
export function decodeHello(bytes) {
    if (bytes.length !== 16)
        throw new WireError(`a hello is 16 bytes, not ${bytes.length}`);
    if (MAGIC.some((b, i) => bytes[i] !== b))
        throw new WireError("bad magic: the peer does not speak Graft's protocol");
    const r = new Reader(bytes);
    r.u32();
    return { version: r.u16(), status: r.u16(), max_frame_size: r.u32(), heartbeat_ms: r.u32() };
}
/** A whole frame, its length prefix included. */
export function encodeFrame(f) {
    const w = new Writer();
    w.u32(0);
    w.u8(KINDS[f.frame]);
    w.u64(f.id);
    body(w, f);
    w.setU32(0, w.length - 4);
    return w.bytes();
}
function body(w, f) {
    switch (f.frame) {
        case "call":
            w.str(f.service);
            w.str(f.method);
            w.str(f.object);
            w.u16(f.metadata.length);
            f.metadata.forEach(([k, v]) => { w.str(k); w.str(v); });
            w.u32(f.timeout_ms);
            w.u32(f.args.length);
            f.args.forEach((a) => encodeValue(w, a));
            w.u32(f.kwargs.length);
            f.kwargs.forEach(([k, v]) => { w.str(k); encodeValue(w, v); });
            return;
        case "reply":
        case "reply_part":
        case "items": return encodeValue(w, f.value);
        case "error":
            w.u8(f.status);
            w.str(f.type_name);
            w.str(f.module);
            w.str(f.message);
            w.u32(f.args.length);
            f.args.forEach((a) => encodeValue(w, a));
            w.u32(f.fields.length);
            f.fields.forEach(([k, v]) => { w.str(k); encodeValue(w, v); });
            return w.str(f.traceback);
        case "ping":
        case "pong":
        case "cancel": return;
        case "goodbye": return w.str(f.reason);
        case "protocol_error":
            w.u16(f.code);
            return w.str(f.message);
        case "call_part":
            w.str(f.service);
            w.str(f.method);
            w.str(f.argument);
            return encodeValue(w, f.value);
        case "credit": return w.u32(f.bytes);
        case "auth": return w.str(f.token);
    }
}
/** The frame in `bytes` (length prefix included), checked against `maxFrame`. */
export function decodeFrame(bytes, maxFrame = MAX_FRAME) {
    if (bytes.length < 4)
        throw new WireError("truncated: no length prefix");
    const length = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
    checkLength(length, maxFrame);
    if (bytes.length - 4 < length)
        throw new WireError(`truncated: ${length} bytes announced, ${bytes.length - 4} there`);
    if (bytes.length - 4 > length)
        throw new WireError("trailing bytes after the frame");
    return decodeBody(bytes.subarray(4));
}
/** Refuses a length prefix below 9 or above the limit, before any body is read. */
export function checkLength(length, maxFrame = MAX_FRAME) {
    if (length < 9)
        throw new WireError(`frame too short: ${length} bytes`);
    if (length > maxFrame)
        throw new WireError(`frame too large: ${length} bytes over the limit of ${maxFrame}`);
}
/** A frame from its kind, id and body (the bytes after the length prefix). */
export function decodeBody(bytes) {
    const r = new Reader(bytes);
    const kind = r.u8();
    const name = NAMES[kind];
    if (name === undefined)
        throw new WireError(`unknown frame kind 0x${kind.toString(16)}`);
    const id = r.u64();
    const f = read(r, name, id);
    r.end();
    return f;
}
function listOf(r) {
    const v = decodeValue(r);
    if (v.t !== "list")
        throw new WireError(`not a list: a part or items frame holds a ${v.t}`);
    return v;
}
function read(r, frame, id) {
    switch (frame) {
        case "call": {
            const service = r.str(), method = r.str(), object = r.str();
            const metadata = [];
            for (let n = r.u16(), i = 0; i < n; i++)
                metadata.push([r.str(), r.str()]);
            const timeout_ms = r.u32();
            const args = [];
            for (let n = r.count(1), i = 0; i < n; i++)
                args.push(decodeValue(r));
            const kwargs = [];
            for (let n = r.count(5), i = 0; i < n; i++)
                kwargs.push([r.str(), decodeValue(r)]);
            return { frame, id, service, method, object, metadata, timeout_ms, args, kwargs };
        }
        case "reply": return { frame, id, value: decodeValue(r) };
        case "reply_part":
        case "items": return { frame, id, value: listOf(r) };
        case "error": return readError(r, id);
        case "ping":
        case "pong":
        case "cancel": return { frame, id };
        case "goodbye":
            if (id !== 0n)
                throw new WireError(`a goodbye's id must be 0, not ${id}`);
            return { frame, id, reason: r.str() };
        case "protocol_error": return { frame, id, code: r.u16(), message: r.str() };
        case "call_part":
            return { frame, id, service: r.str(), method: r.str(), argument: r.str(), value: listOf(r) };
        case "credit": return { frame, id, bytes: r.u32() };
        case "auth": return { frame, id, token: r.str() };
    }
}
function readError(r, id) {
    const status = r.u8();
    if (status >= STATUS_NAMES.length)
        throw new WireError(`unknown error status ${status}`);
    const type_name = r.str(), module = r.str(), message = r.str();
    const args = [];
    for (let n = r.count(1), i = 0; i < n; i++)
        args.push(decodeValue(r));
    const fields = [];
    for (let n = r.count(5), i = 0; i < n; i++)
        fields.push([r.str(), decodeValue(r)]);
    return { frame: "error", id, status, type_name, module, message, args, fields, traceback: r.str() };
}
