import { AwsCallError } from './errors';
/**
 * How an AWS error should be handled; the single place where AWS error codes are interpreted.
 *
 * - `throttling`: the request rate was exceeded; retry with backoff.
 * - `server`: a 5xx or an internal error; retry with backoff.
 * - `in-use`: the network interface is attached elsewhere (another worker won the race); re-plan.
 * - `device-index-taken`: the instance already has an interface at that device index; re-plan.
 * - `incorrect-state`: the instance is not in a state that allows the call yet; retry later.
 * - `attachment-limit`: the instance type holds no more interfaces; terminal.
 * - `already-detached`: the attachment no longer exists; a detach is already done.
 * - `not-found`: some other resource does not exist (`*.NotFound`).
 * - `lifecycle-action-over`: the lifecycle action is already completed or expired; success.
 * - `client`: any other error: the request must be fixed, never retried.
 */
export type AwsErrorClass =
  | 'throttling'
  | 'server'
  | 'in-use'
  | 'device-index-taken'
  | 'incorrect-state'
  | 'attachment-limit'
  | 'not-found'
  | 'already-detached'
  | 'lifecycle-action-over'
  | 'client';

const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'EC2ThrottledException',
  'SlowDown',
]);

const SERVER_CODES: ReadonlySet<string> = new Set([
  'InternalError',
  'InternalFailure',
  'ServerInternal',
  'ServiceUnavailable',
  'Unavailable',
]);

const INCORRECT_STATE_CODES: ReadonlySet<string> = new Set(['IncorrectInstanceState', 'IncorrectState']);

const IN_USE_MESSAGE = /\b(is currently in use|in use|already attached)\b/i;
const DEVICE_INDEX_MESSAGE = /already has an interface attached at device index/i;
const NO_ACTIVE_LIFECYCLE_ACTION_MESSAGE = /No active Lifecycle Action found/i;

/**
 * The error AWS sent: an `AwsCallError` (eni-pool's wrapping after its retries) is read through to its
 * cause, so every helper here classifies wrapped and raw SDK errors alike.
 */
function unwrap(error: unknown): unknown {
  return error instanceof AwsCallError && error.cause !== undefined ? error.cause : error;
}

function field(error: unknown, key: string): unknown {
  error = unwrap(error);
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[key] : undefined;
}

/**
 * The AWS error code of an SDK error: `err.name` (the SDK sets it to the code), or `Code`/`code` when the
 * name is the generic `Error`; a leading `Client.` or `Server.` is stripped. `undefined` for non-errors.
 *
 * @example
 * ```ts
 * awsErrorCode(Object.assign(new Error('x'), { name: 'Client.RequestLimitExceeded' })); // 'RequestLimitExceeded'
 * ```
 */
export function awsErrorCode(error: unknown): string | undefined {
  const candidates = [field(error, 'name'), field(error, 'Code'), field(error, 'code')];
  const named = candidates.find((value): value is string => typeof value === 'string' && value !== 'Error');
  const code = named ?? (typeof candidates[0] === 'string' ? candidates[0] : undefined);
  return code?.replace(/^(Client|Server)\./, '');
}

/** The error's `message` (or `Message`), or `''` when it has none. */
export function awsErrorMessage(error: unknown): string {
  const message = field(error, 'message') ?? field(error, 'Message');
  return typeof message === 'string' ? message : '';
}

function httpStatus(error: unknown): number | undefined {
  const status = field(field(error, '$metadata'), 'httpStatusCode');
  return typeof status === 'number' ? status : undefined;
}

/**
 * The request rate was exceeded (`RequestLimitExceeded`, `Throttling`, `RequestThrottled`, …).
 * See {@link classifyAwsError} for an example.
 */
export function isThrottling(error: unknown): boolean {
  const code = awsErrorCode(error);
  return code !== undefined && THROTTLING_CODES.has(code);
}

/**
 * A server-side failure: a 5xx status or an internal/unavailable code. Throttling is not included.
 * See {@link classifyAwsError} for an example.
 */
export function isServerError(error: unknown): boolean {
  if (isThrottling(error)) return false;
  const code = awsErrorCode(error);
  if (code !== undefined && SERVER_CODES.has(code)) return true;
  const status = httpStatus(error);
  return status !== undefined && status >= 500 && status <= 599;
}

/**
 * Worth retrying with backoff: throttling or a server error. Client errors never are.
 * See {@link classifyAwsError} for an example.
 */
export function isRetryable(error: unknown): boolean {
  return isThrottling(error) || isServerError(error);
}

/**
 * The instance already has an interface at the requested device index.
 * See {@link classifyAwsError} for an example.
 */
export function isDeviceIndexTaken(error: unknown): boolean {
  return awsErrorCode(error) === 'InvalidParameterValue' && DEVICE_INDEX_MESSAGE.test(awsErrorMessage(error));
}

/**
 * The network interface is attached elsewhere: `InvalidNetworkInterface.InUse`, or `InvalidParameterValue`
 * whose message says it is in use or already attached.
 * See {@link classifyAwsError} for an example.
 */
export function isInUse(error: unknown): boolean {
  const code = awsErrorCode(error);
  if (code === 'InvalidNetworkInterface.InUse') return true;
  return (
    code === 'InvalidParameterValue' &&
    !isDeviceIndexTaken(error) &&
    IN_USE_MESSAGE.test(awsErrorMessage(error))
  );
}

/**
 * The instance is not in a state that allows the call (`IncorrectInstanceState`, `IncorrectState`).
 * See {@link classifyAwsError} for an example.
 */
export function isIncorrectState(error: unknown): boolean {
  const code = awsErrorCode(error);
  return code !== undefined && INCORRECT_STATE_CODES.has(code);
}

/**
 * The attachment no longer exists (`InvalidAttachmentID.NotFound`): a detach is already done.
 * See {@link classifyAwsError} for an example.
 */
export function isAlreadyDetached(error: unknown): boolean {
  return awsErrorCode(error) === 'InvalidAttachmentID.NotFound';
}

/**
 * A resource does not exist (`*.NotFound`, including `InvalidAttachmentID.NotFound`).
 * See {@link classifyAwsError} for an example.
 */
export function isNotFound(error: unknown): boolean {
  return awsErrorCode(error)?.endsWith('.NotFound') ?? false;
}

/**
 * The lifecycle action is already completed or expired: `ValidationError` "No active Lifecycle Action found".
 * See {@link classifyAwsError} for an example.
 */
export function isNoActiveLifecycleAction(error: unknown): boolean {
  return (
    awsErrorCode(error) === 'ValidationError' &&
    NO_ACTIVE_LIFECYCLE_ACTION_MESSAGE.test(awsErrorMessage(error))
  );
}

/**
 * The instance type cannot hold another interface (`AttachmentLimitExceeded`).
 * See {@link classifyAwsError} for an example.
 */
export function isAttachmentLimit(error: unknown): boolean {
  return awsErrorCode(error) === 'AttachmentLimitExceeded';
}

/**
 * Classifies an error thrown by an AWS SDK call (or an `Ec2Port`). The `is…` guards answer one question
 * each, for the same errors; any value may be passed, and a non-error is simply `client`/`false`.
 *
 * @example
 * ```ts
 * try {
 *   await port.attachNetworkInterface(input);
 * } catch (error) {
 *   switch (classifyAwsError(error)) {
 *     case 'in-use':
 *     case 'device-index-taken':
 *       return replan(); // another worker got there first
 *     case 'throttling':
 *     case 'server':
 *       return retryLater(); // isRetryable(error) is true for exactly these two
 *     default:
 *       throw error;
 *   }
 * }
 *
 * // The guards, on the same kind of SDK error (`name` is the AWS code):
 * const inUse = Object.assign(new Error('eni-1 is currently in use'), { name: 'InvalidNetworkInterface.InUse' });
 * isInUse(inUse); // true
 * isRetryable(inUse); // false
 * isNotFound(Object.assign(new Error('gone'), { name: 'InvalidAttachmentID.NotFound' })); // true
 * ```
 */
export function classifyAwsError(error: unknown): AwsErrorClass {
  if (isThrottling(error)) return 'throttling';
  if (isServerError(error)) return 'server';
  if (isDeviceIndexTaken(error)) return 'device-index-taken';
  if (isInUse(error)) return 'in-use';
  if (isIncorrectState(error)) return 'incorrect-state';
  if (isAttachmentLimit(error)) return 'attachment-limit';
  if (isAlreadyDetached(error)) return 'already-detached';
  if (isNotFound(error)) return 'not-found';
  if (isNoActiveLifecycleAction(error)) return 'lifecycle-action-over';
  return 'client';
}
