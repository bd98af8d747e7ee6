import type { Logger } from '@eni-pool/core';
import type { Context } from 'aws-lambda';
import { buildHandlerPool } from './handler-pool';
import { resolveHandlerSettings } from './handler-settings';
import { enterInvocation, type Invocation } from './invocation';
import type { PoolMetricsPublisher } from './metrics';
import type { HandlerOptions, LifecycleActionHandler, ManagerLike } from './types';

/**
 * The resolved collaborators of a handler; what `processBatch` runs on. An event source of its own
 * (the `@eni-pool/sqs-adapter` poller) builds one around its manager and logger.
 */
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

/**
 * Builds a handler's collaborators from its options: the checked settings, the manager and lifecycle
 * handler (from the one composition root, `createEniPool`, unless a manager is given), and the start of
 * each invocation.
 */
export function resolveRuntime(options: HandlerOptions): HandlerRuntime {
  const settings = resolveHandlerSettings(options);
  const { manager, lifecycle } = buildHandlerPool(options, settings);
  return {
    manager,
    logger: settings.logger,
    poolTagKey: settings.poolTagKey,
    hookNamePrefix: settings.hookNamePrefix,
    metrics: options.metrics ?? false,
    lifecycle,
    enter: (context, event) => enterInvocation(options, settings.deadlineMarginMs, context, event),
  };
}
