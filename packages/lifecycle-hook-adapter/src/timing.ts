import { setTimeout as delay } from 'node:timers/promises';
import { AwsCallError, classifyAwsError } from '@eni-pool/core';
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
  if (error && typeof error === 'object' && 'name' in error && typeof error.name === 'string') {
    return error.name;
  }
  return 'Unknown';
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
 * Calls `call` until it succeeds, retrying throttling and server errors with full-jitter exponential
 * backoff, at most `retry.maxAttempts` times. Any other error is rethrown as it is; when the attempts run
 * out, an `AwsCallError` is thrown.
 */
export async function withRetry<T>(
  operation: string,
  call: () => Promise<T>,
  context: RetryContext,
): Promise<T> {
  const { retry } = context;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const kind = classifyAwsError(error);
      const retryable = kind === 'throttling' || kind === 'server';
      if (!retryable) throw error;
      if (attempt >= retry.maxAttempts || context.signal?.aborted) {
        throw new AwsCallError(
          `${operation} failed after ${attempt} attempt(s): ${messageOf(error)}`,
          operation,
          codeOf(error),
          attempt,
          { cause: error },
        );
      }
      const cap = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
      await context.sleep(Math.round(context.random() * cap), context.signal);
    }
  }
}

/** The message of an error, for outcomes and logs. */
export function describeError(error: unknown): string {
  const code = codeOf(error);
  const message = messageOf(error);
  return code === 'Error' || code === 'Unknown' || message.startsWith(code) ? message : `${code}: ${message}`;
}
