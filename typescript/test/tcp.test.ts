// The TCP transport against a small server written here with node:net that
// speaks the protocol (frames.ts): calls multiplexed on one connection and
// answered out of order, a reply in parts, an Error frame, a stream with
// Credit, and a stream stopped by break and by an AbortSignal (Cancel).

import assert from "node:assert/strict";
import { type AddressInfo, type Socket, createServer } from "node:net";
import { after, test } from "node:test";

import type { Wire } from "../runtime/codec.js";
import { type Frame, decodeBody, encodeFrame, encodeHello } from "../runtime/frames.js";
import { Connection } from "../runtime/tcp.js";
import type { CallSpec } from "../runtime/transport.js";

const seen: string[] = [];
const str = (v: string): Wire => ({ t: "str", v });
const ints = (...n: number[]): Wire => ({ t: "list", items: n.map((v) => ({ t: "int", v: BigInt(v) })) });

function serve(socket: Socket): void {
  let buf = Buffer.alloc(0), helloDone = false;
  const streams = new Map<bigint, ReturnType<typeof setInterval>>();
  const send = (f: Frame) => socket.write(encodeFrame(f));
  socket.on("data", (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    if (!helloDone) {
      if (buf.length < 16) return;
      socket.write(encodeHello({ version: 7, status: 0, max_frame_size: 1 << 20, heartbeat_ms: 10_000 }));
      buf = buf.subarray(16);
      helloDone = true;
    }
    while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
      const f = decodeBody(new Uint8Array(buf.subarray(4, 4 + buf.readUInt32BE(0))));
      buf = buf.subarray(4 + buf.readUInt32BE(0));
      answer(f, send, streams);
    }
  });
}

function answer(f: Frame, send: (f: Frame) => void, streams: Map<bigint, ReturnType<typeof setInterval>>): void {
  if (f.frame === "auth") { seen.push(`auth ${f.token}`); return; }
  if (f.frame === "credit") { seen.push(`credit ${f.bytes}`); return; }
  if (f.frame === "cancel") {
    seen.push("cancel");
    clearInterval(streams.get(f.id));
    send({ frame: "error", id: f.id, status: 6, type_name: "CancelledError", module: "builtins", message: "cancelled", args: [], fields: [], traceback: "" });
    return;
  }
  if (f.frame !== "call") return;
  const id = f.id;
  switch (f.method) {
    case "slow": setTimeout(() => send({ frame: "reply", id, value: str("slow") }), 80); return;
    case "fast": send({ frame: "reply", id, value: str(`fast ${f.kwargs.map(([k]) => k).join(",")}`) }); return;
    case "parts": send({ frame: "reply_part", id, value: ints(1, 2) }); send({ frame: "reply", id, value: ints(3) }); return;
    case "boom":
      send({ frame: "error", id, status: 0, type_name: "OutOfStock", module: "shop", message: "A-1 is out of stock",
        args: [], fields: [["sku", str("A-1")]], traceback: "" });
      return;
    case "count": {
      const big = "x".repeat(70_000);
      send({ frame: "items", id, value: { t: "list", items: [str(big), str(big)] } });
      send({ frame: "items", id, value: { t: "list", items: [str("end")] } });
      send({ frame: "reply", id, value: { t: "none" } });
      return;
    }
    case "endless": {
      let n = 0;
      streams.set(id, setInterval(() => send({ frame: "items", id, value: ints(n++) }), 5));
      return;
    }
  }
}

const server = createServer(serve);
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const address = { host: "127.0.0.1", port: (server.address() as AddressInfo).port };
const conn = await Connection.open(address, null, "t0k");
after(() => { conn.close(); server.close(); });

const spec = (method: string, kwargs: [string, Wire][] = []): CallSpec => ({
  service: "S", method, object: "", args: [], kwargs, returns: { kind: "any" }, metadata: [], timeout: null,
});

test("calls on one connection are answered by id, in the order they finish", async () => {
  const order: string[] = [];
  const slow = conn.call(spec("slow")).then((v) => { order.push("slow"); return v; });
  const fast = conn.call(spec("fast", [["a", str("1")]])).then((v) => { order.push("fast"); return v; });
  assert.deepEqual(await Promise.all([slow, fast]), [str("slow"), str("fast a")]);
  assert.deepEqual(order, ["fast", "slow"]);
  assert.equal(seen[0], "auth t0k", "the token goes first, in an Auth frame");
});

test("a reply in parts is one list", async () => {
  assert.deepEqual(await conn.call(spec("parts")), ints(1, 2, 3));
});

test("an Error frame rejects with its type, module, message and fields", async () => {
  await assert.rejects(conn.call(spec("boom")), (e: { status: number; typeName: string; fields: unknown }) => {
    assert.equal(e.status, 0);
    assert.equal(e.typeName, "OutOfStock");
    assert.deepEqual(e.fields, [["sku", str("A-1")]]);
    return true;
  });
});

test("a stream yields every item and credits what it consumed", async () => {
  const items: Wire[] = [];
  for await (const item of conn.stream(spec("count"))) items.push(item);
  assert.equal(items.length, 3);
  assert.deepEqual(items[2], str("end"));
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(seen.some((s) => /^credit \d{6}/.test(s)), seen.join("; "));
});

test("break sends Cancel; an AbortSignal does too", async () => {
  const got: Wire[] = [];
  for await (const item of conn.stream(spec("endless"))) {
    got.push(item);
    if (got.length === 3) break;
  }
  assert.deepEqual(got, [{ t: "int", v: 0n }, { t: "int", v: 1n }, { t: "int", v: 2n }]);
  const abort = new AbortController();
  const taken: Wire[] = [];
  await assert.rejects(async () => {
    for await (const item of conn.stream(spec("endless"), abort.signal)) {
      taken.push(item);
      if (taken.length === 2) abort.abort(new Error("enough"));
    }
  }, /enough/);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(seen.filter((s) => s === "cancel").length, 2);
  assert.deepEqual(await conn.call(spec("fast")), str("fast "), "the connection goes on");
});
