// The TypeScript graft's fetch transport in a real browser: gg hosts the parity
// shop and the feed; npm installs @graft/pypi-shop and @graft/pypi-feed from gg's
// own registry; chromium loads the packages (ES modules, as any bundler would
// serve them) on gg's origin and calls with host=<that origin>.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { before, describe, test } from "node:test";

import { REPO, browserSession, openVision, startGateway } from "./harness.mjs";

const MODULES = ["tests/e2e/fixtures/parity/shop.py", "tests/e2e/fixtures/streams/feed.py"]
  .map((m) => path.join(REPO, m)).join(",");

describe("a TypeScript graft in chromium, over fetch", () => {
  const session = browserSession(() => startGateway(MODULES));
  let page;

  before(async () => {
    const project = mkdtempSync(path.join(tmpdir(), "graft-browser-"));
    writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "page", private: true }));
    execFileSync("npm", ["install", "--registry", `${session.server.base}/npm/`, "--no-audit", "--no-fund",
      "--cache", path.join(project, ".npm-cache"), "@graft/pypi-shop", "@graft/pypi-feed"], { cwd: project, stdio: "pipe" });
    page = session.page;
    // /pkg/<name>/<file> is the installed package's file, as a static server would give it.
    await page.route(`${session.server.base}/pkg/**`, (route) => {
      const file = new URL(route.request().url()).pathname.replace(/^\/pkg\//, "");
      const body = readFileSync(path.join(project, "node_modules", "@graft", file));
      route.fulfill({ status: 200, contentType: "text/javascript", body });
    });
    await openVision(page, session.server.base);
  });

  test("calls, exact ints, data types, exceptions and a stream cancelled by break", async () => {
    const out = await page.evaluate(async () => {
      const shop = await import("/pkg/pypi-shop/index.js");
      const feed = await import("/pkg/pypi-feed/index.js");
      shop.GraftConfig.setConfig(`host=${location.origin}`);
      feed.GraftConfig.setConfig(`host=${location.origin}`);
      const order = await shop.Shop.make_order(1);
      let raised = null;
      try { await shop.Shop.reserve("H-1", 2); } catch (e) {
        raised = [e instanceof shop.OutOfStock, e instanceof Error, e.sku, e.wanted, e.message];
      }
      const items = [];
      for await (const n of feed.Feed.slow("browser", 1000, 0.01)) {
        items.push(n);
        if (items.length === 3) break;
      }
      let seen = "running";
      for (let i = 0; i < 100 && seen === "running"; i++) {
        await new Promise((r) => setTimeout(r, 20));
        seen = await feed.Feed.seen("browser");
      }
      return {
        big: String(await shop.Shop.echo_int(2n ** 63n - 1n)),
        bytes: Array.from(await shop.Shop.echo_bytes(new Uint8Array([0, 255]))),
        order: [order.id, order.lines[0].sku, order.placed],
        raised, items, seen,
      };
    });
    assert.deepEqual(out, {
      big: "9223372036854775807",
      bytes: [0, 255],
      order: [7, "sku0", "2026-01-02T03:04:05.006000+00:00"],
      raised: [true, true, "H-1", 2, "H-1 is out of stock (wanted 2)"],
      items: [0, 1, 2],
      seen: "closed",
    });
  });

  test("the page made no failed or outside requests and raised no errors, but the stream it aborted", () => {
    const aborted = /^request failed: .*\/call\/Feed\/slow net::ERR_ABORTED$/;
    assert.equal(session.problems.filter((p) => aborted.test(p)).length, 1, session.problems.join("\n"));
    assert.deepEqual(session.problems.filter((p) => !aborted.test(p)), []);
  });
});
