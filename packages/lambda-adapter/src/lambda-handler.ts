import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createEventBridgeHandler } from './eventbridge-handler';
import { resolveRuntime } from './runtime';
import { batchConcurrency, processBatch, type SqsHandlerOptions } from './sqs-handler';
import type { InvocationResult } from './types';

/** A handler that accepts both EventBridge deliveries and SQS batches. */
export type LambdaHandler = (
  event: unknown,
  context?: Context,
) => Promise<InvocationResult | SQSBatchResponse>;

/**
 * True for the event an SQS event source mapping delivers: a non-empty `Records` array whose records all
 * come from `aws:sqs`.
 *
 * @example
 * ```ts
 * isSqsEvent({ Records: [{ eventSource: 'aws:sqs', messageId: 'm-1', body: '{}' }] }); // true
 * isSqsEvent({ 'detail-type': 'Scheduled Event' }); // false
 * ```
 */
export function isSqsEvent(event: unknown): event is SQSEvent {
  if (typeof event !== 'object' || event === null) return false;
  const records = (event as { Records?: unknown }).Records;
  return (
    Array.isArray(records) &&
    records.length > 0 &&
    records.every(
      (record) =>
        typeof record === 'object' &&
        record !== null &&
        (record as { eventSource?: unknown }).eventSource === 'aws:sqs',
    )
  );
}

/**
 * One handler for both delivery paths, so a single function can take EventBridge rules, the schedule and
 * an SQS event source mapping: SQS batches (every record has `eventSource: 'aws:sqs'`) go to the batch
 * processor and get a `batchItemFailures` response; everything else is treated as an EventBridge event.
 *
 * @example
 * ```ts
 * import { createLambdaHandler } from '@eni-pool/lambda-adapter';
 *
 * export const handler = createLambdaHandler({ concurrency: 4 });
 * ```
 */
export function createLambdaHandler(options: SqsHandlerOptions = {}): LambdaHandler {
  const concurrency = batchConcurrency(options);
  const runtime = resolveRuntime(options);
  // Both paths share one runtime, so one manager, one client, one logger and one lifecycle handler per
  // container.
  const eventBridge = createEventBridgeHandler({
    ...options,
    manager: runtime.manager,
    logger: runtime.logger,
    lifecycle: runtime.lifecycle,
  });
  return async (event, context) => {
    if (isSqsEvent(event)) {
      const invocation = runtime.enter(context, event);
      try {
        return await processBatch(event, runtime, concurrency, invocation.signal);
      } finally {
        invocation.done();
      }
    }
    return eventBridge(event, context);
  };
}
