/**
 * Base class of every error eni-pool throws; `name` is the subclass name. Catch it to tell eni-pool's
 * failures from others, then narrow with `instanceof` to read the context fields of a subclass.
 *
 * @example
 * ```ts
 * try {
 *   await manager.handle(parseEvent(event));
 * } catch (error) {
 *   if (error instanceof InvalidEventError) logger.warn(error.message, { field: error.field, kind: error.eventKind });
 *   else if (error instanceof AwsCallError) logger.error(error.message, { operation: error.operation, code: error.code });
 *   else if (error instanceof EniPoolError) logger.error(error.message, { error: error.name });
 *   else throw error;
 * }
 * ```
 */
export class EniPoolError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The input is not an event eni-pool handles. Nothing was changed. */
export class UnsupportedEventError extends EniPoolError {
  constructor(
    message: string,
    /** `source` / `detail-type` (or shape) that was seen, for the log. */
    readonly seen?: string,
  ) {
    super(message);
  }
}

/** The input is a known event, but a field is missing or wrong. Nothing was changed. */
export class InvalidEventError extends EniPoolError {
  constructor(
    message: string,
    /** Dotted path of the first offending field, e.g. `detail.instance-id`. */
    readonly field: string,
    /** The kind of event that was recognised. */
    readonly eventKind: string,
  ) {
    super(message);
  }
}

/** A configuration value (option or environment variable) is invalid. */
export class ConfigurationError extends EniPoolError {
  constructor(
    message: string,
    /** The option or environment variable at fault. */
    readonly setting: string,
  ) {
    super(message);
  }
}

/** A bounded wait ran out before the resource reached the expected state. */
export class WaitTimeoutError extends EniPoolError {
  constructor(
    message: string,
    /** The resource waited for, e.g. the interface `eni-…`. */
    readonly resourceId: string,
    /** The state it was expected to reach, e.g. `attached` or `available`. */
    readonly expected: string,
    /** The state last observed, when it was read at least once. */
    readonly lastSeen: string | undefined,
    /** How long the wait lasted, in milliseconds. */
    readonly waitedMs: number,
  ) {
    super(message);
  }
}

/** An AWS call failed for good: a client error, or retries exhausted. */
export class AwsCallError extends EniPoolError {
  constructor(
    message: string,
    /** The API operation, e.g. `AttachNetworkInterface`. */
    readonly operation: string,
    /** The AWS error code (`err.name`), e.g. `InvalidParameterCombination`. */
    readonly code: string,
    /** Attempts made, counting the first (each may include the SDK client's own retries). */
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Another worker took the interface first (`InvalidNetworkInterface.InUse`); the caller re-plans. */
export class AttachConflictError extends EniPoolError {
  constructor(
    message: string,
    /** The interface that could not be attached. */
    readonly networkInterfaceId: string,
    /** The instance it was meant for. */
    readonly instanceId: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * What a wait was waiting for is gone: the attachment disappeared (its instance stopped or terminated,
 * someone detached it) or another attachment owns the interface now. The caller re-reads and re-plans
 * instead of waiting out the bound.
 */
export class AttachmentLostError extends EniPoolError {
  constructor(
    message: string,
    /** The interface waited on. */
    readonly networkInterfaceId: string,
    /** What was seen instead, e.g. `available` or `attached to i-0b2`. */
    readonly lastSeen: string,
  ) {
    super(message);
  }
}

/** The caller's `AbortSignal` fired: the call or wait was given up before it finished. */
export class OperationAbortedError extends EniPoolError {
  constructor(
    message: string,
    /** What was given up, e.g. `AttachNetworkInterface` or `wait for eni-0a1 attached`. */
    readonly operation: string,
  ) {
    super(message);
  }
}
