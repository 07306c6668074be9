// Graft Vision shows each graft's version and the changes since the previous
// one, from /libraries' `grafts` (a stand-in gateway with three releases).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";

import { REPO, browserSession, openVision } from "./harness.mjs";
import { startMockGateway } from "./mock-gateway.mjs";

const SHOP = JSON.parse(readFileSync(path.join(REPO, "tests/browser/fixtures/shop-interface.json"), "utf8"));
const change = (kind, subject, what) => ({ kind, subject, what });
const LIBRARIES = {
  ...SHOP,
  grafts: {
    Shop: {
      distribution: "graft-pypi-shop",
      version: "2.0.0",
      releases: [
        { version: "1.0.0", changes: [] },
        { version: "1.1.0", changes: [change("addition", "Shop.count", "method added")] },
        { version: "2.0.0", changes: [change("breaking", "Shop.remove", "method removed"), change("other", "Shop.order", "doc changed")] },
      ],
    },
    utils: { distribution: "graft-pypi-utils", version: "0.1.0", releases: [{ version: "0.1.0", changes: [] }] },
  },
};

describe("Graft Vision: graft versions", () => {
  const session = browserSession(() => startMockGateway({ libraries: LIBRARIES, answers: {} }));

  test("a graft shows its version and the changes since the previous one", async () => {
    const page = session.page;
    await openVision(page, session.server.base);
    const shop = page.locator('[data-graft-version="Shop"]');
    assert.equal(await shop.locator("[data-version]").innerText(), "2.0.0");
    assert.equal(await shop.locator("summary").innerText(), "2 change(s) since 1.1.0");
    await shop.locator("summary").click();
    assert.equal(await shop.locator('[data-change="breaking"]').innerText(), "BREAKING Shop.remove: method removed");
    assert.equal(await shop.locator('[data-change="other"]').count(), 1);
    const utils = page.locator('[data-graft-version="utils"]');
    assert.match(await utils.innerText(), /0\.1\.0\s*the first version/);
    assert.deepEqual(session.problems, []);
  });
});
