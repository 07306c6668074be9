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
 * of the request body returning `[status, payload]`; `libraries` is the interface
 * (or a `[status, text]` pair to answer GET /libraries with instead).
 */
export function startMockGateway({ libraries, answers }) {
  const calls = [];
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
    const [status, payload] = answer(body);
    return json(status, payload);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const base = `http://127.0.0.1:${server.address().port}`;
      resolve({ base, calls, stop: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) });
    });
  });
}
