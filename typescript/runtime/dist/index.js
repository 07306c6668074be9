// The runtime inside every TypeScript graft: what its generated index.js uses
// and re-exports. See typescript/README.md.
export { Graft, RemoteObject } from "./client.js";
export { GraftConfigError } from "./config.js";
export { BadArgumentsError, CircuitOpen, GraftConnectionError, GraftError, GraftTimeoutError, NotFoundError, Overloaded, ReleasedObjectError, RemoteError, Timeout, Unauthenticated, Unavailable, UnavailableError, } from "./errors.js";
