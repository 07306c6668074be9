// Graft Vision names the broker a gateway takes calls from, and its queues
// (gg --broker, issue 19): the real gg with a real redis-server (Debian's).

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { REPO, freePort, launchBrowser, openVision, startGateway, watchPage } from "./harness.mjs";

const SHOP = path.join(REPO, "tests/e2e/fixtures/parity/shop.py");

describe("Graft Vision: a gateway taking calls from a broker", () => {
  let redis, dir, url, gateway, browser, page, problems;
  before(async () => {
    const port = await freePort();
    dir = mkdtempSync(path.join(tmpdir(), "vision-redis-"));
    redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir],
      { stdio: "ignore" });
    url = `redis://127.0.0.1:${port}/0`;
    gateway = await startGateway(SHOP, { more: () => ["--broker", url] });
    await until(async () => (await (await fetch(`${gateway.base}/status`)).json()).broker);
    browser = await launchBrowser();
    page = await browser.newPage();
    problems = watchPage(page, gateway.base);
  });
  after(async () => {
    await browser?.close();
    await gateway?.stop();
    redis?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });

  test("the header names the broker and its queues", async () => {
    await openVision(page, gateway.base);
    const line = page.locator("[data-broker]");
    await line.waitFor({ state: "visible" });
    assert.equal(await line.innerText(), `Broker ${url}: graft:calls:Shop`);
    assert.deepEqual(problems, []);
  });
});

async function until(check, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      // Not there yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the gateway did not start taking calls from the broker");
}
