// A stand-in for the gateway's HTTP side: serves the Vision page from the
// repository, an interface from a fixture, and answers calls from a table,
// recording every call body. For testing the page without building `gg`.

import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";

import { REPO } from "./harness.mjs";

const PAGE = path.join(REPO, "crates/graft-vision/src/vision.html");

/**
 * Starts the stand-in on 127.0.0.1. `answers` maps "Service.method" to a function
 * of the request body returning `[status, payload]`, or `{ stream, pauseMs }` to
 * answer NDJSON: each value of `stream` one line, written `pauseMs` apart.
 * `libraries` is the interface (or a `[status, text]` pair to answer GET
 * /libraries with instead). `streams` records each stream: its lines sent and
 * whether the caller went away before the end.
 */
export function startMockGateway({ libraries, answers }) {
  const calls = [];
  const streams = [];
  const server = http.createServer(async (req, res) => {
    const send = (status, type, body) => res.writeHead(status, { "Content-Type": type }).end(body);
    const json = (status, payload) => send(status, "application/json", JSON.stringify(payload));
    if (req.method === "GET" && req.url === "/GV") return send(200, "text/html; charset=utf-8", readFileSync(PAGE));
    if (req.method === "GET" && req.url === "/libraries") {
      return Array.isArray(libraries) ? send(libraries[0], "text/plain", libraries[1]) : json(200, libraries);
    }
    const call = req.method === "POST" && req.url.match(/^\/call\/([^/]+)\/([^/]+)$/);
    if (!call) return json(404, { error: { type: "NotFound", message: `no route ${req.method} ${req.url}` } });
    let text = "";
    for await (const chunk of req) text += chunk;
    const key = `${decodeURIComponent(call[1])}.${decodeURIComponent(call[2])}`;
    const body = JSON.parse(text);
    calls.push({ key, body, contentType: req.headers["content-type"] });
    const answer = answers[key];
    if (!answer) return json(404, { error: { type: "NotFound", message: `no method ${key}` } });
    const answered = answer(body);
    if (!Array.isArray(answered)) return streamLines(req, res, answered, streams);
    const [status, payload] = answered;
    return json(status, payload);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const base = `http://127.0.0.1:${server.address().port}`;
      resolve({ base, calls, streams, stop: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) });
    });
  });
}

/** Writes `stream`'s values as NDJSON lines, `pauseMs` apart, until done or the caller leaves. */
async function streamLines(req, res, { stream, pauseMs = 0 }, streams) {
  const record = { sent: 0, left: false, accept: req.headers.accept };
  streams.push(record);
  res.on("close", () => { if (!res.writableFinished) record.left = true; });
  res.writeHead(200, { "Content-Type": "application/x-ndjson" });
  for (const value of stream) {
    if (record.left) return;
    res.write(`${JSON.stringify(value)}\n`);
    record.sent += 1;
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  res.end();
}
