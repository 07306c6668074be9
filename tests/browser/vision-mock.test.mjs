// Graft Vision against a stand-in gateway (mock-gateway.mjs) with a richer
// interface than the tutorial's: named types, defaults, keyword-only,
// positional-only and *args parameters, and every kind of error answer.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";

import { REPO, browserSession, callFromPage, launchBrowser, openVision } from "./harness.mjs";
import { startMockGateway } from "./mock-gateway.mjs";

const SHOP = JSON.parse(readFileSync(path.join(REPO, "tests/browser/fixtures/shop-interface.json"), "utf8"));

const ANSWERS = {
  "Shop.order": (body) => [200, { received: body }],
  "Shop.log": (body) => [400, { error: { type: "BadArguments", message: "argument `level` has the wrong type", param: "level" } }],
  "Shop.fail": () => [500, { error: { type: "OutOfStock", message: "sku a is gone", traceback: "Traceback (most recent call last):\n  File \"src/shop.py\", line 9\nOutOfStock: sku a is gone" } }],
  "utils.shout": (body) => [200, String(body.text).toUpperCase()],
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
    assert.deepEqual(nav, ["Shop", "order", "log", "fail", "utils", "shout", "Types"]);
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
