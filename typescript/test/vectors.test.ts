// The codec and frames against docs/protocol-vectors: every `decode` vector
// decodes to its description and encodes back to the same bytes; every
// `reject` vector is refused.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { type Wire, decode, encode } from "../runtime/codec.js";
import { type Frame, decodeFrame, decodeHello, encodeFrame, encodeHello } from "../runtime/frames.js";

const DIR = new URL("../../../docs/protocol-vectors/", import.meta.url);
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const manifest: Json = JSON.parse(readFileSync(new URL("vectors.json", DIR), "utf8"));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const unhex = (s: string) => new Uint8Array(Buffer.from(s, "hex"));

/** A vector's JSON description as a wire value. */
function wire(d: Json): Wire {
  switch (d.type) {
    case "none": return { t: "none" };
    case "bool": return { t: "bool", v: d.value === true || d.value === "true" || d.value === "True" };
    case "int": return { t: "int", v: BigInt(d.value) };
    case "float": return { t: "float", v: new DataView(unhex(d.bits).buffer).getFloat64(0) };
    case "str": return { t: "str", v: d.value };
    case "bytes": return { t: "bytes", v: unhex(d.hex) };
    case "list": case "tuple": case "set": return { t: d.type, items: d.items.map(wire) };
    case "dict": return { t: "dict", items: d.items.map(([k, v]: Json) => [wire(k), wire(v)]) };
    case "object": return { t: "object", name: d.name, fields: d.fields.map(([k, v]: Json) => [k, wire(v)]) };
    case "enum": return { t: "enum", name: d.name, value: wire(d.value) };
    case "datetime": case "date": case "decimal": case "time": return { t: d.type, v: d.value };
    case "uuid": return { t: "uuid", v: unhex(d.hex) };
    case "timedelta": return { t: "timedelta", days: d.days, seconds: d.seconds, microseconds: d.microseconds };
    case "object_ref": return { t: "ref", service: d.service, id: d.id };
    default: throw new Error(`unknown vector type ${d.type}`);
  }
}

function frame(d: Json): Frame {
  const id = BigInt(d.id);
  const v = (x: Json) => wire(x);
  switch (d.frame) {
    case "call": return { frame: "call", id, service: d.service, method: d.method, object: d.object,
      metadata: d.metadata ?? [], timeout_ms: d.timeout_ms, args: d.args.map(v),
      kwargs: d.kwargs.map(([k, x]: Json) => [k, v(x)]) };
    case "error": return { frame: "error", id, status: d.status, type_name: d.type_name, module: d.module,
      message: d.message, args: d.args.map(v), fields: d.fields.map(([k, x]: Json) => [k, v(x)]),
      traceback: d.traceback };
    case "reply": case "reply_part": case "items": return { frame: d.frame, id, value: v(d.value) };
    case "call_part": return { frame: d.frame, id, service: d.service, method: d.method,
      argument: d.argument, value: v(d.value) };
    default: return { ...d, id } as Frame;
  }
}

/** Float bits compare exactly (NaN payloads, -0.0); everything else by value. */
function same(a: unknown, b: unknown): void {
  const norm = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (_k, v) =>
    typeof v === "bigint" ? `${v}n` : typeof v === "number" ? hex(f64(v)) :
    v instanceof Uint8Array ? hex(v) : v));
  assert.deepEqual(norm(a), norm(b));
}
function f64(n: number): Uint8Array { const b = new Uint8Array(8); new DataView(b.buffer).setFloat64(0, n); return b; }

for (const vector of manifest.vectors) {
  const bytes = new Uint8Array(readFileSync(new URL(vector.file, DIR)));
  test(`${vector.expect} ${vector.file}: ${vector.note}`, () => {
    const read = vector.kind === "value" ? decode : vector.kind === "frame" ? decodeFrame : decodeHello;
    if (vector.expect === "reject") {
      assert.throws(() => read(bytes));
      return;
    }
    if (vector.kind === "value") {
      same(decode(bytes), wire(vector.value));
      assert.equal(hex(encode(wire(vector.value))), hex(bytes));
    } else if (vector.kind === "frame") {
      same(decodeFrame(bytes), frame(vector.frame));
      assert.equal(hex(encodeFrame(frame(vector.frame))), hex(bytes));
    } else {
      assert.deepEqual(decodeHello(bytes), vector.hello);
      assert.equal(hex(encodeHello(vector.hello)), hex(bytes));
    }
  });
}
