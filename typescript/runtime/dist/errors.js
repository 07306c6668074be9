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
/** The call ran past its timeout (504, status 4). */
export class GraftTimeoutError extends GraftError {
    name = "GraftTimeoutError";
}
/** The gateway needs a known token (401, status 7): key `token=` or GRAFT_TOKEN. */
export class Unauthenticated extends GraftError {
    name = "Unauthenticated";
}
/** The gateway takes no more calls for now (status 5 Unavailable, 8 Overloaded, HTTP 503/429). */
export class UnavailableError extends GraftError {
    name = "UnavailableError";
}
/** The connection to the gateway failed or closed; the message names host and port. */
export class GraftConnectionError extends GraftError {
    name = "GraftConnectionError";
}
/** A call on a remote object that was released (or whose lease ran out). */
export class ReleasedObjectError extends GraftError {
    name = "ReleasedObjectError";
}
/** The classes of the gateway's statuses (0 is the hosted exception itself). */
export const STATUS_CLASSES = {
    1: NotFoundError, 2: BadArgumentsError, 3: RemoteError, 4: GraftTimeoutError,
    5: UnavailableError, 6: RemoteError, 7: Unauthenticated, 8: UnavailableError,
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
