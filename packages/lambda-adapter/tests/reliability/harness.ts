import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  AwsSim,
  type AwsSimOptions,
  type EventBridgeEvent,
  type InterfaceSnapshot,
  SeededRandom,
} from '@eni-pool/aws-sim';
import { EniPoolManager, type EniPoolManagerOptions, silentLogger } from '@eni-pool/core';
import { sqsEvent, sqsRecord } from '@eni-pool/core/testing';
import {
  createAutoScalingLeavingInstances,
  createLifecycleHookHandler,
  type LifecycleHookHandler,
} from '@eni-pool/lifecycle-hook-adapter';
import type { SQSBatchResponse } from 'aws-lambda';
import { createEventBridgeHandler } from '../../src/eventbridge-handler';
import { createLambdaHandler } from '../../src/lambda-handler';
import { createSqsHandler } from '../../src/sqs-handler';
import type { InvocationResult } from '../../src/types';

export const POOL_TAG = 'network-interface-manager-pool';

/** The calls that change EC2 or Auto Scaling state. */
export const MUTATING_ACTIONS = [
  'AttachNetworkInterface',
  'DetachNetworkInterface',
  'CreateTags',
  'DeleteTags',
  'CompleteLifecycleAction',
  'RecordLifecycleActionHeartbeat',
] as const;

/** The rules of the template: state changes and lifecycle actions invoke the function. */
export const FUNCTION_PATTERNS = {
  stateChanges: {
    source: ['aws.ec2'],
    'detail-type': ['EC2 Instance State-change Notification'],
  },
  lifecycleActions: {
    source: ['aws.autoscaling'],
    'detail-type': ['EC2 Instance-launch Lifecycle Action', 'EC2 Instance-terminate Lifecycle Action'],
  },
};

/** A simulator sized for the reliability suite: short transitions, seeded. */
export function startSim(options: AwsSimOptions = {}): Promise<AwsSim> {
  return AwsSim.start({
    seed: 1,
    delays: { launchMs: 15, stopMs: 15, terminateMs: 15, attachMs: 10, detachMs: 10 },
    delayJitter: 0.5,
    ...options,
  });
}

/** How the worker is invoked: the EventBridge handler, the SQS handler, or the combined one. */
export type WorkerKind = 'eventbridge' | 'sqs' | 'lambda';

/** One Lambda container: its own clients, manager and handler. */
export interface Worker {
  readonly name: string;
  readonly kind: WorkerKind;
  readonly manager: EniPoolManager;
  /** Delivers events (one invocation; an SQS worker gets them as one batch). */
  invoke(events: readonly unknown[]): Promise<InvocationFigures>;
  destroy(): void;
}

/** What one invocation did, from the outside. */
export interface InvocationFigures {
  /** The handler threw (EventBridge path: Lambda would retry the event). */
  readonly threw: number;
  /** SQS path: records reported in `batchItemFailures`. */
  readonly failedRecords: number;
  readonly errors: readonly unknown[];
  /** What the EventBridge path returned, one result per event. */
  readonly results: readonly InvocationResult[];
}

export interface WorkerOptions {
  readonly name: string;
  readonly kind: WorkerKind;
  /** Give the manager the Auto Scaling leaving source and handle lifecycle actions. @defaultValue false */
  readonly autoScaling?: boolean;
  readonly manager?: Omit<EniPoolManagerOptions, 'ec2' | 'logger'>;
  /** Seed of the worker's backoff jitter. */
  readonly seed?: number;
}

/**
 * A worker as the bundle builds one, sized for the simulator: short waits and retry delays, the real SDK
 * v3 clients over HTTP with their default retry.
 */
export function createWorker(sim: AwsSim, options: WorkerOptions): Worker {
  const ec2 = new EC2Client(sim.clientConfig());
  const autoScaling = new AutoScalingClient(sim.clientConfig());
  const random = new SeededRandom(options.seed ?? 1);
  const jitter = () => random.next();
  const leaving = options.autoScaling
    ? createAutoScalingLeavingInstances({
        autoScaling,
        logger: silentLogger,
        retry: { maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 40 },
        random: jitter,
      })
    : undefined;
  const manager = new EniPoolManager({
    ec2,
    logger: silentLogger,
    executor: {
      wait: { initialDelayMs: 5, maxDelayMs: 30, timeoutMs: 4_000 },
      retry: { baseDelayMs: 5, maxDelayMs: 40 },
      random: jitter,
    },
    ...(leaving ? { leaving } : {}),
    ...options.manager,
  });
  const lifecycle: LifecycleHookHandler | false = options.autoScaling
    ? createLifecycleHookHandler({
        manager,
        ec2,
        autoScaling,
        logger: silentLogger,
        launchBudgetMs: 4_000,
        terminateBudgetMs: 4_000,
        heartbeatIntervalMs: 1_000,
        poll: { initialDelayMs: 10, maxDelayMs: 50, multiplier: 2 },
        retry: { maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 40 },
        random: jitter,
      })
    : false;
  const common = {
    manager,
    ec2,
    autoScaling,
    logger: silentLogger,
    ...(lifecycle ? { lifecycle } : {}),
  };
  const eventBridge = options.kind === 'eventbridge' ? createEventBridgeHandler(common) : undefined;
  const sqs = options.kind === 'sqs' ? createSqsHandler({ ...common, concurrency: 4 }) : undefined;
  const combined = options.kind === 'lambda' ? createLambdaHandler({ ...common, concurrency: 4 }) : undefined;

  const asBatch = (events: readonly unknown[]) =>
    sqsEvent(...events.map((event) => sqsRecord(typeof event === 'string' ? event : JSON.stringify(event))));
  const batchFigures = (response: SQSBatchResponse): InvocationFigures => ({
    threw: 0,
    failedRecords: response.batchItemFailures.length,
    errors: [],
    results: [],
  });

  return {
    name: options.name,
    kind: options.kind,
    manager,
    async invoke(events) {
      try {
        if (sqs) return batchFigures(await sqs(asBatch(events)));
        // The combined handler takes SQS batches for every other call, EventBridge deliveries otherwise.
        if (combined && events.length > 1)
          return batchFigures((await combined(asBatch(events))) as SQSBatchResponse);
        const handler = eventBridge ?? combined!;
        const errors: unknown[] = [];
        const results: InvocationResult[] = [];
        for (const event of events) {
          try {
            results.push((await handler(event)) as InvocationResult);
          } catch (error) {
            errors.push(error);
          }
        }
        return { threw: errors.length, failedRecords: 0, errors, results };
      } catch (error) {
        return { threw: 1, failedRecords: 0, errors: [error], results: [] };
      }
    },
    destroy() {
      ec2.destroy();
      autoScaling.destroy();
    },
  };
}

/** A "Scheduled Event" of the template's sync rule. */
export function syncEvent(n: number): EventBridgeEvent {
  return {
    version: '0',
    id: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/eni-pool-sync'],
    detail: {},
  };
}

/** Pool interfaces an instance holds (attaching or attached: given to it, not being given back). */
export function heldBy(interfaces: readonly InterfaceSnapshot[], pool: string): Map<string, string[]> {
  const held = new Map<string, string[]>();
  for (const eni of interfaces) {
    const attachment = eni.attachment;
    if (eni.tags[POOL_TAG] !== pool || !attachment) continue;
    if (attachment.status !== 'attaching' && attachment.status !== 'attached') continue;
    held.set(attachment.instanceId, [...(held.get(attachment.instanceId) ?? []), eni.networkInterfaceId]);
  }
  return held;
}

/**
 * Samples the world while work runs: instances holding two pool interfaces, interfaces whose attachment
 * id appears twice, and the simulator's own invariants. It samples after every API call the simulator
 * answers and every instance state change (an instance can only start holding a second interface with an
 * attach call, so no double escapes), and on a short timer besides. Each distinct violation is kept once,
 * with how many samples saw it.
 */
export class InvariantMonitor {
  samples = 0;
  /** Instance → samples in which it held two or more pool interfaces. */
  readonly doubles = new Map<string, number>();
  /** Attachment id → samples in which it was on two interfaces. */
  readonly sharedAttachments = new Map<string, number>();
  /** Sentence of `sim.world.invariants()` → samples that reported it. */
  readonly worldViolations = new Map<string, number>();
  /** Error code → calls the simulator answered with it, while sampling. */
  readonly errorsAnswered = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private detach: (() => void) | undefined;

  constructor(
    private readonly sim: AwsSim,
    private readonly pool: string,
  ) {}

  start(intervalMs = 5): this {
    this.timer = setInterval(() => this.sample(), intervalMs);
    const calls = this.sim.calls;
    const record = calls.record;
    calls.record = (entry) => {
      record.call(calls, entry);
      if (entry.outcome !== 'ok') {
        this.errorsAnswered.set(entry.outcome, (this.errorsAnswered.get(entry.outcome) ?? 0) + 1);
      }
      this.sample();
    };
    const off = this.sim.ec2.onInstanceStateChange(() => this.sample());
    this.detach = () => {
      calls.record = record;
      off();
    };
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.detach?.();
    this.detach = undefined;
    this.sample();
  }

  sample(): void {
    this.samples++;
    const interfaces = this.sim.world.interfaces();
    for (const [instanceId, enis] of heldBy(interfaces, this.pool)) {
      if (enis.length > 1) this.doubles.set(instanceId, (this.doubles.get(instanceId) ?? 0) + 1);
    }
    const seen = new Set<string>();
    for (const eni of interfaces) {
      const id = eni.attachment?.attachmentId;
      if (id === undefined) continue;
      if (seen.has(id)) this.sharedAttachments.set(id, (this.sharedAttachments.get(id) ?? 0) + 1);
      seen.add(id);
    }
    for (const sentence of this.sim.world.invariants()) {
      this.worldViolations.set(sentence, (this.worldViolations.get(sentence) ?? 0) + 1);
    }
  }

  /** Distinct violations of every kind. */
  get violations(): number {
    return this.doubles.size + this.sharedAttachments.size + this.worldViolations.size;
  }

  describe(): string[] {
    return [
      ...[...this.doubles].map(([id, n]) => `${id} held two pool interfaces in ${n} samples`),
      ...[...this.sharedAttachments].map(([id, n]) => `attachment ${id} on two interfaces in ${n} samples`),
      ...[...this.worldViolations].map(([s, n]) => `${s} (${n} samples)`),
    ];
  }
}

/**
 * What is wrong with the pool now: running members (InService ones only, for members of an Auto Scaling
 * group) without exactly one attached pool interface of their subnet, and pool interfaces on instances
 * that are not running members.
 */
export function unserved(sim: AwsSim, pool: string): string[] {
  const problems: string[] = [];
  const snapshot = sim.world.interfaces();
  const held = heldBy(snapshot, pool);
  const interfaces = new Map(snapshot.map((e) => [e.networkInterfaceId, e]));
  const members = new Set<string>();
  for (const instance of sim.world.instances()) {
    if (instance.tags[POOL_TAG] !== pool || instance.state !== 'running') continue;
    const group = sim.autoscaling.describeInstance(instance.instanceId);
    if (group && group.lifecycleState !== 'InService') continue;
    members.add(instance.instanceId);
    const enis = held.get(instance.instanceId) ?? [];
    const good = enis.filter((id) => {
      const eni = interfaces.get(id);
      return eni?.attachment?.status === 'attached' && eni.subnetId === instance.subnetId;
    });
    if (enis.length !== 1 || good.length !== 1) {
      problems.push(`${instance.instanceId} holds ${enis.length} pool interfaces (${good.length} attached)`);
    }
  }
  for (const [instanceId, enis] of held) {
    if (!members.has(instanceId)) problems.push(`${enis.join(', ')} on ${instanceId}, not a running member`);
  }
  return problems;
}

/** Waits until no instance is between states and no attachment in transition. */
export async function settleWorld(sim: AwsSim, timeoutMs = 20_000): Promise<void> {
  await sim.world.waitFor(
    'instances and attachments to settle',
    () =>
      sim.world.instances().every((i) => ['running', 'stopped', 'terminated'].includes(i.state)) &&
      sim.world.interfaces().every((e) => e.status === 'available' || e.status === 'in-use'),
    { timeoutMs },
  );
}

/**
 * Events to deliver, taken by worker loops: each loop runs one invocation at a time, as one Lambda
 * container does; SQS workers take up to `batchSize` events per invocation.
 */
export class Dispatcher {
  private readonly queue: unknown[] = [];
  private waiting: (() => void)[] = [];
  private closed = false;
  private busy = 0;
  private idleWaiters: (() => void)[] = [];
  delivered = 0;
  invocations = 0;
  threw = 0;
  failedRecords = 0;
  /** Reconciles the EventBridge path reported, the most rounds one took, and those that did not converge. */
  reconciles = 0;
  maxRounds = 0;
  notConverged = 0;
  readonly errors: unknown[] = [];

  constructor(
    private readonly workers: readonly Worker[],
    private readonly batchSize = 5,
  ) {}

  push(event: unknown): void {
    this.queue.push(event);
    const waiters = this.waiting;
    this.waiting = [];
    for (const wake of waiters) wake();
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Starts one loop per worker; resolves when closed and drained. */
  run(): Promise<void> {
    return Promise.all(this.workers.map((worker) => this.loop(worker))).then(() => {});
  }

  close(): void {
    this.closed = true;
    for (const wake of this.waiting) wake();
    this.waiting = [];
  }

  /** Resolves once the queue is empty and no invocation is running. */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async loop(worker: Worker): Promise<void> {
    for (;;) {
      if (this.queue.length === 0) {
        if (this.closed) return;
        await new Promise<void>((resolve) => this.waiting.push(resolve));
        continue;
      }
      const take = worker.kind === 'sqs' || worker.kind === 'lambda' ? this.batchSize : 1;
      const events = this.queue.splice(0, Math.max(1, Math.min(take, this.queue.length)));
      this.busy++;
      this.delivered += events.length;
      this.invocations++;
      const figures = await worker.invoke(events);
      this.threw += figures.threw;
      this.failedRecords += figures.failedRecords;
      this.errors.push(...figures.errors);
      for (const result of figures.results) {
        if (result.status !== 'reconciled') continue;
        this.reconciles++;
        this.maxRounds = Math.max(this.maxRounds, result.rounds);
        if (!result.converged) this.notConverged++;
      }
      this.busy--;
      if (this.queue.length === 0 && this.busy === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }
}

/** Mutating calls the simulator answered, by action, since the last reset. */
export function mutatingCalls(sim: AwsSim): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const action of MUTATING_ACTIONS) {
    const n = sim.calls.count(action);
    if (n > 0) counts[action] = n;
  }
  return counts;
}

/** Prints a test's figures as one line, so they appear in the test output. */
export function report(title: string, figures: Record<string, unknown>): void {
  const parts = Object.entries(figures).map(
    ([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
  );
  console.log(`[reliability] ${title}: ${parts.join(' ')}`);
}
