// Graft Vision against a stand-in gateway (mock-gateway.mjs) with a richer
// interface than the tutorial's: named types, defaults, keyword-only,
// positional-only and *args parameters, and every kind of error answer.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";

import { REPO, browserSession, callFromPage, launchBrowser, openVision, streamFromPage } from "./harness.mjs";
import { startMockGateway } from "./mock-gateway.mjs";

const SHOP = JSON.parse(readFileSync(path.join(REPO, "tests/browser/fixtures/shop-interface.json"), "utf8"));

const ANSWERS = {
  "Shop.order": (body) => [200, { received: body }],
  "Shop.log": (body) => [400, { error: { type: "BadArguments", message: "argument `level` has the wrong type", param: "level" } }],
  "Shop.fail": () => [500, { error: { type: "OutOfStock", message: "sku a is gone", traceback: "Traceback (most recent call last):\n  File \"src/shop.py\", line 9\nOutOfStock: sku a is gone" } }],
  "utils.shout": (body) => [200, String(body.text).toUpperCase()],
  // Items 300 ms apart; n < 0 breaks after two items; n = "slow" never ends by itself.
  "utils.ticks": ({ n }) => {
    if (n === "slow") return { stream: Array.from({ length: 100 }, (_, i) => i), pauseMs: 200 };
    if (typeof n !== "number") return [400, { error: { type: "ArgumentError", message: `n: expected int, got ${JSON.stringify(n)}`, param: "n" } }];
    if (n < 0) return { stream: [0, 1, { error: { type: "Broken", message: "broke after 2 items", traceback: "Traceback (most recent call last):\nBroken: broke after 2 items" } }] };
    return { stream: Array.from({ length: n }, (_, i) => i), pauseMs: 300 };
  },
};

describe("Graft Vision on a stand-in gateway", () => {
  const session = browserSession(() => startMockGateway({ libraries: SHOP, answers: ANSWERS }));
  let page;
  const open = async () => {
    page = session.page;
    await openVision(page, session.server.base);
  };
  const lastCall = () => session.server.calls.at(-1);

  test("shows services, signatures, docstrings and the project", async () => {
    await open();
    assert.equal(await page.locator("#project").innerText(), "shop 2.1.0");
    const shop = page.locator('[data-service="Shop"]');
    assert.match(await shop.innerText(), /Takes orders\.\n\nEvery method is static\./);
    const order = shop.locator('[data-method="Shop.order"]');
    assert.equal(
      await order.locator(".sig").innerText(),
      "async order(items: list[Item], count: int, note: str, color: Color = Color.RED, when: Optional[date] = None, "
        + "weights: dict[str, float] = …) -> dict[str, Any]",
    );
    assert.match(await order.innerText(), /Places an order and returns what arrived\./);
    assert.match(await shop.locator('[data-method="Shop.log"] .sig').innerText(), /^log\(level: int, \*args: str\) -> None$/);
    assert.match(await shop.locator('[data-method="Shop.fail"] .sig').innerText(), /fail\(\) -> tuple\[int, bytes\]/);
    assert.match(await page.locator('[data-method="utils.shout"] .sig').innerText(), /shout\(text: str\) -> str/);
    assert.equal(await order.locator('[data-param="color"]').getAttribute("placeholder"), "default: Color.RED");
    assert.equal(await order.locator('[data-param="items"]').evaluate((n) => n.tagName), "TEXTAREA");
    const nav = await page.locator("nav a").allInnerTexts();
    assert.deepEqual(nav, ["Shop", "order", "log", "fail", "utils", "shout", "ticks", "Types"]);
  });

  test("shows the named types", async () => {
    await open();
    const text = (name) => page.locator(`[data-type="${name}"]`).innerText();
    assert.match(await text("Item"), /Item\s*dataclass[\s\S]*One line of an order\.[\s\S]*sku\s*str[\s\S]*qty\s*int = 1/i);
    assert.match(await text("Color"), /Color\s*enum[\s\S]*RED\s*"red"[\s\S]*BLUE\s*"blue"/i);
    assert.match(await text("OutOfStock"), /OutOfStock\s*exception\(Exception\)[\s\S]*sku\s*str/i);
  });

  test("sends numbers as numbers, str as text, JSON as JSON, and leaves out empty defaults", async () => {
    await open();
    const out = await callFromPage(page, "Shop.order", {
      items: '[{"sku": "a", "qty": 2}]', count: " 3 ", note: "42", color: "blue",
    });
    const sent = { items: [{ sku: "a", qty: 2 }], count: 3, note: "42", color: "blue" };
    assert.deepEqual(lastCall(), { key: "Shop.order", body: sent, contentType: "application/json" });
    assert.equal(out.state, "ok");
    assert.deepEqual(out.result, { received: sent });
    assert.match(out.text, /^200 · \d+ ms/);
  });

  test("an empty str is sent as empty text, an empty int is left out", async () => {
    await open();
    const out = await callFromPage(page, "utils.shout", { text: "" });
    assert.deepEqual(lastCall().body, { text: "" });
    assert.equal(out.result, "");
    await callFromPage(page, "Shop.order", { items: "[]", note: "x" });
    assert.deepEqual(lastCall().body, { items: [], note: "x" });
  });

  test("positional-only and *args arguments go as an array", async () => {
    await open();
    const out = await callFromPage(page, "Shop.log", { level: "2", args: '["a", "b"]' });
    assert.deepEqual(lastCall().body, [2, "a", "b"]);
    assert.equal(out.state, "error");
    assert.match(out.text, /^400\b/);
    assert.match(out.text, /BadArguments: argument `level` has the wrong type\nparameter: level/);
  });

  test("an exception shows its type, message and traceback", async () => {
    await open();
    const out = await callFromPage(page, "Shop.fail", {});
    assert.deepEqual(lastCall().body, {});
    assert.equal(out.state, "error");
    assert.match(out.text, /^500\b/);
    assert.match(out.text, /OutOfStock: sku a is gone/);
    assert.match(out.text, /Traceback \(most recent call last\):\n  File "src\/shop.py", line 9/);
  });

  test("a streaming method shows its items as they arrive", async () => {
    await open();
    const ticks = page.locator('[data-method="utils.ticks"]');
    assert.match(await ticks.locator(".sig").innerText(), /^ticks\(n: int\) -> Iterator\[int\]\s*stream$/i);
    assert.equal(await ticks.getAttribute("data-streams"), "true");
    const stream = await streamFromPage(page, "utils.ticks", { n: "5" });
    await stream.waitForItems(1);
    // The first item is on the page while the gateway is still producing.
    assert.equal(await stream.state(), "streaming");
    assert.ok((await stream.items()).length < 5);
    assert.ok(session.server.streams.at(-1).sent < 5, "the stand-in had already sent everything");
    const end = await stream.end();
    assert.equal(end.state, "ok", end.text);
    assert.deepEqual(end.items, [0, 1, 2, 3, 4]);
    assert.match(end.text, /^200 · 5 items · \d+ ms · done/);
    assert.deepEqual(lastCall().body, { n: 5 });
    assert.equal(session.server.streams.at(-1).accept, "application/x-ndjson");
  });

  test("an error line ends a stream with the error, after its items", async () => {
    await open();
    const end = await (await streamFromPage(page, "utils.ticks", { n: "-1" })).end();
    assert.equal(end.state, "error", end.text);
    assert.deepEqual(end.items, [0, 1]);
    assert.match(end.text, /Broken: broke after 2 items\n\nTraceback/);
  });

  test("Stop ends a stream and its request", async () => {
    await open();
    const stream = await streamFromPage(page, "utils.ticks", { n: '"slow"' });
    await stream.waitForItems(2);
    await stream.section.locator('[data-action="stop"]').click();
    const end = await stream.end();
    assert.equal(end.state, "stopped", end.text);
    assert.match(end.text, /Stopped: you stopped the stream/);
    const record = session.server.streams.at(-1);
    for (let i = 0; i < 50 && !record.left; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(record.left && record.sent < 100, JSON.stringify(record));
    // The page aborted that request itself: expected here, so not a problem.
    const aborted = (p) => /\/call\/utils\/ticks net::ERR_ABORTED$/.test(p);
    for (let i = 0; i < 20 && !session.problems.some(aborted); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(session.problems.some(aborted), JSON.stringify(session.problems));
    session.problems.splice(session.problems.findIndex(aborted), 1);
    assert.equal(await stream.section.locator('[data-action="stop"]').isVisible(), false);
  });

  test("bad arguments to a streaming method show as for a plain call", async () => {
    await open();
    const out = await callFromPage(page, "utils.ticks", { n: "abc" });
    assert.equal(out.state, "error");
    assert.match(out.text, /^400\b/);
    assert.match(out.text, /ArgumentError: n: expected int, got "abc"\nparameter: n/);
  });

  test("the filter hides what does not match", async () => {
    await open();
    await page.locator("#filter").fill("shout");
    assert.equal(await page.locator('[data-service="Shop"]').isVisible(), false);
    assert.equal(await page.locator('[data-method="utils.shout"]').isVisible(), true);
    await page.locator("#filter").fill("");
    assert.equal(await page.locator('[data-method="Shop.order"]').isVisible(), true);
  });

  test("the install box names each service's package", async () => {
    await open();
    const host = new URL(session.server.base).host;
    assert.equal(
      await page.locator('[data-install="utils"]').innerText(),
      `pip install --target=./lib --index-url http://${host}/simple/ graft-pypi-utils`,
    );
  });

  test("the page made no failed or outside requests and raised no errors", () => {
    assert.deepEqual(session.problems, []);
  });
});

test("an interface that fails to load shows why", async () => {
  const gateway = await startMockGateway({ libraries: [503, "discovery failed: boom"], answers: {} });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(`${gateway.base}/GV`);
    const banner = page.locator("[data-load-error]");
    await banner.waitFor({ timeout: 10_000 });
    assert.match(await banner.innerText(), /GET \/libraries answered 503: discovery failed: boom/);
  } finally {
    await browser.close();
    await gateway.stop();
  }
});
