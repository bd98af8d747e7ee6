import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  ConfigurationError,
  createSdkEc2Port,
  defaultLogger,
  type Ec2Port,
  EniPoolManager,
  type LifecycleActionTrigger,
  type Logger,
  type PoolScope,
  type ReconcileResult,
} from '@eni-pool/core';
import {
  type HandlerRuntime,
  type LifecycleActionHandler,
  type ManagerLike,
  type PoolMetricsPublisher,
  resolveInstancePools,
} from '@eni-pool/lambda-adapter';
import {
  createAutoScalingLeavingInstances,
  createLifecycleHookHandler,
  isOwnHook,
} from '@eni-pool/lifecycle-hook-adapter';
import type { ResolvedSqsOptions, SqsEventSourceOptions } from './options';

/**
 * Everything the event source needs to act on pools, built in this one place from the options: the
 * manager, the lifecycle handler, and the per-batch runtime the Lambda's SQS batch processing runs on.
 */
export interface SqsRuntime {
  /** The manager every path reconciles through (one reconcile per pool at a time in this process). */
  readonly manager: EniPoolManager;
  /** The manager as the batch path sees it: limited to the configured pools. */
  readonly scopedManager: ManagerLike;
  readonly logger: Logger;
  readonly poolTagKey: string;
  /** The scope of this process's full sync. */
  readonly syncScope: PoolScope;
  /** A runtime for one batch, logging through `logger` (which carries the batch's ids). */
  forBatch(logger: Logger, metrics: PoolMetricsPublisher | false): HandlerRuntime;
}

function isEc2Client(ec2: Ec2Port | EC2Client): ec2 is EC2Client {
  return typeof (ec2 as EC2Client).send === 'function';
}

/** A reconcile that was not run: its pools are not this process's. */
function emptyResult(scope: PoolScope): ReconcileResult {
  return {
    scope,
    rounds: 0,
    converged: true,
    outcomes: [],
    unsatisfied: [],
    pools: [],
    plan: { actions: [], keep: [], unsatisfied: [], pools: [] },
    leaving: [],
  };
}

/** Limits a manager's reconciles to `pools` (none: no limit). */
export function scopeManager(manager: ManagerLike, pools: readonly string[]): ManagerLike {
  if (pools.length === 0) return manager;
  const allowed = new Set(pools);
  const narrow = (scope: PoolScope): PoolScope | undefined => {
    if (scope.kind === 'all') return { kind: 'pools', pools };
    const kept = scope.pools.filter((pool) => allowed.has(pool));
    return kept.length === 0 ? undefined : { kind: 'pools', pools: kept };
  };
  return {
    reconcile: async (scope, options) => {
      const narrowed = narrow(scope);
      return narrowed === undefined ? emptyResult(scope) : manager.reconcile(narrowed, options);
    },
    handle: (trigger, options) => manager.handle(trigger, options),
  };
}

/**
 * Hands a lifecycle action on only when it is eni-pool's (hook name starts with `prefix`) and, with pools
 * configured, when the instance belongs to one of them. Anything else is acknowledged without an AWS call
 * that changes anything.
 */
export function filterLifecycle(
  handler: LifecycleActionHandler,
  settings: {
    readonly prefix: string;
    readonly pools: readonly string[];
    readonly poolTagKey: string;
    readonly ec2Port: () => Ec2Port;
    readonly logger: Logger;
  },
): LifecycleActionHandler {
  const allowed = new Set(settings.pools);
  return {
    async handle(trigger: LifecycleActionTrigger, signal?: AbortSignal) {
      const context = {
        instanceId: trigger.instanceId,
        autoScalingGroupName: trigger.autoScalingGroupName,
        lifecycleHookName: trigger.lifecycleHookName,
      };
      // Before the pool lookup below, so another owner's action never costs an AWS call.
      if (!isOwnHook(trigger.lifecycleHookName, settings.prefix)) {
        settings.logger.info('lifecycle action of another hook ignored', {
          ...context,
          prefix: settings.prefix,
        });
        return { status: 'ignored', reason: 'foreign-hook' };
      }
      if (allowed.size > 0) {
        const pools = await resolveInstancePools(
          settings.ec2Port(),
          [trigger.instanceId],
          settings.poolTagKey,
        );
        const instancePools = [...(pools.get(trigger.instanceId) ?? [])];
        if (instancePools.length > 0 && !instancePools.some((pool) => allowed.has(pool))) {
          settings.logger.info('lifecycle action of a pool this process does not serve ignored', {
            ...context,
            pools: instancePools,
          });
          return { status: 'ignored', reason: 'pool-not-served' };
        }
      }
      return handler.handle(trigger, signal);
    },
  };
}

/**
 * Builds the manager and lifecycle handler from the event source's options. The only place in this
 * package that constructs them.
 */
export function buildRuntime(options: SqsEventSourceOptions, settings: ResolvedSqsOptions): SqsRuntime {
  const logger = options.logger ?? defaultLogger;
  if (options.manager !== undefined && options.managerOptions !== undefined) {
    throw new ConfigurationError('pass either manager or managerOptions, not both', 'managerOptions');
  }
  const managerTagKey = options.manager?.options.planner?.poolTagKey;
  if (
    options.poolTagKey !== undefined &&
    managerTagKey !== undefined &&
    managerTagKey !== options.poolTagKey
  ) {
    throw new ConfigurationError(
      `poolTagKey '${options.poolTagKey}' differs from the manager's planner.poolTagKey '${managerTagKey}'`,
      'poolTagKey',
    );
  }
  const poolTagKey = managerTagKey ?? settings.poolTagKey;
  const ec2: Ec2Port | EC2Client = options.ec2 ?? options.manager?.options.ec2 ?? new EC2Client({});
  const port = isEc2Client(ec2) ? createSdkEc2Port(ec2) : ec2;
  let autoScaling: AutoScalingClient | undefined;
  const sharedAutoScaling = () => {
    autoScaling ??= options.autoScaling ?? new AutoScalingClient({});
    return autoScaling;
  };
  const manager =
    options.manager ??
    new EniPoolManager({
      ...options.managerOptions,
      ec2,
      logger,
      planner: { ...options.managerOptions?.planner, poolTagKey },
      ...(options.managerOptions?.leaving
        ? {}
        : { leaving: createAutoScalingLeavingInstances({ autoScaling: sharedAutoScaling(), logger }) }),
    });

  let lifecycle: LifecycleActionHandler | false = false;
  if (options.lifecycle === undefined || options.lifecycle === true) {
    lifecycle = createLifecycleHookHandler({
      ...options.lifecycleOptions,
      manager,
      ec2: port,
      autoScaling: sharedAutoScaling(),
      logger,
      poolTagKey,
      hookNamePrefix: settings.lifecycleHookPrefix,
    });
  } else if (options.lifecycle !== false) {
    lifecycle = options.lifecycle;
  }
  const filtered =
    lifecycle === false
      ? false
      : filterLifecycle(lifecycle, {
          prefix: settings.lifecycleHookPrefix,
          pools: settings.pools,
          poolTagKey,
          ec2Port: () => port,
          logger,
        });
  const scopedManager = scopeManager(manager, settings.pools);
  return {
    manager,
    scopedManager,
    logger,
    poolTagKey,
    syncScope: settings.pools.length === 0 ? { kind: 'all' } : { kind: 'pools', pools: settings.pools },
    forBatch: (batchLogger, metrics) => ({
      manager: scopedManager,
      logger: batchLogger,
      poolTagKey,
      metrics,
      lifecycle: filtered,
      ec2Port: () => port,
      enter: () => ({ done() {} }),
    }),
  };
}
