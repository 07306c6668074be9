// Graft Vision against the real gateway: gg hosts the tutorial's example modules,
// chromium opens /GV, lists both services and calls BillingService.calculate_bill.

import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";

import { ENV, REPO, browserSession, callFromPage, openVision, startGateway } from "./harness.mjs";

describe("Graft Vision on the real gateway", () => {
  const session = browserSession(() => startGateway(path.join(REPO, "example/src")));
  let page;
  const open = async () => {
    page = session.page;
    await openVision(page, session.server.base);
  };

  test("lists both services with their methods and types", async () => {
    await open();
    const billing = page.locator('[data-service="BillingService"]');
    const prices = page.locator('[data-service="EnergyPriceCalculator"]');
    assert.ok(await billing.isVisible());
    assert.ok(await prices.isVisible());
    const bill = billing.locator('[data-method="BillingService.calculate_bill"]');
    assert.match(await bill.locator(".sig").innerText(), /calculate_bill\(kwh_used: int\) -> int/);
    assert.equal(await bill.locator('[data-param="kwh_used"]').count(), 1);
    const price = prices.locator('[data-method="EnergyPriceCalculator.get_price"]');
    assert.match(await price.locator(".sig").innerText(), /get_price\(\) -> int/);
  });

  test("calculate_bill(250) shows a bill between 25000 and 26000", async () => {
    await open();
    const out = await callFromPage(page, "BillingService.calculate_bill", { kwh_used: "250" });
    assert.equal(out.state, "ok", out.text);
    assert.ok(Number.isInteger(out.result), `not an integer: ${out.text}`);
    assert.ok(out.result >= 25000 && out.result <= 26000, `out of range: ${out.result}`);
    await page.screenshot({ path: process.env[ENV.SCREENSHOT] || "/tmp/vision.png" });
  });

  test("get_price() with no arguments shows a price between 100 and 104", async () => {
    await open();
    const out = await callFromPage(page, "EnergyPriceCalculator.get_price", {});
    assert.equal(out.state, "ok", out.text);
    assert.ok(out.result >= 100 && out.result <= 104, `out of range: ${out.text}`);
  });

  test("a kwh_used that is not an int shows an error naming kwh_used", async () => {
    await open();
    const out = await callFromPage(page, "BillingService.calculate_bill", { kwh_used: "abc" });
    assert.equal(out.state, "error", out.text);
    assert.match(out.text, /^400\b/);
    assert.match(out.text, /kwh_used/);
    assert.equal(out.result, undefined);
  });

  test("the install box shows the pip and npm commands for this gateway", async () => {
    await open();
    const host = new URL(session.server.base).host;
    const command = await page.locator('[data-install="EnergyPriceCalculator"]').innerText();
    assert.equal(command, `pip install --target=./lib --index-url http://${host}/simple/ graft-pypi-energypricecalculator`);
    const npm = await page.locator('[data-install-npm="EnergyPriceCalculator"]').innerText();
    assert.equal(npm, `npm install --registry http://${host}/npm/ @graft/pypi-energypricecalculator`);
  });

  test("each service shows its graft's version, as /libraries lists it", async () => {
    await open();
    const listed = await (await fetch(`${session.server.base}/libraries`)).json();
    const version = listed.grafts.EnergyPriceCalculator.version;
    assert.match(version, /^\d+\.\d+\.\d+$/);
    const box = page.locator('[data-graft-version="EnergyPriceCalculator"]');
    assert.equal(await box.locator("[data-version]").innerText(), version);
  });

  test("the page made no failed or outside requests and raised no errors", () => {
    assert.deepEqual(session.problems, []);
  });
});
