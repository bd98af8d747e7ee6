import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import {
  AutoScalingModel,
  type AutoScalingModelOptions,
  handleAutoScalingQuery,
} from '../../src/autoscaling';
import type {
  EventBridgeEvent,
  EventSink,
  InstanceFleet,
  QueueSink,
  SimInstanceState,
} from '../../src/contracts';
import { QueryParams } from '../../src/wire/query';

/** A launched instance of the fake fleet. */
export interface FakeInstance {
  readonly instanceId: string;
  readonly subnetId: string;
  readonly instanceType: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  state: SimInstanceState;
}

/**
 * A small EC2 stand-in for the Auto Scaling model: instances move through their states on real timers
 * (`transitionMs`), like the EC2 model does, and every state change is reported to listeners.
 */
export class FakeFleet implements InstanceFleet {
  readonly instances = new Map<string, FakeInstance>();
  /** When set, launches in these subnets throw (no capacity). */
  readonly refuseSubnets = new Set<string>();
  private readonly listeners = new Set<(id: string, state: SimInstanceState) => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private next = 1;

  constructor(
    private readonly subnets: Readonly<Record<string, string>>,
    private readonly transitionMs = 15,
  ) {}

  launchInstance(spec: {
    subnetId: string;
    instanceType?: string;
    tags: Readonly<Record<string, string>>;
  }): string {
    if (this.refuseSubnets.has(spec.subnetId))
      throw new Error(`InsufficientInstanceCapacity in ${spec.subnetId}`);
    const instanceId = `i-${(this.next++).toString(16).padStart(17, '0')}`;
    this.instances.set(instanceId, {
      instanceId,
      subnetId: spec.subnetId,
      instanceType: spec.instanceType,
      tags: { ...spec.tags },
      state: 'pending',
    });
    this.emit(instanceId, 'pending');
    this.later(() => this.move(instanceId, 'pending', 'running'));
    return instanceId;
  }

  terminateInstance(instanceId: string): void {
    const instance = this.require(instanceId);
    if (instance.state === 'shutting-down' || instance.state === 'terminated') return;
    this.set(instance, 'shutting-down');
    this.later(() => this.move(instanceId, 'shutting-down', 'terminated'));
  }

  stopInstance(instanceId: string): void {
    const instance = this.require(instanceId);
    if (instance.state !== 'running') throw new Error(`IncorrectInstanceState: ${instance.state}`);
    this.set(instance, 'stopping');
    this.later(() => this.move(instanceId, 'stopping', 'stopped'));
  }

  startInstance(instanceId: string): void {
    const instance = this.require(instanceId);
    if (instance.state !== 'stopped') throw new Error(`IncorrectInstanceState: ${instance.state}`);
    this.set(instance, 'pending');
    this.later(() => this.move(instanceId, 'pending', 'running'));
  }

  instanceState(instanceId: string): SimInstanceState | undefined {
    return this.instances.get(instanceId)?.state;
  }

  onInstanceStateChange(listener: (instanceId: string, state: SimInstanceState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  availabilityZoneOfSubnet(subnetId: string): string | undefined {
    return this.subnets[subnetId];
  }

  /** Instances not yet terminated or shutting down. */
  live(): FakeInstance[] {
    return [...this.instances.values()].filter(
      (i) => i.state !== 'terminated' && i.state !== 'shutting-down',
    );
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
  }

  private later(fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, this.transitionMs);
    this.timers.add(timer);
  }

  private move(instanceId: string, from: SimInstanceState, to: SimInstanceState): void {
    const instance = this.instances.get(instanceId);
    if (instance?.state === from) this.set(instance, to);
  }

  private set(instance: FakeInstance, state: SimInstanceState): void {
    instance.state = state;
    this.emit(instance.instanceId, state);
  }

  private emit(instanceId: string, state: SimInstanceState): void {
    for (const listener of [...this.listeners]) listener(instanceId, state);
  }

  private require(instanceId: string): FakeInstance {
    const instance = this.instances.get(instanceId);
    if (!instance) throw new Error(`InvalidInstanceID.NotFound: ${instanceId}`);
    return instance;
  }
}

/** Keeps every published event. */
export class RecordingEvents implements EventSink {
  readonly published: EventBridgeEvent[] = [];
  publish(event: EventBridgeEvent): void {
    this.published.push(event);
  }
}

/** Keeps message bodies per queue ARN; queues not in `known` refuse messages, as a missing queue does. */
export class RecordingQueues implements QueueSink {
  readonly messages = new Map<string, string[]>();
  constructor(readonly known: ReadonlySet<string>) {}

  sendMessageTo(queue: string, body: string): void {
    if (!this.known.has(queue)) throw new Error(`AWS.SimpleQueueService.NonExistentQueue: ${queue}`);
    this.messages.set(queue, [...(this.messages.get(queue) ?? []), body]);
  }

  bodies(queue: string): Record<string, unknown>[] {
    return (this.messages.get(queue) ?? []).map((b) => JSON.parse(b) as Record<string, unknown>);
  }
}

export const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:lifecycle';
export const ROLE_ARN = 'arn:aws:iam::123456789012:role/asg-notify';

export interface AutoScalingHarness {
  readonly client: AutoScalingClient;
  readonly model: AutoScalingModel;
  readonly fleet: FakeFleet;
  readonly events: RecordingEvents;
  readonly queues: RecordingQueues;
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts the Auto Scaling model behind a tiny `node:http` server on 127.0.0.1 and returns a real SDK
 * client pointed at it. Lifecycle timeouts run at `timeScale` ms per simulated second (default 10).
 */
export async function startAutoScalingHarness(
  options: Partial<Omit<AutoScalingModelOptions, 'fleet' | 'events' | 'queues'>> & {
    readonly transitionMs?: number;
    readonly maxAttempts?: number;
  } = {},
): Promise<AutoScalingHarness> {
  const fleet = new FakeFleet(
    { 'subnet-a': 'us-east-1a', 'subnet-b': 'us-east-1b', 'subnet-c': 'us-east-1c' },
    options.transitionMs,
  );
  const events = new RecordingEvents();
  const queues = new RecordingQueues(new Set([QUEUE_ARN]));
  const model = new AutoScalingModel({
    timeScale: 10,
    throttle: false,
    snapshotAttachments: (id) => [{ instanceId: id, state: fleet.instanceState(id) }],
    ...options,
    fleet,
    events,
    queues,
  });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const response = handleAutoScalingQuery(model, new QueryParams(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(response.status, response.headers).end(response.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new AutoScalingClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDSIM', secretAccessKey: 'sim' },
    maxAttempts: options.maxAttempts ?? 3,
  });
  return {
    client,
    model,
    fleet,
    events,
    queues,
    endpoint,
    async close() {
      client.destroy();
      model.close();
      fleet.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls `check` every few ms until it returns a value other than undefined/false, within `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 3000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
