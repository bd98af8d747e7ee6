import { AwsSimError } from '../ec2/errors';

/** Base class of the errors the simulated event bus throws. */
export class EventBusError extends AwsSimError {}

/** An event pattern is not of the EventBridge form the bus understands. Nothing was subscribed. */
export class InvalidEventPatternError extends EventBusError {
  constructor(
    message: string,
    /** Dotted path of the offending pattern field, e.g. `detail.state`. */
    readonly field: string,
  ) {
    super(message);
  }
}

/** An option or knob of the bus is out of range, or a rule cannot be served. Nothing was changed. */
export class EventBusConfigurationError extends EventBusError {
  constructor(
    message: string,
    /** The option at fault. */
    readonly setting: string,
  ) {
    super(message);
  }
}

/** `idle()` ran out of time while deliveries were still pending (e.g. a callback that never settles). */
export class EventBusIdleTimeoutError extends EventBusError {
  constructor(
    readonly pending: number,
    readonly waitedMs: number,
  ) {
    super(`event bus still had ${pending} pending deliveries after ${waitedMs} ms`);
  }
}
