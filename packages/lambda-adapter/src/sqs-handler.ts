import { ConfigurationError, type ReconcileResult } from '@eni-pool/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { publishMetrics } from './metrics';
import { type HandlerRuntime, resolveRuntime } from './runtime';
import { lifecycleJobs, reconcileJobs } from './sqs-batch/jobs';
import { sortRecords } from './sqs-batch/records';
import { batchItemFailures } from './sqs-batch/report';
import { runBounded } from './sqs-batch/run-bounded';
import type { HandlerOptions } from './types';

export interface SqsHandlerOptions extends HandlerOptions {
  /**
   * Pool reconciles in flight at once within one batch (1–32). Lifecycle actions, which mostly wait,
   * run beside them, up to 10 at once. @defaultValue `4`
   */
  readonly concurrency?: number;
}

/** A Lambda handler for an SQS event source mapping with `ReportBatchItemFailures`. */
export type SqsHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/** Lifecycle actions handled at once within one batch (the template's batch size). */
export const LIFECYCLE_CONCURRENCY = 10;

/**
 * Creates the handler for the same events delivered through an SQS queue (EventBridge rule → queue, or a
 * lifecycle hook's notification target, raw or wrapped by SNS). It returns
 * `{ batchItemFailures }` so only the messages that failed are received again:
 *
 * - Unparseable (poison) messages are reported as failures, so the queue's redrive policy moves them to
 *   its dead-letter queue after `maxReceiveCount` receives. They cause no AWS call.
 * - Messages are de-duplicated within the batch: each affected pool is reconciled once (a scheduled
 *   sync in the batch covers every state change in it), each lifecycle action is handled once.
 * - Reconciles run with bounded concurrency; a failed reconcile fails exactly the messages behind it.
 *
 * @example
 * ```ts
 * import { createSqsHandler } from '@eni-pool/lambda-adapter';
 *
 * export const handler = createSqsHandler({ concurrency: 4 });
 * ```
 */
export function createSqsHandler(options: SqsHandlerOptions = {}): SqsHandler {
  const concurrency = batchConcurrency(options);
  const runtime = resolveRuntime(options);
  return async (event, context) => {
    const invocation = runtime.enter(context, event);
    try {
      return await processBatch(event, runtime, concurrency, invocation.signal);
    } finally {
      invocation.done();
    }
  };
}

/**
 * The validated `concurrency` option, or its default (4).
 *
 * @throws ConfigurationError (setting `concurrency`) when it is not an integer from 1 to 32.
 */
export function batchConcurrency(options: SqsHandlerOptions): number {
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) {
    throw new ConfigurationError(
      `concurrency must be an integer from 1 to 32, got ${concurrency}`,
      'concurrency',
    );
  }
  return concurrency;
}

/**
 * Processes one SQS batch: sorts its records, runs the reconciles and lifecycle actions they ask for,
 * publishes the reconciles' metrics and reports the messages that failed. The SQS handlers run on it, and
 * so does the `@eni-pool/sqs-adapter` poller.
 *
 * @example
 * ```ts
 * const runtime: HandlerRuntime = {
 *   manager,
 *   logger,
 *   poolTagKey: manager.poolTagKey,
 *   hookNamePrefix: 'eni-pool',
 *   metrics: false,
 *   lifecycle: false,
 *   enter: () => ({ done() {} }),
 * };
 * const { batchItemFailures } = await processBatch(event, runtime, 4);
 * ```
 */
export async function processBatch(
  event: SQSEvent,
  runtime: HandlerRuntime,
  concurrency: number,
  signal?: AbortSignal,
): Promise<SQSBatchResponse> {
  const records = Array.isArray(event?.Records) ? event.Records : [];
  const batch = sortRecords(records, runtime);
  const results: ReconcileResult[] = [];
  const reconciles = await reconcileJobs(batch, runtime, results, signal);
  const lifecycle = lifecycleJobs(batch, runtime, signal);
  // Lifecycle actions mostly wait (for an instance, an interface, a heartbeat), so they get their own
  // pool: a batch of launches must not queue behind each other for minutes and run into the timeout.
  const [failedReconciles, failedLifecycle] = await Promise.all([
    runBounded(reconciles.jobs, concurrency, runtime),
    runBounded(lifecycle, LIFECYCLE_CONCURRENCY, runtime),
  ]);
  publishMetrics(results, runtime);
  const failures = batchItemFailures(records, [
    ...batch.poison,
    ...reconciles.failures,
    ...failedReconciles,
    ...failedLifecycle,
  ]);
  runtime.logger.info('SQS batch processed', {
    records: records.length,
    jobs: reconciles.jobs.length + lifecycle.length,
    failed: failures.length,
  });
  return { batchItemFailures: failures };
}
