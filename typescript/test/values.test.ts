// Values between JavaScript and the wire: durations as pydantic writes them,
// UUIDs, JSON with exact integers, and conversions by declared type.

import assert from "node:assert/strict";
import { test } from "node:test";

import type { Wire } from "../runtime/codec.js";
import { type Context, type TypeRef, fromJson, lower, raise, toJson } from "../runtime/convert.js";
import { Num, jsonText, parseJson } from "../runtime/json.js";
import { dateTimeText, durationText, parseDuration, uuidBytes, uuidText } from "../runtime/scalars.js";

const ctx: Context = {
  types: {
    Line: { kind: "dataclass", fields: [{ name: "sku", type: { kind: "str" } }, { name: "qty", type: { kind: "int" }, optional: true }] },
    Color: { kind: "enum", members: [["RED", "red"], ["GREEN", "green"]] },
  },
  object: (service, id) => ({ service, id }),
  reference: () => null,
};

test("durations are written as pydantic writes them, and read back", () => {
  // The cases of crates/graft-model/src/scalars/tests.rs, checked there against pydantic 2.13.
  const cases: [number, number, number, string][] = [
    [1, 7384, 500_000, "P1DT2H3M4.5S"], [-1, 0, 0, "-P1D"], [-1, 86399, 0, "-PT1S"], [0, 0, 0, "PT0S"],
    [400, 0, 0, "P1Y35D"], [0, 0, 1, "PT0.000001S"], [-400, 0, 5, "-P1Y34DT23H59M59.999995S"],
  ];
  for (const [days, seconds, microseconds, text] of cases) {
    assert.equal(durationText(days, seconds, microseconds), text);
    assert.deepEqual(parseDuration(text), { days, seconds, microseconds }, text);
  }
  assert.deepEqual(parseDuration("P1W"), { days: 7, seconds: 0, microseconds: 0 });
  assert.deepEqual(parseDuration("PT1.5M"), { days: 0, seconds: 90, microseconds: 0 });
  assert.deepEqual(parseDuration("-1"), { days: -1, seconds: 86399, microseconds: 0 });
  for (const bad of ["", "P", "PT", "P1H", "PT1D", "1 day"]) assert.equal(parseDuration(bad), null, bad);
});

test("UUIDs and datetimes as text", () => {
  const text = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";
  assert.equal(uuidText(uuidBytes(text)!), text);
  assert.equal(uuidText(uuidBytes("{6BA7B8119DAD11D180B400C04FD430C8}")!), text);
  assert.equal(uuidBytes("not-a-uuid"), null);
  assert.equal(dateTimeText(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6))), "2026-01-02T03:04:05.006000+00:00");
});

test("JSON keeps integers exact both ways", () => {
  const parsed = parseJson('{"a": 9223372036854775807, "b": [1.5, -0, true, null, "x\\u00e9"]}') as Record<string, unknown>;
  assert.deepEqual(parsed["a"], new Num("9223372036854775807"));
  assert.equal(jsonText({ n: 2n ** 63n - 1n, f: 0.5, s: "é", skip: undefined }), '{"n":9223372036854775807,"f":0.5,"s":"é"}');
  assert.throws(() => parseJson("[1,]"), SyntaxError);
  assert.throws(() => parseJson("{} x"), SyntaxError);
});

test("ints go in as numbers or bigints and come back as safe numbers, else bigints", () => {
  const int: TypeRef = { kind: "int" };
  assert.deepEqual(lower(5, int, ctx), { t: "int", v: 5n });
  assert.deepEqual(lower(2n ** 63n - 1n, int, ctx), { t: "int", v: 2n ** 63n - 1n });
  assert.throws(() => lower(1.5, int, ctx), /1.5 is not a int/);
  assert.throws(() => lower("5", int, ctx), TypeError);
  assert.equal(raise({ t: "int", v: 2n ** 53n - 1n }, ctx), 2 ** 53 - 1);
  assert.equal(raise({ t: "int", v: 2n ** 53n }, ctx), 2n ** 53n);
  assert.deepEqual(fromJson(new Num("9007199254740993"), int, ctx), { t: "int", v: 9007199254740993n });
});

test("data types, enums, dicts and unions convert by their declared types", () => {
  const line: TypeRef = { kind: "named", name: "Line" };
  assert.deepEqual(lower({ sku: "a" }, line, ctx), { t: "object", name: "Line", fields: [["sku", { t: "str", v: "a" }]] });
  assert.throws(() => lower({ qty: 1 }, line, ctx), /the field sku is missing/);
  const color: TypeRef = { kind: "named", name: "Color" };
  assert.deepEqual(lower("red", color, ctx), { t: "enum", name: "Color", value: { t: "str", v: "red" } });
  assert.throws(() => lower("blue", color, ctx), /one of "red", "green"/);
  const byInt: TypeRef = { kind: "dict", key: { kind: "int" }, value: { kind: "str" } };
  const wire = lower(new Map([[1, "a"]]), byInt, ctx);
  assert.deepEqual(raise(wire, ctx, byInt), new Map([[1, "a"]]));
  assert.deepEqual(toJson(wire), { "1": "a" });
  assert.deepEqual(fromJson({ "1": "a" }, byInt, ctx), wire);
  const either: TypeRef = { kind: "union", options: [{ kind: "decimal" }, { kind: "str" }, { kind: "int" }] };
  assert.deepEqual(lower("1.5", either, ctx), { t: "str", v: "1.5" });
  assert.deepEqual(lower(3, either, ctx), { t: "int", v: 3n });
  const bytes: Wire = { t: "bytes", v: new Uint8Array([0, 255]) };
  assert.equal(toJson(bytes), "AP8=");
  assert.deepEqual(fromJson("AP8=", { kind: "bytes" }, ctx), bytes);
});

test("a zero offset from JSON (pydantic's Z) is the wire's +00:00, as TCP answers", () => {
  const when = fromJson("2026-01-02T03:04:05.006000Z", { kind: "date_time" }, ctx);
  assert.deepEqual(when, { t: "datetime", v: "2026-01-02T03:04:05.006000+00:00" });
  assert.deepEqual(fromJson("10:00:00Z", { kind: "time" }, ctx), { t: "time", v: "10:00:00+00:00" });
  const other = fromJson("2026-01-02T03:04:05+02:00", { kind: "date_time" }, ctx);
  assert.deepEqual(other, { t: "datetime", v: "2026-01-02T03:04:05+02:00" });
});
