import type { AttachInput, DescribePageInput, Ec2Filter, Ec2Port, TagInput } from '../ec2-port';
import {
  type AttachmentStatus,
  DEFAULT_POOL_TAG_KEY,
  type InstanceAttachmentView,
  type InstanceStateName,
  type InstanceView,
  type InterfaceStatus,
  type InterfaceView,
} from '../model';
import { awsError } from './aws-error';

/** The `Ec2Port` operations the fake serves, by their AWS names. */
export type FakeEc2Operation =
  | 'DescribeInstances'
  | 'DescribeNetworkInterfaces'
  | 'AttachNetworkInterface'
  | 'DetachNetworkInterface'
  | 'CreateTags';

/** A `DetachNetworkInterface` request, as `Ec2Port.detachNetworkInterface` takes it. */
export interface DetachInput {
  /** The attachment to end, `eni-attach-…`. */
  readonly attachmentId: string;
  /** Never set by eni-pool itself. */
  readonly force?: boolean;
}

/** One call the fake received, in order, with its input as sent. */
export type FakeEc2Call =
  | { readonly operation: 'DescribeInstances'; readonly input: DescribePageInput }
  | { readonly operation: 'DescribeNetworkInterfaces'; readonly input: DescribePageInput }
  | { readonly operation: 'AttachNetworkInterface'; readonly input: AttachInput }
  | { readonly operation: 'DetachNetworkInterface'; readonly input: DetachInput }
  | { readonly operation: 'CreateTags'; readonly input: TagInput };

/** Where the fake's attachments settle: `VirtualClock` has this shape. */
export interface FakeEc2Timers {
  /** Runs `fire` after `ms`. */
  setTimeout(fire: () => void, ms: number): unknown;
}

/** How a `FakeEc2` behaves. */
export interface FakeEc2Options {
  /**
   * How long an attachment stays `attaching` (or `detaching`) before it settles. `0` settles it within
   * the call, as if EC2 were instant. @defaultValue `0`
   */
  readonly settleMs?: number;
  /** Where `settleMs` passes; required when `settleMs` is above 0 (pass a `VirtualClock`). */
  readonly timers?: FakeEc2Timers;
  /**
   * Awaited by every call after it is recorded and before it acts, so that concurrent workers can
   * interleave between a read and a write (e.g. `() => new Promise((r) => setImmediate(r))`).
   * @defaultValue none: a call acts at once
   */
  readonly pause?: () => Promise<void>;
}

/** An instance to put into the fake; every field has a default. */
export interface FakeInstanceSpec {
  /** @defaultValue a new `i-…` */
  readonly instanceId?: string;
  /** Adds the pool tag (`network-interface-manager-pool`) with this value. */
  readonly pool?: string;
  /** @defaultValue `'running'` */
  readonly state?: InstanceStateName;
  /** @defaultValue `'subnet-a'` */
  readonly subnetId?: string;
  /** @defaultValue the zone of the subnet's letter: `subnet-b` is in `us-east-1b` (`us-east-1a` otherwise) */
  readonly availabilityZone?: string;
  /** ISO-8601. @defaultValue `2026-11-01T00:00:00.000Z` for the first instance, a second later for each next one */
  readonly launchTime?: string;
  /** e.g. `t3.micro`. @defaultValue none */
  readonly instanceType?: string;
  /** More tags; the pool tag wins over a tag of the same key. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Left out of every describe until `reveal` or `setState` (EC2's eventual consistency after launch). */
  readonly hidden?: boolean;
}

/** A network interface to put into the fake; every field has a default. */
export interface FakeInterfaceSpec {
  /** @defaultValue a new `eni-…` */
  readonly networkInterfaceId?: string;
  /** Adds the pool tag (`network-interface-manager-pool`) with this value. */
  readonly pool?: string;
  /** @defaultValue `'subnet-a'` */
  readonly subnetId?: string;
  /** @defaultValue the zone of the subnet's letter, as for instances */
  readonly availabilityZone?: string;
  /** @defaultValue none */
  readonly privateIpAddress?: string;
  /** More tags; the pool tag wins over a tag of the same key. */
  readonly tags?: Readonly<Record<string, string>>;
  /** An instance it is attached to (settled), by id; the instance need not exist. */
  readonly attachedTo?: string;
  /** The device index of that attachment. @defaultValue `1` */
  readonly deviceIndex?: number;
}

interface StoredInstance {
  readonly instanceId: string;
  state: InstanceStateName;
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly launchTime: string;
  readonly instanceType?: string;
  readonly tags: Record<string, string>;
  hidden: boolean;
}

interface StoredAttachment {
  readonly attachmentId: string;
  readonly instanceId: string;
  readonly deviceIndex: number;
  readonly networkCardIndex: number;
  status: Exclude<AttachmentStatus, 'detached'>;
}

interface StoredInterface {
  readonly networkInterfaceId: string;
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly privateIpAddress?: string;
  readonly tags: Record<string, string>;
  attachment?: StoredAttachment;
}

/** The launch time of the first instance added; each later one launches a second after the one before. */
const FIRST_LAUNCH = Date.parse('2026-11-01T00:00:00.000Z');

/** `subnet-b` → `us-east-1b`: a subnet's letter names its zone, so two-zone worlds need no extra fields. */
function zoneOf(subnetId: string): string {
  const letter = /^subnet-([a-f])$/.exec(subnetId)?.[1];
  return `us-east-1${letter ?? 'a'}`;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function tagMatch(tags: Readonly<Record<string, string>>, filter: Ec2Filter): boolean | undefined {
  if (filter.name === 'tag-key') return filter.values.some((key) => key in tags);
  if (!filter.name.startsWith('tag:')) return undefined;
  const value = tags[filter.name.slice('tag:'.length)];
  return value !== undefined && filter.values.includes(value);
}

function oneOf(filter: Ec2Filter, value: string | undefined): boolean {
  return value !== undefined && filter.values.includes(value);
}

function interfaceStatus(attachment: StoredAttachment | undefined): InterfaceStatus {
  if (attachment === undefined) return 'available';
  return attachment.status === 'attached' ? 'in-use' : attachment.status;
}

/** One page of `items` from the offset in `nextToken`, `maxResults` long. */
function page<T>(items: readonly T[], input: DescribePageInput): { items: T[]; nextToken?: string } {
  const start = input.nextToken === undefined ? 0 : Number(input.nextToken);
  if (!Number.isInteger(start) || start < 0 || start > items.length) {
    throw awsError('InvalidParameterValue', `Invalid value for NextToken: ${input.nextToken}`);
  }
  const end = start + input.maxResults;
  return { items: items.slice(start, end), ...(end < items.length ? { nextToken: String(end) } : {}) };
}

/**
 * A stateful in-memory EC2 behind the `Ec2Port`, for tests of code that runs eni-pool: instances, pool
 * interfaces and their attachments; attaches and detaches that settle after `settleMs` on the given
 * timers; the describe filters eni-pool sends, paginated by `maxResults`; a log of every call; and
 * errors injected once (`failNext`) or for good (`failAlways`). Its refusals are EC2's: an attach of an
 * interface that is not free answers `InvalidNetworkInterface.InUse` (as the loser of a race sees it),
 * a taken device index `InvalidParameterValue`, an instance that is not running or stopped
 * `IncorrectInstanceState`, an unknown id `….NotFound`.
 *
 * @example
 * ```ts
 * import { EniPoolManager } from '@eni-pool/core';
 * import { FakeEc2, VirtualClock } from '@eni-pool/core/testing';
 *
 * const clock = new VirtualClock();
 * const ec2 = new FakeEc2({ settleMs: 500, timers: clock });
 * const instanceId = ec2.addInstance({ pool: 'web' });
 * ec2.addInterface({ pool: 'web' });
 * const manager = new EniPoolManager({ ec2, executor: { now: clock.now, sleep: clock.sleep } });
 *
 * await manager.reconcile({ kind: 'all' });
 * ec2.attachmentOf(instanceId); // { networkInterfaceId: 'eni-…', status: 'attached' }
 * ```
 */
export class FakeEc2 implements Ec2Port {
  /** Every call received, oldest first. */
  readonly calls: FakeEc2Call[] = [];
  private readonly instances = new Map<string, StoredInstance>();
  private readonly interfaces = new Map<string, StoredInterface>();
  private readonly nextFailures: { operation: FakeEc2Operation; error: Error }[] = [];
  private readonly persistentFailures = new Map<FakeEc2Operation, Error>();
  private readonly settleMs: number;
  private readonly timers: FakeEc2Timers | undefined;
  private readonly pause: (() => Promise<void>) | undefined;
  private sequence = 0;
  private nextLaunch = FIRST_LAUNCH;

  constructor(options: FakeEc2Options = {}) {
    this.settleMs = options.settleMs ?? 0;
    if (!Number.isFinite(this.settleMs) || this.settleMs < 0) {
      throw new RangeError(`settleMs must be 0 or more, got ${this.settleMs}`);
    }
    if (this.settleMs > 0 && options.timers === undefined) {
      throw new TypeError('settleMs above 0 needs timers (a VirtualClock, for instance)');
    }
    this.timers = options.timers;
    this.pause = options.pause;
  }

  // ---- the world ------------------------------------------------------------------------------

  /** Adds an instance and returns its id. */
  addInstance(spec: FakeInstanceSpec = {}): string {
    const instanceId = spec.instanceId ?? `i-${hex(++this.sequence)}`;
    const subnetId = spec.subnetId ?? 'subnet-a';
    const launchTime = spec.launchTime ?? new Date(this.nextLaunch).toISOString();
    this.nextLaunch += 1000;
    this.instances.set(instanceId, {
      instanceId,
      state: spec.state ?? 'running',
      subnetId,
      availabilityZone: spec.availabilityZone ?? zoneOf(subnetId),
      launchTime,
      ...(spec.instanceType !== undefined ? { instanceType: spec.instanceType } : {}),
      tags: { ...spec.tags, ...(spec.pool !== undefined ? { [DEFAULT_POOL_TAG_KEY]: spec.pool } : {}) },
      hidden: spec.hidden ?? false,
    });
    return instanceId;
  }

  /** Adds a network interface, free or attached, and returns its id. */
  addInterface(spec: FakeInterfaceSpec = {}): string {
    const networkInterfaceId = spec.networkInterfaceId ?? `eni-${hex(++this.sequence)}`;
    const subnetId = spec.subnetId ?? 'subnet-a';
    const eni: StoredInterface = {
      networkInterfaceId,
      subnetId,
      availabilityZone: spec.availabilityZone ?? zoneOf(subnetId),
      ...(spec.privateIpAddress !== undefined ? { privateIpAddress: spec.privateIpAddress } : {}),
      tags: { ...spec.tags, ...(spec.pool !== undefined ? { [DEFAULT_POOL_TAG_KEY]: spec.pool } : {}) },
    };
    if (spec.attachedTo !== undefined) {
      eni.attachment = {
        attachmentId: this.newAttachmentId(),
        instanceId: spec.attachedTo,
        deviceIndex: spec.deviceIndex ?? 1,
        networkCardIndex: 0,
        status: 'attached',
      };
    }
    this.interfaces.set(networkInterfaceId, eni);
    return networkInterfaceId;
  }

  /**
   * Moves an instance to `state` and reveals it; its attachments stay as they are (as EC2 still shows them
   * for a while after a stop or a termination). `terminate` also lets them go.
   */
  setState(instanceId: string, state: InstanceStateName): void {
    const instance = this.mustHave(instanceId);
    instance.state = state;
    instance.hidden = false;
  }

  /** Terminates an instance: `terminated`, revealed, and its interfaces detached at once. */
  terminate(instanceId: string): void {
    this.setState(instanceId, 'terminated');
    for (const eni of this.interfaces.values()) {
      if (eni.attachment?.instanceId === instanceId) delete eni.attachment;
    }
  }

  /** Lets the describes see an instance added `hidden`. */
  reveal(instanceId: string): void {
    this.mustHave(instanceId).hidden = false;
  }

  /** An instance as `describeInstances` shows it (hidden or not), or `undefined`. */
  getInstance(instanceId: string): InstanceView | undefined {
    const instance = this.instances.get(instanceId);
    return instance && this.instanceView(instance);
  }

  /** A network interface as `describeNetworkInterfaces` shows it, or `undefined`. */
  getInterface(networkInterfaceId: string): InterfaceView | undefined {
    const eni = this.interfaces.get(networkInterfaceId);
    return eni && this.interfaceView(eni);
  }

  /** The ids of the pool interfaces attached (in any status) to an instance, sorted. */
  poolInterfacesOf(instanceId: string): string[] {
    return [...this.interfaces.values()]
      .filter((eni) => eni.attachment?.instanceId === instanceId && DEFAULT_POOL_TAG_KEY in eni.tags)
      .map((eni) => eni.networkInterfaceId)
      .sort();
  }

  /** The first pool interface attached to an instance, with its attachment's status. */
  attachmentOf(instanceId: string): { networkInterfaceId: string; status: AttachmentStatus } | undefined {
    const [networkInterfaceId] = this.poolInterfacesOf(instanceId);
    const attachment = networkInterfaceId && this.interfaces.get(networkInterfaceId)?.attachment;
    return attachment ? { networkInterfaceId, status: attachment.status } : undefined;
  }

  // ---- the call log and injected errors -------------------------------------------------------

  /** The calls of one operation, oldest first. */
  callsOf<O extends FakeEc2Operation>(operation: O): Extract<FakeEc2Call, { operation: O }>[] {
    return this.calls.filter(
      (call): call is Extract<FakeEc2Call, { operation: O }> => call.operation === operation,
    );
  }

  /** The calls that change something (every operation but the describes), oldest first. */
  mutatingCalls(): FakeEc2Call[] {
    return this.calls.filter((call) => !call.operation.startsWith('Describe'));
  }

  /** The next call of `operation` throws `error` (recorded, without acting); queued calls fail in turn. */
  failNext(operation: FakeEc2Operation, error: Error): void {
    this.nextFailures.push({ operation, error });
  }

  /** Every call of `operation` throws `error` from now on, until `reset`. */
  failAlways(operation: FakeEc2Operation, error: Error): void {
    this.persistentFailures.set(operation, error);
  }

  /** Forgets everything: instances, interfaces, the call log and the injected errors. */
  reset(): void {
    this.calls.length = 0;
    this.instances.clear();
    this.interfaces.clear();
    this.nextFailures.length = 0;
    this.persistentFailures.clear();
    this.sequence = 0;
    this.nextLaunch = FIRST_LAUNCH;
  }

  // ---- Ec2Port --------------------------------------------------------------------------------

  async describeInstances(
    input: DescribePageInput,
  ): Promise<{ instances: InstanceView[]; nextToken?: string }> {
    await this.receive({ operation: 'DescribeInstances', input });
    const matching = [...this.instances.values()].filter(
      (instance) => !instance.hidden && input.filters.every((filter) => this.matchInstance(instance, filter)),
    );
    const { items, nextToken } = page(matching, input);
    return {
      instances: items.map((instance) => this.instanceView(instance)),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  async describeNetworkInterfaces(
    input: DescribePageInput,
  ): Promise<{ interfaces: InterfaceView[]; nextToken?: string }> {
    await this.receive({ operation: 'DescribeNetworkInterfaces', input });
    const matching = [...this.interfaces.values()].filter((eni) =>
      input.filters.every((filter) => this.matchInterface(eni, filter)),
    );
    const { items, nextToken } = page(matching, input);
    return { interfaces: items.map((eni) => this.interfaceView(eni)), ...(nextToken ? { nextToken } : {}) };
  }

  async attachNetworkInterface(input: AttachInput): Promise<{ attachmentId: string }> {
    await this.receive({ operation: 'AttachNetworkInterface', input });
    const eni = this.interfaces.get(input.networkInterfaceId);
    if (!eni) {
      throw awsError(
        'InvalidNetworkInterfaceID.NotFound',
        `The networkInterface ID '${input.networkInterfaceId}' does not exist`,
      );
    }
    const instance = this.instances.get(input.instanceId);
    if (!instance) {
      throw awsError('InvalidInstanceID.NotFound', `The instance ID '${input.instanceId}' does not exist`);
    }
    if (instance.state !== 'running' && instance.state !== 'stopped') {
      throw awsError('IncorrectInstanceState', `The instance '${input.instanceId}' is not in a valid state`);
    }
    if (eni.attachment) {
      throw awsError('InvalidNetworkInterface.InUse', `Interface: [${eni.networkInterfaceId}] in use.`);
    }
    if (input.deviceIndex === 0 || this.deviceIndexTaken(input.instanceId, input.deviceIndex)) {
      throw awsError(
        'InvalidParameterValue',
        `Instance '${input.instanceId}' already has an interface attached at device index '${input.deviceIndex}'.`,
      );
    }
    const attachment: StoredAttachment = {
      attachmentId: this.newAttachmentId(),
      instanceId: input.instanceId,
      deviceIndex: input.deviceIndex,
      networkCardIndex: input.networkCardIndex,
      status: 'attaching',
    };
    eni.attachment = attachment;
    this.settle(() => {
      if (eni.attachment === attachment) attachment.status = 'attached';
    });
    return { attachmentId: attachment.attachmentId };
  }

  async detachNetworkInterface(input: DetachInput): Promise<void> {
    await this.receive({ operation: 'DetachNetworkInterface', input });
    const eni = [...this.interfaces.values()].find((e) => e.attachment?.attachmentId === input.attachmentId);
    const attachment = eni?.attachment;
    if (!eni || !attachment) {
      throw awsError(
        'InvalidAttachmentID.NotFound',
        `The interface attachment '${input.attachmentId}' does not exist.`,
      );
    }
    attachment.status = 'detaching';
    this.settle(() => {
      if (eni.attachment === attachment) delete eni.attachment;
    });
  }

  async createTags(input: TagInput): Promise<void> {
    await this.receive({ operation: 'CreateTags', input });
    for (const id of input.resourceIds) {
      const target = this.interfaces.get(id) ?? this.instances.get(id);
      if (target) Object.assign(target.tags, input.tags);
    }
  }

  // ---- internals ------------------------------------------------------------------------------

  /** Records the call, throws an injected error, then lets other workers run. */
  private async receive(call: FakeEc2Call): Promise<void> {
    this.calls.push(call);
    const always = this.persistentFailures.get(call.operation);
    if (always) throw always;
    const index = this.nextFailures.findIndex((failure) => failure.operation === call.operation);
    if (index >= 0) throw this.nextFailures.splice(index, 1)[0]!.error;
    if (call.operation.startsWith('Describe') && (call.input as DescribePageInput).filters.length === 0) {
      throw new Error(`${call.operation} without filters: eni-pool never describes everything`);
    }
    await this.pause?.();
  }

  private settle(done: () => void): void {
    if (this.settleMs === 0) done();
    else this.timers!.setTimeout(done, this.settleMs);
  }

  private newAttachmentId(): string {
    return `eni-attach-${hex(++this.sequence)}`;
  }

  private deviceIndexTaken(instanceId: string, deviceIndex: number): boolean {
    return [...this.interfaces.values()].some(
      (eni) => eni.attachment?.instanceId === instanceId && eni.attachment.deviceIndex === deviceIndex,
    );
  }

  private mustHave(instanceId: string): StoredInstance {
    const instance = this.instances.get(instanceId);
    if (!instance) throw new Error(`FakeEc2 has no instance ${instanceId}`);
    return instance;
  }

  private matchInstance(instance: StoredInstance, filter: Ec2Filter): boolean {
    const byTag = tagMatch(instance.tags, filter);
    if (byTag !== undefined) return byTag;
    switch (filter.name) {
      case 'instance-id':
        return oneOf(filter, instance.instanceId);
      case 'instance-state-name':
        return oneOf(filter, instance.state);
      case 'instance-type':
        return oneOf(filter, instance.instanceType);
      case 'subnet-id':
        return oneOf(filter, instance.subnetId);
      case 'availability-zone':
        return oneOf(filter, instance.availabilityZone);
      default:
        throw new Error(`FakeEc2 does not know the instance filter ${filter.name}`);
    }
  }

  private matchInterface(eni: StoredInterface, filter: Ec2Filter): boolean {
    const byTag = tagMatch(eni.tags, filter);
    if (byTag !== undefined) return byTag;
    switch (filter.name) {
      case 'network-interface-id':
        return oneOf(filter, eni.networkInterfaceId);
      case 'attachment.instance-id':
        return oneOf(filter, eni.attachment?.instanceId);
      case 'attachment.status':
        return oneOf(filter, eni.attachment?.status);
      case 'status':
        return oneOf(filter, interfaceStatus(eni.attachment));
      case 'subnet-id':
        return oneOf(filter, eni.subnetId);
      case 'availability-zone':
        return oneOf(filter, eni.availabilityZone);
      default:
        throw new Error(`FakeEc2 does not know the interface filter ${filter.name}`);
    }
  }

  private instanceView(instance: StoredInstance): InstanceView {
    const primary: InstanceAttachmentView = {
      networkInterfaceId: `eni-primary-${instance.instanceId}`,
      attachmentId: `eni-attach-primary-${instance.instanceId}`,
      deviceIndex: 0,
      networkCardIndex: 0,
      status: 'attached',
    };
    const secondary = [...this.interfaces.values()].flatMap((eni): InstanceAttachmentView[] =>
      eni.attachment?.instanceId === instance.instanceId
        ? [
            {
              networkInterfaceId: eni.networkInterfaceId,
              attachmentId: eni.attachment.attachmentId,
              deviceIndex: eni.attachment.deviceIndex,
              networkCardIndex: eni.attachment.networkCardIndex,
              status: eni.attachment.status,
            },
          ]
        : [],
    );
    return {
      instanceId: instance.instanceId,
      state: instance.state,
      subnetId: instance.subnetId,
      availabilityZone: instance.availabilityZone,
      launchTime: instance.launchTime,
      ...(instance.instanceType !== undefined ? { instanceType: instance.instanceType } : {}),
      tags: { ...instance.tags },
      attachments: [primary, ...secondary],
    };
  }

  private interfaceView(eni: StoredInterface): InterfaceView {
    return {
      networkInterfaceId: eni.networkInterfaceId,
      subnetId: eni.subnetId,
      availabilityZone: eni.availabilityZone,
      status: interfaceStatus(eni.attachment),
      ...(eni.privateIpAddress !== undefined ? { privateIpAddress: eni.privateIpAddress } : {}),
      tags: { ...eni.tags },
      ...(eni.attachment ? { attachment: { ...eni.attachment } } : {}),
    };
  }
}
