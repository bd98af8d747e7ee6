import { setMaxListeners } from 'node:events';
import type { Context } from 'aws-lambda';
import { beginEventLog } from './powertools-logger';
import type { HandlerOptions } from './types';

/** One invocation's deadline. */
export interface Invocation {
  readonly signal?: AbortSignal;
  done(): void;
}

/** A signal that fires `marginMs` before the invocation's end, keeping at least half the remaining time. */
export function invocationDeadline(context: Context | undefined, marginMs: number): Invocation {
  if (typeof context?.getRemainingTimeInMillis !== 'function') return { done() {} };
  const remaining = context.getRemainingTimeInMillis();
  if (!Number.isFinite(remaining) || remaining <= 0) return { done() {} };
  const controller = new AbortController();
  // Every record of a batch in flight, and every wait of its work, listens to the deadline: many
  // listeners at once is the design, not a leak, so Node is not to warn about it.
  setMaxListeners(0, controller.signal);
  const timer = setTimeout(
    () => controller.abort(new Error('the function is about to time out')),
    Math.max(remaining - marginMs, Math.floor(remaining / 2)),
  );
  // The timer must not keep an idle process (tests, local runs) alive.
  timer.unref?.();
  return { signal: controller.signal, done: () => clearTimeout(timer) };
}

/**
 * Starts an invocation: the Lambda context and the event's id on every log line through `powertools`,
 * and the deadline `marginMs` before the function's timeout. `done` ends both.
 */
export function enterInvocation(
  options: Pick<HandlerOptions, 'powertools' | 'logEvent'>,
  marginMs: number,
  context: Context | undefined,
  event: unknown,
): Invocation {
  // The event's id becomes the correlation id of every line of the invocation; an SQS batch has none
  // of its own, its lines carry each record's messageId instead.
  const end = options.powertools
    ? beginEventLog(options.powertools, event, {
        ...(context !== undefined ? { context } : {}),
        logEvent: options.logEvent ?? false,
      })
    : () => {};
  const deadline = invocationDeadline(context, marginMs);
  return {
    ...(deadline.signal ? { signal: deadline.signal } : {}),
    done() {
      deadline.done();
      end();
    },
  };
}
