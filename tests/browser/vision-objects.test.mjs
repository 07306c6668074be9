// Graft Vision and remote objects on the real gateway: gg hosts
// tests/e2e/fixtures/realcode/carts.py, chromium opens /GV, a person makes a
// Cart with its constructor's form, calls its methods on it (its state kept
// between calls), gets a second cart from a factory, and releases a cart.

import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";

import { REPO, browserSession, callFromPage, openVision, startGateway } from "./harness.mjs";

const CARTS = path.join(REPO, "tests/e2e/fixtures/realcode/carts.py");

describe("Graft Vision makes objects and calls their methods", () => {
  const session = browserSession(() => startGateway(CARTS));
  let page;
  const panel = () => page.locator('[data-constructor="Cart"]');
  const picked = () => panel().locator('[data-objects="Cart"]');

  /** Fills the Cart constructor's form and clicks Make; answers the output's state and text. */
  const make = async (args) => {
    for (const [name, text] of Object.entries(args)) await panel().locator(`[data-param="${name}"]`).fill(text);
    const output = panel().locator("[data-output]");
    await output.evaluate((node) => { delete node.dataset.state; });
    await panel().locator('[data-action="construct"]').click();
    await panel().locator("[data-output][data-state]").waitFor();
    return { state: await output.getAttribute("data-state"), text: await output.innerText() };
  };

  test("a method of an object needs one first", async () => {
    page = session.page;
    await openVision(page, session.server.base);
    const total = page.locator('[data-method="Cart.total"]');
    assert.equal(await total.getAttribute("data-object-method"), "true");
    assert.match(await panel().locator(".sig").innerText(), /Cart\(owner: str, currency: str = 'EUR'\) -> Cart/);
    const out = await callFromPage(page, "Cart.total", {});
    assert.equal(out.state, "error");
    assert.match(out.text, /make a Cart object first/);
  });

  test("make a Cart, add lines to it, and its total is theirs", async () => {
    const made = await make({ owner: "ann", currency: "EUR" });
    assert.equal(made.state, "ok", made.text);
    assert.match(made.text, /^201/);
    const id = await picked().inputValue();
    assert.match(id, /^[0-9a-f]{32}$/);
    let out = await callFromPage(page, "Cart.add", { line: '{"sku": "H-1", "qty": 2, "unit": 1.25}' });
    assert.equal(out.result, 1, out.text);
    out = await callFromPage(page, "Cart.add", { line: '{"sku": "H-2", "qty": 1, "unit": 0.5}' });
    assert.equal(out.result, 2, out.text);
    out = await callFromPage(page, "Cart.total", {});
    assert.equal(out.result, 3, out.text);
    out = await callFromPage(page, "Cart.describe", {});
    assert.equal(out.result, "ann: 2 lines, 3.00 EUR");
  });

  test("a constructor's error shows as any method's", async () => {
    const made = await make({ owner: "bob", currency: "XYZ" });
    assert.equal(made.state, "error");
    assert.match(made.text, /ValueError: unknown currency 'XYZ'/);
  });

  test("a factory's cart joins the picker, and its methods run on it", async () => {
    const before = await picked().locator("option").count();
    const out = await callFromPage(page, "Shop.open_cart", { owner: "cy" });
    assert.equal(out.result.service, "Cart", out.text);
    assert.equal(await picked().locator("option").count(), before + 1);
    assert.equal(await picked().inputValue(), out.result.id);
    const described = await callFromPage(page, "Cart.describe", {});
    assert.equal(described.result, "cy: 0 lines, 0.00 EUR");
  });

  test("release removes the cart, runs its close() and a call on it is then not found", async () => {
    const id = await picked().inputValue();
    const output = panel().locator("[data-output]");
    await output.evaluate((node) => { delete node.dataset.state; });
    await panel().locator('[data-action="release"]').click();
    await panel().locator("[data-output][data-state]").waitFor();
    assert.match(await output.innerText(), /^204/);
    assert.equal(await picked().locator(`option[value="${id}"]`).count(), 0);
    const released = await page.evaluate(async () => (await fetch("/call/Shop/released", { method: "POST" })).json());
    assert.ok(released.includes("cy"), JSON.stringify(released));
    const gone = await page.evaluate(async (i) => (await fetch(`/objects/Cart/${i}/total`, { method: "POST" })).status, id);
    assert.equal(gone, 404);
  });

  test("the page made no failed or outside requests and raised no errors", () => {
    assert.deepEqual(session.problems, []);
  });
});
