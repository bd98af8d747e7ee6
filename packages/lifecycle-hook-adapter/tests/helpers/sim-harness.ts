import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import type { GroupSpec } from '@eni-pool/aws-sim';
import {
  createSimClients,
  LIFECYCLE_PATTERN,
  PoolWorld,
  type PoolWorldOptions,
} from '@eni-pool/aws-sim/testing';
import { silentLogger } from '@eni-pool/core';
import {
  createLifecycleHookHandler,
  type LifecycleHookHandler,
  type LifecycleHookHandlerOptions,
  type LifecycleOutcome,
} from '../../src';

export const POOL = 'web';
export const GROUP_NAME = 'web-asg';

/** Simulated seconds last this many ms: a 30 s HeartbeatTimeout is 1200 ms. */
export const TIME_SCALE = 40;

/** The hooks' HeartbeatTimeout in real milliseconds. */
export const HOOK_TIMEOUT_MS = 30 * TIME_SCALE;

export { launchHook, terminateHook } from '@eni-pool/aws-sim/testing';

/** The world's size and simulator options (see `PoolWorldOptions`), and the harness's own. */
export interface HarnessOptions extends Pick<PoolWorldOptions, 'subnets' | 'perSubnet' | 'sim'> {
  readonly handler?: LifecycleHookHandlerOptions;
  /** Attempts the SDK clients make themselves, before the handler's own retries. @defaultValue 3 */
  readonly sdkMaxAttempts?: number;
  /** Deliver the bus's lifecycle events to the handler. @defaultValue true */
  readonly subscribe?: boolean;
}

/**
 * Handler budgets that fit the simulator's small delays: heartbeats every 100 ms, well below half of the hook's
 * timeout; the budgets leave room for a loaded machine, since a test only relies on them running out where it
 * sets its own.
 */
export const FAST_HANDLER: LifecycleHookHandlerOptions = {
  launchBudgetMs: 10_000,
  terminateBudgetMs: 8_000,
  heartbeatIntervalMs: 100,
  poll: { initialDelayMs: 10, maxDelayMs: 40 },
  retry: { baseDelayMs: 5, maxDelayMs: 50 },
  managerOptions: {
    executor: {
      wait: { initialDelayMs: 5, maxDelayMs: 20, timeoutMs: 2000 },
      retry: { baseDelayMs: 5 },
      // The simulator runs EC2 time fast; AWS's 5 mutating calls per second would dominate the run.
      rateLimit: { capacity: 1000, refillPerSecond: 1000 },
    },
  },
  logger: silentLogger,
};

/**
 * A simulator with a network, a pool and a lifecycle handler subscribed to the Auto Scaling lifecycle
 * events of the bus, talking to the simulator through the real SDK clients over HTTP.
 */
export class SimHarness extends PoolWorld {
  readonly outcomes: LifecycleOutcome[] = [];
  readonly handlerErrors: unknown[] = [];
  handler!: LifecycleHookHandler;
  private unsubscribe: (() => void) | undefined;

  private constructor(world: PoolWorld) {
    super(world);
  }

  static async start(options: HarnessOptions = {}): Promise<SimHarness> {
    const harness = new SimHarness(await PoolWorld.create({ ...options, pool: POOL, timeScale: TIME_SCALE }));
    const { ec2, autoScaling } = createSimClients(harness.sim, { maxAttempts: options.sdkMaxAttempts ?? 3 });
    harness.handler = createLifecycleHookHandler({ ...FAST_HANDLER, ec2, autoScaling, ...options.handler });
    // Load the SDKs' lazily imported parts first: a cold start is not what these tests measure, and on a
    // busy machine it can outlast a time-scaled HeartbeatTimeout.
    await ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 5 }));
    await autoScaling.send(new DescribeAutoScalingGroupsCommand({}));
    if (options.subscribe === false) return harness;
    harness.unsubscribe = harness.sim.events.subscribe(
      LIFECYCLE_PATTERN,
      (event) => harness.deliver(event),
      'eni-pool-lifecycle',
    );
    return harness;
  }

  /** Another handler on its own SDK clients, like a second Lambda container. */
  createWorker(options: LifecycleHookHandlerOptions = {}): LifecycleHookHandler {
    const { ec2, autoScaling } = createSimClients(this.sim);
    return createLifecycleHookHandler({ ...FAST_HANDLER, ec2, autoScaling, ...options });
  }

  /** Delivers the lifecycle events of one transition (`launch` or `terminate`) to `worker`. */
  route(kind: 'launch' | 'terminate', worker: LifecycleHookHandler): void {
    const detailType =
      kind === 'launch' ? 'EC2 Instance-launch Lifecycle Action' : 'EC2 Instance-terminate Lifecycle Action';
    this.sim.events.subscribe({ source: ['aws.autoscaling'], 'detail-type': [detailType] }, (event) =>
      this.deliver(event, worker),
    );
  }

  /** Hands one message body to a handler, recording the outcome or the error. */
  async deliver(body: unknown, worker: LifecycleHookHandler = this.handler): Promise<void> {
    try {
      this.outcomes.push(await worker.handleMessage(body));
    } catch (error) {
      this.handlerErrors.push(error);
      throw error;
    }
  }

  /** A group tagged with the pool (propagated to its instances), with both hooks in place from the start. */
  createGroup(overrides: Partial<GroupSpec> = {}): void {
    this.sim.autoscaling.createGroup(this.groupSpec(GROUP_NAME, overrides));
  }

  inService(groupName = GROUP_NAME): string[] {
    return this.sim.autoscaling.inServiceInstanceIds(groupName);
  }

  /** Waits until the group has `count` instances in service and no lifecycle action is open. */
  async settled(count: number, groupName = GROUP_NAME, timeoutMs = 10_000): Promise<void> {
    await this.sim.world.waitFor(
      `${count} instances in service in ${groupName} and no open lifecycle action`,
      () => this.groupSettled(groupName, count),
      { timeoutMs, intervalMs: 5 },
    );
    await this.sim.events.idle(timeoutMs);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.sim.stop();
  }
}
