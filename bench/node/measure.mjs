// One Node client of the benchmark (bench/node.py): `add(40, 2)` through the
// TypeScript graft (--system node-graft, over gg's TCP protocol) or through
// @grpc/grpc-js (--system node-grpc, against bench/servers/grpc_server.py).
// As bench/clients/measure.py does for Python callers: warm-up calls (every
// answer checked), --calls sequential calls each timed, then for each level C
// a run of calls shared by C concurrent callers; CPU seconds of this process
// and of --server-pid around the measured parts. Prints one JSON line in
// measure.py's form.

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const [A, B] = [40, 2];

const { values: o } = parseArgs({ options: {
  system: { type: "string" }, target: { type: "string" }, graft: { type: "string", default: "" },
  "server-pid": { type: "string", default: "0" }, calls: { type: "string", default: "2000" },
  warmup: { type: "string", default: "200" }, waves: { type: "string", default: "4" },
  concurrency: { type: "string", default: "1,16,64" },
} });

/** `add` as a function returning a Promise of the sum, for the system measured. */
async function open(system, target) {
  if (system === "node-graft") {
    const { Bench, GraftConfig } = await import(path.resolve(o.graft));
    GraftConfig.setConfig(`name=graft-pypi-bench;host=${target}`);
    return { add: (a, b) => Bench.add(a, b), close: () => GraftConfig.close() };
  }
  const grpc = await import("@grpc/grpc-js");
  const loader = await import("@grpc/proto-loader");
  const defs = loader.loadSync(path.join(HERE, "..", "bench.proto"), { longs: Number });
  const { Bench } = grpc.loadPackageDefinition(defs).graftbench;
  const client = new Bench(target, grpc.credentials.createInsecure());
  const add = (a, b) => new Promise((resolve, reject) =>
    client.Add({ a, b }, (e, reply) => (e ? reject(e) : resolve(reply.value))));
  return { add, close: () => client.close() };
}

function check(got) {
  if (got !== A + B) throw new Error(`add(${A}, ${B}) answered ${JSON.stringify(got)}, expected ${A + B}`);
}

/** CPU seconds (user + system) of `pid`, from /proc (clock ticks of 1/100 s). */
function cpuSeconds(pid) {
  if (!pid) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function peakRss() {
  const line = readFileSync("/proc/self/status", "utf8").split("\n").find((l) => l.startsWith("VmHWM:"));
  return line ? Number(line.split(/\s+/)[1]) * 1024 : null;
}

async function sequential(add, calls) {
  const samples = [];
  for (let i = 0; i < calls; i++) {
    const t0 = process.hrtime.bigint();
    const got = await add(A, B);
    samples.push(Number(process.hrtime.bigint() - t0));
    check(got);
  }
  return samples;
}

/** Seconds for `total` calls shared by `callers` concurrent callers. */
async function concurrent(add, callers, total) {
  let left = total;
  const caller = async () => { while (left-- > 0) check(await add(A, B)); };
  const start = performance.now();
  await Promise.all(Array.from({ length: callers }, caller));
  return (performance.now() - start) / 1000;
}

const quantile = (sorted, q) => sorted[Math.max(1, Math.min(sorted.length, Math.ceil(q * sorted.length))) - 1];

async function measure(add) {
  const [calls, waves, server] = [Number(o.calls), Number(o.waves), Number(o["server-pid"])];
  const levels = o.concurrency.split(",").map(Number);
  for (let i = 0; i < Number(o.warmup); i++) check(await add(A, B));
  const cpu0 = [cpuSeconds(process.pid), cpuSeconds(server)];
  const samples = await sequential(add, calls);
  const cpu1 = [cpuSeconds(process.pid), cpuSeconds(server)];
  await concurrent(add, Math.max(...levels), Math.max(...levels));
  const cpu2 = [cpuSeconds(process.pid), cpuSeconds(server)];
  const throughput = {};
  let total = 0;
  for (const c of levels) {
    const n = Math.max(calls, c * waves);
    throughput[String(c)] = n / await concurrent(add, c, n);
    total += n;
  }
  const cpu3 = [cpuSeconds(process.pid), cpuSeconds(server)];
  samples.sort((x, y) => x - y);
  const us = (ns) => ns / 1000;
  return {
    seq: { n: samples.length, p50_us: us(quantile(samples, 0.5)), p99_us: us(quantile(samples, 0.99)),
      mean_us: us(samples.reduce((s, x) => s + x, 0) / samples.length) },
    throughput,
    cpu: { client_s: cpu1[0] - cpu0[0] + cpu3[0] - cpu2[0], server_s: cpu1[1] - cpu0[1] + cpu3[1] - cpu2[1],
      calls: calls + total },
  };
}

const client = await open(o.system, o.target);
try {
  console.log(JSON.stringify({ methods: { add: await measure(client.add) }, client_peak_rss: peakRss() }));
} finally {
  await client.close();
}
