/** A value as the wire holds it, before any declared type is applied. */
export type Wire = {
    t: "none";
} | {
    t: "bool";
    v: boolean;
} | {
    t: "int";
    v: bigint;
} | {
    t: "float";
    v: number;
} | {
    t: "str";
    v: string;
} | {
    t: "bytes";
    v: Uint8Array;
} | {
    t: "list" | "tuple" | "set";
    items: Wire[];
} | {
    t: "dict";
    items: [Wire, Wire][];
} | {
    t: "object";
    name: string;
    fields: [string, Wire][];
} | {
    t: "enum";
    name: string;
    value: Wire;
} | {
    t: "datetime" | "date" | "decimal" | "time";
    v: string;
} | {
    t: "uuid";
    v: Uint8Array;
} | {
    t: "timedelta";
    days: number;
    seconds: number;
    microseconds: number;
} | {
    t: "ref";
    service: string;
    id: string;
};
/** A frame or value that breaks the protocol's rules. */
export declare class WireError extends Error {
    name: string;
}
/** A growing byte buffer with big-endian writers. */
export declare class Writer {
    private buf;
    private view;
    length: number;
    private room;
    u8(v: number): void;
    u16(v: number): void;
    u32(v: number): void;
    i32(v: number): void;
    i64(v: bigint): void;
    u64(v: bigint): void;
    f64(v: number): void;
    raw(bytes: Uint8Array): void;
    str(s: string): void;
    setU32(at: number, v: number): void;
    bytes(): Uint8Array;
}
/** A cursor over one frame's or value's bytes; every read checks what is left. */
export declare class Reader {
    private readonly buf;
    private view;
    pos: number;
    constructor(buf: Uint8Array);
    get left(): number;
    private need;
    u8(): number;
    u16(): number;
    u32(): number;
    i32(): number;
    i64(): bigint;
    u64(): bigint;
    f64(): number;
    raw(n: number): Uint8Array;
    str(): string;
    /** A count of items each at least `min` bytes long, checked against what is left. */
    count(min: number): number;
    end(): void;
}
/** Writes one value; lists of objects of one shape as tables. */
export declare function encodeValue(w: Writer, v: Wire): void;
/** Reads one value at nesting `depth` (a top-level value is at 0). */
export declare function decodeValue(r: Reader, depth?: number): Wire;
/** One value's bytes. */
export declare function encode(v: Wire): Uint8Array;
/** Exactly one value from `bytes`. */
export declare function decode(bytes: Uint8Array): Wire;
