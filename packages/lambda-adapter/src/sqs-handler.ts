import {
  ConfigurationError,
  type InstanceMembership,
  type LifecycleActionTrigger,
  type ReconcileResult,
  Semaphore,
} from '@eni-pool/core';
import { isOwnHook } from '@eni-pool/lifecycle-hook-adapter';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import {
  type HandlerRuntime,
  parseOrReject,
  publishMetrics,
  resolveRuntime,
  unhandledLifecycleAction,
} from './runtime';
import type { HandlerOptions } from './types';

export interface SqsHandlerOptions extends HandlerOptions {
  /**
   * Pool reconciles in flight at once within one batch (1–32). Lifecycle actions, which mostly wait,
   * run beside them, up to {@link LIFECYCLE_CONCURRENCY} at once. @defaultValue `4`
   */
  readonly concurrency?: number;
}

/** A Lambda handler for an SQS event source mapping with `ReportBatchItemFailures`. */
export type SqsHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/** Lifecycle actions handled at once within one batch (the template's batch size). */
export const LIFECYCLE_CONCURRENCY = 10;

/** One unit of work in a batch, and the messages that are done when it is. */
interface Job {
  readonly key: string;
  readonly messageIds: string[];
  run(): Promise<void>;
}

/** Runs `jobs` with at most `limit` in flight (core's one bounded-concurrency helper); returns the keys of the jobs that threw. */
async function runBounded(
  jobs: readonly Job[],
  limit: number,
  runtime: HandlerRuntime,
): Promise<Set<string>> {
  const failed = new Set<string>();
  const slots = new Semaphore(limit);
  await Promise.all(
    jobs.map((job) =>
      slots.run(async () => {
        try {
          await job.run();
        } catch (error) {
          failed.add(job.key);
          runtime.logger.error('batch work failed; its messages go back to the queue', {
            job: job.key,
            messageIds: job.messageIds,
            error,
          });
        }
      }),
    ),
  );
  return failed;
}

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
 * The validated `concurrency` option, or its default (4); exported for the combined handler.
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

/** Processes one SQS batch; exported for the combined handler. */
export async function processBatch(
  event: SQSEvent,
  runtime: HandlerRuntime,
  concurrency: number,
  signal?: AbortSignal,
): Promise<SQSBatchResponse> {
  const options = signal ? { signal } : {};
  const records = Array.isArray(event?.Records) ? event.Records : [];
  const failures: string[] = [];
  const lifecycleJobs = new Map<string, { trigger: LifecycleActionTrigger; messageIds: string[] }>();
  const stateChanges = new Map<string, string[]>();
  const syncAll: string[] = [];

  for (const record of records) {
    const messageId = typeof record?.messageId === 'string' ? record.messageId : undefined;
    if (messageId === undefined || messageId === '') {
      runtime.logger.error('SQS record without a messageId; it cannot be reported', {});
      continue;
    }
    const body = typeof record.body === 'string' ? record.body : undefined;
    const parsed = parseOrReject(body ?? record.body, runtime.logger);
    if ('rejected' in parsed) {
      // Poison: report it so the redrive policy parks it in the dead-letter queue.
      failures.push(messageId);
      continue;
    }
    const trigger = parsed.trigger;
    switch (trigger.kind) {
      case 'scheduled-sync':
        syncAll.push(messageId);
        break;
      case 'instance-state-change':
        if (trigger.state === 'pending') {
          runtime.logger.debug('pending instance acknowledged', {
            messageId,
            instanceId: trigger.instanceId,
          });
          break;
        }
        stateChanges.set(trigger.instanceId, [...(stateChanges.get(trigger.instanceId) ?? []), messageId]);
        break;
      case 'lifecycle-action': {
        const key = `lifecycle:${trigger.instanceId}:${trigger.transition}:${trigger.lifecycleHookName}:${trigger.lifecycleActionToken ?? ''}`;
        const existing = lifecycleJobs.get(key);
        if (existing) existing.messageIds.push(messageId);
        else lifecycleJobs.set(key, { trigger, messageIds: [messageId] });
        break;
      }
      case 'test-notification':
        runtime.logger.info('Auto Scaling test notification acknowledged', {
          messageId,
          autoScalingGroupName: trigger.autoScalingGroupName,
        });
        break;
    }
  }

  const jobs: Job[] = [];
  const results: ReconcileResult[] = [];
  if (syncAll.length > 0) {
    // A full sync reconciles every pool, so it settles every state change in the batch too.
    const covered = [...syncAll, ...[...stateChanges.values()].flat()];
    jobs.push({
      key: 'pools:all',
      messageIds: covered,
      run: async () => {
        results.push(await runtime.manager.reconcile({ kind: 'all' }, options));
      },
    });
  } else if (stateChanges.size > 0) {
    const instanceIds = [...stateChanges.keys()];
    let memberships: Map<string, InstanceMembership> | undefined;
    try {
      memberships = await runtime.manager.poolsOf(instanceIds, signal);
    } catch (error) {
      const messageIds = [...stateChanges.values()].flat();
      runtime.logger.error('could not find the pools of the instances in the batch', { instanceIds, error });
      failures.push(...messageIds);
    }
    if (memberships !== undefined) {
      const byPool = new Map<string, { members: Map<string, InstanceMembership>; messageIds: string[] }>();
      for (const [instanceId, messageIds] of stateChanges) {
        const membership = memberships.get(instanceId);
        if (membership === undefined || membership.pools.length === 0) {
          runtime.logger.info('instance is in no pool; nothing to do', { instanceId, messageIds });
          continue;
        }
        for (const pool of membership.pools) {
          const entry = byPool.get(pool) ?? {
            members: new Map<string, InstanceMembership>(),
            messageIds: [],
          };
          byPool.set(pool, entry);
          entry.members.set(instanceId, { ...membership, pools: [pool] });
          entry.messageIds.push(...messageIds);
        }
      }
      for (const [pool, { members, messageIds }] of [...byPool].sort(([a], [b]) => a.localeCompare(b))) {
        jobs.push({
          key: `pool:${pool}`,
          messageIds,
          run: async () => {
            // One reconcile per pool per batch, applying only the actions of the batch's instances.
            const result = await runtime.manager.reconcileInstances(members.keys(), {
              ...options,
              memberships: members,
            });
            if (result) results.push(result);
          },
        });
      }
    }
  }
  const lifecycle: Job[] = [];
  for (const [key, { trigger, messageIds }] of lifecycleJobs) {
    lifecycle.push({
      key,
      messageIds,
      run: async () => {
        if (runtime.lifecycle === false || !isOwnHook(trigger.lifecycleHookName, runtime.hookNamePrefix)) {
          unhandledLifecycleAction(trigger, runtime);
          return;
        }
        await runtime.lifecycle.handle(trigger, signal);
      },
    });
  }

  // Lifecycle actions mostly wait (for an instance, an interface, a heartbeat), so they get their own
  // pool: a batch of launches must not queue behind each other for minutes and run into the timeout.
  const [failedReconciles, failedLifecycle] = await Promise.all([
    runBounded(jobs, concurrency, runtime),
    runBounded(lifecycle, LIFECYCLE_CONCURRENCY, runtime),
  ]);
  for (const job of jobs) if (failedReconciles.has(job.key)) failures.push(...job.messageIds);
  for (const job of lifecycle) if (failedLifecycle.has(job.key)) failures.push(...job.messageIds);
  publishMetrics(results, runtime);

  const failed = new Set(failures);
  const batchItemFailures = records
    .map((record) => record?.messageId)
    .filter(
      (messageId, index, all): messageId is string =>
        failed.has(messageId) && all.indexOf(messageId) === index,
    )
    .map((itemIdentifier) => ({ itemIdentifier }));
  runtime.logger.info('SQS batch processed', {
    records: records.length,
    jobs: jobs.length + lifecycle.length,
    failed: batchItemFailures.length,
  });
  return { batchItemFailures };
}
