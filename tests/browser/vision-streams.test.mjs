// Graft Vision calling streaming methods on the real gateway: gg hosts
// tests/e2e/fixtures/streams/feed.py, chromium opens /GV, and the items of
// Feed.slow show on the page while its generator is still producing them.

import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";

import { REPO, browserSession, openVision, startGateway, streamFromPage } from "./harness.mjs";

const FEED = path.join(REPO, "tests/e2e/fixtures/streams/feed.py");

describe("Graft Vision streams on the real gateway", () => {
  const session = browserSession(() => startGateway(FEED));
  let page;
  const open = async () => {
    page = session.page;
    await openVision(page, session.server.base);
  };
  /** How Feed.slow's generator under `key` is doing, asked from the page's origin. */
  const seen = (key) => page.evaluate(async (k) => {
    const r = await fetch("/call/Feed/seen", { method: "POST", body: JSON.stringify({ key: k }) });
    return r.json();
  }, key);
  const key = () => `vision-${Math.random().toString(36).slice(2)}`;

  test("Feed.slow's items appear one by one, the first before the last is produced", async () => {
    await open();
    const slow = page.locator('[data-method="Feed.slow"]');
    assert.match(await slow.locator(".sig").innerText(), /slow\(key: str, n: int, pause: float\) -> Iterator\[int\]/);
    const k = key();
    const stream = await streamFromPage(page, "Feed.slow", { key: k, n: "5", pause: "0.4" });
    await stream.waitForItems(1);
    assert.equal(await stream.state(), "streaming");
    assert.equal(await seen(k), "running", "the generator had already finished");
    assert.ok((await stream.items()).length < 5);
    const end = await stream.end();
    assert.equal(end.state, "ok", end.text);
    assert.deepEqual(end.items, [0, 1, 2, 3, 4]);
    assert.match(end.text, /^200 · 5 items/);
    assert.equal(await seen(k), "finished");
  });

  test("Feed.count shows every item", async () => {
    await open();
    const end = await (await streamFromPage(page, "Feed.count", { n: "30" })).end();
    assert.equal(end.state, "ok", end.text);
    assert.deepEqual(end.items, Array.from({ length: 30 }, (_, i) => i));
  });

  test("an exception after two items shows after them", async () => {
    await open();
    const end = await (await streamFromPage(page, "Feed.failing", { after: "2" })).end();
    assert.equal(end.state, "error", end.text);
    assert.deepEqual(end.items, [0, 1]);
    assert.match(end.text, /Broken: broke after 2 items/);
  });

  test("Stop closes the generator", async () => {
    await open();
    const k = key();
    const stream = await streamFromPage(page, "Feed.slow", { key: k, n: "1000", pause: "0.1" });
    await stream.waitForItems(2);
    await stream.section.locator('[data-action="stop"]').click();
    assert.equal((await stream.end()).state, "stopped");
    let state = await seen(k);
    for (let i = 0; i < 30 && state !== "closed"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = await seen(k);
    }
    assert.equal(state, "closed");
    // The page aborted that request itself: expected, so not a problem.
    const aborted = (p) => /\/call\/Feed\/slow net::ERR_ABORTED$/.test(p);
    for (let i = 0; i < 20 && !session.problems.some(aborted); i++) await new Promise((r) => setTimeout(r, 100));
    if (session.problems.some(aborted)) session.problems.splice(session.problems.findIndex(aborted), 1);
  });

  test("the page made no failed or outside requests and raised no errors", () => {
    assert.deepEqual(session.problems, []);
  });
});
