import { setTimeout as delay } from 'node:timers/promises';
import { awsErrorCode, withRetry as retryAwsCall } from '@eni-pool/core';
import type { CallRetryOptions, PollOptions } from './options';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A timer that resolves after `ms`, or as soon as `signal` aborts (it never rejects). */
export const realSleep: Sleep = async (ms, signal) => {
  if (signal?.aborted) return;
  try {
    await delay(ms, undefined, { signal });
  } catch {
    // Aborted: the caller checks its signal.
  }
};

/** Growing, jittered delays between polls: each is between half and all of the nominal delay. */
export class Backoff {
  private nominal: number;

  constructor(
    private readonly options: Required<PollOptions>,
    private readonly random: () => number,
  ) {
    this.nominal = options.initialDelayMs;
  }

  next(): number {
    const current = this.nominal;
    this.nominal = Math.min(this.options.maxDelayMs, this.nominal * this.options.multiplier);
    return Math.round(current / 2 + (this.random() * current) / 2);
  }

  reset(): void {
    this.nominal = this.options.initialDelayMs;
  }
}

function codeOf(error: unknown): string {
  return awsErrorCode(error) ?? 'Unknown';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface RetryContext {
  readonly retry: Required<CallRetryOptions>;
  readonly sleep: Sleep;
  readonly random: () => number;
  readonly signal?: AbortSignal;
}

/**
 * Calls `call` through core's one retry loop: throttling and server errors retried with full-jitter
 * backoff, at most `retry.maxAttempts` attempts; the error is then thrown as core's `AwsCallError`,
 * which every classifier here reads through to its cause. The Auto Scaling clients eni-pool builds send
 * each request once (`createAutoScalingClient`), so this is the only retry layer of those calls.
 */
export async function withRetry<T>(
  operation: string,
  call: () => Promise<T>,
  context: RetryContext,
): Promise<T> {
  const { value } = await retryAwsCall(
    {
      operation,
      policy: context.retry,
      clock: { now: Date.now, sleep: context.sleep },
      random: context.random,
      logger: silent,
      ...(context.signal ? { signal: context.signal } : {}),
    },
    call,
  );
  return value;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** The message of an error, for outcomes and logs. */
export function describeError(error: unknown): string {
  const code = codeOf(error);
  const message = messageOf(error);
  return code === 'Error' || code === 'Unknown' || message.startsWith(code) ? message : `${code}: ${message}`;
}
