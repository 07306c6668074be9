/** Every error a graft raises for a call extends this. */
export declare class GraftError extends Error {
    name: string;
    /** The Python exception's type name and module (`OutOfStock`, `shop`). */
    typeName: string;
    module: string;
    /** The Python traceback, when the gateway sends one (`gg --tracebacks`). */
    traceback: string;
    /** The gateway's id of this call, to find its log line. */
    callId: string | null;
}
/** A hosted exception the graft has no class for. */
export declare class RemoteError extends GraftError {
    name: string;
}
/** The method or service is not on the gateway (404, status 1). */
export declare class NotFoundError extends GraftError {
    name: string;
}
/** The arguments do not fit the method (400, status 2); a Python TypeError. */
export declare class BadArgumentsError extends GraftError {
    name: string;
}
/** The call did not finish within its timeout (504, status 4). `GraftTimeoutError` is the same class. */
export declare class Timeout extends GraftError {
    name: string;
}
export { Timeout as GraftTimeoutError };
/** The gateway needs a known token (401, status 7): key `token=` or GRAFT_TOKEN. */
export declare class Unauthenticated extends GraftError {
    name: string;
}
/**
 * No replica could be reached, the gateway refused the call (draining, status 5,
 * HTTP 503), or the call was lost with its connection; the message names host and
 * port. `sent` is true when the call was written before the failure, so it may
 * have run. `GraftConnectionError` and `UnavailableError` are the same class.
 */
export declare class Unavailable extends GraftError {
    readonly host: string;
    readonly port: number;
    readonly sent: boolean;
    name: string;
    constructor(message: string, host?: string, port?: number, sent?: boolean);
}
export { Unavailable as GraftConnectionError, Unavailable as UnavailableError };
/** Every replica's circuit breaker is open after repeated failures: the call failed at once, unsent. */
export declare class CircuitOpen extends Unavailable {
    name: string;
    constructor(host: string, port: number, problem: string);
}
/** The gateway refused the call at once because it is full (status 8, HTTP 429); it never ran. */
export declare class Overloaded extends Unavailable {
    name: string;
}
/** A call on a remote object that was released (or whose lease ran out). */
export declare class ReleasedObjectError extends GraftError {
    name: string;
}
/** The classes of the gateway's statuses (0 is the hosted exception itself). */
export declare const STATUS_CLASSES: Record<number, new (message: string) => GraftError>;
/** A hosted exception class a graft declares: `new (message, fields)`. */
export type ExceptionClass = new (message: string, fields: Record<string, unknown>) => GraftError;
/** Builds the error a graft raises: the declared class by type name, else by status, else RemoteError. */
export declare function raised(declared: Record<string, ExceptionClass>, status: number, e: {
    typeName: string;
    module: string;
    message: string;
    fields: Record<string, unknown>;
    traceback: string;
    callId: string | null;
}): GraftError;
