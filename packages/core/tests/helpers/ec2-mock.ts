import type { Instance, NetworkInterface } from '@aws-sdk/client-ec2';
import { EC2Client } from '@aws-sdk/client-ec2';
import type {
  AttachAction,
  AttachInput,
  DescribePageInput,
  DetachAction,
  DetachReason,
  Ec2Filter,
  Ec2Port,
  InstanceStateName,
  InstanceView,
  InterfaceStatus,
  InterfaceView,
  Plan,
  PlanAction,
  TagInput,
  Unsatisfied,
} from '../../src/index';

export const POOL_TAG = 'network-interface-manager-pool';

/**
 * A real `EC2Client` for `aws-sdk-client-mock`. `maxAttempts: 1` turns the SDK's own retry off, so the
 * tests see eni-pool's retry loop alone.
 */
export function testEc2Client(): EC2Client {
  return new EC2Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    maxAttempts: 1,
  });
}

/** An error shaped like the SDK's: `name` is the AWS code. */
export function awsError(code: string, message = code, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), {
    name: code,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}

export const throttled = () => awsError('RequestLimitExceeded', 'Request limit exceeded.', 503);
export const inUse = (eni = 'eni-1') =>
  awsError('InvalidNetworkInterface.InUse', `Interface: [${eni}] in use.`);

// ---- SDK shapes ---------------------------------------------------------------------------------

export function sdkInstance(
  id: string,
  options: {
    state?: InstanceStateName;
    subnet?: string;
    az?: string;
    launchTime?: string;
    pool?: string;
    tags?: Record<string, string>;
    enis?: { id: string; attachmentId?: string; deviceIndex: number; status?: string }[];
  } = {},
): Instance {
  const tags = { ...(options.pool ? { [POOL_TAG]: options.pool } : {}), ...options.tags };
  return {
    InstanceId: id,
    InstanceType: 't3.small',
    State: { Name: options.state ?? 'running', Code: 16 },
    SubnetId: options.subnet ?? 'subnet-a',
    Placement: { AvailabilityZone: options.az ?? 'us-east-1a' },
    LaunchTime: new Date(options.launchTime ?? '2026-11-01T00:00:00.000Z'),
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    NetworkInterfaces: (options.enis ?? []).map((eni) => ({
      NetworkInterfaceId: eni.id,
      Attachment: {
        AttachmentId: eni.attachmentId ?? `${eni.id}-attach`,
        DeviceIndex: eni.deviceIndex,
        NetworkCardIndex: 0,
        Status: (eni.status ?? 'attached') as 'attached',
      },
    })),
  };
}

export function sdkInterface(
  id: string,
  options: {
    status?: InterfaceStatus;
    subnet?: string;
    az?: string;
    pool?: string;
    tags?: Record<string, string>;
    attachedTo?: string;
    attachmentId?: string;
    attachmentStatus?: 'attaching' | 'attached' | 'detaching' | 'detached';
    deviceIndex?: number;
  } = {},
): NetworkInterface {
  const tags = { ...(options.pool ? { [POOL_TAG]: options.pool } : {}), ...options.tags };
  return {
    NetworkInterfaceId: id,
    SubnetId: options.subnet ?? 'subnet-a',
    AvailabilityZone: options.az ?? 'us-east-1a',
    Status: options.status ?? (options.attachedTo ? 'in-use' : 'available'),
    PrivateIpAddress: '10.0.0.10',
    TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    ...(options.attachedTo
      ? {
          Attachment: {
            AttachmentId: options.attachmentId ?? `${id}-attach`,
            InstanceId: options.attachedTo,
            DeviceIndex: options.deviceIndex ?? 1,
            NetworkCardIndex: 0,
            Status: options.attachmentStatus ?? 'attached',
          },
        }
      : {}),
  };
}

// ---- plans --------------------------------------------------------------------------------------

export function attachAction(eni: string, instance: string, extra: Partial<AttachAction> = {}): AttachAction {
  return {
    kind: 'attach',
    id: `attach:${eni}:${instance}`,
    pool: 'web',
    networkInterfaceId: eni,
    instanceId: instance,
    deviceIndex: 1,
    networkCardIndex: 0,
    ...extra,
  };
}

export function detachAction(
  eni: string,
  instance: string,
  reason: DetachReason = 'instance-not-running',
  extra: Partial<DetachAction> = {},
): DetachAction {
  return {
    kind: 'detach',
    id: `detach:${eni}:${instance}`,
    pool: 'web',
    networkInterfaceId: eni,
    instanceId: instance,
    attachmentId: `${eni}-attach`,
    reason,
    ...extra,
  };
}

export function planOf(actions: PlanAction[], unsatisfied: Unsatisfied[] = []): Plan {
  return { actions, keep: [], unsatisfied, pools: [] };
}

// ---- time ---------------------------------------------------------------------------------------

/** A clock whose `sleep` moves time forward at once and records every delay. */
export function fakeClock(start = 0) {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

// ---- a stateful in-memory EC2 -------------------------------------------------------------------

interface FakeInstance {
  instanceId: string;
  state: InstanceStateName;
  subnetId: string;
  availabilityZone: string;
  launchTime: string;
  tags: Record<string, string>;
}

interface FakeInterface {
  networkInterfaceId: string;
  subnetId: string;
  availabilityZone: string;
  tags: Record<string, string>;
  attachment?: { attachmentId: string; instanceId: string; deviceIndex: number; networkCardIndex: number };
}

export interface FakeCall {
  readonly operation: string;
  readonly input: unknown;
}

function matches(filters: readonly Ec2Filter[], value: (name: string) => readonly string[]): boolean {
  return filters.every((filter) => value(filter.name).some((v) => filter.values.includes(v)));
}

function tagValues(tags: Record<string, string>, name: string): string[] | undefined {
  if (name === 'tag-key') return Object.keys(tags);
  if (name.startsWith('tag:')) {
    const value = tags[name.slice(4)];
    return value === undefined ? [] : [value];
  }
  return undefined;
}

/**
 * One shared, in-memory EC2 for several workers: attaches and detaches settle at once, an attach of an
 * interface that is not free answers `InvalidNetworkInterface.InUse` (as EC2 does for the loser of a
 * race), a taken device index answers `InvalidParameterValue`. Every call is recorded; `pause` lets
 * the event loop interleave workers between a read and a write.
 */
export class FakeEc2 implements Ec2Port {
  readonly instances = new Map<string, FakeInstance>();
  readonly interfaces = new Map<string, FakeInterface>();
  readonly calls: FakeCall[] = [];
  private attachments = 0;

  constructor(private readonly pause: () => Promise<void> = () => new Promise((r) => setImmediate(r))) {}

  addInstance(
    instanceId: string,
    options: Partial<Omit<FakeInstance, 'instanceId' | 'tags'>> & {
      pool?: string;
      tags?: Record<string, string>;
    } = {},
  ): this {
    this.instances.set(instanceId, {
      instanceId,
      state: options.state ?? 'running',
      subnetId: options.subnetId ?? 'subnet-a',
      availabilityZone: options.availabilityZone ?? 'us-east-1a',
      launchTime: options.launchTime ?? '2026-11-01T00:00:00.000Z',
      tags: { ...(options.pool ? { [POOL_TAG]: options.pool } : {}), ...options.tags },
    });
    return this;
  }

  addInterface(
    networkInterfaceId: string,
    options: {
      subnetId?: string;
      availabilityZone?: string;
      pool?: string;
      attachedTo?: string;
      deviceIndex?: number;
    } = {},
  ): this {
    const eni: FakeInterface = {
      networkInterfaceId,
      subnetId: options.subnetId ?? 'subnet-a',
      availabilityZone: options.availabilityZone ?? 'us-east-1a',
      tags: options.pool ? { [POOL_TAG]: options.pool } : {},
    };
    if (options.attachedTo) {
      eni.attachment = {
        attachmentId: `eni-attach-${++this.attachments}`,
        instanceId: options.attachedTo,
        deviceIndex: options.deviceIndex ?? 1,
        networkCardIndex: 0,
      };
    }
    this.interfaces.set(networkInterfaceId, eni);
    return this;
  }

  /** Pool interfaces attached to each instance. */
  poolInterfacesOf(instanceId: string): string[] {
    return [...this.interfaces.values()]
      .filter((eni) => eni.attachment?.instanceId === instanceId && eni.tags[POOL_TAG] !== undefined)
      .map((eni) => eni.networkInterfaceId)
      .sort();
  }

  mutatingCalls(): FakeCall[] {
    return this.calls.filter((call) => !call.operation.startsWith('Describe'));
  }

  private instanceView(instance: FakeInstance): InstanceView {
    return {
      instanceId: instance.instanceId,
      state: instance.state,
      subnetId: instance.subnetId,
      availabilityZone: instance.availabilityZone,
      launchTime: instance.launchTime,
      tags: { ...instance.tags },
      attachments: [
        {
          networkInterfaceId: `eni-primary-${instance.instanceId}`,
          deviceIndex: 0,
          networkCardIndex: 0,
          status: 'attached' as const,
        },
        ...[...this.interfaces.values()]
          .filter((eni) => eni.attachment?.instanceId === instance.instanceId)
          .map((eni) => ({
            networkInterfaceId: eni.networkInterfaceId,
            attachmentId: eni.attachment!.attachmentId,
            deviceIndex: eni.attachment!.deviceIndex,
            networkCardIndex: eni.attachment!.networkCardIndex,
            status: 'attached' as const,
          })),
      ],
    };
  }

  private interfaceView(eni: FakeInterface): InterfaceView {
    return {
      networkInterfaceId: eni.networkInterfaceId,
      subnetId: eni.subnetId,
      availabilityZone: eni.availabilityZone,
      status: eni.attachment ? 'in-use' : 'available',
      tags: { ...eni.tags },
      ...(eni.attachment ? { attachment: { ...eni.attachment, status: 'attached' as const } } : {}),
    };
  }

  async describeInstances(input: DescribePageInput) {
    this.calls.push({ operation: 'DescribeInstances', input });
    if (input.filters.length === 0) throw new Error('unfiltered describe');
    await this.pause();
    const instances = [...this.instances.values()]
      .filter((instance) =>
        matches(input.filters, (name) => {
          if (name === 'instance-id') return [instance.instanceId];
          if (name === 'availability-zone') return [instance.availabilityZone];
          return tagValues(instance.tags, name) ?? [];
        }),
      )
      .map((instance) => this.instanceView(instance));
    return { instances };
  }

  async describeNetworkInterfaces(input: DescribePageInput) {
    this.calls.push({ operation: 'DescribeNetworkInterfaces', input });
    if (input.filters.length === 0) throw new Error('unfiltered describe');
    await this.pause();
    const interfaces = [...this.interfaces.values()]
      .filter((eni) =>
        matches(input.filters, (name) => {
          if (name === 'network-interface-id') return [eni.networkInterfaceId];
          if (name === 'attachment.instance-id') return eni.attachment ? [eni.attachment.instanceId] : [];
          if (name === 'availability-zone') return [eni.availabilityZone];
          return tagValues(eni.tags, name) ?? [];
        }),
      )
      .map((eni) => this.interfaceView(eni));
    return { interfaces };
  }

  async attachNetworkInterface(input: AttachInput) {
    this.calls.push({ operation: 'AttachNetworkInterface', input });
    await this.pause();
    const eni = this.interfaces.get(input.networkInterfaceId);
    if (!eni)
      throw awsError(
        'InvalidNetworkInterfaceID.NotFound',
        `The networkInterface ID '${input.networkInterfaceId}' does not exist`,
      );
    const instance = this.instances.get(input.instanceId);
    if (!instance)
      throw awsError('InvalidInstanceID.NotFound', `The instance ID '${input.instanceId}' does not exist`);
    if (eni.attachment) throw inUse(eni.networkInterfaceId);
    const taken = [...this.interfaces.values()].some(
      (other) =>
        other.attachment?.instanceId === input.instanceId &&
        other.attachment.deviceIndex === input.deviceIndex,
    );
    if (taken || input.deviceIndex === 0) {
      throw awsError(
        'InvalidParameterValue',
        `Instance '${input.instanceId}' already has an interface attached at device index '${input.deviceIndex}'.`,
      );
    }
    const attachmentId = `eni-attach-${++this.attachments}`;
    eni.attachment = {
      attachmentId,
      instanceId: input.instanceId,
      deviceIndex: input.deviceIndex,
      networkCardIndex: input.networkCardIndex,
    };
    return { attachmentId };
  }

  async detachNetworkInterface(input: { readonly attachmentId: string; readonly force?: boolean }) {
    this.calls.push({ operation: 'DetachNetworkInterface', input });
    await this.pause();
    const eni = [...this.interfaces.values()].find((e) => e.attachment?.attachmentId === input.attachmentId);
    if (!eni)
      throw awsError(
        'InvalidAttachmentID.NotFound',
        `The interface attachment '${input.attachmentId}' does not exist.`,
      );
    delete eni.attachment;
  }

  async createTags(input: TagInput) {
    this.calls.push({ operation: 'CreateTags', input });
    await this.pause();
    for (const id of input.resourceIds) {
      const eni = this.interfaces.get(id);
      if (eni) Object.assign(eni.tags, input.tags);
    }
  }
}
