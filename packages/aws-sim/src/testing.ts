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

/** What {@link startPoolWorld} sets up; every field is optional. */
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

/** A running simulator with a network and one pool of tagged interfaces. */
export interface PoolWorld {
  readonly sim: AwsSim;
  readonly pool: string;
  readonly subnetIds: readonly string[];
  readonly interfaceIds: readonly string[];
}

/**
 * Starts a simulator with fast transitions, a network of `subnets` subnets and a pool of `perSubnet`
 * interfaces in each.
 *
 * @example
 * ```ts
 * const world = await startPoolWorld({ subnets: 3, timeScale: 40 });
 * const { ec2 } = createSimClients(world.sim);
 * world.sim.autoscaling.createGroup(poolGroupSpec(world));
 * await world.sim.stop();
 * ```
 */
export async function startPoolWorld(options: PoolWorldOptions = {}): Promise<PoolWorld> {
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
  return { sim, pool, subnetIds, interfaceIds };
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

/**
 * eni-pool's launch hook: 30 simulated seconds of heartbeat timeout, `ABANDON` by default.
 *
 * @example
 * ```ts
 * const hook = launchHook({ heartbeatTimeout: 60 });
 * ```
 */
export function launchHook(overrides: Partial<LifecycleHookSpec> = {}): LifecycleHookSpec {
  return {
    name: 'eni-pool-launch',
    transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
    heartbeatTimeout: 30,
    defaultResult: 'ABANDON',
    ...overrides,
  };
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
  return {
    name: 'eni-pool-terminate',
    transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
    heartbeatTimeout: 30,
    defaultResult: 'CONTINUE',
    ...overrides,
  };
}

/**
 * A group over the world's subnets, one instance per subnet, tagged with the pool (propagated to its
 * instances), with both of eni-pool's hooks in place from the start.
 *
 * @example
 * ```ts
 * world.sim.autoscaling.createGroup(poolGroupSpec(world, 'web-asg', { desiredCapacity: 4 }));
 * ```
 */
export function poolGroupSpec(world: PoolWorld, name: string, overrides: Partial<GroupSpec> = {}): GroupSpec {
  return {
    name,
    minSize: 0,
    maxSize: 10,
    desiredCapacity: world.subnetIds.length,
    subnetIds: world.subnetIds,
    tags: [{ key: DEFAULT_POOL_TAG_KEY, value: world.pool, propagateAtLaunch: true }],
    lifecycleHooks: [launchHook(), terminateHook()],
    ...overrides,
  };
}

/** A pool interface's attachment, as tests compare it. */
export interface PoolAttachment {
  readonly networkInterfaceId: string;
  readonly status: string;
}

function ofPool(world: PoolWorld, attachments: readonly PoolAttachment[]): PoolAttachment[] {
  return attachments
    .filter((a) => world.interfaceIds.includes(a.networkInterfaceId))
    .map((a) => ({ networkInterfaceId: a.networkInterfaceId, status: a.status }));
}

/**
 * The pool interfaces attached to `instanceId` right now, with their attachment status.
 *
 * @example
 * ```ts
 * expect(poolAttachments(world, instanceId)).toEqual([{ networkInterfaceId, status: 'attached' }]);
 * ```
 */
export function poolAttachments(world: PoolWorld, instanceId: string): PoolAttachment[] {
  return ofPool(world, world.sim.world.attachmentsOf(instanceId));
}

/** A completed lifecycle action, with the pool interfaces attached when it completed. */
export interface PoolCompletion extends LifecycleCompletion {
  readonly poolAttachments: PoolAttachment[];
}

/**
 * The lifecycle actions completed so far, each with the pool interfaces attached at the moment it
 * completed.
 *
 * @example
 * ```ts
 * const launches = poolCompletions(world).filter((c) => c.transition === 'autoscaling:EC2_INSTANCE_LAUNCHING');
 * ```
 */
export function poolCompletions(world: PoolWorld): PoolCompletion[] {
  return world.sim.autoscaling.completions.map((completion) => ({
    ...completion,
    poolAttachments: ofPool(world, completion.attachmentsAtCompletion as readonly PoolAttachment[]),
  }));
}

/**
 * Whether `groupName` has exactly `count` instances, all in service, and no lifecycle action is open.
 *
 * @example
 * ```ts
 * await sim.world.waitFor('3 in service', () => groupSettled(sim, 'web-asg', 3));
 * ```
 */
export function groupSettled(sim: AwsSim, groupName: string, count: number): boolean {
  const live = sim.autoscaling.describeGroup(groupName)?.instances ?? [];
  return (
    live.length === count &&
    live.every((i) => i.lifecycleState === 'InService') &&
    sim.autoscaling.activeActions().length === 0
  );
}
