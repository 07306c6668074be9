// The errors a graft raises. A hosted exception the graft declares arrives as
// its own class (a subclass of GraftError, with its fields); any other as
// RemoteError; the gateway's own refusals as the classes below.
/** Every error a graft raises for a call extends this. */
export class GraftError extends Error {
    name = "GraftError";
    /** The Python exception's type name and module (`OutOfStock`, `shop`). */
    typeName = "";
    module = "";
    /** The Python traceback, when the gateway sends one (`gg --tracebacks`). */
    traceback = "";
    /** The gateway's id of this call, to find its log line. */
    callId = null;
}
/** A hosted exception the graft has no class for. */
export class RemoteError extends GraftError {
    name = "RemoteError";
}
/** The method or service is not on the gateway (404, status 1). */
export class NotFoundError extends GraftError {
    name = "NotFoundError";
}
/** The arguments do not fit the method (400, status 2); a Python TypeError. */
export class BadArgumentsError extends GraftError {
    name = "BadArgumentsError";
}
/** The call did not finish within its timeout (504, status 4). `GraftTimeoutError` is the same class. */
export class Timeout extends GraftError {
    name = "Timeout";
}
export { Timeout as GraftTimeoutError };
/** The gateway needs a known token (401, status 7): key `token=` or GRAFT_TOKEN. */
export class Unauthenticated extends GraftError {
    name = "Unauthenticated";
}
/**
 * No replica could be reached, the gateway refused the call (draining, status 5,
 * HTTP 503), or the call was lost with its connection; the message names host and
 * port. `sent` is true when the call was written before the failure, so it may
 * have run. `GraftConnectionError` and `UnavailableError` are the same class.
 */
export class Unavailable extends GraftError {
    host;
    port;
    sent;
    name = "Unavailable";
    constructor(message, host = "", port = 0, sent = false) {
        super(message);
        this.host = host;
        this.port = port;
        this.sent = sent;
    }
}
export { Unavailable as GraftConnectionError, Unavailable as UnavailableError };
/** Every replica's circuit breaker is open after repeated failures: the call failed at once, unsent. */
export class CircuitOpen extends Unavailable {
    name = "CircuitOpen";
    constructor(host, port, problem) {
        super(`Graft gateway at ${host}:${port}: ${problem}`, host, port, false);
    }
}
/** The gateway refused the call at once because it is full (status 8, HTTP 429); it never ran. */
export class Overloaded extends Unavailable {
    name = "Overloaded";
}
/** A call on a remote object that was released (or whose lease ran out). */
export class ReleasedObjectError extends GraftError {
    name = "ReleasedObjectError";
}
/** The classes of the gateway's statuses (0 is the hosted exception itself). */
export const STATUS_CLASSES = {
    1: NotFoundError, 2: BadArgumentsError, 3: RemoteError, 4: Timeout,
    5: Unavailable, 6: RemoteError, 7: Unauthenticated, 8: Overloaded,
};
/** Builds the error a graft raises: the declared class by type name, else by status, else RemoteError. */
export function raised(declared, status, e) {
    const own = status === 0 ? declared[e.typeName] : undefined;
    const err = own ? new own(e.message, e.fields) : new (STATUS_CLASSES[status] ?? RemoteError)(e.message);
    if (!own && status === 0)
        Object.assign(err, e.fields);
    err.typeName = e.typeName;
    err.module = e.module;
    err.traceback = e.traceback;
    err.callId = e.callId;
    return err;
}
