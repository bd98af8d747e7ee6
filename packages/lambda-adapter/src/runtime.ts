import {
  ConfigurationError,
  DEFAULT_POOL_TAG_KEY,
  defaultLogger,
  EniPoolManager,
  InvalidEventError,
  type LifecycleActionTrigger,
  type Logger,
  parseEvent,
  type ReconcileResult,
  type Trigger,
  UnsupportedEventError,
} from '@eni-pool/core';
import {
  createEniPool,
  createLifecycleHookHandler,
  DEFAULT_HOOK_NAME_PREFIX,
  isOwnHook,
} from '@eni-pool/lifecycle-hook-adapter';
import type { Context } from 'aws-lambda';
import { type PoolMetricsPublisher, poolMetricsOf } from './metrics';
import { beginEventLog, fromPowertools } from './powertools-logger';
import type {
  HandlerOptions,
  IgnoredResult,
  InvocationResult,
  LifecycleActionHandler,
  ManagerLike,
  ReconciledResult,
  RejectedResult,
  TriggerKind,
} from './types';

/** The resolved collaborators of a handler. */
export interface HandlerRuntime {
  readonly manager: ManagerLike;
  readonly logger: Logger;
  readonly poolTagKey: string;
  /** Lifecycle actions of hooks not starting with it are another owner's. */
  readonly hookNamePrefix: string;
  readonly metrics: PoolMetricsPublisher | false;
  readonly lifecycle: LifecycleActionHandler | false;
  /**
   * Starts an invocation: adds the Lambda context to the structured logs and returns a signal that fires
   * `deadlineMarginMs` before the function's timeout (none without a context). Call `done` at the end.
   */
  enter(context: Context | undefined, event?: unknown): Invocation;
}

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
  const timer = setTimeout(
    () => controller.abort(new Error('the function is about to time out')),
    Math.max(remaining - marginMs, Math.floor(remaining / 2)),
  );
  // The timer must not keep an idle process (tests, local runs) alive.
  timer.unref?.();
  return { signal: controller.signal, done: () => clearTimeout(timer) };
}

/**
 * Builds a handler's collaborators from its options: the manager and lifecycle handler from the one
 * composition root (`createEniPool`) unless a manager is given, the logger, the deadline.
 */
export function resolveRuntime(options: HandlerOptions): HandlerRuntime {
  const deadlineMarginMs = options.deadlineMarginMs ?? 5_000;
  if (!Number.isInteger(deadlineMarginMs) || deadlineMarginMs < 0) {
    throw new ConfigurationError(
      `deadlineMarginMs must be a non-negative integer, got ${deadlineMarginMs}`,
      'deadlineMarginMs',
    );
  }
  const managerTagKey = (options.manager as { poolTagKey?: string } | undefined)?.poolTagKey;
  if (
    options.poolTagKey !== undefined &&
    managerTagKey !== undefined &&
    options.poolTagKey !== managerTagKey
  ) {
    throw new ConfigurationError(
      `poolTagKey '${options.poolTagKey}' differs from the manager's planner.poolTagKey '${managerTagKey}'`,
      'poolTagKey',
    );
  }
  const poolTagKey = options.poolTagKey ?? managerTagKey ?? DEFAULT_POOL_TAG_KEY;
  const hookNamePrefix = options.hookNamePrefix ?? DEFAULT_HOOK_NAME_PREFIX;
  const logger = options.logger ?? (options.powertools ? fromPowertools(options.powertools) : defaultLogger);
  if (options.detectTerminating !== undefined && typeof options.detectTerminating !== 'boolean') {
    throw new ConfigurationError(
      `detectTerminating must be true or false, got ${String(options.detectTerminating)}`,
      'detectTerminating',
    );
  }
  let manager: ManagerLike;
  let lifecycle: LifecycleActionHandler | false = false;
  if (options.manager === undefined) {
    const built = createEniPool({
      ...(options.ec2 !== undefined ? { ec2: options.ec2 } : {}),
      ...(options.autoScaling !== undefined ? { autoScaling: options.autoScaling } : {}),
      logger,
      manager: { planner: { poolTagKey } },
      detectTerminating: options.detectTerminating ?? true,
      lifecycle: options.lifecycle === true ? { hookNamePrefix } : false,
    });
    manager = built.manager;
    if (built.lifecycle) lifecycle = built.lifecycle;
  } else {
    manager = options.manager;
    if (options.lifecycle === true) {
      if (!(manager instanceof EniPoolManager)) {
        throw new ConfigurationError(
          'lifecycle: true builds the lifecycle-hook adapter on the handler manager, which must be an EniPoolManager',
          'lifecycle',
        );
      }
      lifecycle = createLifecycleHookHandler({
        manager,
        ...(options.autoScaling !== undefined ? { autoScaling: options.autoScaling } : {}),
        logger,
        poolTagKey,
        hookNamePrefix,
      });
    }
  }
  if (options.lifecycle !== undefined && typeof options.lifecycle === 'object') lifecycle = options.lifecycle;
  return {
    manager,
    logger,
    poolTagKey,
    hookNamePrefix,
    metrics: options.metrics ?? false,
    lifecycle,
    enter(context, event) {
      // The event's id becomes the correlation id of every line of the invocation; an SQS batch has none
      // of its own, its lines carry each record's messageId instead.
      const end = options.powertools
        ? beginEventLog(options.powertools, event, {
            ...(context !== undefined ? { context } : {}),
            logEvent: options.logEvent ?? false,
          })
        : () => {};
      const deadline = invocationDeadline(context, deadlineMarginMs);
      return {
        ...(deadline.signal ? { signal: deadline.signal } : {}),
        done() {
          deadline.done();
          end();
        },
      };
    },
  };
}

/**
 * Acknowledges a lifecycle action that this function does not complete: another owner's hook (debug,
 * it is none of eni-pool's business), or eni-pool's own while lifecycle hooks are disabled (a warning,
 * since the hook then times out with its default result). Either way no AWS call is made.
 */
export function unhandledLifecycleAction(trigger: LifecycleActionTrigger, runtime: HandlerRuntime): string {
  const context = {
    instanceId: trigger.instanceId,
    transition: trigger.transition,
    autoScalingGroupName: trigger.autoScalingGroupName,
    lifecycleHookName: trigger.lifecycleHookName,
  };
  if (!isOwnHook(trigger.lifecycleHookName, runtime.hookNamePrefix)) {
    runtime.logger.debug("lifecycle action of a hook that is not eni-pool's; ignored", context);
    return "lifecycle hook is not eni-pool's";
  }
  runtime.logger.warn('lifecycle action acknowledged but not handled: lifecycle hooks are disabled', context);
  return 'lifecycle hooks are disabled';
}

/** Parses an event; a parse failure of any kind becomes a rejection, since retrying cannot fix it. */
export function parseOrReject(
  input: unknown,
  logger: Logger,
): { readonly trigger: Trigger } | { readonly rejected: RejectedResult } {
  try {
    return { trigger: parseEvent(input) };
  } catch (error) {
    const rejected: RejectedResult =
      error instanceof InvalidEventError
        ? { status: 'rejected', error: error.name, message: error.message, field: error.field }
        : error instanceof UnsupportedEventError
          ? { status: 'rejected', error: error.name, message: error.message }
          : {
              status: 'rejected',
              error: error instanceof Error ? error.name : 'Error',
              message: error instanceof Error ? error.message : String(error),
            };
    logger.warn('event rejected; nothing was changed', {
      error: rejected.error,
      reason: rejected.message,
      ...(rejected.field === undefined ? {} : { field: rejected.field }),
      ...(error instanceof UnsupportedEventError && error.seen !== undefined ? { seen: error.seen } : {}),
    });
    return { rejected };
  }
}

/** Publishes the per-pool figures of each reconcile, when metrics are on. */
export function publishMetrics(results: readonly ReconcileResult[], runtime: HandlerRuntime): void {
  if (runtime.metrics === false) return;
  for (const result of results) {
    try {
      runtime.metrics.publish(poolMetricsOf(result));
    } catch (error) {
      // Metrics are an observation; losing one must not fail (and so retry) a reconcile that worked.
      runtime.logger.warn('publishing pool metrics failed', { error });
    }
  }
}

/** Folds the reconciles one trigger caused into one result, and publishes their metrics. */
export function reconciled(
  trigger: TriggerKind,
  results: readonly ReconcileResult[],
  runtime: HandlerRuntime,
): ReconciledResult {
  publishMetrics(results, runtime);
  const pools = new Set<string>();
  for (const result of results) {
    for (const summary of result.pools) pools.add(summary.pool);
    if (result.scope.kind === 'pools') for (const pool of result.scope.pools) pools.add(pool);
  }
  return {
    status: 'reconciled',
    trigger,
    pools: [...pools].sort(),
    rounds: Math.max(0, ...results.map((result) => result.rounds)),
    converged: results.every((result) => result.converged),
    actions: results.reduce(
      (sum, result) => sum + result.outcomes.filter((outcome) => outcome.status === 'succeeded').length,
      0,
    ),
    unsatisfied: results.reduce((sum, result) => sum + result.unsatisfied.length, 0),
  };
}

function ignored(trigger: TriggerKind, reason: string, runtime: HandlerRuntime): IgnoredResult {
  runtime.logger.info('event acknowledged; nothing to do', { trigger, reason });
  return { status: 'ignored', trigger, reason };
}

/**
 * Runs one trigger to completion. Throws only for real failures (AWS errors, exhausted retries), so the
 * event is retried or lands in the on-failure destination.
 */
export async function runTrigger(
  trigger: Trigger,
  runtime: HandlerRuntime,
  signal?: AbortSignal,
): Promise<InvocationResult> {
  const options = signal ? { signal } : {};
  switch (trigger.kind) {
    case 'instance-state-change': {
      if (trigger.state === 'pending') {
        return ignored(
          trigger.kind,
          `instance ${trigger.instanceId} is pending; it is served once running`,
          runtime,
        );
      }
      const handled = await runtime.manager.handle(trigger, options);
      // The reconcile lines name the instance the event was about.
      if (handled.reconcile)
        return logReconciled(
          reconciled(trigger.kind, [handled.reconcile], runtime),
          runtime,
          trigger.instanceId,
        );
      if (handled.reconcile === undefined) {
        return ignored(
          trigger.kind,
          handled.skipped ?? `instance ${trigger.instanceId} needs nothing`,
          runtime,
        );
      }
      return logReconciled(reconciled(trigger.kind, [handled.reconcile], runtime), runtime);
    }
    case 'scheduled-sync': {
      const result = await runtime.manager.reconcile({ kind: 'all' }, options);
      return logReconciled(reconciled(trigger.kind, [result], runtime), runtime);
    }
    case 'lifecycle-action': {
      if (runtime.lifecycle === false || !isOwnHook(trigger.lifecycleHookName, runtime.hookNamePrefix)) {
        return {
          status: 'ignored',
          trigger: trigger.kind,
          reason: unhandledLifecycleAction(trigger, runtime),
        };
      }
      const result = await runtime.lifecycle.handle(trigger, signal);
      runtime.logger.info('lifecycle action handled', {
        instanceId: trigger.instanceId,
        transition: trigger.transition,
      });
      return {
        status: 'lifecycle-handled',
        trigger: trigger.kind,
        instanceId: trigger.instanceId,
        transition: trigger.transition,
        result,
      };
    }
    case 'test-notification':
      return ignored(trigger.kind, 'Auto Scaling test notification', runtime);
  }
}

function logReconciled(
  result: ReconciledResult,
  runtime: HandlerRuntime,
  instanceId?: string,
): ReconciledResult {
  const message = result.converged ? 'pools reconciled' : 'pools reconciled without converging';
  const context = { ...result, ...(instanceId ? { instanceId } : {}) };
  if (result.converged && result.unsatisfied === 0) runtime.logger.info(message, context);
  else runtime.logger.warn(message, context);
  return result;
}
