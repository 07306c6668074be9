// The configuration string against the Python runtime's own parser
// (python/graft_runtime/config.py and sources.py, run here with python3):
// the same texts and environments give the same settings, or the same error
// message. Where the TypeScript graft takes more (host=http(s)://), its
// messages list those schemes too, and its method is setConfig, not
// set_config: those are the only differences allowed.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { parseHost } from "../runtime/config.js";
import { resolve } from "../runtime/sources.js";

const GRAFT = "graft-pypi-energypricecalculator";
const OWN = "GRAFT_CONFIG_GRAFT_PYPI_ENERGYPRICECALCULATOR";
const dir = mkdtempSync(join(tmpdir(), "graft-config-"));
const jsonFile = join(dir, "c.json");
writeFileSync(jsonFile, JSON.stringify({ [GRAFT]: { host: "calc:9092", timeout: 5 }, "graft-pypi-other": { host: "inMemory" } }));
const textFile = join(dir, "c.txt");
writeFileSync(textFile, "# comment\nname=graft-pypi-other;host=x:1\nhost=calc:7;timeout=2.5\n");

interface Case { code?: string; env?: Record<string, string> }
const CASES: Case[] = [
  { code: `name=${GRAFT};host=price_calculator:9092;runtime=python;modules=/usr/app/src` },
  { code: "host=inMemory" }, { code: "host=INMEMORY" }, { code: "host=" },
  { code: "host=tcp://10.0.0.5:1" }, { code: "host=[::1]:9092" }, { code: "host=TCP://calc:65535" },
  { code: "host=tpc://calc:9092" }, { code: "host=ws://calc:9092/ws" }, { code: "host=localhost" },
  { code: "host=calc:" }, { code: "host=:9092" }, { code: "host=calc:0" }, { code: "host=calc:65536" },
  { code: "host=calc:90x" }, { code: "hots=calc:9092" }, { code: "host=a:1;host=b:2" }, { code: "justtext" },
  { code: "host=a:1;timeout=abc" }, { code: "host=a:1;timeout=-1" }, { code: "host=a:1;timeout=0" },
  { code: "host=a:1;timeout=1.5" }, { code: "host=a:1;runtime=node" }, { code: " HOST = a:1 ; Timeout = 3 ;" },
  { code: "name=graft-pypi-other;host=a:1" }, { code: "host=a:1\nhost=b:2" },
  { code: `name=Graft_PyPI.EnergyPriceCalculator;host=a:1` }, { code: "host=a:1,b:2" },
  { code: "host=tls://a:1,tcp://b:2" }, { code: "host=a:1;ca=/x.pem" }, { code: "host=tls://a:1;cert=/c.pem" },
  { code: "host=a:1;token=t0k" }, { code: "host=a:1;balance=random" }, { code: "host=a:1;retries=1.5" },
  { code: "host=a:1;breaker=0" }, { code: "host=a:1;balance=round_robin;retries=2;backoff=0.5" },
  { code: "# only a comment\n\nhost=a:1" },
  { code: "host=a:1", env: { GRAFT_CONFIG: "host=env:2" } },
  { code: "host=a:1", env: { GRAFT_CONFIG: "host=env:2", [OWN]: "host=own:3" } },
  { env: { [OWN]: "name=graft-pypi-other;host=a:1" } },
  { env: { GRAFT_CONFIG: "name=graft-pypi-other;host=a:1" }, code: "host=code:4" },
  { env: { GRAFT_CONFIG: "   " }, code: "host=code:4" },
  { env: { GRAFT_CONFIG: "hots=1" }, code: "host=code:4" },
  { env: { GRAFT_CONFIG_FILE: jsonFile } }, { env: { GRAFT_CONFIG_FILE: textFile } },
  { env: { GRAFT_CONFIG_FILE: join(dir, "missing.txt") } },
  { env: { [`GRAFT_CONFIG_FILE_GRAFT_PYPI_ENERGYPRICECALCULATOR`]: textFile } },
  {},
];

/** What the Python runtime makes of each case: its settings, or its error message. */
function python(): unknown[] {
  const script = `
import json, sys
sys.path.insert(0, sys.argv[1])
from graft_runtime.config import GraftConfigError
from graft_runtime.sources import resolve
out = []
for case in json.loads(sys.stdin.read()):
    try:
        s = resolve(${JSON.stringify(GRAFT)}, case.get("code"), None, case.get("env", {}))
        out.append(None if s.host is None and s.source.startswith("default") else {
            "name": s.name, "hosts": [list(h) for h in s.hosts], "timeout": s.timeout, "source": s.source,
            "token": s.token, "modules": list(s.modules), "tls": s.tls is not None})
    except GraftConfigError as e:
        out.append({"error": str(e)})
print(json.dumps(out))`;
  const root = new URL("../../../python/", import.meta.url).pathname;
  const text = execFileSync("python3", ["-c", script, root], { input: JSON.stringify(CASES) }).toString();
  return JSON.parse(text) as unknown[];
}

/** The TypeScript text with what only it says (its setConfig, the schemes only it takes) as Python says it. */
function asPython(message: string): string {
  return message
    .replace(/GraftConfig\.setConfig/g, "GraftConfig.set_config")
    .replace("use inMemory, host:port, tcp://host:port, tls://host:port or http(s)://host:port", "use inMemory, host:port, tcp://host:port, tls://host:port or redis://host:port/db")
    .replace("expected inMemory, host:port, tcp://host:port, tls://host:port, http://host:port or https://host:port", "expected inMemory, host:port, tcp://host:port or tls://host:port");
}

function typescript(c: Case): unknown {
  try {
    const s = resolve(GRAFT, c.code ?? null, null, {
      env: c.env ?? {}, readFile: (p) => execFileSync("cat", [p], { stdio: ["ignore", "pipe", "ignore"] }).toString(),
    });
    if (s === null || s.scheme === null) return s === null ? null : { ...pick(s), hosts: [] };
    return pick(s);
  } catch (e) {
    return { error: asPython((e as Error).message) };
  }
}

function pick(s: NonNullable<ReturnType<typeof resolve>>) {
  return { name: s.name, hosts: s.hosts.map((h) => [h.host, h.port]), timeout: s.timeout, source: asPython(s.source),
    token: s.token, modules: s.modules, tls: s.tls !== null };
}

const expected = python();
CASES.forEach((c, i) => {
  test(`as Python: ${JSON.stringify(c).slice(0, 90)}`, () => {
    const mine = typescript(c) as { error?: string } | null;
    const theirs = expected[i] as { error?: string } | null;
    if (theirs?.error?.includes("No such file") && mine?.error) {
      assert.match(mine.error, /^GRAFT_CONFIG_FILE='.*missing.txt': cannot read the configuration file: /);
      return;
    }
    assert.deepEqual(mine, theirs);
  });
});

test("host=http(s)://h:p is the fetch transport, which the Python graft does not take", () => {
  assert.deepEqual(parseHost("http://gg.example:8080"), ["http", { host: "gg.example", port: 8080 }]);
  assert.deepEqual(parseHost("HTTPS://gg.example:443/"), ["https", { host: "gg.example", port: 443 }]);
  assert.throws(() => parseHost("http://gg.example"), /the port 'gg.example'|expected/);
});
