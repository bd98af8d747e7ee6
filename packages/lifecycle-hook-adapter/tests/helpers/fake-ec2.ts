import type {
  AttachInput,
  DescribePageInput,
  Ec2Filter,
  Ec2Port,
  InstanceStateName,
  InstanceView,
  InterfaceView,
  TagInput,
} from '@eni-pool/core';

export const POOL_TAG = 'network-interface-manager-pool';

interface FakeInstance {
  instanceId: string;
  state: InstanceStateName;
  subnetId: string;
  availabilityZone: string;
  launchTime: string;
  tags: Record<string, string>;
  /** Not returned by describes yet (eventual consistency right after launch). */
  hidden: boolean;
}

interface FakeInterface {
  networkInterfaceId: string;
  subnetId: string;
  availabilityZone: string;
  tags: Record<string, string>;
  attachment?: {
    attachmentId: string;
    instanceId: string;
    deviceIndex: number;
    networkCardIndex: number;
    status: 'attaching' | 'attached' | 'detaching';
  };
}

export interface FakeCall {
  readonly operation: string;
  readonly input: unknown;
}

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

const SUBNET_AZ: Record<string, string> = { 'subnet-a': 'us-east-1a', 'subnet-b': 'us-east-1b' };

/**
 * A small stateful EC2 behind the `Ec2Port`: instances, pool interfaces, asynchronous attach/detach that
 * settle after `settleMs`, the describe filters eni-pool uses, a call log and error injection.
 */
export class FakeEc2 implements Ec2Port {
  readonly calls: FakeCall[] = [];
  private readonly instances = new Map<string, FakeInstance>();
  private readonly interfaces = new Map<string, FakeInterface>();
  private readonly failures: { operation: string; error: Error }[] = [];
  private readonly persistentFailures = new Map<string, Error>();
  private seq = 0;
  private clock = Date.parse('2026-11-27T05:00:00Z');

  /**
   * @param settleMs - How long an attach or detach takes to settle.
   * @param timers - Where that time passes: a `VirtualClock` in unit tests, real timers by default.
   */
  constructor(
    private readonly settleMs = 5,
    private readonly timers: { setTimeout(fire: () => void, ms: number): unknown } = {
      setTimeout: (fire, ms) => setTimeout(fire, ms),
    },
  ) {}

  addInstance(spec: {
    id?: string;
    pool?: string;
    subnetId?: string;
    state?: InstanceStateName;
    hidden?: boolean;
    tags?: Record<string, string>;
  }): string {
    const instanceId = spec.id ?? `i-${(++this.seq).toString(16).padStart(8, '0')}`;
    const subnetId = spec.subnetId ?? 'subnet-a';
    this.clock += 1000;
    this.instances.set(instanceId, {
      instanceId,
      state: spec.state ?? 'running',
      subnetId,
      availabilityZone: SUBNET_AZ[subnetId] ?? 'us-east-1a',
      launchTime: new Date(this.clock).toISOString(),
      tags: { ...spec.tags, ...(spec.pool ? { [POOL_TAG]: spec.pool } : {}) },
      hidden: spec.hidden ?? false,
    });
    return instanceId;
  }

  addInterface(spec: { id?: string; pool: string; subnetId?: string; attachedTo?: string }): string {
    const networkInterfaceId = spec.id ?? `eni-${(++this.seq).toString(16).padStart(8, '0')}`;
    const subnetId = spec.subnetId ?? 'subnet-a';
    const eni: FakeInterface = {
      networkInterfaceId,
      subnetId,
      availabilityZone: SUBNET_AZ[subnetId] ?? 'us-east-1a',
      tags: { [POOL_TAG]: spec.pool },
    };
    if (spec.attachedTo) {
      eni.attachment = {
        attachmentId: `eni-attach-${++this.seq}`,
        instanceId: spec.attachedTo,
        deviceIndex: 1,
        networkCardIndex: 0,
        status: 'attached',
      };
    }
    this.interfaces.set(networkInterfaceId, eni);
    return networkInterfaceId;
  }

  setState(instanceId: string, state: InstanceStateName): void {
    const instance = this.must(instanceId);
    instance.state = state;
    instance.hidden = false;
    if (state === 'terminated') {
      for (const eni of this.interfaces.values()) {
        if (eni.attachment?.instanceId === instanceId) delete eni.attachment;
      }
    }
  }

  reveal(instanceId: string): void {
    this.must(instanceId).hidden = false;
  }

  /** Fails the next call of `operation` with `error`. */
  failNext(operation: string, error: Error): void {
    this.failures.push({ operation, error });
  }

  /** Fails every call of `operation` with `error` from now on. */
  failAlways(operation: string, error: Error): void {
    this.persistentFailures.set(operation, error);
  }

  /** The interface of the pool attached to `instanceId`, with its attachment status. */
  attachmentOf(instanceId: string): { networkInterfaceId: string; status: string } | undefined {
    for (const eni of this.interfaces.values()) {
      if (eni.attachment?.instanceId === instanceId) {
        return { networkInterfaceId: eni.networkInterfaceId, status: eni.attachment.status };
      }
    }
    return undefined;
  }

  mutatingCalls(): FakeCall[] {
    return this.calls.filter((call) => !call.operation.startsWith('Describe'));
  }

  async describeInstances(input: DescribePageInput) {
    this.record('DescribeInstances', input);
    const instances = [...this.instances.values()]
      .filter((instance) => !instance.hidden && input.filters.every((f) => this.matchInstance(instance, f)))
      .map((instance) => this.instanceView(instance));
    return { instances };
  }

  async describeNetworkInterfaces(input: DescribePageInput) {
    this.record('DescribeNetworkInterfaces', input);
    const interfaces = [...this.interfaces.values()]
      .filter((eni) => input.filters.every((f) => this.matchInterface(eni, f)))
      .map((eni) => this.interfaceView(eni));
    return { interfaces };
  }

  async attachNetworkInterface(input: AttachInput) {
    this.record('AttachNetworkInterface', input);
    const instance = this.instances.get(input.instanceId);
    if (!instance)
      throw awsError('InvalidInstanceID.NotFound', `The instance ID '${input.instanceId}' does not exist`);
    if (instance.state !== 'running' && instance.state !== 'stopped') {
      throw awsError('IncorrectInstanceState', `The instance '${input.instanceId}' is not in a valid state`);
    }
    const eni = this.interfaces.get(input.networkInterfaceId);
    if (!eni) throw awsError('InvalidNetworkInterfaceID.NotFound', 'no such interface');
    if (eni.attachment)
      throw awsError('InvalidNetworkInterface.InUse', `Interface: [${eni.networkInterfaceId}] in use.`);
    const attachmentId = `eni-attach-${++this.seq}`;
    const attachment = {
      attachmentId,
      instanceId: input.instanceId,
      deviceIndex: input.deviceIndex,
      networkCardIndex: input.networkCardIndex,
      status: 'attaching' as 'attaching' | 'attached' | 'detaching',
    };
    eni.attachment = attachment;
    this.timers.setTimeout(() => {
      if (eni.attachment === attachment) attachment.status = 'attached';
    }, this.settleMs);
    return { attachmentId };
  }

  async detachNetworkInterface(input: { readonly attachmentId: string; readonly force?: boolean }) {
    this.record('DetachNetworkInterface', input);
    const eni = [...this.interfaces.values()].find((e) => e.attachment?.attachmentId === input.attachmentId);
    if (!eni?.attachment) {
      throw awsError(
        'InvalidAttachmentID.NotFound',
        `The interface attachment '${input.attachmentId}' does not exist.`,
      );
    }
    const attachment = eni.attachment;
    attachment.status = 'detaching';
    this.timers.setTimeout(() => {
      if (eni.attachment === attachment) delete eni.attachment;
    }, this.settleMs);
  }

  async createTags(input: TagInput) {
    this.record('CreateTags', input);
    for (const id of input.resourceIds) {
      const target = this.interfaces.get(id) ?? this.instances.get(id);
      if (target) Object.assign(target.tags, input.tags);
    }
  }

  private record(operation: string, input: unknown): void {
    this.calls.push({ operation, input });
    const always = this.persistentFailures.get(operation);
    if (always) throw always;
    const index = this.failures.findIndex((f) => f.operation === operation);
    if (index >= 0) {
      const [failure] = this.failures.splice(index, 1);
      throw failure!.error;
    }
  }

  private must(instanceId: string): FakeInstance {
    const instance = this.instances.get(instanceId);
    if (!instance) throw new Error(`unknown instance ${instanceId}`);
    return instance;
  }

  private matchTags(tags: Record<string, string>, filter: Ec2Filter): boolean | undefined {
    if (filter.name === 'tag-key') return filter.values.some((key) => key in tags);
    if (filter.name.startsWith('tag:')) {
      const value = tags[filter.name.slice(4)];
      return value !== undefined && filter.values.includes(value);
    }
    return undefined;
  }

  private matchInstance(instance: FakeInstance, filter: Ec2Filter): boolean {
    const byTag = this.matchTags(instance.tags, filter);
    if (byTag !== undefined) return byTag;
    if (filter.name === 'instance-id') return filter.values.includes(instance.instanceId);
    if (filter.name === 'subnet-id') return filter.values.includes(instance.subnetId);
    if (filter.name === 'availability-zone') return filter.values.includes(instance.availabilityZone);
    if (filter.name === 'instance-state-name') return filter.values.includes(instance.state);
    throw new Error(`fake EC2 does not know the instance filter ${filter.name}`);
  }

  private matchInterface(eni: FakeInterface, filter: Ec2Filter): boolean {
    const byTag = this.matchTags(eni.tags, filter);
    if (byTag !== undefined) return byTag;
    if (filter.name === 'attachment.instance-id') {
      return eni.attachment !== undefined && filter.values.includes(eni.attachment.instanceId);
    }
    if (filter.name === 'network-interface-id') return filter.values.includes(eni.networkInterfaceId);
    throw new Error(`fake EC2 does not know the interface filter ${filter.name}`);
  }

  private instanceView(instance: FakeInstance): InstanceView {
    const attachments = [...this.interfaces.values()]
      .filter((eni) => eni.attachment?.instanceId === instance.instanceId)
      .map((eni) => ({
        networkInterfaceId: eni.networkInterfaceId,
        attachmentId: eni.attachment!.attachmentId,
        deviceIndex: eni.attachment!.deviceIndex,
        networkCardIndex: eni.attachment!.networkCardIndex,
        status: eni.attachment!.status,
      }));
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
          attachmentId: `eni-attach-primary-${instance.instanceId}`,
          deviceIndex: 0,
          networkCardIndex: 0,
          status: 'attached',
        },
        ...attachments,
      ],
    };
  }

  private interfaceView(eni: FakeInterface): InterfaceView {
    return {
      networkInterfaceId: eni.networkInterfaceId,
      subnetId: eni.subnetId,
      availabilityZone: eni.availabilityZone,
      status: !eni.attachment
        ? 'available'
        : eni.attachment.status === 'attached'
          ? 'in-use'
          : eni.attachment.status,
      tags: { ...eni.tags },
      ...(eni.attachment ? { attachment: { ...eni.attachment } } : {}),
    };
  }
}
