// Values between JavaScript and the wire, directed by the interface model's
// types (the `TypeRef` JSON of /libraries, baked into each graft):
//
//   int       in: number (a whole one) or bigint;  out: number when safe (|n| <= 2^53 - 1), else bigint
//   float     number                   bool, str, None: boolean, string, null
//   bytes     Uint8Array               Decimal, UUID, date, time: string
//   datetime  in: Date or ISO text; out: the ISO text as Python wrote it (microseconds and offset kept)
//   timedelta ISO 8601 duration text (`P1DT2H3M4.5S`); in, also a number of seconds
//   list, set, tuple: arrays          dict[str, V]: a plain object; other keys: a Map
//   dataclass, NamedTuple, TypedDict: plain objects of their fields; enum: its member's value
//
// `lower` gives the wire value of an argument, `raise` the JavaScript value
// of a result; `fromJson` reads the call API's JSON into wire values, and
// `toJson` writes wire values as the call API's JSON.

import type { Wire } from "./codec.js";
import { Num, type JsonValue } from "./json.js";
import { base64, dateTimeText, durationText, isoText, parseDuration, unbase64, uuidBytes, uuidText } from "./scalars.js";

export type TypeRef =
  | { kind: "any" | "none" | "bool" | "int" | "float" | "str" | "bytes" | "date_time" | "date"
      | "decimal" | "uuid" | "time_delta" | "time" }
  | { kind: "list" | "set" | "var_tuple"; item: TypeRef }
  | { kind: "tuple"; items: TypeRef[] }
  | { kind: "dict"; key: TypeRef; value: TypeRef }
  | { kind: "optional"; inner: TypeRef }
  | { kind: "union"; options: TypeRef[] }
  | { kind: "literal"; values: (string | number | boolean | null)[] }
  | { kind: "named"; name: string }
  | { kind: "object"; service: string };

export interface FieldDef { name: string; type: TypeRef; optional?: boolean }
export type TypeDef =
  | { kind: "dataclass" | "named_tuple" | "typed_dict" | "exception"; fields: FieldDef[] }
  | { kind: "enum"; members: [string, string | number | boolean | null][]; flag?: boolean };

/** What conversions need besides the type: the named types, and remote objects both ways. */
export interface Context {
  types: Record<string, TypeDef>;
  /** The JavaScript object for a remote object's reference (a graft object of its class). */
  object(service: string, id: string): unknown;
  /** The reference of a graft object passed as an argument. */
  reference(value: unknown): { service: string; id: string } | null;
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const fail = (value: unknown, ty: TypeRef, why = ""): never => {
  const shown = typeof value === "bigint" ? `${value}n` : typeof value === "string" ? JSON.stringify(value) : String(value);
  throw new TypeError(`${shown} is not a ${describe(ty)}${why ? `: ${why}` : ""}`);
};

/** A type as Python would write it, for messages. */
export function describe(ty: TypeRef): string {
  switch (ty.kind) {
    case "list": case "set": return `${ty.kind}[${describe(ty.item)}]`;
    case "var_tuple": return `tuple[${describe(ty.item)}, ...]`;
    case "tuple": return `tuple[${ty.items.map(describe).join(", ")}]`;
    case "dict": return `dict[${describe(ty.key)}, ${describe(ty.value)}]`;
    case "optional": return `Optional[${describe(ty.inner)}]`;
    case "union": return ty.options.map(describe).join(" | ");
    case "literal": return `Literal[${ty.values.map((v) => JSON.stringify(v)).join(", ")}]`;
    case "named": return ty.name;
    case "object": return ty.service;
    case "date_time": return "datetime";
    case "time_delta": return "timedelta";
    default: return ty.kind;
  }
}

/** The wire value of `value` as an argument of type `ty`. */
export function lower(value: unknown, ty: TypeRef, ctx: Context): Wire {
  switch (ty.kind) {
    case "any": return lowerAny(value, ctx);
    case "none": if (value == null) return { t: "none" }; return fail(value, ty);
    case "bool": if (typeof value === "boolean") return { t: "bool", v: value }; return fail(value, ty);
    case "int": return { t: "int", v: toInt(value, ty) };
    case "float":
      if (typeof value === "number") return { t: "float", v: value };
      if (typeof value === "bigint") return { t: "float", v: Number(value) };
      return fail(value, ty);
    case "str": if (typeof value === "string") return { t: "str", v: value }; return fail(value, ty);
    case "bytes": if (value instanceof Uint8Array) return { t: "bytes", v: value }; return fail(value, ty);
    case "date_time":
      if (value instanceof Date) return { t: "datetime", v: dateTimeText(value) };
      return { t: "datetime", v: text(value, ty) };
    case "date":
      if (value instanceof Date) return { t: "date", v: value.toISOString().slice(0, 10) };
      return { t: "date", v: text(value, ty) };
    case "decimal":
      if (typeof value === "number" || typeof value === "bigint") return { t: "decimal", v: String(value) };
      return { t: "decimal", v: text(value, ty) };
    case "time": return { t: "time", v: text(value, ty) };
    case "uuid": return { t: "uuid", v: uuidBytes(text(value, ty)) ?? fail(value, ty) };
    case "time_delta": {
      const d = parseDuration(typeof value === "number" ? String(value) : text(value, ty));
      return d ? { t: "timedelta", ...d } : fail(value, ty, "expected an ISO 8601 duration or seconds");
    }
    case "list": case "set": case "var_tuple": {
      const items = value instanceof Set ? [...value] : Array.isArray(value) ? value : fail(value, ty);
      return { t: ty.kind === "var_tuple" ? "tuple" : ty.kind, items: items.map((x) => lower(x, ty.item, ctx)) };
    }
    case "tuple":
      if (!Array.isArray(value) || value.length !== ty.items.length) return fail(value, ty);
      return { t: "tuple", items: ty.items.map((t, i) => lower(value[i], t, ctx)) };
    case "dict": {
      const entries = value instanceof Map ? [...value] : isPlain(value) ? Object.entries(value) : fail(value, ty);
      return { t: "dict", items: entries.map(([k, v]) => [lower(k, ty.key, ctx), lower(v, ty.value, ctx)]) };
    }
    case "optional": return value == null ? { t: "none" } : lower(value, ty.inner, ctx);
    case "union": {
      // The option of the value's own JavaScript type first (a string is a str
      // before a Decimal or a datetime), then the others in order.
      const own = ty.options.filter((o) => o.kind === natural(value));
      for (const option of [...own, ...ty.options]) {
        try { return lower(value, option, ctx); } catch { /* the next option */ }
      }
      return fail(value, ty);
    }
    case "literal":
      if (ty.values.some((v) => v === value || (typeof value === "bigint" && v === Number(value)))) return lowerAny(value, ctx);
      return fail(value, ty);
    case "named": return lowerNamed(value, ty, ctx);
    case "object": {
      const ref = ctx.reference(value);
      if (ref && ref.service === ty.service) return { t: "ref", ...ref };
      return fail(value, ty, "pass a graft object that was made (awaited) already");
    }
  }
}

/** The type kind a JavaScript value is without any declared type. */
function natural(value: unknown): TypeRef["kind"] | null {
  switch (typeof value) {
    case "string": return "str";
    case "boolean": return "bool";
    case "bigint": return "int";
    case "number": return Number.isInteger(value) ? "int" : "float";
    default: return value === null ? "none" : value instanceof Uint8Array ? "bytes" : null;
  }
}

function toInt(value: unknown, ty: TypeRef): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  return fail(value, ty);
}

function text(value: unknown, ty: TypeRef): string {
  return typeof value === "string" ? value : fail(value, ty);
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
    && !(value instanceof Map) && !(value instanceof Set) && !(value instanceof Date);
}

function lowerNamed(value: unknown, ty: { kind: "named"; name: string }, ctx: Context): Wire {
  const def = ctx.types[ty.name];
  if (def === undefined) return lowerAny(value, ctx);
  if (def.kind === "enum") {
    const member = def.members.find(([, v]) => v === value || (typeof value === "bigint" && v === Number(value)));
    if (member) return { t: "enum", name: ty.name, value: lowerAny(member[1], ctx) };
    if (def.flag && typeof value === "number" && Number.isInteger(value)) {
      return { t: "enum", name: ty.name, value: { t: "int", v: BigInt(value) } };
    }
    return fail(value, ty, `expected one of ${def.members.map(([, v]) => JSON.stringify(v)).join(", ")}`);
  }
  if (!isPlain(value)) return fail(value, ty);
  const fields: [string, Wire][] = [];
  for (const f of def.fields) {
    const v = value[f.name];
    if (v === undefined) {
      if (f.optional) continue;
      return fail(value, ty, `the field ${f.name} is missing`);
    }
    fields.push([f.name, lower(v, f.type, ctx)]);
  }
  if (def.kind === "typed_dict") {
    return { t: "dict", items: fields.map(([k, v]) => [{ t: "str", v: k }, v]) };
  }
  return { t: "object", name: ty.name, fields };
}

/** A value of no declared type, by its JavaScript type. */
function lowerAny(value: unknown, ctx: Context): Wire {
  if (value == null) return { t: "none" };
  if (typeof value === "boolean") return { t: "bool", v: value };
  if (typeof value === "bigint") return { t: "int", v: value };
  if (typeof value === "number") return Number.isInteger(value) ? { t: "int", v: BigInt(value) } : { t: "float", v: value };
  if (typeof value === "string") return { t: "str", v: value };
  if (value instanceof Uint8Array) return { t: "bytes", v: value };
  if (value instanceof Date) return { t: "datetime", v: dateTimeText(value) };
  if (Array.isArray(value)) return { t: "list", items: value.map((x) => lowerAny(x, ctx)) };
  if (value instanceof Set) return { t: "set", items: [...value].map((x) => lowerAny(x, ctx)) };
  const ref = ctx.reference(value);
  if (ref) return { t: "ref", ...ref };
  const entries = value instanceof Map ? [...value] : Object.entries(value as object);
  return { t: "dict", items: entries.map(([k, v]) => [lowerAny(k, ctx), lowerAny(v, ctx)]) };
}

/** The JavaScript value of a result (see the table above). */
export function raise(w: Wire, ctx: Context, ty?: TypeRef): unknown {
  switch (w.t) {
    case "none": return null;
    case "bool": case "float": case "str": case "bytes": return w.v;
    case "int": return w.v >= -SAFE && w.v <= SAFE ? Number(w.v) : w.v;
    case "datetime": case "date": case "decimal": case "time": return w.v;
    case "uuid": return uuidText(w.v);
    case "timedelta": return durationText(w.days, w.seconds, w.microseconds);
    case "list": case "tuple": case "set": return w.items.map((x) => raise(x, ctx, itemType(ty)));
    case "dict": {
      const keyType = ty?.kind === "dict" ? ty.key : undefined;
      const stringKeys = keyType ? keyType.kind === "str" || stringLiterals(keyType) : w.items.every(([k]) => k.t === "str");
      const valueType = ty?.kind === "dict" ? ty.value : undefined;
      if (!stringKeys) return new Map(w.items.map(([k, v]) => [raise(k, ctx, keyType), raise(v, ctx, valueType)]));
      return Object.fromEntries(w.items.map(([k, v]) => [raise(k, ctx), raise(v, ctx, valueType)]));
    }
    case "object": return Object.fromEntries(w.fields.map(([k, v]) => [k, raise(v, ctx)]));
    case "enum": return raise(w.value, ctx);
    case "ref": return ctx.object(w.service, w.id);
  }
}

/** A `Literal` of strings only: a dict keyed by it is a plain object, as for str keys. */
function stringLiterals(ty: TypeRef): boolean {
  return ty.kind === "literal" && ty.values.every((v) => typeof v === "string");
}

function itemType(ty?: TypeRef): TypeRef | undefined {
  return ty && "item" in ty ? ty.item : undefined;
}

/** A wire value as the call API's JSON (numbers exact: bigints and `Num`s). */
export function toJson(w: Wire): unknown {
  switch (w.t) {
    case "none": return null;
    case "int": return w.v;
    case "bool": case "float": case "str": case "datetime": case "date": case "decimal": case "time": return w.v;
    case "bytes": return base64(w.v);
    case "uuid": return uuidText(w.v);
    case "timedelta": return durationText(w.days, w.seconds, w.microseconds);
    case "list": case "tuple": case "set": return w.items.map(toJson);
    case "dict": return Object.fromEntries(w.items.map(([k, v]) => [String(toJson(k)), toJson(v)]));
    case "object": return Object.fromEntries(w.fields.map(([k, v]) => [k, toJson(v)]));
    case "enum": return toJson(w.value);
    case "ref": return { service: w.service, id: w.id };
  }
}

/** The call API's JSON of a value of type `ty`, as a wire value. */
export function fromJson(j: JsonValue, ty: TypeRef, ctx: Context): Wire {
  const str = (t: "datetime" | "date" | "decimal" | "time"): Wire =>
    typeof j === "string" ? { t, v: j } : j instanceof Num ? { t, v: j.text } : fail(j, ty);
  switch (ty.kind) {
    case "int": return j instanceof Num ? { t: "int", v: BigInt(j.text) } : fail(j, ty);
    case "float": return j instanceof Num ? { t: "float", v: Number(j.text) } : fail(j, ty);
    case "bytes": return typeof j === "string" ? { t: "bytes", v: unbase64(j) } : fail(j, ty);
    // A zero offset comes as pydantic's `Z`; the wire's text (and so TCP's) is `+00:00`.
    case "date_time": return typeof j === "string" ? { t: "datetime", v: isoText(j) } : str("datetime");
    case "date": return str("date");
    case "decimal": return str("decimal");
    case "time": return typeof j === "string" ? { t: "time", v: isoText(j) } : str("time");
    case "uuid": return { t: "uuid", v: uuidBytes(String(j)) ?? fail(j, ty) };
    case "time_delta": {
      const d = parseDuration(j instanceof Num ? j.text : String(j));
      return d ? { t: "timedelta", ...d } : fail(j, ty);
    }
    case "list": case "set": case "var_tuple":
      if (!Array.isArray(j)) return fail(j, ty);
      return { t: ty.kind === "var_tuple" ? "tuple" : ty.kind, items: j.map((x) => fromJson(x, ty.item, ctx)) };
    case "tuple":
      if (!Array.isArray(j)) return fail(j, ty);
      return { t: "tuple", items: j.map((x, i) => fromJson(x, ty.items[i] ?? { kind: "any" }, ctx)) };
    case "dict": {
      if (j === null || typeof j !== "object" || Array.isArray(j) || j instanceof Num) return fail(j, ty);
      const key = (k: string): Wire => ty.key.kind === "str" || ty.key.kind === "any" ? { t: "str", v: k }
        : fromJson(ty.key.kind === "int" || ty.key.kind === "float" ? new Num(k) : k, ty.key, ctx);
      return { t: "dict", items: Object.entries(j).map(([k, v]) => [key(k), fromJson(v, ty.value, ctx)]) };
    }
    case "optional": return j === null ? { t: "none" } : fromJson(j, ty.inner, ctx);
    case "union": {
      for (const option of ty.options) {
        try { return fromJson(j, option, ctx); } catch { /* the next option */ }
      }
      return fromJson(j, { kind: "any" }, ctx);
    }
    case "named": return namedFromJson(j, ty, ctx);
    case "object":
      if (j !== null && typeof j === "object" && !Array.isArray(j) && !(j instanceof Num) && typeof j["id"] === "string") {
        return { t: "ref", service: ty.service, id: j["id"] };
      }
      return fail(j, ty);
    default: return anyFromJson(j);
  }
}

function namedFromJson(j: JsonValue, ty: { kind: "named"; name: string }, ctx: Context): Wire {
  const def = ctx.types[ty.name];
  if (def === undefined) return anyFromJson(j);
  if (def.kind === "enum") return { t: "enum", name: ty.name, value: anyFromJson(j) };
  if (j === null || typeof j !== "object" || Array.isArray(j) || j instanceof Num) return fail(j, ty);
  const fields: [string, Wire][] = def.fields
    .filter((f) => f.name in j)
    .map((f) => [f.name, fromJson(j[f.name]!, f.type, ctx)]);
  return { t: "object", name: ty.name, fields };
}

function anyFromJson(j: JsonValue): Wire {
  if (j === null) return { t: "none" };
  if (typeof j === "boolean") return { t: "bool", v: j };
  if (typeof j === "string") return { t: "str", v: j };
  if (j instanceof Num) return /^-?\d+$/.test(j.text) ? { t: "int", v: BigInt(j.text) } : { t: "float", v: Number(j.text) };
  if (Array.isArray(j)) return { t: "list", items: j.map(anyFromJson) };
  return { t: "dict", items: Object.entries(j).map(([k, v]) => [{ t: "str", v: k }, anyFromJson(v)]) };
}
