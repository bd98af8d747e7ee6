import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import {
  defaultLogger,
  type Ec2Port,
  EniPoolManager,
  type EniPoolManagerOptions,
  type Logger,
} from '@eni-pool/core';
import { createAutoScalingClient } from './auto-scaling';
import { LifecycleHookHandler } from './handler';
import { createAutoScalingLeavingInstances } from './leaving-instances';
import type { LifecycleHookHandlerOptions } from './options';

/** What {@link createEniPool} builds from; every field is optional. */
export interface EniPoolOptions {
  /** EC2 access for everything built. @defaultValue `createEc2Client()` (standard SDK configuration) */
  readonly ec2?: Ec2Port | EC2Client;
  /** Auto Scaling access for the leaving source and the lifecycle handler. @defaultValue `createAutoScalingClient()` */
  readonly autoScaling?: AutoScalingClient;
  /** Where everything built logs. @defaultValue warnings and errors as JSON lines on stderr */
  readonly logger?: Logger;
  /** The manager's options (pools, planner, executor, rounds, …). @defaultValue `{}` */
  readonly manager?: Omit<EniPoolManagerOptions, 'ec2' | 'logger' | 'leaving'>;
  /**
   * Ask Auto Scaling which members it is terminating before giving one an interface, on every path
   * (`createAutoScalingLeavingInstances`; needs `autoscaling:DescribeAutoScalingGroups`).
   * @defaultValue `true`
   */
  readonly detectTerminating?: boolean;
  /**
   * The lifecycle handler's options, or `false` for none (state changes and the sync only).
   * @defaultValue `{}`: a handler with its defaults (hook prefix `eni-pool`, 240 s launch budget, …)
   */
  readonly lifecycle?:
    | Omit<
        LifecycleHookHandlerOptions,
        'manager' | 'managerOptions' | 'ec2' | 'autoScaling' | 'logger' | 'detectTerminating' | 'poolTagKey'
      >
    | false;
}

/** The manager and lifecycle handler of one deployment, sharing clients, logger and memory. */
export interface EniPool {
  /** Serves state changes and the sync; the lifecycle handler reconciles through it too. */
  readonly manager: EniPoolManager;
  /** Completes eni-pool's lifecycle actions; undefined with `lifecycle: false`. */
  readonly lifecycle: LifecycleHookHandler | undefined;
}

/** The manager of a deployment, with Auto Scaling's terminating members as its leaving source. */
export function buildManager(options: {
  readonly ec2?: Ec2Port | EC2Client;
  readonly autoScaling: AutoScalingClient;
  readonly logger: Logger;
  readonly detectTerminating: boolean;
  readonly manager?: Omit<EniPoolManagerOptions, 'ec2' | 'logger'>;
  readonly leavingSource?: { readonly retry?: LifecycleHookHandlerOptions['retry'] } & Pick<
    LifecycleHookHandlerOptions,
    'sleep' | 'random'
  >;
}): EniPoolManager {
  const { autoScaling, logger } = options;
  const leaving =
    options.manager?.leaving ??
    (options.detectTerminating
      ? createAutoScalingLeavingInstances({ autoScaling, logger, ...options.leavingSource })
      : undefined);
  return new EniPoolManager({
    ...options.manager,
    ...(options.ec2 !== undefined ? { ec2: options.ec2 } : {}),
    logger,
    ...(leaving ? { leaving } : {}),
  });
}

/**
 * The one composition root: builds the manager and the lifecycle handler of a deployment from one
 * options object, sharing the EC2 and Auto Scaling clients, the logger, the manager's memory of leaving
 * instances and its per-pool queue. The Lambda handlers, the SQS poller and the CLI are built on it.
 *
 * @example
 * ```ts
 * const { manager, lifecycle } = createEniPool({ manager: { pools: ['bastion'] } });
 * await manager.handle(parseEvent(stateChangeEvent));
 * await lifecycle?.handleMessage(lifecycleMessageBody);
 * ```
 */
export function createEniPool(options: EniPoolOptions = {}): EniPool {
  const logger = options.logger ?? defaultLogger;
  const autoScaling = options.autoScaling ?? createAutoScalingClient();
  const manager = buildManager({
    ...(options.ec2 !== undefined ? { ec2: options.ec2 } : {}),
    autoScaling,
    logger,
    detectTerminating: options.detectTerminating ?? true,
    ...(options.manager ? { manager: options.manager } : {}),
  });
  const lifecycle =
    options.lifecycle === false
      ? undefined
      : new LifecycleHookHandler({
          ...options.lifecycle,
          manager,
          autoScaling,
          logger,
          poolTagKey: manager.poolTagKey,
        });
  return { manager, lifecycle };
}
