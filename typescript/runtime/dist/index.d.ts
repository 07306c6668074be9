export { Graft, RemoteObject, type MethodDef, type ParamDef, type Schema, type StreamOptions } from "./client.js";
export { GraftConfigError, type Settings } from "./config.js";
export { BadArgumentsError, CircuitOpen, GraftConnectionError, GraftError, GraftTimeoutError, NotFoundError, Overloaded, ReleasedObjectError, RemoteError, Timeout, Unauthenticated, Unavailable, UnavailableError, } from "./errors.js";
