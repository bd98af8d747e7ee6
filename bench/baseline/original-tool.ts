/**
 * The baseline of the economy bench: the algorithm of the original Python tool, binxio's
 * `ec2-network-interface-manager` (`src/network_interface_manager/manager.py`, `ec2_instance.py`,
 * `network_interface.py`), ported call for call to the AWS SDK v3 so it runs against the simulator.
 *
 * Per EC2 state-change event (one Lambda invocation, one event):
 *
 * - `running`: describe the instance by id; if it carries the pool tag, describe the pool's interfaces
 *   filtered by pool tag, subnet and `status=available` (one request, first page only), attach the first
 *   at device index = the number of interfaces the instance holds, then poll that interface by id every
 *   second until its status is `in-use`. The instance is not checked for an interface it already holds: a
 *   duplicate event attaches a second one, as the original does.
 * - `stopping`, `shutting-down`, `terminated`: describe the instance; load the pool (its interfaces by pool
 *   tag, first page only; its running instances, paginated); detach every pool interface attached to the
 *   instance and poll each until `available`; then load the pool again and attach an interface to every
 *   running member that holds none (one filtered describe, one attach and its polls per member).
 * - `Scheduled Event`: every pool name, then the same pool-wide attach per pool.
 *
 * Errors as in the original: a failed attach or detach (after the SDK's retries) is logged and that
 * step ends; a failed instance describe ends the event quietly; a failed describe of free interfaces or
 * of the pool fails the invocation (thrown). The client is meant to be built with
 * {@link originalToolClientConfig}: botocore's 5 attempts.
 *
 * Where this port differs from the original, and why, is listed in bench/README.md: the waits have a
 * bound (the original polls forever), and pool names for the sync come from a `tag-key` filtered
 * describe of interfaces and instances instead of the Resource Groups Tagging API, which the simulator
 * does not model.
 */
import {
  AttachNetworkInterfaceCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  type EC2Client,
  type EC2ClientConfig,
  type Instance,
  type NetworkInterface,
  paginateDescribeInstances,
  paginateDescribeNetworkInterfaces,
} from '@aws-sdk/client-ec2';

/** The tag the original tool reads; it is not configurable there. */
export const ORIGINAL_POOL_TAG_KEY = 'network-interface-manager-pool';

/**
 * SDK settings that match the original's boto3 client: botocore makes up to 5 attempts per call
 * (legacy mode's default); SDK v3's standard mode with `maxAttempts: 5` is the nearest equivalent.
 */
export function originalToolClientConfig(): Pick<EC2ClientConfig, 'maxAttempts' | 'retryMode'> {
  return { maxAttempts: 5, retryMode: 'standard' };
}

export type OriginalToolLogLevel = 'debug' | 'info' | 'error';

export interface OriginalToolOptions {
  /** An EC2 client, best built with {@link originalToolClientConfig}. */
  readonly ec2: EC2Client;
  /** Pause between two polls of an interface's status. @defaultValue 1000 (the original's `sleep(1)`) */
  readonly pollIntervalMs?: number;
  /**
   * Bound of one status wait. The original has none (it polls until the status comes); a bench needs one,
   * so it is large: far above any attach or detach the bench simulates. @defaultValue 300000
   */
  readonly waitBoundMs?: number;
  /** Sleeps between polls; injected by tests. @defaultValue a timer that an aborted `signal` cuts short */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Receives the original's log lines. @defaultValue nothing is logged */
  readonly log?: (level: OriginalToolLogLevel, message: string) => void;
  /** Stops the tool between calls (a bench's deadline); the original has nothing like it. */
  readonly signal?: AbortSignal;
}

/** Thrown by a status wait that reached `waitBoundMs` (the original would still be polling). */
export class OriginalToolWaitBoundError extends Error {
  constructor(
    readonly networkInterfaceId: string,
    readonly status: string,
    readonly waitedMs: number,
  ) {
    super(`interface ${networkInterfaceId} did not become ${status} within ${waitedMs} ms`);
    this.name = 'OriginalToolWaitBoundError';
  }
}

/** An AWS error as botocore raises `ClientError`: anything the service answered with an error code. */
function isClientError(error: unknown): boolean {
  return (
    error instanceof Error &&
    typeof (error as { $metadata?: unknown }).$metadata === 'object' &&
    !(error instanceof OriginalToolWaitBoundError)
  );
}

const tagsOf = (tags: readonly { Key?: string; Value?: string }[] | undefined): Map<string, string> => {
  // The original reads `self["Tags"]` / `self["TagSet"]`: a resource without tags raises KeyError.
  if (tags === undefined) throw new Error("KeyError: 'Tags'");
  return new Map(tags.map((t) => [t.Key ?? '', t.Value ?? '']));
};

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * One Lambda container of the original tool.
 *
 * @example
 * ```ts
 * const tool = new OriginalTool({ ec2: new EC2Client({ ...sim.clientConfig(), ...originalToolClientConfig() }) });
 * await tool.handle(event); // an EventBridge state-change or scheduled event
 * ```
 */
export class OriginalTool {
  private readonly ec2: EC2Client;
  private readonly pollIntervalMs: number;
  private readonly waitBoundMs: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly log: (level: OriginalToolLogLevel, message: string) => void;
  private readonly signal: AbortSignal | undefined;

  constructor(options: OriginalToolOptions) {
    this.ec2 = options.ec2;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.waitBoundMs = options.waitBoundMs ?? 300_000;
    if (!(this.pollIntervalMs > 0)) throw new RangeError('pollIntervalMs must be > 0');
    if (!(this.waitBoundMs > 0)) throw new RangeError('waitBoundMs must be > 0');
    this.sleep = options.sleep ?? defaultSleep;
    this.log = options.log ?? (() => {});
    this.signal = options.signal;
  }

  /** The original's `handler(event, context)`. */
  async handle(event: unknown): Promise<void> {
    const e = (event ?? {}) as { source?: string; 'detail-type'?: string; detail?: Record<string, string> };
    const isStateChange =
      e.source === 'aws.ec2' && e['detail-type'] === 'EC2 Instance State-change Notification';
    const state = e.detail?.state;
    const isAdd = isStateChange && state === 'running';
    const isRemove = isStateChange && ['stopping', 'shutting-down', 'terminated'].includes(state ?? '');
    if (isAdd || isRemove) {
      const instance = await this.describePoolInstance(e.detail?.['instance-id'] ?? '');
      if (!instance) return;
      const pool = tagsOf(instance.Tags).get(ORIGINAL_POOL_TAG_KEY);
      if (!pool) {
        this.log('debug', `ignoring instance "${instance.InstanceId}" as it is not associated with a pool`);
        return;
      }
      if (isRemove) {
        await this.detachInterfaces(pool, instance.InstanceId!);
        await this.attachInterfaces(pool);
      } else {
        await this.attachInterface(pool, instance);
      }
    } else if (e.source === 'aws.events' && e['detail-type'] === 'Scheduled Event') {
      await this.sync();
    } else if (isStateChange) {
      this.log('debug', `ignored state change event ${state}`);
    } else {
      this.log('error', `ignoring event ${e['detail-type']} from source ${e.source}`);
    }
  }

  /** The timer path: every pool, then the pool-wide attach of each. */
  async sync(): Promise<void> {
    for (const pool of await this.allPoolNames()) await this.attachInterfaces(pool);
  }

  /** `Manager.attach_interface`: attaches the first free interface of the pool in the instance's subnet. */
  async attachInterface(pool: string, instance: Instance): Promise<void> {
    this.checkSignal();
    const available = await this.ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [
          { Name: `tag:${ORIGINAL_POOL_TAG_KEY}`, Values: [pool] },
          { Name: 'subnet-id', Values: [instance.SubnetId ?? ''] },
          { Name: 'status', Values: ['available'] },
        ],
      }),
      this.call,
    );
    const first = available.NetworkInterfaces?.[0];
    if (!first) {
      this.log(
        'error',
        `No network interfaces available from pool "${pool}" in subnet "${instance.SubnetId}" to attach to "${instance.InstanceId}"`,
      );
      return;
    }
    const deviceIndex = instance.NetworkInterfaces?.length ?? 0;
    try {
      this.log(
        'info',
        `attach network interface from pool "${pool}" to "${instance.InstanceId}" as device ${deviceIndex}`,
      );
      await this.ec2.send(
        new AttachNetworkInterfaceCommand({
          InstanceId: instance.InstanceId,
          NetworkInterfaceId: first.NetworkInterfaceId,
          DeviceIndex: deviceIndex,
        }),
        this.call,
      );
      await this.waitForInterfaceStatus(first, 'in-use');
    } catch (error) {
      if (!isClientError(error)) throw error;
      this.log(
        'error',
        `failed to attach interface "${first.NetworkInterfaceId}" from "${pool}" to instance "${instance.InstanceId}", ${(error as Error).name}`,
      );
    }
  }

  /** `Manager.attach_interfaces`: every running member of the pool without a pool interface gets one. */
  async attachInterfaces(pool: string): Promise<void> {
    const { interfaces, instances } = await this.refresh(pool);
    const attached = new Set(interfaces.map((eni) => eni.Attachment?.InstanceId).filter(Boolean));
    const unattached = instances.filter((i) => !attached.has(i.InstanceId));
    if (unattached.length === 0) {
      this.log(
        'debug',
        `All ${instances.length} instances in the pool "${pool}" are associated with a network interface`,
      );
      return;
    }
    for (const instance of unattached) await this.attachInterface(pool, instance);
  }

  /** `Manager.detach_interfaces`: detaches every pool interface the instance holds, one at a time. */
  async detachInterfaces(pool: string, instanceId: string): Promise<void> {
    const { interfaces } = await this.refresh(pool);
    const held = interfaces.filter((eni) => eni.Attachment?.InstanceId === instanceId);
    if (held.length === 0) {
      this.log('debug', `No network interfaces from pool ${pool} to detach from instance "${instanceId}"`);
      return;
    }
    for (const eni of held) {
      this.checkSignal();
      try {
        this.log(
          'info',
          `detaching interface "${eni.NetworkInterfaceId}" of pool "${pool} from "${instanceId}"`,
        );
        await this.ec2.send(
          new DetachNetworkInterfaceCommand({ AttachmentId: eni.Attachment?.AttachmentId }),
          this.call,
        );
        await this.waitForInterfaceStatus(eni, 'available');
      } catch (error) {
        if (!isClientError(error)) throw error;
        this.log(
          'error',
          `failed to remove interface "${eni.NetworkInterfaceId}" from instance "${instanceId}", ${(error as Error).name}`,
        );
      }
    }
  }

  /** `wait_for_interface_status`: sleep 1 s, describe the interface by id, until it shows `status`. */
  private async waitForInterfaceStatus(eni: NetworkInterface, status: string): Promise<void> {
    let current = eni;
    let waited = 0;
    while (current.Status !== status) {
      if (waited >= this.waitBoundMs) {
        throw new OriginalToolWaitBoundError(eni.NetworkInterfaceId ?? '', status, waited);
      }
      this.log('info', `waiting 1s for interface ${eni.NetworkInterfaceId} to become ${status}`);
      await this.sleep(this.pollIntervalMs, this.signal);
      waited += this.pollIntervalMs;
      const response = await this.ec2.send(
        new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni.NetworkInterfaceId ?? ''] }),
        this.call,
      );
      const seen = response.NetworkInterfaces?.[0];
      if (seen) current = seen;
      else
        this.log('error', `interface ${eni.NetworkInterfaceId} could not be described. Has it been deleted?`);
    }
  }

  /** `describe_pool_instance`: the instance by id, or undefined when the call fails. */
  private async describePoolInstance(instanceId: string): Promise<Instance | undefined> {
    try {
      const response = await this.ec2.send(
        new DescribeInstancesCommand({ InstanceIds: [instanceId] }),
        this.call,
      );
      const instance = response.Reservations?.[0]?.Instances?.[0];
      // The original indexes `["Reservations"][0]["Instances"][0]`: an empty answer raises IndexError.
      if (!instance) throw new Error('IndexError: list index out of range');
      return instance;
    } catch (error) {
      if (!isClientError(error)) throw error;
      this.log('error', `failed to describe instance "${instanceId}", ${(error as Error).name}`);
      return undefined;
    }
  }

  /** `Manager.refresh`: the pool's interfaces (one request, first page only) and running members (paginated). */
  private async refresh(pool: string): Promise<{ interfaces: NetworkInterface[]; instances: Instance[] }> {
    this.checkSignal();
    const response = await this.ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: `tag:${ORIGINAL_POOL_TAG_KEY}`, Values: [pool] }],
      }),
      this.call,
    );
    const interfaces = response.NetworkInterfaces ?? [];
    const instances: Instance[] = [];
    const pages = paginateDescribeInstances(
      { client: this.ec2 },
      {
        Filters: [
          { Name: `tag:${ORIGINAL_POOL_TAG_KEY}`, Values: [pool] },
          { Name: 'instance-state-name', Values: ['running'] },
        ],
      },
    );
    for await (const page of pages) {
      for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
      this.checkSignal();
    }
    return { interfaces, instances };
  }

  /**
   * `get_all_pool_names`. The original pages through the Resource Groups Tagging API's
   * `GetTagValues(Key=network-interface-manager-pool)`; the simulator models EC2 only, so the values are
   * read from `tag-key` filtered describes of interfaces and instances (paginated), which find the same names.
   */
  async allPoolNames(): Promise<string[]> {
    const names = new Set<string>();
    const filter = [{ Name: 'tag-key', Values: [ORIGINAL_POOL_TAG_KEY] }];
    for await (const page of paginateDescribeNetworkInterfaces({ client: this.ec2 }, { Filters: filter })) {
      for (const eni of page.NetworkInterfaces ?? []) {
        const name = tagsOf(eni.TagSet).get(ORIGINAL_POOL_TAG_KEY);
        if (name) names.add(name);
      }
    }
    for await (const page of paginateDescribeInstances({ client: this.ec2 }, { Filters: filter })) {
      for (const reservation of page.Reservations ?? []) {
        for (const instance of reservation.Instances ?? []) {
          const name = tagsOf(instance.Tags).get(ORIGINAL_POOL_TAG_KEY);
          if (name) names.add(name);
        }
      }
    }
    return [...names].sort();
  }

  private checkSignal(): void {
    if (this.signal?.aborted) throw this.signal.reason;
  }

  /** Per-call options: the bench's deadline cuts an SDK call (and its retries) short. */
  private get call(): { abortSignal?: AbortSignal } {
    this.checkSignal();
    return this.signal ? { abortSignal: this.signal } : {};
  }
}
