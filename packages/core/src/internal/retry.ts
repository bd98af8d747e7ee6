import { type AwsErrorClass, awsErrorCode, classifyAwsError } from '../aws-errors';
import { AwsCallError, OperationAbortedError } from '../errors';
import type { Logger } from '../logger';
import type { Clock } from './clock';

/** A resolved retry budget; `RetryOptions` with defaults applied. */
export interface RetryPolicy {
  /** Attempts per call, including the first. */
  readonly maxAttempts: number;
  /** Backoff ceiling before the second attempt, doubled for each later one. */
  readonly baseDelayMs: number;
  /** Cap of the backoff ceiling. */
  readonly maxDelayMs: number;
}

/** The budget when no `RetryOptions` are given. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 5000 };

/** Full-jitter exponential backoff: a random delay in [0, min(max, base · 2^(attempt-1))). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** One call's retry setting: what to call it in errors and logs, its budget, and its hooks. */
export interface RetryContext {
  readonly operation: string;
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Logger;
  /**
   * True when the call retries throttling and server errors itself (the AWS SDK client does, within its
   * own `maxAttempts`): those are then not retried again here, so retry layers never multiply.
   */
  readonly retriedBelow?: boolean;
  /** Classes retried besides throttling and server errors (e.g. `incorrect-state` for an attach). */
  readonly alsoRetry?: readonly AwsErrorClass[];
  /** Runs before every attempt, e.g. taking a rate-limit token. */
  readonly beforeAttempt?: (signal?: AbortSignal) => Promise<void>;
  /** Context added to log entries. */
  readonly logContext?: Record<string, unknown>;
  /** Once aborted, no further attempt starts and a backoff sleep ends at once. */
  readonly signal?: AbortSignal;
}

function aborted(context: RetryContext): OperationAbortedError {
  return new OperationAbortedError(`${context.operation} was aborted`, context.operation);
}

/**
 * Calls `call` until it succeeds, retrying throttling and server errors (unless `retriedBelow`) and the
 * `alsoRetry` classes with full-jitter backoff, at most `policy.maxAttempts` attempts in all. Any other
 * error, or the last retryable one, is thrown as an `AwsCallError` whose `cause` is the original error;
 * once `signal` aborts, no retry follows (`OperationAbortedError`) and a backoff sleep ends at once. This is the one retry loop of eni-pool.
 */
export async function withRetry<T>(
  context: RetryContext,
  call: (attempt: number) => Promise<T>,
): Promise<{ value: T; attempts: number }> {
  const { policy } = context;
  const maxAttempts = Math.max(1, Math.floor(policy.maxAttempts));
  for (let attempt = 1; ; attempt++) {
    // The first attempt always goes out (a read asked for after an abort still answers); retries do not.
    if (attempt > 1 && context.signal?.aborted) throw aborted(context);
    await context.beforeAttempt?.(context.signal);
    try {
      return { value: await call(attempt), attempts: attempt };
    } catch (error) {
      const errorClass = classifyAwsError(error);
      const transient = errorClass === 'throttling' || errorClass === 'server';
      const retryable =
        (transient && context.retriedBelow !== true) || (context.alsoRetry?.includes(errorClass) ?? false);
      const code = awsErrorCode(error) ?? 'Unknown';
      if (!retryable || attempt >= maxAttempts || context.signal?.aborted) {
        const why = retryable
          ? `gave up after ${attempt} attempts`
          : transient
            ? 'retries spent'
            : 'not retried';
        throw new AwsCallError(
          `${context.operation} failed (${code}, ${why}): ${error instanceof Error ? error.message : String(error)}`,
          context.operation,
          code,
          attempt,
          { cause: error },
        );
      }
      const delayMs = backoffDelay(policy, attempt, context.random);
      context.logger.debug('retrying AWS call', {
        ...context.logContext,
        operation: context.operation,
        code,
        attempt,
        delayMs,
      });
      await context.clock.sleep(delayMs, context.signal);
    }
  }
}
