// A graft's connection string, parsed and checked as the Python runtime does
// (python/graft_runtime/config.py; docs/CONFIG.md): the same keys, the same
// errors naming the source, key and value. A TypeScript graft also takes
// host=http://h:p or https://h:p: the gateway's HTTP call API through fetch.
/** The keys of a replica policy (python/graft_runtime/balancer.py). */
export const POLICY_KEYS = ["balance", "retries", "retry_budget", "backoff", "breaker", "breaker_cooldown", "eject", "resolve"];
export const KEYS = ["name", "host", "runtime", "modules", "timeout", "token", "ca", "cert", "key", ...POLICY_KEYS];
const BALANCES = ["least", "round_robin"];
const SCHEMES = ["tcp", "tls", "http", "https"];
/** A configuration that cannot be used; the message names the source, key and value. */
export class GraftConfigError extends Error {
    name = "GraftConfigError";
}
/** Python's repr of a str, as the Python runtime's messages show values. */
export function repr(s) {
    const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
    const body = s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\t/g, "\\t");
    return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
}
/** A distribution name as PEP 503 compares them. */
export function normalizeName(name) {
    return name.trim().replace(/[-_.]+/g, "-").toLowerCase();
}
const at = (where) => (where ? `${where}: ` : "");
const bad = (key, value, where, why) => new GraftConfigError(`${at(where)}invalid ${key}=${repr(value)}: ${why}`);
const EXPECTED = "expected inMemory, host:port, tcp://host:port, tls://host:port, http://host:port or https://host:port";
/** `inMemory` or empty: null; `h:p`, `tcp://`, `tls://`, `http://`, `https://h:p`: scheme and address. */
export function parseHost(value, where = "") {
    const text = value.trim();
    if (text === "" || text.toLowerCase() === "inmemory")
        return null;
    let scheme = "tcp", rest = text;
    const sep = text.indexOf("://");
    if (sep >= 0) {
        scheme = text.slice(0, sep).toLowerCase();
        rest = text.slice(sep + 3);
        if (!SCHEMES.includes(scheme)) {
            throw bad("host", value, where, `the scheme ${repr(text.slice(0, sep))} is not supported; use inMemory, host:port, tcp://host:port, tls://host:port or http(s)://host:port`);
        }
        if (scheme.startsWith("http"))
            rest = rest.replace(/\/$/, "");
    }
    const colon = rest.lastIndexOf(":");
    let host = rest.slice(0, colon);
    const port = rest.slice(colon + 1);
    if (colon < 0 || !host || rest.includes("/"))
        throw bad("host", value, where, EXPECTED);
    if (host.startsWith("[") && host.endsWith("]"))
        host = host.slice(1, -1);
    if (!/^[0-9]+$/.test(port) || !(Number(port) > 0 && Number(port) < 65536)) {
        throw bad("host", value, where, `the port ${repr(port)} is not a number from 1 to 65535`);
    }
    return [scheme, { host, port: Number(port) }];
}
/** `host=` as its scheme and addresses: one, or replicas `a:p,b:p` (the first's scheme for all). */
export function parseHosts(value, where = "") {
    const parts = value.trim().split(",").map((p) => p.trim());
    if (parts.length === 1) {
        const one = parseHost(parts[0], where);
        return one === null ? [null, []] : [one[0], [one[1]]];
    }
    const first = parts[0];
    const prefix = first.includes("://") ? first.slice(0, first.indexOf("://") + 3) : "";
    const found = [];
    let scheme = null;
    for (const part of parts) {
        if (part.includes("://") && !part.toLowerCase().startsWith((prefix || "tcp://").toLowerCase())) {
            throw bad("host", value, where, "the addresses mix schemes; give the first one's to all, or none");
        }
        const one = part ? parseHost(part.includes("://") ? part : prefix + part, where) : null;
        if (one === null)
            throw bad("host", value, where, `${repr(part)} is not host:port; list replicas as a:p,b:p`);
        scheme = one[0];
        if (!found.some((a) => a.host === one[1].host && a.port === one[1].port))
            found.push(one[1]);
    }
    return [scheme, found];
}
/** The `key=value` pairs of one line, keys lower-cased; checks the keys only. */
export function parseLine(line, where = "") {
    const pairs = new Map();
    for (const part of line.split(";")) {
        if (!part.trim())
            continue;
        const eq = part.indexOf("=");
        if (eq < 0)
            throw new GraftConfigError(`${at(where)}${repr(part.trim())} is not key=value`);
        const key = part.slice(0, eq).trim().toLowerCase(), value = part.slice(eq + 1).trim();
        if (!KEYS.includes(key)) {
            throw new GraftConfigError(`${at(where)}unknown key ${repr(key)} (value ${repr(value)}); known keys: ${KEYS.join(", ")}`);
        }
        if (pairs.has(key)) {
            throw new GraftConfigError(`${at(where)}the key ${repr(key)} is given twice (${repr(pairs.get(key))} and ${repr(value)})`);
        }
        pairs.set(key, value);
    }
    return pairs;
}
/** Checks every value of one parsed line and builds its Settings. */
export function settingsFrom(pairs, where = "") {
    const [scheme, hosts] = parseHosts(pairs.get("host") ?? "", where);
    const runtime = (pairs.get("runtime") ?? "python").trim() || "python";
    if (runtime.toLowerCase() !== "python") {
        throw bad("runtime", runtime, where, "this graft runs Python only (runtime=python)");
    }
    return {
        name: pairs.get("name") || null,
        scheme,
        hosts,
        runtime: runtime.toLowerCase(),
        modules: (pairs.get("modules") ?? "").split(",").map((m) => m.trim()).filter((m) => m),
        timeout: timeout(pairs.get("timeout") ?? "", where),
        source: where || "configuration",
        token: pairs.get("token") || null,
        tls: tls(pairs, where),
        policy: policy(pairs, where),
    };
}
/** Every configuration in `text` (one a line; blank lines and `#` comments skipped), each checked. */
export function parse(text, where = "") {
    const found = [];
    text.split(/\r\n|\r|\n/).forEach((raw, i) => {
        const line = raw.trim();
        if (!line || line.startsWith("#"))
            return;
        const here = where ? `${where} line ${i + 1}` : `line ${i + 1}`;
        found.push(settingsFrom(parseLine(line, here), here));
    });
    return found;
}
/** The configuration for `graft`: its own named line, else an unnamed line, else null. */
export function select(configs, graft) {
    const wanted = normalizeName(graft);
    const named = configs.filter((c) => c.name !== null && normalizeName(c.name) === wanted);
    const unnamed = configs.filter((c) => c.name === null);
    for (const group of [named, unnamed]) {
        if (group.length > 1) {
            throw new GraftConfigError(`${group[0].source} and ${group[1].source} both configure ${graft}; keep one`);
        }
        if (group.length === 1)
            return group[0];
    }
    return null;
}
function timeout(value, where) {
    const text = value.trim();
    if (!text)
        return null;
    const seconds = Number(text);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) && !/^[+-]?(inf|infinity|nan)$/i.test(text)) {
        throw bad("timeout", value, where, "expected a number of seconds");
    }
    if (!(seconds >= 0) || !Number.isFinite(seconds) || /^[+-]?(inf|infinity|nan)$/i.test(text)) {
        throw bad("timeout", value, where, "expected a number of seconds, 0 or more (0: no limit)");
    }
    return seconds || null;
}
function policy(pairs, where) {
    const values = {};
    for (const key of POLICY_KEYS) {
        const text = (pairs.get(key) ?? "").trim();
        if (!text)
            continue;
        if (key === "balance") {
            if (!BALANCES.includes(text.toLowerCase()))
                throw bad(key, text, where, `expected ${BALANCES.join(" or ")}`);
            values[key] = text.toLowerCase();
            continue;
        }
        const whole = key === "retries" || key === "breaker";
        const ok = whole ? /^\s*[+-]?\d+\s*$/.test(text) : /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text);
        if (!ok)
            throw bad(key, text, where, whole ? "expected a whole number" : "expected a number");
        const n = Number(text);
        if (!(n >= 0) || (key === "breaker" && n < 1)) {
            throw bad(key, text, where, `expected ${key === "breaker" ? "1 or more" : "0 or more"}`);
        }
        values[key] = n;
    }
    return values;
}
function tls(pairs, where) {
    const files = ["ca", "cert", "key"].filter((k) => pairs.get(k));
    const host = (pairs.get("host") ?? "").trim();
    if (!host.toLowerCase().startsWith("tls://")) {
        for (const k of files) {
            throw bad(k, pairs.get(k), where, `TLS files need host=tls://host:port (the host is ${repr(host)})`);
        }
        return null;
    }
    if (files.includes("cert") !== files.includes("key")) {
        const k = files.includes("cert") ? "cert" : "key";
        throw bad(k, pairs.get(k), where, "a client certificate needs both cert=<file> and key=<file>");
    }
    return { ca: pairs.get("ca") || null, cert: pairs.get("cert") || null, key: pairs.get("key") || null };
}
