export { Graft, RemoteObject, type MethodDef, type ParamDef, type Schema, type StreamOptions } from "./client.js";
export { GraftConfigError, type Settings } from "./config.js";
export { BadArgumentsError, GraftConnectionError, GraftError, GraftTimeoutError, NotFoundError, ReleasedObjectError, RemoteError, Unauthenticated, UnavailableError, } from "./errors.js";
