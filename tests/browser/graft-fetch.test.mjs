// The TypeScript graft's fetch transport in a real browser: gg hosts the parity
// shop and the feed; npm installs @graft/pypi-shop and @graft/pypi-feed from gg's
// own registry; chromium loads the packages (ES modules, as any bundler would
// serve them) on gg's origin and calls with host=<that origin>; then from
// another origin (a static site) to gg's call port, which --corsAllowedOrigins
// opens to that site's origin only.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import http from "node:http";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { REPO, browserSession, openVision, startGateway } from "./harness.mjs";

const MODULES = ["tests/e2e/fixtures/parity/shop.py", "tests/e2e/fixtures/streams/feed.py"]
  .map((m) => path.join(REPO, m)).join(",");

describe("a TypeScript graft in chromium, over fetch", () => {
  let page, project, site;
  // The call port allows one other origin: the static site's on 127.0.0.1, not the same site's on localhost.
  const session = browserSession(async () => {
    site = await startSite(() => project);
    return startGateway(MODULES, { more: () => ["--corsAllowedOrigins", site.origin] });
  });
  after(() => site?.close());

  before(async () => {
    project = mkdtempSync(path.join(tmpdir(), "graft-browser-"));
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
  /**
   * From a fresh page of `origin` (the static site; a page without routes, since
   * Playwright answers CORS preflights itself for a page it routes): Feed.slow(key)
   * and Shop.echo_int on gg's call port, another origin.
   */
  async function callAcross(origin, key) {
    const other = await session.browser.newPage();
    try {
      await other.goto(`${origin}/`);
      return await other.evaluate(async ([calls, key]) => {
        const shop = await import("/pkg/pypi-shop/index.js");
        const feed = await import("/pkg/pypi-feed/index.js");
        shop.GraftConfig.setConfig(`host=${calls}`);
        feed.GraftConfig.setConfig(`host=${calls}`);
        try {
          const items = [];
          for await (const n of feed.Feed.slow(key, 2, 0)) items.push(n);
          return { items, big: String(await shop.Shop.echo_int(2n ** 62n)) };
        } catch (e) {
          return { raised: [e instanceof feed.GraftConnectionError, e.message] };
        }
      }, [session.server.calls, key]);
    } finally {
      await other.close();
    }
  }

  /** Feed.seen(key) asked from Node, outside any browser. */
  async function seen(key) {
    const response = await fetch(`${session.server.calls}/call/Feed/seen`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key }),
    });
    return response.json();
  }

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

  test("an allowed origin calls the call port across origins (CORS)", async () => {
    assert.deepEqual(await callAcross(site.origin, "allowed"), { items: [0, 1], big: "4611686018427387904" });
    assert.equal(await seen("allowed"), "finished");
  });

  test("another origin is refused by the browser, and the call never runs", async () => {
    const out = await callAcross(site.origin.replace("127.0.0.1", "localhost"), "refused");
    assert.equal(out.raised?.[0], true, JSON.stringify(out));
    assert.match(out.raised[1], /^cannot reach http:\/\/127\.0\.0\.1:\d+: Failed to fetch/);
    assert.equal(await seen("refused"), "");
  });

  test("the page made no failed or outside requests and raised no errors, but the stream it aborted", () => {
    const aborted = /^request failed: .*\/call\/Feed\/slow net::ERR_ABORTED$/;
    assert.equal(session.problems.filter((p) => aborted.test(p)).length, 1, session.problems.join("\n"));
    assert.deepEqual(session.problems.filter((p) => !aborted.test(p)), []);
  });
});

/**
 * A static site on 127.0.0.1 (its own origin): `/` an empty page, `/pkg/<name>/<file>`
 * the installed package's file. `dir()` is the npm project, known once installed.
 */
function startSite(dir) {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, "http://site");
    if (url.pathname === "/") return response.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>site</title>");
    let body;
    try {
      body = readFileSync(path.join(dir(), "node_modules", "@graft", path.normalize(url.pathname.replace(/^\/pkg\//, ""))));
    } catch {
      return response.writeHead(404).end();
    }
    response.writeHead(200, { "content-type": "text/javascript" }).end(body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => server.close(r)),
  })));
}
