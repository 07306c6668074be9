// Shared pieces of the browser tests: Debian's chromium through playwright-core,
// free ports, and the real `gg` gateway as a child process.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before } from "node:test";
import { chromium } from "playwright-core";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Environment variables the tests read, in one place. */
export const ENV = {
  /** The gateway binary; default `target/debug/gg` under the repository root. */
  GG_BIN: "GG_BIN",
  /** The browser; default Debian's `/usr/bin/chromium`. */
  CHROMIUM: "CHROMIUM",
  /** Where to write the screenshot of the page; default `/tmp/vision.png`. */
  SCREENSHOT: "VISION_SCREENSHOT",
};

const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

export function launchBrowser() {
  const executablePath = process.env[ENV.CHROMIUM] || "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    throw new Error(`no browser at ${executablePath}\nhint: apt-get install -y chromium, or set ${ENV.CHROMIUM}`);
  }
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `gg` hosting `modules` and waits until `GET /status` on its HTTP port
 * answers 200. `more(ports)` gives more options, knowing `{ port, httpPort }`.
 * Resolves to `{ base, calls, stop, output }` (`calls`: the call port's origin);
 * `stop()` always ends it.
 */
export async function startGateway(modules, { timeoutMs = 30_000, more = () => [] } = {}) {
  const bin = process.env[ENV.GG_BIN] || path.join(REPO, "target/debug/gg");
  if (!existsSync(bin)) throw new Error(`no gateway binary at ${bin}\nhint: cargo build -p graft-gateway, or set ${ENV.GG_BIN}`);
  const [port, httpPort] = [await freePort(), await freePort()];
  const args = ["--modules", modules, "--port", String(port), "--httpPort", String(httpPort), "--bind", "127.0.0.1",
    ...more({ port, httpPort })];
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => { output += d; });
  child.stderr.on("data", (d) => { output += d; });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const stop = () => stopChild(child, exited);
  const base = `http://127.0.0.1:${httpPort}`;
  try {
    await waitForStatus(base, exited, timeoutMs);
  } catch (e) {
    await stop();
    throw new Error(`${e.message}\n$ ${bin} ${args.join(" ")}\n${output}`);
  }
  return { base, calls: `http://127.0.0.1:${port}`, stop, output: () => output };
}

async function waitForStatus(base, exited, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let gone = null;
  exited.then((how) => { gone = how; });
  while (Date.now() < deadline) {
    if (gone) throw new Error(`the gateway exited before answering (${JSON.stringify(gone)})`);
    try {
      const response = await fetch(`${base}/status`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`GET ${base}/status did not answer 200 within ${timeoutMs} ms`);
}

async function stopChild(child, exited) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Collects what goes wrong in a page: uncaught errors, console errors and
 * requests that fail or leave the page's origin.
 */
export function watchPage(page, origin) {
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  // Chromium logs every 4xx/5xx answer as a console error; error answers are expected here.
  const expected = (text) => text.startsWith("Failed to load resource: the server responded with a status of");
  page.on("console", (m) => { if (m.type() === "error" && !expected(m.text())) problems.push(`console error: ${m.text()}`); });
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("request", (r) => { if (!r.url().startsWith(origin)) problems.push(`request outside the origin: ${r.url()}`); });
  return problems;
}

/** Fills a method's form, clicks Call and waits for the output; returns it. */
export async function callFromPage(page, method, args) {
  const section = page.locator(`[data-method="${method}"]`);
  for (const [name, text] of Object.entries(args)) {
    await section.locator(`[data-param="${name}"]`).fill(text);
  }
  const output = section.locator("[data-output]");
  await output.evaluate((node) => { delete node.dataset.state; });
  await section.locator('[data-action="call"]').click();
  await section.locator("[data-output][data-state]").waitFor({ timeout: 10_000 });
  return {
    state: await output.getAttribute("data-state"),
    text: await output.innerText(),
    result: await section.locator("[data-result]").count() ? JSON.parse(await section.locator("[data-result]").innerText()) : undefined,
  };
}

/**
 * Fills a streaming method's form and clicks Call; returns at once with ways
 * to watch the output: `items()` (the items shown so far, parsed), `state()`,
 * `waitForItems(n)` and `end()` (waits until the stream is over, then gives
 * `{ state, text, items }`).
 */
export async function streamFromPage(page, method, args) {
  const section = page.locator(`[data-method="${method}"]`);
  for (const [name, text] of Object.entries(args)) {
    await section.locator(`[data-param="${name}"]`).fill(text);
  }
  const output = section.locator("[data-output]");
  await output.evaluate((node) => { delete node.dataset.state; });
  await section.locator('[data-action="call"]').click();
  const items = async () => (await section.locator("[data-item]").allInnerTexts()).map((t) => JSON.parse(t));
  const state = () => output.getAttribute("data-state");
  return {
    section,
    items,
    state,
    waitForItems: (n, timeout = 10_000) => section.locator(`[data-item="${n - 1}"]`).waitFor({ timeout }),
    end: async (timeout = 10_000) => {
      await section.locator('[data-output][data-state]:not([data-state="streaming"])').waitFor({ timeout });
      return { state: await state(), text: await output.innerText(), items: await items() };
    },
  };
}

/**
 * Registers hooks on the current suite that start a server (`start()` resolves to
 * `{ base, stop }`), a browser and one page, and always stop them afterwards.
 * The returned object is filled in once the suite starts.
 */
export function browserSession(start, viewport = { width: 1280, height: 900 }) {
  const session = { server: null, browser: null, page: null, problems: [] };
  before(async () => {
    session.server = await start();
    session.browser = await launchBrowser();
    session.page = await session.browser.newPage({ viewport });
    session.page.setDefaultTimeout(10_000);
    session.problems = watchPage(session.page, session.server.base);
  });
  after(async () => {
    await session.browser?.close();
    await session.server?.stop();
  });
  return session;
}

/** Opens Graft Vision and waits until it has rendered the interface. */
export async function openVision(page, base) {
  await page.goto(`${base}/GV`);
  await page.locator("body[data-loaded]").waitFor();
}
