/**
 * SQS errors, both as they travel on the wire (AWS JSON 1.0 with query-compatible codes) and as the
 * simulator's own programmatic API throws them.
 */

import { AwsSimError } from '../ec2/errors';

/** How SQS reports one error code: HTTP status and the legacy awsQuery code the SDK maps back to a name. */
interface SqsErrorSpec {
  readonly status: number;
  /** The `awsQueryError` code sent in `x-amzn-query-error`; the SDK resolves it to the modelled error name. */
  readonly queryCode: string;
  readonly fault: 'Sender' | 'Receiver';
}

/** Error codes the simulator can return, with the status and query code from the SQS service model. */
export const SQS_ERROR_CODES = {
  QueueDoesNotExist: { status: 400, queryCode: 'AWS.SimpleQueueService.NonExistentQueue', fault: 'Sender' },
  QueueNameExists: { status: 400, queryCode: 'QueueAlreadyExists', fault: 'Sender' },
  ReceiptHandleIsInvalid: { status: 404, queryCode: 'ReceiptHandleIsInvalid', fault: 'Sender' },
  MessageNotInflight: {
    status: 400,
    queryCode: 'AWS.SimpleQueueService.MessageNotInflight',
    fault: 'Sender',
  },
  PurgeQueueInProgress: {
    status: 403,
    queryCode: 'AWS.SimpleQueueService.PurgeQueueInProgress',
    fault: 'Sender',
  },
  TooManyEntriesInBatchRequest: {
    status: 400,
    queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    fault: 'Sender',
  },
  EmptyBatchRequest: { status: 400, queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest', fault: 'Sender' },
  BatchEntryIdsNotDistinct: {
    status: 400,
    queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    fault: 'Sender',
  },
  InvalidBatchEntryId: {
    status: 400,
    queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId',
    fault: 'Sender',
  },
  BatchRequestTooLong: {
    status: 400,
    queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong',
    fault: 'Sender',
  },
  UnsupportedOperation: {
    status: 400,
    queryCode: 'AWS.SimpleQueueService.UnsupportedOperation',
    fault: 'Sender',
  },
  InvalidAttributeName: { status: 400, queryCode: 'InvalidAttributeName', fault: 'Sender' },
  InvalidAttributeValue: { status: 400, queryCode: 'InvalidAttributeValue', fault: 'Sender' },
  InvalidMessageContents: { status: 400, queryCode: 'InvalidMessageContents', fault: 'Sender' },
  InvalidParameterValue: { status: 400, queryCode: 'InvalidParameterValue', fault: 'Sender' },
  MissingParameter: { status: 400, queryCode: 'MissingParameter', fault: 'Sender' },
  InvalidAddress: { status: 404, queryCode: 'InvalidAddress', fault: 'Sender' },
  InvalidAction: { status: 400, queryCode: 'InvalidAction', fault: 'Sender' },
  RequestThrottled: { status: 403, queryCode: 'RequestThrottled', fault: 'Sender' },
  OverLimit: { status: 403, queryCode: 'OverLimit', fault: 'Sender' },
  InternalError: { status: 500, queryCode: 'InternalError', fault: 'Receiver' },
  ServiceUnavailable: { status: 503, queryCode: 'ServiceUnavailable', fault: 'Receiver' },
} as const satisfies Record<string, SqsErrorSpec>;

/** An error code the simulated SQS API can answer with. */
export type SqsErrorCode = keyof typeof SQS_ERROR_CODES;

/** Base class of the errors the SQS and event parts of the simulator throw to their programmatic callers. */
export class SqsSimError extends AwsSimError {}

/**
 * An SQS API error: what the handler turns into a JSON error response. Thrown by the model's operations so
 * programmatic callers (tests, `QueueSink` users) see the same code an SDK caller would.
 */
export class SqsApiError extends SqsSimError {
  constructor(
    /** The modelled error name, e.g. `QueueDoesNotExist`; the SDK's `err.name` will match it. */
    readonly code: SqsErrorCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return SQS_ERROR_CODES[this.code].status;
  }

  /** Value of the `x-amzn-query-error` header: `<query code>;<Sender|Receiver>`. */
  get queryError(): string {
    const spec = SQS_ERROR_CODES[this.code];
    return `${spec.queryCode};${spec.fault}`;
  }
}

/** The named queue (by URL, ARN or name) does not exist in this simulator. */
export class QueueNotFoundError extends SqsApiError {
  constructor(readonly queue: string) {
    super('QueueDoesNotExist', 'The specified queue does not exist.');
  }
}

/** Invalid options were passed to a simulator constructor or knob. Nothing was changed. */
export class SimConfigurationError extends SqsSimError {
  constructor(
    message: string,
    /** The option at fault. */
    readonly setting: string,
  ) {
    super(message);
  }
}
