/** A JSON number, kept as the text it was written as. */
export declare class Num {
    readonly text: string;
    constructor(text: string);
}
export type JsonValue = null | boolean | Num | string | JsonValue[] | {
    [key: string]: JsonValue;
};
/** Parses `text`, numbers as `Num`. */
export declare function parseJson(text: string): JsonValue;
/** JSON text of a value whose numbers may be bigints or `Num`s. */
export declare function jsonText(v: unknown): string;
