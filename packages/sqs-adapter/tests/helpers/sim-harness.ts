import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AwsSim, type AwsSimOptions, type GroupSpec } from '@eni-pool/aws-sim';
import { DEFAULT_POOL_TAG_KEY, silentLogger } from '@eni-pool/core';
import { createSqsEventSource, type SqsEventSource, type SqsEventSourceOptions } from '../../src';

export const POOL = 'web';
export const GROUP_NAME = 'web-asg';
export const QUEUE = 'eni-pool-events';
export const DLQ = 'eni-pool-events-dlq';
/** Simulated Auto Scaling seconds last this many ms: a 30 s HeartbeatTimeout is 1200 ms. */
export const TIME_SCALE = 40;

/** The template's rules: state changes and eni-pool's lifecycle actions into the queue. */
export const STATE_CHANGE_PATTERN = {
  source: ['aws.ec2'],
  'detail-type': ['EC2 Instance State-change Notification'],
  detail: { state: ['running', 'stopping', 'stopped', 'shutting-down', 'terminated'] },
};
export const LIFECYCLE_PATTERN = {
  source: ['aws.autoscaling'],
  'detail-type': ['EC2 Instance-launch Lifecycle Action', 'EC2 Instance-terminate Lifecycle Action'],
};

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

export interface HarnessOptions {
  readonly subnets?: number;
  readonly perSubnet?: number;
  readonly sim?: AwsSimOptions;
  /** The queue's redrive `maxReceiveCount`. @defaultValue 3 */
  readonly maxReceiveCount?: number;
  /** The queue's own visibility timeout in (simulated) seconds. @defaultValue 10 */
  readonly queueVisibilitySeconds?: number;
}

/** A simulator with a pool, a queue with its dead-letter queue, and the template's rules into it. */
export class SqsHarness {
  subnetIds: readonly string[] = [];
  interfaceIds: readonly string[] = [];
  queueUrl = '';
  dlqUrl = '';
  private readonly sources: SqsEventSource[] = [];
  private readonly clients: { destroy(): void }[] = [];

  private constructor(readonly sim: AwsSim) {}

  static async start(options: HarnessOptions = {}): Promise<SqsHarness> {
    const sim = await AwsSim.start({
      delays: { launchMs: 15, stopMs: 15, terminateMs: 15, attachMs: 10, detachMs: 10 },
      ...options.sim,
      autoscaling: { timeScale: TIME_SCALE, ...options.sim?.autoscaling },
    });
    const h = new SqsHarness(sim);
    const { subnetIds } = sim.world.createNetwork({ azs: options.subnets ?? 2 });
    h.subnetIds = subnetIds;
    h.interfaceIds = sim.world
      .createPool({ name: POOL, subnets: subnetIds, perSubnet: options.perSubnet ?? 1 })
      .map((eni) => eni.networkInterfaceId);
    const dlq = sim.sqs.createQueue(DLQ);
    const queue = sim.sqs.createQueue(QUEUE, {
      VisibilityTimeout: String(options.queueVisibilitySeconds ?? 10),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: dlq.arn,
        maxReceiveCount: options.maxReceiveCount ?? 3,
      }),
    });
    h.queueUrl = queue.url;
    h.dlqUrl = dlq.url;
    sim.events.addRule({ name: 'state-changes', pattern: STATE_CHANGE_PATTERN, queue: QUEUE });
    sim.events.addRule({ name: 'lifecycle-actions', pattern: LIFECYCLE_PATTERN, queue: QUEUE });
    return h;
  }

  /** An event source on its own SDK clients, like one container; stopped by `stop()`. */
  source(options: Partial<SqsEventSourceOptions> = {}): SqsEventSource {
    const config = { ...this.sim.clientConfig(), maxAttempts: 2 };
    const ec2 = new EC2Client(config);
    const autoScaling = new AutoScalingClient(config);
    const sqs = new SQSClient(config);
    this.clients.push(ec2, autoScaling, sqs);
    const source = createSqsEventSource({
      ...FAST,
      queueUrl: this.queueUrl,
      ec2,
      autoScaling,
      sqs,
      ...options,
    });
    this.sources.push(source);
    return source;
  }

  /** A group tagged with the pool, with eni-pool's two hooks in place from the start. */
  createGroup(overrides: Partial<GroupSpec> = {}): void {
    this.sim.autoscaling.createGroup({
      name: GROUP_NAME,
      minSize: 0,
      maxSize: 10,
      desiredCapacity: this.subnetIds.length,
      subnetIds: this.subnetIds,
      tags: [{ key: DEFAULT_POOL_TAG_KEY, value: POOL, propagateAtLaunch: true }],
      lifecycleHooks: [
        {
          name: 'eni-pool-launch',
          transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
          heartbeatTimeout: 30,
          defaultResult: 'ABANDON',
        },
        {
          name: 'eni-pool-terminate',
          transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
          heartbeatTimeout: 30,
          defaultResult: 'CONTINUE',
        },
      ],
      ...overrides,
    });
  }

  inService(): string[] {
    return this.sim.autoscaling.inServiceInstanceIds(GROUP_NAME);
  }

  /** Waits until the group has `count` instances in service, no open action and an empty queue. */
  async settled(count: number, timeoutMs = 20_000): Promise<void> {
    await this.sim.world.waitFor(
      `${count} instances in service, no open lifecycle action, the queue drained`,
      () => {
        const live = this.sim.autoscaling.describeGroup(GROUP_NAME)?.instances ?? [];
        return (
          live.length === count &&
          live.every((i) => i.lifecycleState === 'InService') &&
          this.sim.autoscaling.activeActions().length === 0 &&
          this.sim.events.pendingDeliveries === 0 &&
          this.sim.sqs.messages(QUEUE).length === 0
        );
      },
      { timeoutMs, intervalMs: 10 },
    );
  }

  /** Pool interfaces attached to `instanceId` now, with their status. */
  poolAttachments(instanceId: string): { networkInterfaceId: string; status: string }[] {
    return this.sim.world
      .attachmentsOf(instanceId)
      .filter((a) => this.interfaceIds.includes(a.networkInterfaceId))
      .map((a) => ({ networkInterfaceId: a.networkInterfaceId, status: a.status }));
  }

  /** Lifecycle completions, with the pool interfaces attached at the moment each completed. */
  completions() {
    return this.sim.autoscaling.completions.map((completion) => ({
      ...completion,
      poolAttachments: (
        completion.attachmentsAtCompletion as readonly { networkInterfaceId: string; status: string }[]
      )
        .filter((a) => this.interfaceIds.includes(a.networkInterfaceId))
        .map((a) => ({ networkInterfaceId: a.networkInterfaceId, status: a.status })),
    }));
  }

  async stop(): Promise<void> {
    await Promise.all(this.sources.map((source) => source.stop()));
    for (const client of this.clients) client.destroy();
    await this.sim.stop();
  }
}
