import { type Settings } from "./config.js";
export declare const ENV = "GRAFT_CONFIG";
export declare const ENV_FILE = "GRAFT_CONFIG_FILE";
/** What sources read: the environment and files (Node's, unless a test gives its own). */
export interface Host {
    env: Record<string, string | undefined>;
    readFile: ((path: string) => string) | null;
}
/** Node's environment and files, or none in a browser. */
export declare function nodeHost(): Host;
/** `graft-pypi-x` as `GRAFT_PYPI_X`, for the per-graft variable names. */
export declare function envSuffix(graft: string): string;
/** The configuration that applies to `graft`, by the precedence above; null when nothing configures it. */
export declare function resolve(graft: string, code: string | null, fallback: string | null, host?: Host): Settings | null;
