import { defaultLogger, type EniPoolManager, type Logger } from '@eni-pool/core';
import type { HandlerRuntime, LifecycleActionHandler, PoolMetricsPublisher } from '@eni-pool/lambda-adapter';
import { createEniPool } from '@eni-pool/lifecycle-hook-adapter';
import type { ResolvedSqsOptions, SqsEventSourceOptions } from './options';

/**
 * Everything the event source needs to act on pools, built in this one place from the options through the
 * project's composition root (`createEniPool`): the manager, the lifecycle handler, and the per-batch
 * runtime the Lambda's SQS batch processing runs on.
 */
export interface SqsRuntime {
  /**
   * The manager every path reconciles through (one reconcile per pool at a time in this process). With
   * `pools` set it works on those pools only: the sync covers them, events of other pools are skipped,
   * lifecycle actions of other pools' instances are left to their owner.
   */
  readonly manager: EniPoolManager;
  readonly logger: Logger;
  readonly poolTagKey: string;
  /** A runtime for one batch, logging through `logger` (which carries the batch's ids). */
  forBatch(logger: Logger, metrics: PoolMetricsPublisher | false): HandlerRuntime;
}

/**
 * Builds the manager and lifecycle handler from the event source's options. The only place in this
 * package that constructs them.
 */
export function buildRuntime(options: SqsEventSourceOptions, settings: ResolvedSqsOptions): SqsRuntime {
  const logger = options.logger ?? defaultLogger;
  const custom =
    options.lifecycle !== undefined && typeof options.lifecycle === 'object' ? options.lifecycle : undefined;
  const built = createEniPool({
    ...(options.ec2 !== undefined ? { ec2: options.ec2 } : {}),
    ...(options.autoScaling !== undefined ? { autoScaling: options.autoScaling } : {}),
    logger,
    manager: {
      ...options.managerOptions,
      planner: { ...options.managerOptions?.planner, poolTagKey: settings.poolTagKey },
      ...(settings.pools.length > 0 ? { pools: settings.pools } : {}),
    },
    lifecycle:
      options.lifecycle === false || custom !== undefined
        ? false
        : { ...options.lifecycleOptions, hookNamePrefix: settings.lifecycleHookPrefix },
  });
  const lifecycle: LifecycleActionHandler | false = custom ?? built.lifecycle ?? false;
  const { manager } = built;
  return {
    manager,
    logger,
    poolTagKey: manager.poolTagKey,
    forBatch: (batchLogger, metrics) => ({
      manager,
      logger: batchLogger,
      poolTagKey: manager.poolTagKey,
      hookNamePrefix: settings.lifecycleHookPrefix,
      metrics,
      lifecycle,
      enter: () => ({ done() {} }),
    }),
  };
}
