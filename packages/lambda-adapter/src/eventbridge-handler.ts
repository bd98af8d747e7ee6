import type { Context } from 'aws-lambda';
import { parseOrReject } from './rejection';
import { runTrigger } from './run-trigger';
import { type HandlerRuntime, resolveRuntime } from './runtime';
import type { HandlerOptions, InvocationResult } from './types';

/** A Lambda handler for events delivered by EventBridge rules (asynchronous invokes). */
export type EventBridgeHandler = (event: unknown, context?: Context) => Promise<InvocationResult>;

/**
 * Creates the handler for EventBridge deliveries:
 *
 * - `EC2 Instance State-change Notification`: `running`, `stopping`, `stopped`, `shutting-down` and
 *   `terminated` reconcile the instance's pool; `pending` is acknowledged; an instance without the pool
 *   tag is a logged no-op.
 * - `Scheduled Event`: reconciles every pool.
 * - Lifecycle actions: handed to `options.lifecycle`, or acknowledged with a warning without one.
 * - Anything else: returned as a `rejected` result and logged; no AWS call is made. It is not thrown, so
 *   Lambda does not retry input that can never succeed.
 *
 * Real failures (AWS errors, exhausted retries) are thrown, so Lambda retries the event and finally hands
 * it to the function's on-failure destination.
 *
 * @example
 * ```ts
 * import { createEventBridgeHandler } from '@eni-pool/lambda-adapter';
 *
 * export const handler = createEventBridgeHandler({ poolTagKey: 'network-interface-manager-pool' });
 * ```
 */
export function createEventBridgeHandler(options: HandlerOptions = {}): EventBridgeHandler {
  const runtime = resolveRuntime(options);
  return async (event, context) => {
    const invocation = runtime.enter(context, event);
    try {
      return await handleEvent(event, runtime, invocation.signal);
    } finally {
      invocation.done();
    }
  };
}

async function handleEvent(
  event: unknown,
  runtime: HandlerRuntime,
  signal: AbortSignal | undefined,
): Promise<InvocationResult> {
  const parsed = parseOrReject(event, runtime.logger);
  if ('rejected' in parsed) return parsed.rejected;
  const origin =
    parsed.trigger.kind === 'lifecycle-action' || parsed.trigger.kind === 'test-notification'
      ? parsed.trigger.from
      : parsed.trigger.origin;
  runtime.logger.debug('event received', { trigger: parsed.trigger.kind, eventId: origin.id });
  try {
    return await runTrigger(parsed.trigger, runtime, signal);
  } catch (error) {
    runtime.logger.error('event failed; Lambda will retry it', { trigger: parsed.trigger.kind, error });
    throw error;
  }
}
