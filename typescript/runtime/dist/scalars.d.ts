/** A timedelta's normalised fields as pydantic writes the duration. */
export declare function durationText(days: number, seconds: number, microseconds: number): string;
/** An ISO 8601 duration or a number of seconds, as normalised timedelta fields; null if neither. */
export declare function parseDuration(text: string): {
    days: number;
    seconds: number;
    microseconds: number;
} | null;
/** 16 bytes as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
export declare function uuidText(bytes: Uint8Array): string;
/** A UUID's text (with or without hyphens or braces) as its 16 bytes; null if it is not one. */
export declare function uuidBytes(text: string): Uint8Array | null;
/** A Date as Python's `datetime.isoformat()` writes an aware UTC datetime (microseconds kept as zeros). */
export declare function dateTimeText(d: Date): string;
/** A datetime's or time's text from the call API's JSON, where a zero offset is
 *  pydantic's `Z`, as Python's `isoformat()` writes it (`+00:00`), as the wire
 *  carries it: a graft answers the same text over HTTP and TCP. */
export declare function isoText(text: string): string;
/** Bytes as standard base64 (the call API's form), and back. */
export declare function base64(bytes: Uint8Array): string;
export declare function unbase64(text: string): Uint8Array;
