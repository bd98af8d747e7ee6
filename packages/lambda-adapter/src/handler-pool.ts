import { ConfigurationError, EniPoolManager } from '@eni-pool/core';
import { createEniPool, createLifecycleHookHandler } from '@eni-pool/lifecycle-hook-adapter';
import type { HandlerSettings } from './handler-settings';
import type { HandlerOptions, LifecycleActionHandler, ManagerLike } from './types';

/** The manager and lifecycle handler a handler works through. */
export interface HandlerPool {
  readonly manager: ManagerLike;
  readonly lifecycle: LifecycleActionHandler | false;
}

/**
 * The handler's manager and lifecycle handler: from the one composition root (`createEniPool`) unless a
 * manager is given; with `lifecycle: true` on a given manager, the lifecycle-hook adapter is built on it.
 *
 * @throws ConfigurationError (setting `lifecycle`) for `lifecycle: true` on a manager that is not an
 * `EniPoolManager`.
 */
export function buildHandlerPool(options: HandlerOptions, settings: HandlerSettings): HandlerPool {
  const pool =
    options.manager === undefined
      ? fromCompositionRoot(options, settings)
      : onGivenManager(options, settings);
  if (options.lifecycle !== undefined && typeof options.lifecycle === 'object') {
    return { manager: pool.manager, lifecycle: options.lifecycle };
  }
  return pool;
}

function fromCompositionRoot(options: HandlerOptions, settings: HandlerSettings): HandlerPool {
  const built = createEniPool({
    ...(options.ec2 !== undefined ? { ec2: options.ec2 } : {}),
    ...(options.autoScaling !== undefined ? { autoScaling: options.autoScaling } : {}),
    logger: settings.logger,
    manager: { planner: { poolTagKey: settings.poolTagKey } },
    detectTerminating: settings.detectTerminating,
    lifecycle: options.lifecycle === true ? { hookNamePrefix: settings.hookNamePrefix } : false,
  });
  return { manager: built.manager, lifecycle: built.lifecycle ?? false };
}

function onGivenManager(options: HandlerOptions, settings: HandlerSettings): HandlerPool {
  const manager = options.manager as ManagerLike;
  if (options.lifecycle !== true) return { manager, lifecycle: false };
  if (!(manager instanceof EniPoolManager)) {
    throw new ConfigurationError(
      'lifecycle: true builds the lifecycle-hook adapter on the handler manager, which must be an EniPoolManager',
      'lifecycle',
    );
  }
  const lifecycle = createLifecycleHookHandler({
    manager,
    ...(options.autoScaling !== undefined ? { autoScaling: options.autoScaling } : {}),
    logger: settings.logger,
    poolTagKey: settings.poolTagKey,
    hookNamePrefix: settings.hookNamePrefix,
  });
  return { manager, lifecycle };
}
