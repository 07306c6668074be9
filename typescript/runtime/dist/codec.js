// The value codec of Graft's wire protocol (docs/PROTOCOL.md, section 3):
// tagged values, tables by columns, and the limits a decoder enforces.
// No sockets here: `frames.ts` puts values into frames.
/** A frame or value that breaks the protocol's rules. */
export class WireError extends Error {
    name = "WireError";
}
const TAG = {
    none: 0x00, false: 0x01, true: 0x02, int: 0x03, float: 0x04, str: 0x05, bytes: 0x06,
    list: 0x07, tuple: 0x08, set: 0x09, dict: 0x0a, object: 0x0b, enum: 0x0c,
    datetime: 0x0d, date: 0x0e, table: 0x0f, decimal: 0x10, uuid: 0x11, timedelta: 0x12,
    time: 0x13, ref: 0x14,
};
const MAX_DEPTH = 100;
const TEXT_TAGS = {
    0x0d: "datetime", 0x0e: "date", 0x10: "decimal", 0x13: "time",
};
const SEQ_TAGS = { 0x07: "list", 0x08: "tuple", 0x09: "set" };
const utf8 = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });
/** A growing byte buffer with big-endian writers. */
export class Writer {
    buf = new Uint8Array(256);
    view = new DataView(this.buf.buffer);
    length = 0;
    room(n) {
        if (this.length + n <= this.buf.length)
            return;
        const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
        bigger.set(this.buf.subarray(0, this.length));
        this.buf = bigger;
        this.view = new DataView(bigger.buffer);
    }
    u8(v) { this.room(1); this.buf[this.length++] = v; }
    u16(v) { this.room(2); this.view.setUint16(this.length, v); this.length += 2; }
    u32(v) { this.room(4); this.view.setUint32(this.length, v); this.length += 4; }
    i32(v) { this.room(4); this.view.setInt32(this.length, v); this.length += 4; }
    i64(v) { this.room(8); this.view.setBigInt64(this.length, v); this.length += 8; }
    u64(v) { this.room(8); this.view.setBigUint64(this.length, v); this.length += 8; }
    f64(v) { this.room(8); this.view.setFloat64(this.length, v); this.length += 8; }
    raw(bytes) { this.room(bytes.length); this.buf.set(bytes, this.length); this.length += bytes.length; }
    str(s) { const b = utf8.encode(s); this.u32(b.length); this.raw(b); }
    setU32(at, v) { this.view.setUint32(at, v); }
    bytes() { return this.buf.slice(0, this.length); }
}
/** A cursor over one frame's or value's bytes; every read checks what is left. */
export class Reader {
    buf;
    view;
    pos = 0;
    constructor(buf) {
        this.buf = buf;
        this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    get left() { return this.buf.length - this.pos; }
    need(n) {
        if (n > this.left)
            throw new WireError(`truncated: ${n} bytes needed, ${this.left} left`);
        const at = this.pos;
        this.pos += n;
        return at;
    }
    u8() { return this.buf[this.need(1)]; }
    u16() { return this.view.getUint16(this.need(2)); }
    u32() { return this.view.getUint32(this.need(4)); }
    i32() { return this.view.getInt32(this.need(4)); }
    i64() { return this.view.getBigInt64(this.need(8)); }
    u64() { return this.view.getBigUint64(this.need(8)); }
    f64() { return this.view.getFloat64(this.need(8)); }
    raw(n) { const at = this.need(n); return this.buf.slice(at, at + n); }
    str() { return text(this.raw(this.u32())); }
    /** A count of items each at least `min` bytes long, checked against what is left. */
    count(min) {
        const n = this.u32();
        if (n * min > this.left)
            throw new WireError(`a count of ${n} cannot fit in ${this.left} bytes`);
        return n;
    }
    end() {
        if (this.left !== 0)
            throw new WireError(`trailing bytes: ${this.left} after the value`);
    }
}
function text(bytes) {
    try {
        return strict.decode(bytes);
    }
    catch {
        throw new WireError("invalid UTF-8 in a str");
    }
}
/** Writes one value; lists of objects of one shape as tables. */
export function encodeValue(w, v) {
    switch (v.t) {
        case "none": return w.u8(TAG.none);
        case "bool": return w.u8(v.v ? TAG.true : TAG.false);
        case "int":
            if (v.v < -(2n ** 63n) || v.v >= 2n ** 63n)
                throw new RangeError(`${v.v} does not fit in 64 bits`);
            w.u8(TAG.int);
            return w.i64(v.v);
        case "float":
            w.u8(TAG.float);
            return w.f64(v.v);
        case "str":
            w.u8(TAG.str);
            return w.str(v.v);
        case "bytes":
            w.u8(TAG.bytes);
            w.u32(v.v.length);
            return w.raw(v.v);
        case "list": if (putTable(w, v.items))
            return; // else as any sequence
        // falls through
        case "tuple":
        case "set":
            w.u8(TAG[v.t]);
            w.u32(v.items.length);
            return v.items.forEach((item) => encodeValue(w, item));
        case "dict":
            w.u8(TAG.dict);
            w.u32(v.items.length);
            return v.items.forEach(([k, x]) => { encodeValue(w, k); encodeValue(w, x); });
        case "object":
            w.u8(TAG.object);
            w.str(v.name);
            w.u32(v.fields.length);
            return v.fields.forEach(([k, x]) => { w.str(k); encodeValue(w, x); });
        case "enum":
            w.u8(TAG.enum);
            w.str(v.name);
            return encodeValue(w, v.value);
        case "datetime":
        case "date":
        case "decimal":
        case "time":
            w.u8(TAG[v.t]);
            return w.str(v.v);
        case "uuid":
            w.u8(TAG.uuid);
            return w.raw(v.v);
        case "timedelta":
            w.u8(TAG.timedelta);
            w.i32(v.days);
            w.i32(v.seconds);
            return w.i32(v.microseconds);
        case "ref":
            w.u8(TAG.ref);
            w.str(v.service);
            return w.str(v.id);
    }
}
function putTable(w, items) {
    const first = items[0];
    if (first === undefined || first.t !== "object" || first.fields.length === 0)
        return false;
    const names = first.fields.map(([k]) => k);
    const same = (v) => v.t === "object" && v.name === first.name
        && v.fields.length === names.length && v.fields.every(([k], j) => k === names[j]);
    if (!items.every(same))
        return false;
    const rows = items;
    w.u8(TAG.table);
    w.str(first.name);
    w.u32(names.length);
    names.forEach((n) => w.str(n));
    w.u32(rows.length);
    names.forEach((_, j) => putColumn(w, rows.map((r) => r.fields[j][1])));
    return true;
}
function putColumn(w, cells) {
    const all = (t) => cells.every((c) => c.t === t);
    if (all("int")) {
        w.u8(0x03);
        cells.forEach((c) => w.i64(c.v));
        return;
    }
    if (all("float")) {
        w.u8(0x04);
        cells.forEach((c) => w.f64(c.v));
        return;
    }
    if (all("bool")) {
        w.u8(0x01);
        cells.forEach((c) => w.u8(c.v ? 1 : 0));
        return;
    }
    if (all("str")) {
        const strs = cells.map((c) => c.v);
        if (strs.some((s) => s.includes("\0"))) {
            const bytes = strs.map((s) => utf8.encode(s));
            w.u8(0x05);
            bytes.forEach((b) => w.u32(b.length));
            bytes.forEach((b) => w.raw(b));
        }
        else {
            w.u8(0x06);
            w.str(strs.join("\0"));
        }
        return;
    }
    w.u8(0x00);
    cells.forEach((c) => encodeValue(w, c));
}
/** Reads one value at nesting `depth` (a top-level value is at 0). */
export function decodeValue(r, depth = 0) {
    const tag = r.u8();
    const inner = () => { if (depth >= MAX_DEPTH)
        throw new WireError("values nested too deep"); return depth + 1; };
    switch (tag) {
        case 0x00: return { t: "none" };
        case 0x01: return { t: "bool", v: false };
        case 0x02: return { t: "bool", v: true };
        case 0x03: return { t: "int", v: r.i64() };
        case 0x04: return { t: "float", v: r.f64() };
        case 0x05: return { t: "str", v: r.str() };
        case 0x06: return { t: "bytes", v: r.raw(r.u32()) };
        case 0x07:
        case 0x08:
        case 0x09: {
            const d = inner(), n = r.count(1), items = [];
            for (let i = 0; i < n; i++)
                items.push(decodeValue(r, d));
            return { t: SEQ_TAGS[tag], items };
        }
        case 0x0a: {
            const d = inner(), n = r.count(2), items = [];
            for (let i = 0; i < n; i++)
                items.push([decodeValue(r, d), decodeValue(r, d)]);
            return { t: "dict", items };
        }
        case 0x0b: {
            const d = inner(), name = r.str(), n = r.count(5), fields = [];
            for (let i = 0; i < n; i++)
                fields.push([r.str(), decodeValue(r, d)]);
            return { t: "object", name, fields };
        }
        case 0x0c: {
            const d = inner();
            return { t: "enum", name: r.str(), value: decodeValue(r, d) };
        }
        case 0x0d:
        case 0x0e:
        case 0x10:
        case 0x13: return { t: TEXT_TAGS[tag], v: r.str() };
        case 0x0f: return decodeTable(r, depth);
        case 0x11: return { t: "uuid", v: r.raw(16) };
        case 0x12: return { t: "timedelta", days: r.i32(), seconds: r.i32(), microseconds: r.i32() };
        case 0x14: return { t: "ref", service: r.str(), id: r.str() };
        default: throw new WireError(`unknown tag 0x${tag.toString(16)}`);
    }
}
function decodeTable(r, depth) {
    if (depth + 1 >= MAX_DEPTH)
        throw new WireError("values nested too deep");
    const name = r.str();
    const width = r.count(5);
    if (width === 0)
        throw new WireError("a table has no fields");
    const names = [];
    for (let j = 0; j < width; j++)
        names.push(r.str());
    const rows = r.u32();
    if (rows * width > r.left)
        throw new WireError(`a table of ${rows} rows cannot fit in ${r.left} bytes`);
    const columns = names.map(() => readColumn(r, rows, depth + 2));
    const items = [];
    for (let i = 0; i < rows; i++) {
        items.push({ t: "object", name, fields: names.map((n, j) => [n, columns[j][i]]) });
    }
    return { t: "list", items };
}
function readColumn(r, rows, depth) {
    const kind = r.u8();
    const cells = [];
    const each = (read) => { for (let i = 0; i < rows; i++)
        cells.push(read()); return cells; };
    switch (kind) {
        case 0x00: return each(() => decodeValue(r, depth));
        case 0x01: return each(() => {
            const b = r.u8();
            if (b > 1)
                throw new WireError(`a bool column holds ${b}`);
            return { t: "bool", v: b === 1 };
        });
        case 0x03: return each(() => ({ t: "int", v: r.i64() }));
        case 0x04: return each(() => ({ t: "float", v: r.f64() }));
        case 0x05: {
            const lengths = [];
            for (let i = 0; i < rows; i++)
                lengths.push(r.u32());
            return lengths.map((n) => ({ t: "str", v: text(r.raw(n)) }));
        }
        case 0x06: {
            const joined = r.str();
            const strs = rows === 0 ? [] : joined.split("\0");
            if (strs.length !== rows)
                throw new WireError(`a joined str column holds ${strs.length} strings, not ${rows}`);
            return strs.map((v) => ({ t: "str", v }));
        }
        default: throw new WireError(`unknown column kind 0x${kind.toString(16)}`);
    }
}
/** One value's bytes. */
export function encode(v) {
    const w = new Writer();
    encodeValue(w, v);
    return w.bytes();
}
/** Exactly one value from `bytes`. */
export function decode(bytes) {
    const r = new Reader(bytes);
    const v = decodeValue(r);
    r.end();
    return v;
}
