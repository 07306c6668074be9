/** The keys of a replica policy (python/graft_runtime/balancer.py). */
export declare const POLICY_KEYS: string[];
export declare const KEYS: string[];
/** A configuration that cannot be used; the message names the source, key and value. */
export declare class GraftConfigError extends Error {
    name: string;
}
export interface Address {
    host: string;
    port: number;
}
/** One configuration line, checked. `scheme` is null for in-process (`inMemory`). */
export interface Settings {
    name: string | null;
    scheme: "tcp" | "tls" | "http" | "https" | null;
    hosts: Address[];
    runtime: string;
    modules: string[];
    /** Seconds per call (per item of a stream); null for no limit. */
    timeout: number | null;
    source: string;
    token: string | null;
    tls: {
        ca: string | null;
        cert: string | null;
        key: string | null;
    } | null;
    policy: Record<string, string | number>;
}
/** Python's repr of a str, as the Python runtime's messages show values. */
export declare function repr(s: string): string;
/** A distribution name as PEP 503 compares them. */
export declare function normalizeName(name: string): string;
/** `inMemory` or empty: null; `h:p`, `tcp://`, `tls://`, `http://`, `https://h:p`: scheme and address. */
export declare function parseHost(value: string, where?: string): [Settings["scheme"], Address] | null;
/** `host=` as its scheme and addresses: one, or replicas `a:p,b:p` (the first's scheme for all). */
export declare function parseHosts(value: string, where?: string): [Settings["scheme"], Address[]];
/** The `key=value` pairs of one line, keys lower-cased; checks the keys only. */
export declare function parseLine(line: string, where?: string): Map<string, string>;
/** Checks every value of one parsed line and builds its Settings. */
export declare function settingsFrom(pairs: Map<string, string>, where?: string): Settings;
/** Every configuration in `text` (one a line; blank lines and `#` comments skipped), each checked. */
export declare function parse(text: string, where?: string): Settings[];
/** The configuration for `graft`: its own named line, else an unnamed line, else null. */
export declare function select(configs: Settings[], graft: string): Settings | null;
