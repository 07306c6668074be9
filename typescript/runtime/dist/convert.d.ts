import type { Wire } from "./codec.js";
import { type JsonValue } from "./json.js";
export type TypeRef = {
    kind: "any" | "none" | "bool" | "int" | "float" | "str" | "bytes" | "date_time" | "date" | "decimal" | "uuid" | "time_delta" | "time";
} | {
    kind: "list" | "set" | "var_tuple";
    item: TypeRef;
} | {
    kind: "tuple";
    items: TypeRef[];
} | {
    kind: "dict";
    key: TypeRef;
    value: TypeRef;
} | {
    kind: "optional";
    inner: TypeRef;
} | {
    kind: "union";
    options: TypeRef[];
} | {
    kind: "literal";
    values: (string | number | boolean | null)[];
} | {
    kind: "named";
    name: string;
} | {
    kind: "object";
    service: string;
};
export interface FieldDef {
    name: string;
    type: TypeRef;
    optional?: boolean;
}
export type TypeDef = {
    kind: "dataclass" | "named_tuple" | "typed_dict" | "exception";
    fields: FieldDef[];
} | {
    kind: "enum";
    members: [string, string | number | boolean | null][];
    flag?: boolean;
};
/** What conversions need besides the type: the named types, and remote objects both ways. */
export interface Context {
    types: Record<string, TypeDef>;
    /** The JavaScript object for a remote object's reference (a graft object of its class). */
    object(service: string, id: string): unknown;
    /** The reference of a graft object passed as an argument. */
    reference(value: unknown): {
        service: string;
        id: string;
    } | null;
}
/** A type as Python would write it, for messages. */
export declare function describe(ty: TypeRef): string;
/** The wire value of `value` as an argument of type `ty`. */
export declare function lower(value: unknown, ty: TypeRef, ctx: Context): Wire;
/** The JavaScript value of a result (see the table above). */
export declare function raise(w: Wire, ctx: Context, ty?: TypeRef): unknown;
/** A wire value as the call API's JSON (numbers exact: bigints and `Num`s). */
export declare function toJson(w: Wire): unknown;
/** The call API's JSON of a value of type `ty`, as a wire value. */
export declare function fromJson(j: JsonValue, ty: TypeRef, ctx: Context): Wire;
