// The runtime inside every TypeScript graft: what its generated index.js uses
// and re-exports. See typescript/README.md.

export { Graft, RemoteObject, type MethodDef, type ParamDef, type Schema, type StreamOptions } from "./client.js";
export { GraftConfigError, type Settings } from "./config.js";
export {
  BadArgumentsError, CircuitOpen, GraftConnectionError, GraftError, GraftTimeoutError, NotFoundError, Overloaded,
  ReleasedObjectError, RemoteError, Timeout, Unauthenticated, Unavailable, UnavailableError,
} from "./errors.js";
