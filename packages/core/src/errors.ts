/** Base class of every error eni-pool throws; `name` is the subclass name. */
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
    readonly resourceId: string,
    readonly expected: string,
    readonly lastSeen: string | undefined,
    readonly waitedMs: number,
  ) {
    super(message);
  }
}

/** An AWS call failed for good: a client error, or retries exhausted. */
export class AwsCallError extends EniPoolError {
  constructor(
    message: string,
    readonly operation: string,
    /** The AWS error code (`err.name`), e.g. `InvalidParameterCombination`. */
    readonly code: string,
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
    readonly networkInterfaceId: string,
    readonly instanceId: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
