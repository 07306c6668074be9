// The gateway's HTTP call API through fetch (host=http://h:p or https://h:p),
// so a graft also works in a browser: POST /call/<Service>/<method>, the
// /objects/ routes for remote objects, and NDJSON for streams.

import type { Wire } from "./codec.js";
import { type Context, fromJson, toJson } from "./convert.js";
import { Timeout, Unavailable } from "./errors.js";
import { type JsonValue, Num, jsonText, parseJson } from "./json.js";
import type { CallSpec, RawError, Transport } from "./transport.js";

const STATUSES: Record<number, number> = { 400: 2, 401: 7, 404: 1, 413: 2, 429: 8, 500: 0, 503: 5, 504: 4 };

export class HttpTransport implements Transport {
  closed: Error | null = null;
  private readonly turns = new Map<string, Promise<void>>();

  constructor(private readonly base: string, private readonly token: string | null, private readonly ctx: Context) {}

  private url(c: CallSpec): [string, string] {
    const s = encodeURIComponent(c.service), m = encodeURIComponent(c.method), o = encodeURIComponent(c.object);
    if (c.method === "__init__") return ["POST", `${this.base}/objects/${s}`];
    if (c.method === "__release__") return ["DELETE", `${this.base}/objects/${s}/${o}`];
    return ["POST", c.object ? `${this.base}/objects/${s}/${o}/${m}` : `${this.base}/call/${s}/${m}`];
  }

  private async send(c: CallSpec, signal: AbortSignal | undefined, accept: string): Promise<Response> {
    const [method, url] = this.url(c);
    const headers: Record<string, string> = { "content-type": "application/json", accept };
    for (const [k, v] of c.metadata) headers[k] = v;
    // The deadline, as the gateway reads it (docs/PROTOCOL.md): the hosted code keeps to it.
    if (c.timeout) headers["graft-timeout-ms"] = String(Math.ceil(c.timeout * 1000));
    if (this.token !== null) headers["authorization"] = `Bearer ${this.token}`;
    const body = c.args.length && !c.kwargs.length ? c.args.map(toJson)
      : Object.fromEntries(c.kwargs.map(([k, v]) => [k, toJson(v)]));
    let response: Response;
    try {
      response = await fetch(url, { method, headers, ...(method === "POST" ? { body: jsonText(body) } : {}), ...(signal ? { signal } : {}) });
    } catch (e) {
      if ((e as Error).name === "TimeoutError") throw timedOut(c);
      if ((e as Error).name === "AbortError") throw e;
      throw this.unreachable(e);
    }
    if (!response.ok) throw await errorOf(response, this.ctx);
    return response;
  }

  /** A fetch that failed: never sent when the connection was refused, else it may have run. */
  private unreachable(e: unknown): Unavailable {
    const url = new URL(this.base);
    const code = (e as { cause?: { code?: string } }).cause?.code;
    const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
    return new Unavailable(`cannot reach ${this.base}: ${(e as Error).message}${cause(e)}`, url.hostname.replace(/^\[|\]$/g, ""),
      port, code !== "ECONNREFUSED" && code !== "ENOTFOUND" && code !== "EAI_AGAIN");
  }

  /** Calls on one remote object leave in the order they were made, as on TCP's one
   *  connection: each waits until the one before it is answered, since requests on
   *  several connections could reach the gateway in any order (it runs an object's
   *  calls one at a time anyway). */
  private async inTurn<T>(c: CallSpec, work: () => Promise<T>): Promise<T> {
    if (!c.object) return work();
    const key = `${c.service}/${c.object}`;
    const mine = (this.turns.get(key) ?? Promise.resolve()).then(work, work);
    const settled = mine.then(() => undefined, () => undefined);
    this.turns.set(key, settled);
    try {
      return await mine;
    } finally {
      if (this.turns.get(key) === settled) this.turns.delete(key);
    }
  }

  call(c: CallSpec): Promise<Wire> {
    return this.inTurn(c, () => this.callNow(c));
  }

  private async callNow(c: CallSpec): Promise<Wire> {
    const signal = c.timeout ? AbortSignal.timeout(c.timeout * 1000) : undefined;
    let text: string;
    try {
      const response = await this.send(c, signal, "application/json");
      if (response.status === 204) return { t: "none" };
      text = await response.text();
    } catch (e) {
      throw (e as Error).name === "TimeoutError" ? timedOut(c) : e;
    }
    const json = parseJson(text);
    if (c.method === "__init__") {
      const id = (json as { id?: JsonValue }).id;
      return { t: "ref", service: c.service, id: typeof id === "string" ? id : "" };
    }
    return fromJson(json, c.returns, this.ctx);
  }

  /** NDJSON lines, each an item; a last `{"error": ...}` line raises it. */
  async *stream(c: CallSpec, signal?: AbortSignal): AsyncGenerator<Wire> {
    const abort = new AbortController();
    const stop = () => abort.abort(signal?.reason);
    signal?.addEventListener("abort", stop);
    try {
      const response = await this.send(c, abort.signal, "application/x-ndjson");
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let pending = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        pending += value;
        const lines = pending.split("\n");
        pending = lines.pop()!;
        for (const line of lines.filter((l) => l.trim())) yield this.item(line, c);
      }
      if (pending.trim()) yield this.item(pending, c);
    } finally {
      signal?.removeEventListener("abort", stop);
      abort.abort();
    }
  }

  private item(line: string, c: CallSpec): Wire {
    const json = parseJson(line);
    if (json !== null && typeof json === "object" && !Array.isArray(json) && !(json instanceof Num)
      && Object.keys(json).length === 1 && "error" in json && typeof json["error"] === "object") {
      throw raw(0, json["error"], this.ctx);
    }
    return fromJson(json, c.returns, this.ctx);
  }

  close(): void {}
}

function timedOut(c: CallSpec): Error {
  return new Timeout(`${c.service}.${c.method} took longer than ${c.timeout} s`);
}

function cause(e: unknown): string {
  const c = (e as { cause?: { message?: string } }).cause;
  return c?.message ? ` (${c.message})` : "";
}

async function errorOf(response: Response, ctx: Context): Promise<RawError> {
  const text = await response.text();
  let body: JsonValue = null;
  try { body = parseJson(text); } catch { /* not JSON */ }
  const error = body !== null && typeof body === "object" && !Array.isArray(body) && !(body instanceof Num) ? body["error"] : null;
  const status = STATUSES[response.status] ?? 3;
  if (error && typeof error === "object") return raw(status, error, ctx, body);
  return raw(status, { type: "HTTPError", message: `HTTP ${response.status}: ${text.slice(0, 200)}` }, ctx);
}

function raw(status: number, error: JsonValue, ctx: Context, body?: JsonValue): RawError {
  const e = (error ?? {}) as Record<string, JsonValue>;
  const str = (v: JsonValue | undefined) => (typeof v === "string" ? v : "");
  const fields = e["fields"] && typeof e["fields"] === "object" && !Array.isArray(e["fields"]) && !(e["fields"] instanceof Num)
    ? Object.entries(e["fields"]).map(([k, v]): [string, Wire] => [k, fromJson(v, { kind: "any" }, ctx)]) : [];
  const outer = (body ?? {}) as Record<string, JsonValue>;
  const callId = str(e["callId"]) || str(outer["callId"]) || null;
  return { raw: true, status: status === 0 && e["type"] === "Timeout" ? 4 : status, typeName: str(e["type"]),
    module: str(e["module"]), message: str(e["message"]), fields, traceback: str(e["traceback"]), callId };
}
