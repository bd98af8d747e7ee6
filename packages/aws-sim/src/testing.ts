// `@eni-pool/aws-sim/testing`: the setup test suites share on top of the simulator — a running simulator
// with a network and a pool, SDK clients pointed at it, eni-pool's hooks and group, and the views tests
// assert on.

import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { GroupSpec, LifecycleCompletion, LifecycleHookSpec } from './autoscaling/types';
import type { EventPattern } from './events/pattern';
import { AwsSim, type AwsSimOptions } from './sim';
import { DEFAULT_POOL_TAG_KEY } from './world';

/** EC2 transitions short enough for a test, long enough to be observed (ms). */
export const FAST_DELAYS = { launchMs: 15, stopMs: 15, terminateMs: 15, attachMs: 10, detachMs: 10 } as const;

/** The state changes eni-pool's templates route to it (EventBridge rule pattern). */
export const STATE_CHANGE_PATTERN: EventPattern = {
  source: ['aws.ec2'],
  'detail-type': ['EC2 Instance State-change Notification'],
  detail: { state: ['running', 'stopping', 'stopped', 'shutting-down', 'terminated'] },
};

/** The lifecycle actions eni-pool's templates route to it (EventBridge rule pattern). */
export const LIFECYCLE_PATTERN: EventPattern = {
  source: ['aws.autoscaling'],
  'detail-type': ['EC2 Instance-launch Lifecycle Action', 'EC2 Instance-terminate Lifecycle Action'],
};

/** What {@link PoolWorld.create} sets up; every field is optional. */
export interface PoolWorldOptions {
  /** The pool's name. @defaultValue `'web'` */
  readonly pool?: string;
  /** Subnets, one per availability zone. @defaultValue `2` */
  readonly subnets?: number;
  /** Pool interfaces per subnet. @defaultValue `1` */
  readonly perSubnet?: number;
  /** Real milliseconds per simulated Auto Scaling second (`autoscaling.timeScale`). @defaultValue the model's */
  readonly timeScale?: number;
  /** The simulator's own options; `delays` default to {@link FAST_DELAYS}. */
  readonly sim?: AwsSimOptions;
}

/** SDK v3 clients pointed at one simulator. */
export interface SimClients {
  readonly ec2: EC2Client;
  readonly autoScaling: AutoScalingClient;
  readonly sqs: SQSClient;
  /** Closes the three clients' connections. */
  destroy(): void;
}

/**
 * EC2, Auto Scaling and SQS clients on `sim.clientConfig()`.
 *
 * @example
 * ```ts
 * const clients = createSimClients(sim, { maxAttempts: 2 });
 * await clients.ec2.send(new DescribeNetworkInterfacesCommand({}));
 * clients.destroy();
 * ```
 */
export function createSimClients(sim: AwsSim, options: { readonly maxAttempts?: number } = {}): SimClients {
  const config = {
    ...sim.clientConfig(),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  };
  const ec2 = new EC2Client(config);
  const autoScaling = new AutoScalingClient(config);
  const sqs = new SQSClient(config);
  return {
    ec2,
    autoScaling,
    sqs,
    destroy() {
      ec2.destroy();
      autoScaling.destroy();
      sqs.destroy();
    },
  };
}

/** eni-pool's two hooks as the templates create them, before overrides. */
const ENI_POOL_HOOKS = {
  launch: {
    name: 'eni-pool-launch',
    transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
    defaultResult: 'ABANDON',
  },
  terminate: {
    name: 'eni-pool-terminate',
    transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
    defaultResult: 'CONTINUE',
  },
} as const satisfies Record<string, Omit<LifecycleHookSpec, 'heartbeatTimeout'>>;

/**
 * eni-pool's launch hook: 30 simulated seconds of heartbeat timeout, `ABANDON` by default.
 *
 * @example
 * ```ts
 * const hook = launchHook({ heartbeatTimeout: 60 });
 * ```
 */
export function launchHook(overrides: Partial<LifecycleHookSpec> = {}): LifecycleHookSpec {
  return { ...ENI_POOL_HOOKS.launch, heartbeatTimeout: 30, ...overrides };
}

/**
 * eni-pool's terminate hook: 30 simulated seconds of heartbeat timeout, `CONTINUE` by default.
 *
 * @example
 * ```ts
 * const hook = terminateHook({ defaultResult: 'ABANDON' });
 * ```
 */
export function terminateHook(overrides: Partial<LifecycleHookSpec> = {}): LifecycleHookSpec {
  return { ...ENI_POOL_HOOKS.terminate, heartbeatTimeout: 30, ...overrides };
}

/** A pool interface's attachment, as tests compare it. */
export interface PoolAttachment {
  readonly networkInterfaceId: string;
  readonly status: string;
}

/** A completed lifecycle action, with the pool interfaces attached when it completed. */
export interface PoolCompletion extends LifecycleCompletion {
  readonly poolAttachments: PoolAttachment[];
}

/** What a {@link PoolWorld} is made of. */
export interface PoolWorldParts {
  readonly sim: AwsSim;
  readonly pool: string;
  readonly subnetIds: readonly string[];
  readonly interfaceIds: readonly string[];
}

/**
 * A running simulator with a network and one pool of tagged interfaces, and the views tests assert and
 * wait on. Test harnesses extend it with what they wire on top (handlers, queues, event routes).
 *
 * @example
 * ```ts
 * const world = await PoolWorld.create({ subnets: 3, timeScale: 40 });
 * world.sim.autoscaling.createGroup(world.groupSpec('web-asg'));
 * await world.sim.world.waitFor('3 in service', () => world.groupSettled('web-asg', 3));
 * await world.sim.stop();
 * ```
 */
export class PoolWorld implements PoolWorldParts {
  readonly sim: AwsSim;
  readonly pool: string;
  readonly subnetIds: readonly string[];
  readonly interfaceIds: readonly string[];

  constructor(parts: PoolWorldParts) {
    this.sim = parts.sim;
    this.pool = parts.pool;
    this.subnetIds = parts.subnetIds;
    this.interfaceIds = parts.interfaceIds;
  }

  /**
   * Starts a simulator with fast transitions, a network of `subnets` subnets and a pool of `perSubnet`
   * interfaces in each.
   */
  static async create(options: PoolWorldOptions = {}): Promise<PoolWorld> {
    const sim = await AwsSim.start({
      delays: FAST_DELAYS,
      ...options.sim,
      ...(options.timeScale === undefined
        ? {}
        : { autoscaling: { timeScale: options.timeScale, ...options.sim?.autoscaling } }),
    });
    const pool = options.pool ?? 'web';
    const { subnetIds } = sim.world.createNetwork({ azs: options.subnets ?? 2 });
    const interfaceIds = sim.world
      .createPool({ name: pool, subnets: subnetIds, perSubnet: options.perSubnet ?? 1 })
      .map((eni) => eni.networkInterfaceId);
    return new PoolWorld({ sim, pool, subnetIds, interfaceIds });
  }

  /**
   * A group over the world's subnets, one instance per subnet, tagged with the pool (propagated to its
   * instances), with both of eni-pool's hooks in place from the start.
   */
  groupSpec(name: string, overrides: Partial<GroupSpec> = {}): GroupSpec {
    return {
      name,
      minSize: 0,
      maxSize: 10,
      desiredCapacity: this.subnetIds.length,
      subnetIds: this.subnetIds,
      tags: [{ key: DEFAULT_POOL_TAG_KEY, value: this.pool, propagateAtLaunch: true }],
      lifecycleHooks: [launchHook(), terminateHook()],
      ...overrides,
    };
  }

  /** The pool interfaces attached to `instanceId` right now, with their attachment status. */
  poolAttachments(instanceId: string): PoolAttachment[] {
    return this.ofPool(this.sim.world.attachmentsOf(instanceId));
  }

  /** The lifecycle actions completed so far, each with the pool interfaces attached when it completed. */
  completions(): PoolCompletion[] {
    return this.sim.autoscaling.completions.map((completion) => ({
      ...completion,
      poolAttachments: this.ofPool(completion.attachmentsAtCompletion as readonly PoolAttachment[]),
    }));
  }

  /** Whether `groupName` has exactly `count` instances, all in service, and no lifecycle action is open. */
  groupSettled(groupName: string, count: number): boolean {
    const live = this.sim.autoscaling.describeGroup(groupName)?.instances ?? [];
    return (
      live.length === count &&
      live.every((i) => i.lifecycleState === 'InService') &&
      this.sim.autoscaling.activeActions().length === 0
    );
  }

  private ofPool(attachments: readonly PoolAttachment[]): PoolAttachment[] {
    return attachments
      .filter((a) => this.interfaceIds.includes(a.networkInterfaceId))
      .map((a) => ({ networkInterfaceId: a.networkInterfaceId, status: a.status }));
  }
}
