// One TCP (or TLS) connection to a gateway, multiplexed: many calls in flight,
// each answered by id (docs/PROTOCOL.md). node:net and node:tls are loaded on
// first use, so the same package loads in a browser (which uses http.ts).

import type { Wire } from "./codec.js";
import { WireError } from "./codec.js";
import type { Address } from "./config.js";
import { Timeout, Unavailable } from "./errors.js";
import {
  type Frame, MAX_FRAME, VERSION, checkLength, decodeBody, decodeHello, encodeFrame, encodeHello,
} from "./frames.js";
import type { CallSpec, RawError, Transport } from "./transport.js";

/** Half the initial stream window: credit is sent once this much was consumed. */
const CREDIT_STEP = 131_072;
const HEARTBEAT_MS = 10_000;

interface Socket {
  write(b: Uint8Array): boolean;
  on(event: string, f: (...args: any[]) => void): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
  once(event: string, f: (...args: any[]) => void): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
  off(event: string, f: (...args: any[]) => void): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
  destroy(err?: Error): void;
  ref(): void;
  unref(): void;
}

export interface TlsFiles { ca: string | null; cert: string | null; key: string | null }

type Handler = (f: Frame) => void;

/** A connection; `open` dials and exchanges hellos. */
export class Connection implements Transport {
  private socket!: Socket;
  private buffer: Uint8Array = new Uint8Array(0);
  private handlers = new Map<bigint, Handler>();
  private nextId = 1n;
  private peerMax = MAX_FRAME;
  private lastSent = Date.now();
  private lastHeard = Date.now();
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Set once the connection failed, closed or said Goodbye: the next call opens a new one. */
  closed: Error | null = null;

  private readonly where: string;

  private constructor(private readonly address: Address) {
    this.where = `${address.host}:${address.port}`;
  }

  /** Dials `address` (with TLS: checked against `servername`, else its host) and exchanges hellos. */
  static async open(address: Address & { servername?: string }, tls: TlsFiles | null, token: string | null): Promise<Connection> {
    const conn = new Connection(address);
    conn.socket = await dial(address, tls, conn.lost.bind(conn));
    const hello = await conn.exchangeHellos();
    conn.peerMax = Math.max(hello.max_frame_size, 4096);
    conn.socket.on("data", (chunk: Uint8Array) => conn.received(chunk));
    conn.socket.on("close", () => conn.fail(conn.lost(`the connection to ${conn.where} closed`, true)));
    conn.socket.on("error", (e: Error) => conn.fail(conn.lost(`the connection to ${conn.where} failed: ${e.message}`, true)));
    if (token !== null) conn.send({ frame: "auth", id: 0n, token });
    conn.startHeartbeat(hello.heartbeat_ms || HEARTBEAT_MS);
    conn.socket.unref();
    return conn;
  }

  /** The failure `problem` (naming this connection's address); `sent`: a call may have run. */
  private lost(problem: string, sent = false): Unavailable {
    return new Unavailable(problem, this.address.host, this.address.port, sent);
  }

  private exchangeHellos() {
    this.socket.write(encodeHello({ version: VERSION, status: 0, max_frame_size: MAX_FRAME, heartbeat_ms: HEARTBEAT_MS }));
    return new Promise<ReturnType<typeof decodeHello>>((resolve, reject) => {
      let got: Uint8Array = new Uint8Array(0);
      const onData = (chunk: Uint8Array) => {
        got = concat(got, chunk);
        if (got.length < 16) return;
        this.socket.off("data", onData);
        this.buffer = got.slice(16);
        try {
          const hello = decodeHello(got.slice(0, 16));
          if (hello.status !== 0) {
            throw this.lost(hello.status === 1
              ? `the gateway at ${this.where} speaks protocol version ${hello.version}, this graft ${VERSION}: install the graft again from that gateway`
              : `the gateway at ${this.where} refused the hello (status ${hello.status})`);
          }
          resolve(hello);
        } catch (e) {
          this.socket.destroy();
          reject(e instanceof Unavailable ? e : this.lost(`${this.where}: ${(e as Error).message}`));
        }
      };
      this.socket.on("data", onData);
      this.socket.once("close", () => reject(this.lost(`${this.where} closed the connection during the hello; is it gg --TCPServer (a plain host:port aimed at a TLS gateway needs tls://)?`)));
    });
  }

  private startHeartbeat(ms: number): void {
    this.timer = setInterval(() => {
      const now = Date.now();
      if (now - this.lastHeard > 3 * ms && this.handlers.size > 0) {
        this.fail(this.lost(`${this.where} sent nothing for ${3 * ms} ms`, true));
      } else if (now - this.lastSent >= ms) {
        this.send({ frame: "ping", id: 0n });
      }
    }, ms);
    (this.timer as { unref?: () => void }).unref?.();
  }

  private send(f: Frame): void {
    const bytes = encodeFrame(f);
    if (bytes.length - 4 > this.peerMax) {
      throw new WireError(`a frame of ${bytes.length - 4} bytes is over ${this.where}'s limit of ${this.peerMax}`);
    }
    this.lastSent = Date.now();
    this.socket.write(bytes);
  }

  private received(chunk: Uint8Array): void {
    this.lastHeard = Date.now();
    this.buffer = this.buffer.length ? concat(this.buffer, chunk) : chunk;
    try {
      while (this.buffer.length >= 4) {
        const length = new DataView(this.buffer.buffer, this.buffer.byteOffset, 4).getUint32(0);
        checkLength(length);
        if (this.buffer.length < 4 + length) return;
        const frame = decodeBody(this.buffer.subarray(4, 4 + length));
        this.buffer = this.buffer.subarray(4 + length);
        this.dispatch(frame, length);
      }
    } catch (e) {
      this.fail(this.lost(`${this.where} broke the protocol: ${(e as Error).message}`, true));
      this.socket.destroy();
    }
  }

  private dispatch(f: Frame, length: number): void {
    if (f.frame === "ping") return this.send({ frame: "pong", id: f.id });
    if (f.frame === "goodbye") { this.closed = this.lost(`${this.where} is shutting down`); return; }
    if (f.frame === "protocol_error") {
      return this.fail(this.lost(`${this.where} closed the connection: ${f.message} (code ${f.code})`, true));
    }
    const handler = this.handlers.get(f.id);
    if (handler) handler(Object.assign(f, { length }));
  }

  private fail(err: Error): void {
    if (this.closed === null || this.handlers.size) this.closed = err;
    if (this.timer) clearInterval(this.timer);
    const handlers = [...this.handlers.values()];
    this.handlers.clear();
    handlers.forEach((h) => h({ frame: "protocol_error", id: 0n, code: 0, message: err.message }));
    this.socket.destroy();
  }

  private register(handler: Handler): bigint {
    if (this.closed) throw this.lost(this.closed.message); // never sent
    const id = this.nextId++;
    this.handlers.set(id, handler);
    this.socket.ref();
    return id;
  }

  private done(id: bigint): void {
    this.handlers.delete(id);
    if (this.handlers.size === 0) this.socket.unref();
  }

  private callFrame(id: bigint, c: CallSpec): Frame {
    return { frame: "call", id, service: c.service, method: c.method, object: c.object,
      metadata: c.metadata, timeout_ms: Math.ceil((c.timeout ?? 0) * 1000), args: c.args, kwargs: c.kwargs };
  }

  call(c: CallSpec): Promise<Wire> {
    return new Promise<Wire>((resolve, reject) => {
      const parts: Wire[] = [];
      let timer: ReturnType<typeof setTimeout> | null = null;
      const id = this.register((f) => {
        if (f.frame === "reply_part" && f.value.t === "list") { parts.push(...f.value.items); return; }
        if (timer) clearTimeout(timer);
        this.done(id);
        if (f.frame === "reply") {
          if (parts.length && f.value.t === "list") resolve({ t: "list", items: [...parts, ...f.value.items] });
          else resolve(f.value);
        } else reject(this.rawError(f));
      });
      if (c.timeout) {
        timer = setTimeout(() => {
          this.done(id);
          reject(new Timeout(`${c.service}.${c.method} took longer than ${c.timeout} s`));
        }, c.timeout * 1000);
      }
      try { this.send(this.callFrame(id, c)); } catch (e) { this.done(id); reject(e); }
    });
  }

  /** A streaming call's items; returning early (break, return(), the signal) sends Cancel. */
  async *stream(c: CallSpec, signal?: AbortSignal): AsyncGenerator<Wire> {
    const queue: (Frame & { length?: number })[] = [];
    let wake: (() => void) | null = null;
    const id = this.register((f) => { queue.push(f); wake?.(); });
    const onAbort = () => { queue.push({ frame: "cancel", id }); wake?.(); };
    signal?.addEventListener("abort", onAbort);
    let ended = false, consumed = 0;
    try {
      this.send(this.callFrame(id, c));
      for (;;) {
        while (!queue.length) await this.next(c, () => new Promise<void>((r) => { wake = r; }));
        const f = queue.shift()!;
        if (f.frame === "items" && f.value.t === "list") {
          yield* f.value.items;
          consumed += f.length ?? 0;
          if (consumed >= CREDIT_STEP) { this.send({ frame: "credit", id, bytes: consumed }); consumed = 0; }
        } else if (f.frame === "reply") { ended = true; return; }
        else if (f.frame === "cancel") throw signal?.reason ?? new Error("the stream was aborted");
        else { ended = true; throw this.rawError(f); }
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      if (!ended && !this.closed) {
        this.handlers.set(id, (f) => { if (f.frame === "reply" || f.frame === "error") this.done(id); });
        try { this.send({ frame: "cancel", id }); } catch { this.done(id); }
      } else this.done(id);
    }
  }

  private async next(c: CallSpec, wait: () => Promise<void>): Promise<void> {
    if (!c.timeout) return wait();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Timeout(`${c.service}.${c.method}'s next item took longer than ${c.timeout} s`)), c.timeout! * 1000);
    });
    try { await Promise.race([wait(), late]); } finally { clearTimeout(timer); }
  }

  /** An Error frame as a RawError; a lost connection (the call was sent) as Unavailable. */
  private rawError(f: Frame): RawError | Error {
    if (f.frame === "error") {
      return { raw: true, status: f.status, typeName: f.type_name, module: f.module, message: f.message,
        fields: f.fields, traceback: f.traceback, callId: /^call id (\S+):/.exec(f.traceback)?.[1] ?? null };
    }
    return this.lost(f.frame === "protocol_error" ? f.message : `${this.where} answered with a ${f.frame} frame`, true);
  }

  close(): void {
    this.closed ??= this.lost(`the connection to ${this.where} was closed`);
    if (this.timer) clearInterval(this.timer);
    this.socket.destroy();
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

async function dial(address: Address & { servername?: string }, tls: TlsFiles | null, lost: (problem: string) => Error): Promise<Socket> {
  const net = await import("node:net");
  const socket: Socket = tls === null
    ? net.connect({ host: address.host, port: address.port, noDelay: true })
    : await tlsSocket(address, tls);
  return new Promise<Socket>((resolve, reject) => {
    socket.once(tls === null ? "connect" : "secureConnect", () => resolve(socket));
    socket.once("error", (e: Error) => reject(lost(`cannot connect to ${address.host}:${address.port}: ${e.message}`)));
  });
}

async function tlsSocket(address: Address & { servername?: string }, files: TlsFiles): Promise<Socket> {
  const [tls, fs] = await Promise.all([import("node:tls"), import("node:fs")]);
  const read = (p: string | null) => (p === null ? undefined : fs.readFileSync(p));
  return tls.connect({
    host: address.host, port: address.port,
    ...(address.servername ? { servername: address.servername } : /^[\d.:]+$/.test(address.host) ? {} : { servername: address.host }),
    ca: read(files.ca), cert: read(files.cert), key: read(files.key),
  });
}
