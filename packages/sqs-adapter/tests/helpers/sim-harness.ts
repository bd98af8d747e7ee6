import type { GroupSpec } from '@eni-pool/aws-sim';
import {
  createSimClients,
  LIFECYCLE_PATTERN,
  PoolWorld,
  type PoolWorldOptions,
  STATE_CHANGE_PATTERN,
} from '@eni-pool/aws-sim/testing';
import { silentLogger } from '@eni-pool/core';
import { createSqsEventSource, type SqsEventSource, type SqsEventSourceOptions } from '../../src';

export const POOL = 'web';
export const GROUP_NAME = 'web-asg';
export const QUEUE = 'eni-pool-events';
export const DLQ = 'eni-pool-events-dlq';
/** Simulated Auto Scaling seconds last this many ms: a 30 s HeartbeatTimeout is 1200 ms. */
export const TIME_SCALE = 40;

/** Options that fit the simulator's small delays; a test overrides what it exercises. */
export const FAST: Omit<SqsEventSourceOptions, 'queueUrl'> = {
  logger: silentLogger,
  waitTimeSeconds: 1,
  visibilityTimeoutSeconds: 10,
  heartbeatIntervalSeconds: 3,
  syncIntervalMs: 0,
  stallTimeoutMs: 5_000,
  lifecycleOptions: {
    launchBudgetMs: 10_000,
    terminateBudgetMs: 8_000,
    heartbeatIntervalMs: 100,
    poll: { initialDelayMs: 10, maxDelayMs: 40 },
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
  },
  managerOptions: {
    executor: {
      wait: { initialDelayMs: 5, maxDelayMs: 20, timeoutMs: 2_000 },
      retry: { baseDelayMs: 5 },
      // The simulator runs EC2 time fast; AWS's 5 mutating calls per second would dominate the run.
      rateLimit: { capacity: 1000, refillPerSecond: 1000 },
    },
  },
};

/** The world's size and simulator options (see `PoolWorldOptions`), and the harness's own. */
export interface HarnessOptions extends Pick<PoolWorldOptions, 'subnets' | 'perSubnet' | 'sim'> {
  /** The queue's redrive `maxReceiveCount`. @defaultValue 3 */
  readonly maxReceiveCount?: number;
  /** The queue's own visibility timeout in (simulated) seconds. @defaultValue 10 */
  readonly queueVisibilitySeconds?: number;
}

/** A simulator with a pool, a queue with its dead-letter queue, and the template's rules into it. */
export class SqsHarness extends PoolWorld {
  queueUrl = '';
  dlqUrl = '';
  private readonly sources: SqsEventSource[] = [];
  private readonly clients: { destroy(): void }[] = [];

  private constructor(world: PoolWorld) {
    super(world);
  }

  static async start(options: HarnessOptions = {}): Promise<SqsHarness> {
    const h = new SqsHarness(await PoolWorld.create({ ...options, pool: POOL, timeScale: TIME_SCALE }));
    const dlq = h.sim.sqs.createQueue(DLQ);
    const queue = h.sim.sqs.createQueue(QUEUE, {
      VisibilityTimeout: String(options.queueVisibilitySeconds ?? 10),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: dlq.arn,
        maxReceiveCount: options.maxReceiveCount ?? 3,
      }),
    });
    h.queueUrl = queue.url;
    h.dlqUrl = dlq.url;
    h.sim.events.addRule({ name: 'state-changes', pattern: STATE_CHANGE_PATTERN, queue: QUEUE });
    h.sim.events.addRule({ name: 'lifecycle-actions', pattern: LIFECYCLE_PATTERN, queue: QUEUE });
    return h;
  }

  /** An event source on its own SDK clients, like one container; stopped by `stop()`. */
  source(options: Partial<SqsEventSourceOptions> = {}): SqsEventSource {
    const clients = createSimClients(this.sim, { maxAttempts: 2 });
    this.clients.push(clients);
    const source = createSqsEventSource({
      ...FAST,
      queueUrl: this.queueUrl,
      ec2: clients.ec2,
      autoScaling: clients.autoScaling,
      sqs: clients.sqs,
      ...options,
    });
    this.sources.push(source);
    return source;
  }

  /** A group tagged with the pool, with eni-pool's two hooks in place from the start. */
  createGroup(overrides: Partial<GroupSpec> = {}): void {
    this.sim.autoscaling.createGroup(this.groupSpec(GROUP_NAME, overrides));
  }

  inService(): string[] {
    return this.sim.autoscaling.inServiceInstanceIds(GROUP_NAME);
  }

  /** Waits until the group has `count` instances in service, no open action and an empty queue. */
  async settled(count: number, timeoutMs = 20_000): Promise<void> {
    await this.sim.world.waitFor(
      `${count} instances in service, no open lifecycle action, the queue drained`,
      () =>
        this.groupSettled(GROUP_NAME, count) &&
        this.sim.events.pendingDeliveries === 0 &&
        this.sim.sqs.messages(QUEUE).length === 0,
      { timeoutMs, intervalMs: 10 },
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.sources.map((source) => source.stop()));
    for (const client of this.clients) client.destroy();
    await this.sim.stop();
  }
}
