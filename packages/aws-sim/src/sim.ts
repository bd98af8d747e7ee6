import { CallLog } from './calls';
import { DEFAULT_IDENTITY, type EventBridgeEvent, type EventSink, type SimIdentity } from './contracts';
import { Ec2Throttle, FaultInjector, type FaultSpec, type ThrottleOptions } from './ec2/controls';
import { AwsSimError } from './ec2/errors';
import { handleEc2Query } from './ec2/handler';
import { type Ec2Delays, Ec2Model } from './ec2/model';
import { type SimServer, startSimServer } from './server';
import { SimWorld } from './world';

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
  /** EC2 request throttling: `true` for AWS's buckets, or custom buckets. @defaultValue false */
  readonly throttling?: boolean | ThrottleOptions;
  /** EC2 faults in force from the start. */
  readonly faults?: readonly FaultSpec[];
}

/** Options for SDK v3 clients pointed at the simulator. */
export interface SimClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

type EventListener = (event: EventBridgeEvent) => void;

/** Keeps published events and hands them to subscribers; stands in until the event bus is composed. */
export class EventRecorder implements EventSink {
  readonly published: EventBridgeEvent[] = [];
  private readonly listeners = new Set<EventListener>();

  publish(event: EventBridgeEvent): void {
    this.published.push(event);
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // Subscribers own their failures; delivery to the others goes on.
      }
    }
  }

  /** Returns an unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
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
  readonly events: EventRecorder;
  readonly ec2: Ec2Model;
  readonly ec2Throttle: Ec2Throttle;
  readonly ec2Faults: FaultInjector;
  readonly world: SimWorld;
  private server: SimServer | undefined;

  private constructor(options: AwsSimOptions) {
    this.identity = options.identity ?? DEFAULT_IDENTITY;
    this.events = new EventRecorder();
    this.ec2 = new Ec2Model({
      identity: this.identity,
      events: this.events,
      seed: options.seed ?? 1,
      ...(options.delays ? { delays: options.delays } : {}),
      ...(options.delayJitter !== undefined ? { delayJitter: options.delayJitter } : {}),
      ...(options.describeLagMs !== undefined ? { describeLagMs: options.describeLagMs } : {}),
    });
    this.ec2Throttle = new Ec2Throttle();
    this.ec2Faults = new FaultInjector(this.ec2.rng);
    this.world = new SimWorld(this.ec2, this.ec2Throttle, this.ec2Faults);
    if (options.throttling) this.world.throttling(options.throttling);
    for (const fault of options.faults ?? []) this.ec2Faults.add(fault);
  }

  /** Starts a simulator on 127.0.0.1 (a free port unless `port` is given). */
  static async start(options: AwsSimOptions = {}): Promise<AwsSim> {
    const sim = new AwsSim(options);
    const ec2Endpoint = { model: sim.ec2, throttle: sim.ec2Throttle, faults: sim.ec2Faults };
    sim.server = await startSimServer(
      { ec2: (query) => handleEc2Query(ec2Endpoint, query) },
      {
        calls: sim.calls,
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.host !== undefined ? { host: options.host } : {}),
      },
    );
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

  /** Closes the server and cancels every pending transition. Safe to call twice. */
  async stop(): Promise<void> {
    this.ec2.dispose();
    const server = this.server;
    if (server) await server.close();
  }
}
