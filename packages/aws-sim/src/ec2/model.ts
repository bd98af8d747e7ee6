import type { EventSink, InstanceFleet, SimIdentity, SimInstanceState } from '../contracts';
import { DEFAULT_IDENTITY } from '../contracts';
import { SeededRandom } from '../random';
import { AwsSimError, Ec2ApiError, ec2Errors } from './errors';
import { DEFAULT_INSTANCE_TYPE, INSTANCE_TYPES } from './instance-types';
import { dryRunOperation, Ec2Permissions } from './permissions';
import {
  type AddressAssociation,
  type AttachmentSnapshot,
  type AttachmentStatus,
  type InstanceSnapshot,
  type InterfaceSnapshot,
  type InterfaceStatus,
  STATE_CODES,
  type SubnetSnapshot,
  type VpcSnapshot,
} from './views';

/** How long each asynchronous EC2 transition takes, in milliseconds. */
export interface Ec2Delays {
  /** `pending` → `running` after RunInstances / StartInstances. @defaultValue 50 */
  readonly launchMs: number;
  /** `stopping` → `stopped`. @defaultValue 50 */
  readonly stopMs: number;
  /** `shutting-down` → `terminated`. @defaultValue 50 */
  readonly terminateMs: number;
  /** Attachment `attaching` → `attached`. @defaultValue 30 */
  readonly attachMs: number;
  /** Attachment `detaching` → gone (interface `available`). @defaultValue 30 */
  readonly detachMs: number;
}

export const DEFAULT_EC2_DELAYS: Ec2Delays = {
  launchMs: 50,
  stopMs: 50,
  terminateMs: 50,
  attachMs: 30,
  detachMs: 30,
};

export interface Ec2ModelOptions {
  /** @defaultValue `DEFAULT_IDENTITY` (123456789012, us-east-1) */
  readonly identity?: SimIdentity;
  /** Receives an "EC2 Instance State-change Notification" for every instance state change. */
  readonly events?: EventSink;
  readonly delays?: Partial<Ec2Delays>;
  /** Each delay is stretched by a random factor in [1, 1 + jitter). @defaultValue 0 */
  readonly delayJitter?: number;
  /** Seed for ids, MAC addresses, event ids and jitter. @defaultValue 1 */
  readonly seed?: number;
  /**
   * Eventual consistency: describes show the world as it was this many milliseconds ago, so a new
   * instance is invisible (or `InvalidInstanceID.NotFound` by id) and a finished attach still shows
   * `attaching` for that long. @defaultValue 0
   */
  readonly describeLagMs?: number;
  /** @defaultValue `Date.now` */
  readonly clock?: () => number;
  /**
   * Reuse one frozen snapshot of the world until it next changes, instead of building one per describe:
   * for worlds of many thousands of instances, whose describes would otherwise cost the simulator a copy
   * of everything each. Answers are the same; only the simulator's own time per request changes.
   * @defaultValue false
   */
  readonly reuseSnapshots?: boolean;
}

interface VpcRec {
  readonly id: string;
  readonly cidr: string;
  readonly tags: Map<string, string>;
}

interface SubnetRec {
  readonly id: string;
  readonly vpcId: string;
  readonly cidr: string;
  readonly az: string;
  readonly azId: string;
  readonly firstHost: number;
  readonly lastHost: number;
  readonly usedIps: Set<number>;
  readonly tags: Map<string, string>;
}

interface AttachmentRec {
  readonly id: string;
  readonly instanceId: string;
  readonly deviceIndex: number;
  readonly networkCardIndex: number;
  status: AttachmentStatus;
  /** Mutable only for `backdateAttachments`. */
  attachTime: string;
  readonly deleteOnTermination: boolean;
}

interface InterfaceRec {
  readonly seq: number;
  readonly id: string;
  readonly subnet: SubnetRec;
  readonly ip: number;
  readonly mac: string;
  readonly description: string;
  status: InterfaceStatus;
  attachment?: AttachmentRec;
  association?: AddressAssociation;
  readonly tags: Map<string, string>;
}

interface InstanceRec {
  readonly seq: number;
  readonly id: string;
  readonly reservationId: string;
  readonly imageId: string;
  readonly type: string;
  readonly subnet: SubnetRec;
  readonly primaryInterfaceId: string;
  readonly privateIp: string;
  readonly launchTime: string;
  state: SimInstanceState;
  readonly tags: Map<string, string>;
  timer?: ReturnType<typeof setTimeout>;
}

/** A point-in-time copy of everything Describe* can show. */
export interface WorldSnapshot {
  readonly at: number;
  readonly instances: readonly (InstanceSnapshot & { readonly seq: number })[];
  readonly interfaces: readonly (InterfaceSnapshot & { readonly seq: number })[];
}

export interface RunInstancesSpec {
  readonly subnetId: string;
  readonly instanceType?: string;
  readonly imageId?: string;
  readonly count?: number;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface StateChange {
  readonly instanceId: string;
  readonly previous: { readonly code: number; readonly name: SimInstanceState };
  readonly current: { readonly code: number; readonly name: SimInstanceState };
}

const ID_PATTERNS = {
  instance: /^i-([0-9a-f]{8}|[0-9a-f]{17})$/,
  interface: /^eni-([0-9a-f]{8}|[0-9a-f]{17})$/,
  attachment: /^eni-attach-([0-9a-f]{8}|[0-9a-f]{17})$/,
  subnet: /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/,
};

const AZ_ID_PREFIX: Record<string, string> = {
  'us-east-1': 'use1',
  'us-west-2': 'usw2',
  'eu-west-1': 'euw1',
};

function ipToInt(ip: string): number {
  const parts = ip.split('.').map((p) => Number(p));
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new AwsSimError(`Invalid IPv4 address '${ip}'`);
  }
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function parseCidr(cidr: string): { base: number; size: number } {
  const [ip, bits] = cidr.split('/');
  const prefix = Number(bits);
  if (ip === undefined || !Number.isInteger(prefix) || prefix < 16 || prefix > 28) {
    throw new AwsSimError(`Invalid CIDR '${cidr}': expected a.b.c.d/16 to /28`);
  }
  const size = 2 ** (32 - prefix);
  const base = ipToInt(ip) & ~(size - 1);
  return { base: base >>> 0, size };
}

function tagsOf(map: Map<string, string>): Record<string, string> {
  return Object.fromEntries(map);
}

/**
 * The stateful EC2 model behind the simulator: VPCs, subnets, instances and network interfaces, with
 * asynchronous state transitions on real timers. Every method that an API action maps to validates
 * fully before it changes anything, and throws `Ec2ApiError` with AWS's code and message.
 *
 * @example
 * ```ts
 * const ec2 = new Ec2Model({ delays: { attachMs: 20 } });
 * const vpc = ec2.createVpc('10.0.0.0/16');
 * const subnet = ec2.createSubnet({ vpcId: vpc, cidr: '10.0.1.0/24', az: 'us-east-1a' });
 * const [instanceId] = ec2.runInstances({ subnetId: subnet, tags: { Name: 'web' } });
 * ```
 */
export class Ec2Model implements InstanceFleet {
  readonly identity: SimIdentity;
  private currentDelays: Ec2Delays;
  private readonly events: EventSink | undefined;
  private readonly random: SeededRandom;
  private readonly jitter: number;
  private readonly clock: () => number;
  private describeLagMs: number;
  private seq = 0;
  private readonly vpcs = new Map<string, VpcRec>();
  private readonly subnets = new Map<string, SubnetRec>();
  private readonly instances = new Map<string, InstanceRec>();
  private readonly interfaces = new Map<string, InterfaceRec>();
  private readonly attachments = new Map<string, string>();
  private readonly byInstance = new Map<string, Set<InterfaceRec>>();
  private readonly listeners = new Set<(instanceId: string, state: SimInstanceState) => void>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** The caller's stand-in IAM policy, consulted by attach and detach (dry run or not). */
  readonly permissions: Ec2Permissions;
  private history: WorldSnapshot[] = [];
  /** With `reuseSnapshots`, the last snapshot, kept until the next change. */
  private cached: WorldSnapshot | undefined;
  private readonly reuseSnapshots: boolean;
  private disposed = false;

  constructor(options: Ec2ModelOptions = {}) {
    this.identity = options.identity ?? DEFAULT_IDENTITY;
    this.currentDelays = DEFAULT_EC2_DELAYS;
    this.setDelays(options.delays ?? {});
    this.events = options.events;
    this.random = new SeededRandom(options.seed ?? 1);
    this.jitter = options.delayJitter ?? 0;
    this.clock = options.clock ?? Date.now;
    this.reuseSnapshots = options.reuseSnapshots ?? false;
    this.describeLagMs = options.describeLagMs ?? 0;
    this.permissions = new Ec2Permissions(this.identity);
  }

  /** Seeded randomness shared with the API layer (faults), so a seed reproduces a whole run. */
  get rng(): SeededRandom {
    return this.random;
  }

  // ── setup ────────────────────────────────────────────────────────────────────────────────────

  createVpc(cidr = '10.0.0.0/16', tags: Readonly<Record<string, string>> = {}): string {
    parseCidr(cidr);
    const id = `vpc-${this.random.hex(17)}`;
    this.vpcs.set(id, { id, cidr, tags: new Map(Object.entries(tags)) });
    return id;
  }

  createSubnet(spec: {
    readonly vpcId: string;
    readonly cidr: string;
    readonly az: string;
    readonly tags?: Readonly<Record<string, string>>;
  }): string {
    if (!this.vpcs.has(spec.vpcId)) throw new AwsSimError(`createSubnet: unknown VPC '${spec.vpcId}'`);
    if (!spec.az.startsWith(this.identity.region)) {
      throw new AwsSimError(`createSubnet: AZ '${spec.az}' is not in region ${this.identity.region}`);
    }
    const { base, size } = parseCidr(spec.cidr);
    const id = `subnet-${this.random.hex(17)}`;
    const suffix = spec.az.slice(this.identity.region.length);
    const azNumber = suffix.charCodeAt(0) - 96;
    const azId = `${AZ_ID_PREFIX[this.identity.region] ?? this.identity.region.replace(/-/g, '')}-az${azNumber}`;
    // AWS reserves the first four addresses and the last one of every subnet.
    this.subnets.set(id, {
      id,
      vpcId: spec.vpcId,
      cidr: spec.cidr,
      az: spec.az,
      azId,
      firstHost: base + 4,
      lastHost: base + size - 2,
      usedIps: new Set(),
      tags: new Map(Object.entries(spec.tags ?? {})),
    });
    return id;
  }

  /** The transition delays in force. */
  get delays(): Ec2Delays {
    return this.currentDelays;
  }

  /**
   * Moves the attach time of every current attachment `ms` into the past, so that a world built in a
   * moment reads as one whose interfaces were attached long ago (as a steady pool's were).
   */
  backdateAttachments(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new AwsSimError(`Ec2Model: backdateAttachments takes a number of ms >= 0, got ${ms}`);
    }
    for (const eni of this.interfaces.values()) {
      const attachment = eni.attachment;
      if (attachment === undefined) continue;
      const at = Date.parse(attachment.attachTime) - ms;
      attachment.attachTime = `${new Date(at).toISOString().slice(0, 19)}Z`;
    }
  }

  /** Changes transition delays for transitions started from now on. */
  setDelays(delays: Partial<Ec2Delays>): void {
    const next = { ...this.currentDelays, ...delays };
    for (const [name, value] of Object.entries(next)) {
      if (!Number.isFinite(value) || value < 0) {
        throw new AwsSimError(`Ec2Model: delays.${name} must be a number >= 0, got ${value}`);
      }
    }
    this.currentDelays = next;
  }

  /** Changes the eventual-consistency lag of describes from now on. */
  setDescribeLag(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new AwsSimError(`describeLagMs must be >= 0, got ${ms}`);
    this.describeLagMs = ms;
    // What exists now has existed "long enough": only later changes are delayed.
    this.history = ms > 0 ? [{ ...this.snapshot(), at: 0 }] : [];
  }

  // ── InstanceFleet ────────────────────────────────────────────────────────────────────────────

  launchInstance(spec: {
    readonly subnetId: string;
    readonly instanceType?: string;
    readonly tags: Readonly<Record<string, string>>;
  }): string {
    const [id] = this.runInstances({ ...spec, count: 1 });
    return id!;
  }

  terminateInstance(instanceId: string): void {
    this.terminateInstances([instanceId]);
  }

  /** Stops an instance; one still `pending` is stopped as soon as it is `running`. */
  stopInstance(instanceId: string): void {
    const instance = this.requireInstances([instanceId])[0]!;
    if (instance.state !== 'pending') {
      this.stopInstances([instanceId]);
      return;
    }
    const off = this.onInstanceStateChange((id, state) => {
      if (id !== instanceId || state === 'pending') return;
      off();
      if (state === 'running') this.stopInstances([instanceId]);
    });
  }

  startInstance(instanceId: string): void {
    this.startInstances([instanceId]);
  }

  instanceState(instanceId: string): SimInstanceState | undefined {
    return this.instances.get(instanceId)?.state;
  }

  onInstanceStateChange(listener: (instanceId: string, state: SimInstanceState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  availabilityZoneOfSubnet(subnetId: string): string | undefined {
    return this.subnets.get(subnetId)?.az;
  }

  // ── instances ────────────────────────────────────────────────────────────────────────────────

  runInstances(spec: RunInstancesSpec): string[] {
    const count = spec.count ?? 1;
    if (!Number.isInteger(count) || count < 1) {
      throw ec2Errors.invalidParameterValue(`Invalid value '${count}' for MinCount. Expecting a value >= 1.`);
    }
    const subnet = this.requireSubnet(spec.subnetId);
    const type = spec.instanceType ?? DEFAULT_INSTANCE_TYPE;
    if (!INSTANCE_TYPES.has(type)) {
      throw ec2Errors.invalidParameterValue(`Invalid value '${type}' for InstanceType.`);
    }
    if (this.freeAddresses(subnet) < count) throw ec2Errors.insufficientAddresses(subnet.id);
    const reservationId = `r-${this.random.hex(17)}`;
    const launchTime = this.isoTime();
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = `i-${this.random.hex(17)}`;
      const primary = this.newInterface(subnet, 'Primary network interface', {});
      const instance: InstanceRec = {
        seq: ++this.seq,
        id,
        reservationId,
        imageId: spec.imageId ?? 'ami-0123456789abcdef0',
        type,
        subnet,
        primaryInterfaceId: primary.id,
        privateIp: intToIp(primary.ip),
        launchTime,
        state: 'pending',
        tags: new Map(Object.entries(spec.tags ?? {})),
      };
      this.instances.set(id, instance);
      primary.status = 'in-use';
      this.link(primary, this.newAttachment(id, 0, 0, 'attached', true));
      ids.push(id);
    }
    this.commit();
    for (const id of ids) {
      const instance = this.instances.get(id)!;
      this.announce(instance, 'pending');
      this.scheduleState(instance, this.delays.launchMs, 'pending', 'running');
    }
    return ids;
  }

  stopInstances(ids: readonly string[]): StateChange[] {
    return this.transition(ids, {
      refusedIn: ['pending', 'shutting-down', 'terminated'],
      from: ['running'],
      through: 'stopping',
      to: 'stopped',
      delay: 'stopMs',
    });
  }

  startInstances(ids: readonly string[]): StateChange[] {
    return this.transition(ids, {
      refusedIn: ['stopping', 'shutting-down', 'terminated'],
      from: ['stopped'],
      through: 'pending',
      to: 'running',
      delay: 'launchMs',
    });
  }

  terminateInstances(ids: readonly string[]): StateChange[] {
    return this.transition(ids, {
      refusedIn: [],
      from: ['pending', 'running', 'stopping', 'stopped'],
      through: 'shutting-down',
      to: 'terminated',
      delay: 'terminateMs',
    });
  }

  // ── network interfaces ───────────────────────────────────────────────────────────────────────

  createNetworkInterface(spec: {
    readonly subnetId: string;
    readonly description?: string;
    readonly privateIpAddress?: string;
    readonly tags?: Readonly<Record<string, string>>;
  }): InterfaceSnapshot {
    const subnet = this.requireSubnet(spec.subnetId);
    let ip: number | undefined;
    if (spec.privateIpAddress !== undefined) {
      ip = ipToIntOrThrow(spec.privateIpAddress);
      if (ip < subnet.firstHost || ip > subnet.lastHost) {
        throw ec2Errors.invalidParameterValue(
          `Address ${spec.privateIpAddress} does not fall within the subnet's address range`,
        );
      }
      if (subnet.usedIps.has(ip)) {
        throw new Ec2ApiError('InvalidIPAddress.InUse', `The specified address is already in use.`);
      }
    } else if (this.freeAddresses(subnet) < 1) {
      throw ec2Errors.insufficientAddresses(subnet.id);
    }
    const eni = this.newInterface(subnet, spec.description ?? '', spec.tags ?? {}, ip);
    this.commit();
    return this.interfaceSnapshot(eni);
  }

  deleteNetworkInterface(id: string): void {
    const eni = this.requireInterfaces([id])[0]!;
    if (eni.status !== 'available' || eni.attachment) {
      throw new Ec2ApiError(
        'InvalidNetworkInterface.InUse',
        `The network interface '${id}' is currently in use.`,
      );
    }
    this.dropInterface(eni);
    this.commit();
  }

  /**
   * Starts an attach: the attachment is `attaching` at once and `attached` after `delays.attachMs`.
   * Checks run in the order AWS is seen to apply them; nothing changes when one fails.
   */
  attachNetworkInterface(spec: {
    readonly networkInterfaceId: string;
    readonly instanceId: string;
    readonly deviceIndex: number;
    readonly networkCardIndex?: number;
    /** Check the request and its permission only, and answer `DryRunOperation`. */
    readonly dryRun?: boolean;
  }): { attachmentId: string; networkCardIndex: number } {
    const cardIndex = spec.networkCardIndex ?? 0;
    if (!Number.isInteger(spec.deviceIndex) || spec.deviceIndex < 0) {
      throw ec2Errors.invalidParameterValue(`Invalid value '${spec.deviceIndex}' for deviceIndex.`);
    }
    const instance = this.requireInstances([spec.instanceId])[0]!;
    const eni = this.requireInterfaces([spec.networkInterfaceId])[0]!;
    // Like AWS: authorization, then (for a dry run) nothing else — state checks belong to the real call.
    this.permissions.authorize('AttachNetworkInterface', [
      { type: 'instance', id: instance.id, tags: instance.tags },
      { type: 'network-interface', id: eni.id, tags: eni.tags },
    ]);
    if (spec.dryRun) throw dryRunOperation();
    const limits = INSTANCE_TYPES.get(instance.type)!;
    if (!Number.isInteger(cardIndex) || cardIndex < 0 || cardIndex >= limits.maximumNetworkCards) {
      throw ec2Errors.invalidParameterValue(
        `Network card index ${cardIndex} is not valid for instance type ${instance.type}.`,
      );
    }
    if (eni.status !== 'available' || eni.attachment) throw ec2Errors.interfaceInUse(eni.id);
    if (instance.state !== 'running' && instance.state !== 'stopped') {
      throw ec2Errors.incorrectInstanceState(instance.id, instance.state);
    }
    if (eni.subnet.az !== instance.subnet.az) {
      throw ec2Errors.invalidParameterCombination(
        'You may not attach a network interface to an instance if they are not in the same availability zone',
      );
    }
    const held = this.interfacesOf(instance.id);
    if (
      held.some(
        (e) => e.attachment!.deviceIndex === spec.deviceIndex && e.attachment!.networkCardIndex === cardIndex,
      )
    ) {
      throw ec2Errors.invalidParameterValue(
        `Instance '${instance.id}' already has an interface attached at device index '${spec.deviceIndex}'.`,
      );
    }
    if (held.length + 1 > limits.maximumNetworkInterfaces) {
      throw ec2Errors.attachmentLimit(held.length + 1, instance.type);
    }
    const attachment = this.newAttachment(instance.id, spec.deviceIndex, cardIndex, 'attaching', false);
    this.link(eni, attachment);
    eni.status = 'attaching';
    this.commit();
    this.after(this.delays.attachMs, () => {
      if (eni.attachment !== attachment || attachment.status !== 'attaching') return;
      attachment.status = 'attached';
      eni.status = 'in-use';
      this.commit();
    });
    return { attachmentId: attachment.id, networkCardIndex: cardIndex };
  }

  /**
   * Starts a detach: `detaching` at once, gone (interface `available`) after `delays.detachMs`.
   * Detaching an attachment that is already detaching is accepted and changes nothing.
   */
  detachNetworkInterface(attachmentId: string, force = false, dryRun = false): void {
    if (!ID_PATTERNS.attachment.test(attachmentId)) throw ec2Errors.attachmentMalformed(attachmentId);
    const eniId = this.attachments.get(attachmentId);
    const eni = eniId === undefined ? undefined : this.interfaces.get(eniId);
    const attachment = eni?.attachment;
    if (!eni || !attachment || attachment.id !== attachmentId)
      throw ec2Errors.attachmentNotFound(attachmentId);
    const holder = this.instances.get(attachment.instanceId)!;
    this.permissions.authorize('DetachNetworkInterface', [
      { type: 'instance', id: holder.id, tags: holder.tags },
      { type: 'network-interface', id: eni.id, tags: eni.tags },
    ]);
    if (dryRun) throw dryRunOperation();
    if (attachment.deviceIndex === 0 && attachment.networkCardIndex === 0) {
      throw ec2Errors.operationNotPermitted(
        'The network interface at device index 0 and networkCard index 0 cannot be detached.',
      );
    }
    if (!force && holder.state === 'pending') throw ec2Errors.incorrectInstanceState(holder.id, holder.state);
    if (attachment.status === 'detaching') return;
    attachment.status = 'detaching';
    eni.status = 'detaching';
    this.commit();
    this.after(this.delays.detachMs, () => {
      if (eni.attachment !== attachment) return;
      this.removeAttachment(eni);
      this.commit();
    });
  }

  // ── Elastic IPs ──────────────────────────────────────────────────────────────────────────────

  /**
   * Associates an Elastic IP with the interface's primary private address, as `AllocateAddress` +
   * `AssociateAddress --network-interface-id` would; the association stays with the interface through
   * attach and detach. Replaces an existing association.
   */
  associateAddress(networkInterfaceId: string, publicIp?: string): AddressAssociation {
    const eni = this.requireInterfaces([networkInterfaceId])[0]!;
    const ip = publicIp ?? `203.0.113.${(this.seq % 254) + 1}`;
    ipToInt(ip);
    const association: AddressAssociation = {
      publicIp: ip,
      publicDnsName: `ec2-${ip.replace(/\./g, '-')}.compute-1.amazonaws.com`,
      ipOwnerId: this.identity.account,
      allocationId: `eipalloc-${this.random.hex(17)}`,
      associationId: `eipassoc-${this.random.hex(17)}`,
    };
    this.seq++;
    eni.association = association;
    this.commit();
    return association;
  }

  /** Removes the interface's Elastic IP association, if any. */
  disassociateAddress(networkInterfaceId: string): void {
    const eni = this.requireInterfaces([networkInterfaceId])[0]!;
    delete eni.association;
    this.commit();
  }

  // ── tags ─────────────────────────────────────────────────────────────────────────────────────

  createTags(resourceIds: readonly string[], tags: Readonly<Record<string, string>>): void {
    const maps = resourceIds.map((id) => this.tagMapOf(id));
    for (const map of maps) for (const [k, v] of Object.entries(tags)) map.set(k, v);
    this.commit();
  }

  /** Removes tags; a tag given with a value is removed only when the value matches. */
  deleteTags(resourceIds: readonly string[], tags: readonly { key: string; value?: string }[]): void {
    const maps = resourceIds.map((id) => this.tagMapOf(id));
    for (const map of maps) {
      if (tags.length === 0) map.clear();
      for (const t of tags) if (t.value === undefined || map.get(t.key) === t.value) map.delete(t.key);
    }
    this.commit();
  }

  // ── reading ──────────────────────────────────────────────────────────────────────────────────

  /** The world as describes currently see it (lagged when `describeLagMs` > 0). */
  describeView(): WorldSnapshot {
    if (this.describeLagMs === 0) return this.snapshot();
    const cutoff = this.clock() - this.describeLagMs;
    let chosen: WorldSnapshot | undefined;
    for (const s of this.history) if (s.at <= cutoff) chosen = s;
    // Drop the snapshots nobody can see any more (keep the one in force).
    if (chosen) this.history = this.history.slice(this.history.indexOf(chosen));
    return chosen ?? { at: cutoff, instances: [], interfaces: [] };
  }

  /**
   * The current state, unlagged. With `reuseSnapshots`, the same frozen object is returned until the world
   * next changes (its `at` is when that state was first read).
   */
  snapshot(): WorldSnapshot {
    if (!this.reuseSnapshots) {
      return {
        at: this.clock(),
        instances: [...this.instances.values()].map((i) => this.instanceSnapshot(i)),
        interfaces: [...this.interfaces.values()].map((e) => this.interfaceSnapshot(e)),
      };
    }
    this.cached ??= Object.freeze({
      at: this.clock(),
      instances: Object.freeze([...this.instances.values()].map((i) => this.instanceSnapshot(i))),
      interfaces: Object.freeze([...this.interfaces.values()].map((e) => this.interfaceSnapshot(e))),
    }) as WorldSnapshot;
    return this.cached;
  }

  subnetList(): SubnetSnapshot[] {
    return [...this.subnets.values()].map((s) => ({
      subnetId: s.id,
      vpcId: s.vpcId,
      cidrBlock: s.cidr,
      availabilityZone: s.az,
      availabilityZoneId: s.azId,
      availableIpAddressCount: this.freeAddresses(s),
      tags: tagsOf(s.tags),
    }));
  }

  vpcList(): VpcSnapshot[] {
    return [...this.vpcs.values()].map((v) => ({ vpcId: v.id, cidrBlock: v.cidr, tags: tagsOf(v.tags) }));
  }

  /** Validates ids for a describe by id list: malformed first, then unknown (all reported at once). */
  checkIds(kind: 'instance' | 'interface', ids: readonly string[], visible: ReadonlySet<string>): void {
    for (const id of ids) {
      if (!ID_PATTERNS[kind].test(id)) {
        throw kind === 'instance' ? ec2Errors.instanceMalformed(id) : ec2Errors.interfaceMalformed(id);
      }
    }
    const missing = ids.filter((id) => !visible.has(id));
    if (missing.length > 0) {
      throw kind === 'instance' ? ec2Errors.instanceNotFound(missing) : ec2Errors.interfaceNotFound(missing);
    }
  }

  /** Cancels every pending transition; the model stays readable but stops changing. */
  dispose(): void {
    this.disposed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const i of this.instances.values()) i.timer = undefined;
    this.listeners.clear();
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────────

  private requireSubnet(id: string): SubnetRec {
    if (!ID_PATTERNS.subnet.test(id)) throw ec2Errors.subnetMalformed(id);
    const subnet = this.subnets.get(id);
    if (!subnet) throw ec2Errors.subnetNotFound(id);
    return subnet;
  }

  private requireInstances(ids: readonly string[]): InstanceRec[] {
    for (const id of ids) if (!ID_PATTERNS.instance.test(id)) throw ec2Errors.instanceMalformed(id);
    const missing = ids.filter((id) => !this.instances.has(id));
    if (missing.length > 0) throw ec2Errors.instanceNotFound(missing);
    return ids.map((id) => this.instances.get(id)!);
  }

  private requireInterfaces(ids: readonly string[]): InterfaceRec[] {
    for (const id of ids) if (!ID_PATTERNS.interface.test(id)) throw ec2Errors.interfaceMalformed(id);
    const missing = ids.filter((id) => !this.interfaces.has(id));
    if (missing.length > 0) throw ec2Errors.interfaceNotFound(missing);
    return ids.map((id) => this.interfaces.get(id)!);
  }

  private tagMapOf(id: string): Map<string, string> {
    if (id.startsWith('i-')) return this.requireInstances([id])[0]!.tags;
    if (id.startsWith('eni-')) return this.requireInterfaces([id])[0]!.tags;
    if (id.startsWith('subnet-')) return this.requireSubnet(id).tags;
    const vpc = this.vpcs.get(id);
    if (vpc) return vpc.tags;
    throw new Ec2ApiError('InvalidID', `The ID '${id}' is not valid`);
  }

  private interfacesOf(instanceId: string): InterfaceRec[] {
    return [...(this.byInstance.get(instanceId) ?? [])];
  }

  private link(eni: InterfaceRec, attachment: AttachmentRec): void {
    eni.attachment = attachment;
    this.attachments.set(attachment.id, eni.id);
    let held = this.byInstance.get(attachment.instanceId);
    if (!held) {
      held = new Set();
      this.byInstance.set(attachment.instanceId, held);
    }
    held.add(eni);
  }

  private unlink(eni: InterfaceRec): void {
    const attachment = eni.attachment;
    if (!attachment) return;
    this.attachments.delete(attachment.id);
    this.byInstance.get(attachment.instanceId)?.delete(eni);
    eni.attachment = undefined;
  }

  private freeAddresses(subnet: SubnetRec): number {
    return subnet.lastHost - subnet.firstHost + 1 - subnet.usedIps.size;
  }

  private newInterface(
    subnet: SubnetRec,
    description: string,
    tags: Readonly<Record<string, string>>,
    ip?: number,
  ): InterfaceRec {
    let address = ip;
    if (address === undefined) {
      address = subnet.firstHost;
      while (subnet.usedIps.has(address)) address++;
    }
    subnet.usedIps.add(address);
    const eni: InterfaceRec = {
      seq: ++this.seq,
      id: `eni-${this.random.hex(17)}`,
      subnet,
      ip: address,
      mac: `0e:${this.random.hex(10).replace(/(..)(?!$)/g, '$1:')}`,
      description,
      status: 'available',
      tags: new Map(Object.entries(tags)),
    };
    this.interfaces.set(eni.id, eni);
    return eni;
  }

  private newAttachment(
    instanceId: string,
    deviceIndex: number,
    networkCardIndex: number,
    status: AttachmentStatus,
    deleteOnTermination: boolean,
  ): AttachmentRec {
    return {
      id: `eni-attach-${this.random.hex(17)}`,
      instanceId,
      deviceIndex,
      networkCardIndex,
      status,
      attachTime: this.isoTime(),
      deleteOnTermination,
    };
  }

  private removeAttachment(eni: InterfaceRec): void {
    this.unlink(eni);
    eni.status = 'available';
  }

  private dropInterface(eni: InterfaceRec): void {
    this.unlink(eni);
    eni.subnet.usedIps.delete(eni.ip);
    this.interfaces.delete(eni.id);
  }

  /**
   * Moves every instance in a `from` state to `through` now and to `to` after its delay; the others are
   * answered as they are. Refuses the whole call, changing nothing, when any instance is in a `refusedIn` state.
   */
  private transition(
    ids: readonly string[],
    rule: {
      readonly refusedIn: readonly SimInstanceState[];
      readonly from: readonly SimInstanceState[];
      readonly through: SimInstanceState;
      readonly to: SimInstanceState;
      readonly delay: keyof Ec2Delays;
    },
  ): StateChange[] {
    const instances = this.requireInstances(ids);
    for (const i of instances) {
      if (rule.refusedIn.includes(i.state)) throw ec2Errors.incorrectInstanceState(i.id, i.state);
    }
    return instances.map((i) => {
      const previous = i.state;
      if (rule.from.includes(i.state)) {
        this.setState(i, rule.through);
        this.scheduleState(i, this.delays[rule.delay], rule.through, rule.to);
      }
      return this.change(i.id, previous, i.state);
    });
  }

  private scheduleState(
    instance: InstanceRec,
    ms: number,
    from: SimInstanceState,
    to: SimInstanceState,
  ): void {
    if (instance.timer) {
      clearTimeout(instance.timer);
      this.timers.delete(instance.timer);
    }
    instance.timer = this.after(ms, () => {
      instance.timer = undefined;
      if (instance.state === from) this.setState(instance, to);
    });
  }

  private setState(instance: InstanceRec, state: SimInstanceState): void {
    instance.state = state;
    if (state === 'terminated') {
      // The primary and any DeleteOnTermination interfaces go away; the others are freed.
      for (const eni of this.interfacesOf(instance.id)) {
        if (eni.attachment!.deleteOnTermination) this.dropInterface(eni);
        else this.removeAttachment(eni);
      }
    }
    this.commit();
    this.announce(instance, state);
  }

  private announce(instance: InstanceRec, state: SimInstanceState): void {
    this.events?.publish({
      version: '0',
      id: this.random.uuid(),
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      account: this.identity.account,
      time: this.isoTime(),
      region: this.identity.region,
      resources: [`arn:aws:ec2:${this.identity.region}:${this.identity.account}:instance/${instance.id}`],
      detail: { 'instance-id': instance.id, state },
    });
    for (const listener of [...this.listeners]) {
      try {
        listener(instance.id, state);
      } catch {
        // A listener's failure must not stop the model's clock; listeners own their errors.
      }
    }
  }

  private change(instanceId: string, previous: SimInstanceState, current: SimInstanceState): StateChange {
    return {
      instanceId,
      previous: { code: STATE_CODES[previous], name: previous },
      current: { code: STATE_CODES[current], name: current },
    };
  }

  private after(ms: number, fn: () => void): ReturnType<typeof setTimeout> {
    const delay = this.jitter > 0 ? ms * (1 + this.random.next() * this.jitter) : ms;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.disposed) fn();
    }, delay);
    timer.unref?.();
    this.timers.add(timer);
    return timer;
  }

  private commit(): void {
    this.cached = undefined;
    if (this.describeLagMs === 0) return;
    const now = this.clock();
    this.history.push(this.snapshot());
    // Keep only the newest snapshot that is already visible, and everything after it.
    const cutoff = now - this.describeLagMs;
    let keepFrom = 0;
    for (let i = 0; i < this.history.length; i++) if (this.history[i]!.at <= cutoff) keepFrom = i;
    if (keepFrom > 0) this.history = this.history.slice(keepFrom);
  }

  /** ISO-8601 without milliseconds, as EC2 and EventBridge write times. */
  private isoTime(): string {
    return `${new Date(this.clock()).toISOString().slice(0, 19)}Z`;
  }

  private attachmentSnapshot(a: AttachmentRec): AttachmentSnapshot {
    return {
      attachmentId: a.id,
      instanceId: a.instanceId,
      instanceOwnerId: this.identity.account,
      deviceIndex: a.deviceIndex,
      networkCardIndex: a.networkCardIndex,
      status: a.status,
      attachTime: a.attachTime,
      deleteOnTermination: a.deleteOnTermination,
    };
  }

  private interfaceSnapshot(e: InterfaceRec): InterfaceSnapshot & { seq: number } {
    const ip = intToIp(e.ip);
    return {
      seq: e.seq,
      networkInterfaceId: e.id,
      subnetId: e.subnet.id,
      vpcId: e.subnet.vpcId,
      availabilityZone: e.subnet.az,
      availabilityZoneId: e.subnet.azId,
      description: e.description,
      ownerId: this.identity.account,
      status: e.status,
      macAddress: e.mac,
      privateIpAddress: ip,
      privateDnsName: `ip-${ip.replace(/\./g, '-')}.ec2.internal`,
      sourceDestCheck: true,
      interfaceType: 'interface',
      requesterManaged: false,
      groups: [{ groupId: `sg-${e.subnet.vpcId.slice(4, 21)}`, groupName: 'default' }],
      ...(e.attachment ? { attachment: this.attachmentSnapshot(e.attachment) } : {}),
      ...(e.association ? { association: e.association } : {}),
      tags: tagsOf(e.tags),
    };
  }

  private instanceSnapshot(i: InstanceRec): InstanceSnapshot & { seq: number } {
    const nics = this.interfacesOf(i.id)
      .sort(
        (a, b) =>
          a.attachment!.networkCardIndex - b.attachment!.networkCardIndex ||
          a.attachment!.deviceIndex - b.attachment!.deviceIndex,
      )
      .map((e) => this.interfaceSnapshot(e));
    const terminated = i.state === 'terminated';
    return {
      seq: i.seq,
      instanceId: i.id,
      reservationId: i.reservationId,
      imageId: i.imageId,
      instanceType: i.type,
      state: i.state,
      stateCode: STATE_CODES[i.state],
      // Terminated instances lose their network placement, as in DescribeInstances output.
      subnetId: terminated ? '' : i.subnet.id,
      vpcId: terminated ? '' : i.subnet.vpcId,
      availabilityZone: i.subnet.az,
      availabilityZoneId: i.subnet.azId,
      privateIpAddress: terminated ? '' : i.privateIp,
      launchTime: i.launchTime,
      tags: tagsOf(i.tags),
      networkInterfaces: nics,
    };
  }
}

function ipToIntOrThrow(ip: string): number {
  try {
    return ipToInt(ip);
  } catch {
    throw ec2Errors.invalidParameterValue(`Invalid value '${ip}' for privateIpAddress.`);
  }
}
