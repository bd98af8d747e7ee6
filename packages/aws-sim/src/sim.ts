import { AutoScalingModel, handleAutoScalingQuery } from './autoscaling';
import type { AutoScalingModelOptions } from './autoscaling/types';
import { CallLog } from './calls';
import { DEFAULT_IDENTITY, type SimIdentity } from './contracts';
import { Ec2Throttle, FaultInjector, type FaultSpec, type ThrottleOptions } from './ec2/controls';
import { AwsSimError } from './ec2/errors';
import { handleEc2Query } from './ec2/handler';
import { type Ec2Delays, Ec2Model } from './ec2/model';
import { EventBus, type EventBusOptions } from './events';
import { type SimServer, startSimServer } from './server';
import { handleSqsJson, SqsModel, type SqsModelOptions } from './sqs';
import { DEFAULT_POOL_TAG_KEY, SimWorld } from './world';

/** Options of {@link AwsSim.start}; every field is optional. */
export interface AwsSimOptions {
  /** @defaultValue 0 (a free port) */
  readonly port?: number;
  /** @defaultValue '127.0.0.1' */
  readonly host?: string;
  /** @defaultValue `DEFAULT_IDENTITY` (123456789012, us-east-1) */
  readonly identity?: SimIdentity;
  /** Seed for ids, jitter and injected faults. @defaultValue 1 */
  readonly seed?: number;
  /** EC2 transition delays in ms. @defaultValue `DEFAULT_EC2_DELAYS` (50 ms state changes, 30 ms attach/detach) */
  readonly delays?: Partial<Ec2Delays>;
  /** Random stretch of each delay, as a fraction. @defaultValue 0 */
  readonly delayJitter?: number;
  /** EC2 describes see the world as of this many ms ago. @defaultValue 0 */
  readonly describeLagMs?: number;
  /** Reuse one world snapshot until the next change (large worlds; see `Ec2ModelOptions`). @defaultValue false */
  readonly reuseSnapshots?: boolean;
  /** EC2 request throttling: `true` for AWS's buckets, or custom buckets. @defaultValue false */
  readonly throttling?: boolean | ThrottleOptions;
  /** EC2 faults in force from the start. */
  readonly faults?: readonly FaultSpec[];
  /**
   * Auto Scaling model options. Its API throttle is off unless `throttling` is on or a `throttle`
   * is given here.
   */
  readonly autoscaling?: Omit<AutoScalingModelOptions, 'fleet' | 'events' | 'queues' | 'identity'>;
  /** SQS model options (e.g. `msPerSecond` to shrink visibility timeouts). */
  readonly sqs?: Omit<SqsModelOptions, 'identity' | 'endpoint'>;
  /** Event bus knobs (delay, duplicate, drop, reorder, retries). */
  readonly events?: Omit<EventBusOptions, 'queues' | 'identity'>;
}

/** What `AwsSim.seedDemo` created. */
export interface DemoWorld {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly poolName: string;
  readonly interfaceIds: readonly string[];
  readonly groupName: string;
}

/** Options for SDK v3 clients pointed at the simulator. */
export interface SimClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * A local stand-in for EC2, Auto Scaling and SQS that the real AWS SDK v3 clients talk to over HTTP.
 * Each instance owns its port and state, so many can run in parallel.
 *
 * @example
 * ```ts
 * const sim = await AwsSim.start({ delays: { attachMs: 20 } });
 * const ec2 = new EC2Client(sim.clientConfig());
 * const { subnetIds } = sim.world.createNetwork({ azs: 2 });
 * sim.world.createPool({ name: 'web', subnets: subnetIds });
 * await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'tag:network-interface-manager-pool', Values: ['web'] }] }));
 * await sim.stop();
 * ```
 */
export class AwsSim {
  readonly identity: SimIdentity;
  readonly calls = new CallLog();
  readonly events: EventBus;
  readonly sqs: SqsModel;
  readonly autoscaling: AutoScalingModel;
  readonly ec2: Ec2Model;
  readonly ec2Throttle: Ec2Throttle;
  readonly ec2Faults: FaultInjector;
  readonly world: SimWorld;
  private server: SimServer | undefined;

  private constructor(options: AwsSimOptions) {
    this.identity = options.identity ?? DEFAULT_IDENTITY;
    this.sqs = new SqsModel({ ...options.sqs, identity: this.identity });
    this.events = new EventBus({
      seed: options.seed ?? 1,
      ...options.events,
      queues: this.sqs,
      identity: this.identity,
    });
    this.ec2 = new Ec2Model({
      identity: this.identity,
      events: this.events,
      seed: options.seed ?? 1,
      ...(options.delays ? { delays: options.delays } : {}),
      ...(options.delayJitter !== undefined ? { delayJitter: options.delayJitter } : {}),
      ...(options.describeLagMs !== undefined ? { describeLagMs: options.describeLagMs } : {}),
      ...(options.reuseSnapshots !== undefined ? { reuseSnapshots: options.reuseSnapshots } : {}),
    });
    this.ec2Throttle = new Ec2Throttle();
    this.ec2Faults = new FaultInjector(this.ec2.rng);
    this.world = new SimWorld(this.ec2, this.ec2Throttle, this.ec2Faults);
    this.autoscaling = new AutoScalingModel({
      ...(options.throttling ? {} : { throttle: false as const }),
      seed: (options.seed ?? 1) + 1,
      snapshotAttachments: (instanceId) => this.world.attachmentsOf(instanceId),
      ...options.autoscaling,
      fleet: this.ec2,
      events: this.events,
      queues: this.sqs,
      identity: this.identity,
    });
    if (options.throttling) this.world.throttling(options.throttling);
    for (const fault of options.faults ?? []) this.ec2Faults.add(fault);
  }

  /** Starts a simulator on 127.0.0.1 (a free port unless `port` is given). */
  static async start(options: AwsSimOptions = {}): Promise<AwsSim> {
    const sim = new AwsSim(options);
    const ec2Endpoint = { model: sim.ec2, throttle: sim.ec2Throttle, faults: sim.ec2Faults };
    sim.server = await startSimServer(
      {
        ec2: (query) => handleEc2Query(ec2Endpoint, query),
        autoscaling: (query) => handleAutoScalingQuery(sim.autoscaling, query),
        sqs: (target, body) => handleSqsJson(sim.sqs, target, body),
      },
      {
        calls: sim.calls,
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.host !== undefined ? { host: options.host } : {}),
      },
    );
    // Queue URLs must point back at this server, or the SQS client would leave for the real service.
    sim.sqs.endpoint = sim.server.endpoint;
    return sim;
  }

  /** `http://127.0.0.1:PORT`. */
  get endpoint(): string {
    if (!this.server) throw new AwsSimError('AwsSim is not started');
    return this.server.endpoint;
  }

  get port(): number {
    if (!this.server) throw new AwsSimError('AwsSim is not started');
    return this.server.port;
  }

  /** `{ endpoint, region, credentials }` for any SDK v3 client. */
  clientConfig(): SimClientConfig {
    return {
      endpoint: this.endpoint,
      region: this.identity.region,
      credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator-secret' },
    };
  }

  /**
   * Seeds the demo world: a VPC, one subnet in each of 3 AZs, a pool `demo` with one interface per
   * subnet, and an Auto Scaling group `demo-asg` of 3 instances tagged with the pool.
   */
  seedDemo(options: { readonly poolName?: string; readonly groupName?: string } = {}): DemoWorld {
    const poolName = options.poolName ?? 'demo';
    const groupName = options.groupName ?? `${poolName}-asg`;
    const { vpcId, subnetIds } = this.world.createNetwork({ azs: 3 });
    const interfaces = this.world.createPool({ name: poolName, subnets: subnetIds, perSubnet: 1 });
    this.autoscaling.createGroup({
      name: groupName,
      minSize: 3,
      maxSize: 6,
      desiredCapacity: 3,
      subnetIds,
      tags: [{ key: DEFAULT_POOL_TAG_KEY, value: poolName, propagateAtLaunch: true }],
    });
    return {
      vpcId,
      subnetIds,
      poolName,
      interfaceIds: interfaces.map((e) => e.networkInterfaceId),
      groupName,
    };
  }

  /** Closes the server and cancels every pending transition. Safe to call twice. */
  async stop(): Promise<void> {
    this.autoscaling.close();
    this.ec2.dispose();
    this.events.close();
    this.sqs.close();
    const server = this.server;
    if (server) await server.close();
  }
}
