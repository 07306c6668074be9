// Where a graft's configuration comes from, and which source wins: the same
// precedence as python/graft_runtime/sources.py (docs/CONFIG.md):
// GRAFT_CONFIG_<NAME>, GRAFT_CONFIG, the files named by GRAFT_CONFIG_FILE_<NAME>
// and GRAFT_CONFIG_FILE, GraftConfig.setConfig(text), the package default,
// and nothing (which a TypeScript graft cannot run: it names the fix).
// In a browser there is no environment and no file: code and default only.
import { GraftConfigError, KEYS, normalizeName, parse, parseLine, repr, select, settingsFrom, } from "./config.js";
export const ENV = "GRAFT_CONFIG";
export const ENV_FILE = "GRAFT_CONFIG_FILE";
/** Node's environment and files, or none in a browser. */
export function nodeHost() {
    const proc = globalThis.process;
    const fs = proc?.getBuiltinModule?.("node:fs");
    return { env: proc?.env ?? {}, readFile: fs ? (path) => fs.readFileSync(path, "utf8") : null };
}
/** `graft-pypi-x` as `GRAFT_PYPI_X`, for the per-graft variable names. */
export function envSuffix(graft) {
    return normalizeName(graft).toUpperCase().replace(/-/g, "_");
}
/** The configuration that applies to `graft`, by the precedence above; null when nothing configures it. */
export function resolve(graft, code, fallback, host = nodeHost()) {
    const own = envSuffix(graft);
    const fromEnv = (name, isOwn) => fromText(host.env[name], `environment variable ${name}`, graft, isOwn);
    const sources = [
        () => fromEnv(`${ENV}_${own}`, true),
        () => fromEnv(ENV, false),
        () => fromFileEnv(host, `${ENV_FILE}_${own}`, graft, true),
        () => fromFileEnv(host, ENV_FILE, graft, false),
        () => fromText(code, "GraftConfig.setConfig", graft, false),
        () => fromText(fallback, "the package default", graft, false),
    ];
    for (const source of sources) {
        const found = source();
        if (found !== null)
            return found;
    }
    return null;
}
function fromText(text, where, graft, own) {
    if (text === null || text === undefined || !text.trim())
        return null;
    return pick(parse(text, where), graft, own);
}
function fromFileEnv(host, name, graft, own) {
    const path = (host.env[name] ?? "").trim();
    if (!path)
        return null;
    let text;
    try {
        if (host.readFile === null)
            throw new Error("this runtime has no files");
        text = host.readFile(path);
    }
    catch (e) {
        const why = e.code === "ENOENT" ? "No such file or directory" : String(e.message);
        throw new GraftConfigError(`${name}=${repr(path)}: cannot read the configuration file: ${why}`);
    }
    const where = `file ${path}`;
    const trimmed = text.trimStart();
    const configs = trimmed.startsWith("{") || trimmed.startsWith("[") ? fromJson(text, where) : parse(text, where);
    return pick(configs, graft, own);
}
function pick(configs, graft, own) {
    if (own) {
        for (const c of configs) {
            if (c.name !== null && normalizeName(c.name) !== normalizeName(graft)) {
                throw new GraftConfigError(`${c.source}: invalid name=${repr(c.name)}: this source configures ${graft} only`);
            }
        }
    }
    return select(configs, graft);
}
function fromJson(text, where) {
    let data;
    try {
        data = JSON.parse(text);
    }
    catch (e) {
        throw new GraftConfigError(`${where}: not valid JSON: ${e.message}`);
    }
    if (isObject(data) && Object.keys(data).length && !Object.keys(data).some((k) => KEYS.includes(k.toLowerCase()))) {
        data = Object.entries(data).map(([k, v]) => ({ ...object(v, `${where}[${repr(k)}]`), name: k }));
    }
    const items = Array.isArray(data) ? data : [data];
    return items.map((item, i) => {
        const here = Array.isArray(data) ? `${where}[${i}]` : where;
        const pairs = Object.entries(object(item, here)).map(([k, v]) => [k.toLowerCase(), scalar(v, k, here)]);
        const semi = pairs.find(([, v]) => v.includes(";"));
        if (semi)
            throw new GraftConfigError(`${here}: invalid ${semi[0]}=${repr(semi[1])}: a value cannot hold ';'`);
        return settingsFrom(parseLine(pairs.map(([k, v]) => `${k}=${v}`).join(";"), here), here);
    });
}
function isObject(v) {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}
function object(v, where) {
    if (!isObject(v))
        throw new GraftConfigError(`${where}: expected an object of configuration keys, found ${JSON.stringify(v)}`);
    return v;
}
function scalar(v, key, where) {
    if (key.toLowerCase() === "modules" && Array.isArray(v) && v.every((m) => typeof m === "string"))
        return v.join(",");
    if (typeof v === "string")
        return v;
    if (typeof v === "number")
        return Number.isInteger(v) ? `${v}` : `${v}`;
    throw new GraftConfigError(`${where}: invalid ${key}=${JSON.stringify(v)}: expected a string or a number`);
}
