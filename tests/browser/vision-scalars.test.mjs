// Graft Vision with the scalars real code uses, on the real gateway: gg hosts
// tests/e2e/fixtures/realcode/money.py; a person calls Catalog.double with
// the text 1.5 and gets "3.0" (exactly: a Decimal, not the str "1.51.5"),
// sends a duration and a time, and sees the methods Graft cannot carry
// greyed out with the reason and no form.

import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";

import { REPO, browserSession, callFromPage, openVision, startGateway } from "./harness.mjs";

const MONEY = path.join(REPO, "tests/e2e/fixtures/realcode/money.py");

describe("Graft Vision with Decimal, UUID, timedelta and time on the real gateway", () => {
  const session = browserSession(() => startGateway(MONEY));

  test("Catalog.double takes the text 1.5 as a Decimal and answers 3.0", async () => {
    const page = session.page;
    await openVision(page, session.server.base);
    const double = page.locator('[data-method="Catalog.double"]');
    assert.match(await double.locator(".sig").innerText(), /double\(x: Decimal\) -> Decimal/);
    const called = await callFromPage(page, "Catalog.double", { x: "1.5" });
    assert.equal(called.state, "ok", called.text);
    assert.equal(called.result, "3.0");
  });

  test("a duration and a time go in as text and come back in ISO 8601", async () => {
    const page = session.page;
    await openVision(page, session.server.base);
    const extended = await callFromPage(page, "Rooms.extend", { length: "PT1H", by: "-PT90M" });
    assert.equal(extended.state, "ok", extended.text);
    assert.equal(extended.result, "-PT30M");
    const later = await callFromPage(page, "Rooms.later", { at: "23:45:00+05:30", minutes: "30" });
    assert.equal(later.result, "00:15:00+05:30", later.text);
  });

  test("a method Graft cannot carry is shown greyed, with the reason, and cannot be called", async () => {
    const page = session.page;
    await openVision(page, session.server.base);
    const audit = page.locator('[data-method="Ledger.audit"]');
    assert.equal(await audit.getAttribute("data-unavailable"), "true");
    assert.equal(await audit.locator(".reason").innerText(),
      "Unavailable: parameter `entry`: type `money.Opaque` has no Graft form");
    assert.equal(await audit.locator("form").count(), 0);
    assert.equal(await page.locator('[data-method="Ledger.kind"] form').count(), 1);
  });
});
