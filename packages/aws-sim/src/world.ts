import type { SimInstanceState } from './contracts';
import type { Ec2Throttle, FaultInjector, FaultSpec, ThrottleOptions } from './ec2/controls';
import { AwsSimError } from './ec2/errors';
import { INSTANCE_TYPES } from './ec2/instance-types';
import type { Ec2Delays, Ec2Model, StateChange } from './ec2/model';
import type { Ec2PolicySpec } from './ec2/permissions';
import type {
  AddressAssociation,
  AttachmentSnapshot,
  InstanceSnapshot,
  InterfaceSnapshot,
  SubnetSnapshot,
  VpcSnapshot,
} from './ec2/views';

/** The tag key eni-pool uses by default. */
export const DEFAULT_POOL_TAG_KEY = 'network-interface-manager-pool';

export interface SubnetSpec {
  readonly az: string;
  readonly cidr: string;
  /** @defaultValue the VPC created last (one is created if there is none) */
  readonly vpcId?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface PoolSpec {
  readonly name: string;
  readonly subnets: readonly string[];
  /** Interfaces created in each subnet. @defaultValue 1 */
  readonly perSubnet?: number;
  /** @defaultValue `network-interface-manager-pool` */
  readonly tagKey?: string;
  /** Extra tags on every interface. */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface LaunchSpec {
  readonly subnetId: string;
  /** @defaultValue 1 */
  readonly count?: number;
  readonly tags?: Readonly<Record<string, string>>;
  /** Instance type. @defaultValue 't3.micro' */
  readonly type?: string;
}

/** Bounds for `SimWorld.waitFor`. */
export interface WaitOptions {
  /** @defaultValue 5000 */
  readonly timeoutMs?: number;
  /** @defaultValue 10 */
  readonly intervalMs?: number;
}

/** A wait in the model API ran out of time. */
export class WorldWaitTimeoutError extends AwsSimError {
  constructor(
    readonly description: string,
    readonly waitedMs: number,
  ) {
    super(`Timed out after ${waitedMs} ms waiting for ${description}`);
  }
}

/**
 * The simulator's model API: build a world in a line or two, look inside it without going through
 * the wire, check its invariants, and switch throttling, faults and describe lag.
 *
 * @example
 * ```ts
 * const { subnetIds } = sim.world.createNetwork({ azs: 3 });
 * sim.world.createPool({ name: 'web', subnets: subnetIds, perSubnet: 2 });
 * const [id] = sim.world.launchInstances({ subnetId: subnetIds[0]!, tags: { 'network-interface-manager-pool': 'web' } });
 * await sim.world.waitForState([id!], 'running');
 * expect(sim.world.invariants()).toEqual([]);
 * ```
 */
export class SimWorld {
  private lastVpcId: string | undefined;

  constructor(
    private readonly ec2: Ec2Model,
    private readonly throttle: Ec2Throttle,
    private readonly faults: FaultInjector,
  ) {}

  // ── setup ────────────────────────────────────────────────────────────────────────────────────

  createVpc(cidr = '10.0.0.0/16', tags: Readonly<Record<string, string>> = {}): string {
    this.lastVpcId = this.ec2.createVpc(cidr, tags);
    return this.lastVpcId;
  }

  createSubnets(specs: readonly SubnetSpec[]): string[] {
    return specs.map((s) => {
      const vpcId = s.vpcId ?? this.lastVpcId ?? this.createVpc();
      return this.ec2.createSubnet({ vpcId, cidr: s.cidr, az: s.az, ...(s.tags ? { tags: s.tags } : {}) });
    });
  }

  /** A VPC (10.0.0.0/16) with one /24 subnet in each of the first `azs` AZs of the region. */
  createNetwork(options: { readonly azs?: number; readonly cidr?: string } = {}): {
    vpcId: string;
    subnetIds: string[];
  } {
    const azs = options.azs ?? 3;
    if (!Number.isInteger(azs) || azs < 1 || azs > 6) throw new AwsSimError(`azs must be 1–6, got ${azs}`);
    const vpcId = this.createVpc(options.cidr ?? '10.0.0.0/16');
    const [a, b] = (options.cidr ?? '10.0.0.0/16').split('.');
    const region = this.ec2.identity.region;
    const subnetIds = this.createSubnets(
      Array.from({ length: azs }, (_, i) => ({
        vpcId,
        az: `${region}${String.fromCharCode(97 + i)}`,
        cidr: `${a}.${b}.${i + 1}.0/24`,
      })),
    );
    return { vpcId, subnetIds };
  }

  /** Creates `perSubnet` interfaces in each subnet, tagged `tagKey=name`. */
  createPool(spec: PoolSpec): InterfaceSnapshot[] {
    const perSubnet = spec.perSubnet ?? 1;
    if (!Number.isInteger(perSubnet) || perSubnet < 0) {
      throw new AwsSimError(`createPool: perSubnet must be an integer >= 0, got ${perSubnet}`);
    }
    const tags = { ...spec.tags, [spec.tagKey ?? DEFAULT_POOL_TAG_KEY]: spec.name };
    const created: InterfaceSnapshot[] = [];
    for (const subnetId of spec.subnets) {
      for (let i = 0; i < perSubnet; i++) {
        created.push(
          this.ec2.createNetworkInterface({ subnetId, description: `pool ${spec.name}`, tags: { ...tags } }),
        );
      }
    }
    return created;
  }

  createInterface(spec: {
    readonly subnetId: string;
    readonly tags?: Readonly<Record<string, string>>;
    readonly description?: string;
  }): InterfaceSnapshot {
    return this.ec2.createNetworkInterface(spec);
  }

  launchInstances(spec: LaunchSpec): string[] {
    return this.ec2.runInstances({
      subnetId: spec.subnetId,
      count: spec.count ?? 1,
      tags: spec.tags ?? {},
      ...(spec.type ? { instanceType: spec.type } : {}),
    });
  }

  stopInstances(ids: readonly string[]): StateChange[] {
    return this.ec2.stopInstances(ids);
  }

  startInstances(ids: readonly string[]): StateChange[] {
    return this.ec2.startInstances(ids);
  }

  terminateInstances(ids: readonly string[]): StateChange[] {
    return this.ec2.terminateInstances(ids);
  }

  tag(resourceIds: readonly string[], tags: Readonly<Record<string, string>>): void {
    this.ec2.createTags(resourceIds, tags);
  }

  untag(resourceIds: readonly string[], keys: readonly string[]): void {
    this.ec2.deleteTags(
      resourceIds,
      keys.map((key) => ({ key })),
    );
  }

  /** Associates an Elastic IP (given, or one from 203.0.113.0/24) with the interface. */
  associateAddress(networkInterfaceId: string, publicIp?: string): AddressAssociation {
    return this.ec2.associateAddress(networkInterfaceId, publicIp);
  }

  /** Removes the interface's Elastic IP association. */
  disassociateAddress(networkInterfaceId: string): void {
    this.ec2.disassociateAddress(networkInterfaceId);
  }

  // ── knobs ────────────────────────────────────────────────────────────────────────────────────

  /** Turns EC2 request throttling on (AWS's buckets unless overridden) or off. */
  throttling(on: boolean | ThrottleOptions): void {
    if (on === false) this.throttle.disable();
    else this.throttle.enable(on === true ? {} : on);
  }

  /** Adds an injected fault; returns a function that removes it. */
  injectFault(spec: FaultSpec): () => void {
    return this.faults.add(spec);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /**
   * Moves every current attachment's attach time `ms` into the past: a world built in a moment then
   * reads as a steady one, whose attaches no longer weigh on the attach bucket a client may replay.
   */
  backdateAttachments(ms: number): void {
    this.ec2.backdateAttachments(ms);
  }

  /** Changes EC2 transition delays (ms) for transitions started from now on. */
  delays(delays: Partial<Ec2Delays>): void {
    this.ec2.setDelays(delays);
  }

  /**
   * Sets the caller's stand-in IAM policy for attach and detach (`undefined` removes it): refused calls,
   * dry run or not, answer `UnauthorizedOperation` as AWS does.
   */
  permissions(policy: Ec2PolicySpec | undefined): void {
    this.ec2.permissions.set(policy);
  }

  /** Describes show the world as it was `ms` ago (0 = consistent). */
  describeLag(ms: number): void {
    this.ec2.setDescribeLag(ms);
  }

  // ── inspection ───────────────────────────────────────────────────────────────────────────────

  instances(): InstanceSnapshot[] {
    return [...this.ec2.snapshot().instances];
  }

  interfaces(): InterfaceSnapshot[] {
    return [...this.ec2.snapshot().interfaces];
  }

  subnets(): SubnetSnapshot[] {
    return this.ec2.subnetList();
  }

  vpcs(): VpcSnapshot[] {
    return this.ec2.vpcList();
  }

  instance(instanceId: string): InstanceSnapshot | undefined {
    return this.instances().find((i) => i.instanceId === instanceId);
  }

  interface(networkInterfaceId: string): InterfaceSnapshot | undefined {
    return this.interfaces().find((e) => e.networkInterfaceId === networkInterfaceId);
  }

  /** Interfaces of a pool, by tag. */
  poolInterfaces(name: string, tagKey = DEFAULT_POOL_TAG_KEY): InterfaceSnapshot[] {
    return this.interfaces().filter((e) => e.tags[tagKey] === name);
  }

  /** The instance's attachments (primary included), by device index. */
  attachmentsOf(instanceId: string): (AttachmentSnapshot & { readonly networkInterfaceId: string })[] {
    return this.interfaces()
      .filter((e) => e.attachment?.instanceId === instanceId)
      .map((e) => ({ ...e.attachment!, networkInterfaceId: e.networkInterfaceId }))
      .sort((a, b) => a.networkCardIndex - b.networkCardIndex || a.deviceIndex - b.deviceIndex);
  }

  /**
   * Everything that must never be true in EC2, as readable sentences; empty when the world is sound.
   * Tests of clients assert this stays empty while they race.
   */
  invariants(): string[] {
    const { instances, interfaces } = this.ec2.snapshot();
    const violations: string[] = [];
    const byId = new Map(instances.map((i) => [i.instanceId, i]));
    const attachmentIds = new Map<string, string>();
    const slots = new Map<string, string>();
    const ips = new Map<string, string>();
    const counts = new Map<string, number>();
    const expected: Record<string, string | undefined> = {
      available: undefined,
      attaching: 'attaching',
      'in-use': 'attached',
      detaching: 'detaching',
    };
    for (const e of interfaces) {
      const ipKey = `${e.subnetId}/${e.privateIpAddress}`;
      const ipOwner = ips.get(ipKey);
      if (ipOwner)
        violations.push(`${e.networkInterfaceId} and ${ipOwner} share address ${e.privateIpAddress}`);
      ips.set(ipKey, e.networkInterfaceId);
      const a = e.attachment;
      if ((a?.status ?? undefined) !== expected[e.status]) {
        violations.push(
          `${e.networkInterfaceId} is '${e.status}' but its attachment is ${a ? `'${a.status}'` : 'absent'}`,
        );
      }
      if (!a) continue;
      const other = attachmentIds.get(a.attachmentId);
      if (other)
        violations.push(`attachment ${a.attachmentId} is on both ${other} and ${e.networkInterfaceId}`);
      attachmentIds.set(a.attachmentId, e.networkInterfaceId);
      const instance = byId.get(a.instanceId);
      if (!instance) {
        violations.push(`${e.networkInterfaceId} is attached to unknown instance ${a.instanceId}`);
        continue;
      }
      if (instance.state === 'terminated') {
        violations.push(`terminated instance ${a.instanceId} still holds ${e.networkInterfaceId}`);
      }
      if (e.availabilityZone !== instance.availabilityZone) {
        violations.push(
          `${e.networkInterfaceId} (${e.availabilityZone}) is attached to ${a.instanceId} in ${instance.availabilityZone}`,
        );
      }
      const slot = `${a.instanceId} card ${a.networkCardIndex} index ${a.deviceIndex}`;
      const holder = slots.get(slot);
      if (holder) violations.push(`${slot} holds both ${holder} and ${e.networkInterfaceId}`);
      slots.set(slot, e.networkInterfaceId);
      counts.set(a.instanceId, (counts.get(a.instanceId) ?? 0) + 1);
    }
    for (const i of instances) {
      const count = counts.get(i.instanceId) ?? 0;
      const limit = INSTANCE_TYPES.get(i.instanceType)?.maximumNetworkInterfaces ?? Number.POSITIVE_INFINITY;
      if (count > limit)
        violations.push(
          `${i.instanceId} holds ${count} interfaces, over the ${i.instanceType} limit of ${limit}`,
        );
      if (i.state !== 'terminated' && !slots.has(`${i.instanceId} card 0 index 0`)) {
        violations.push(`${i.instanceId} (${i.state}) has no primary interface at device index 0`);
      }
    }
    return violations;
  }

  // ── waiting ──────────────────────────────────────────────────────────────────────────────────

  /** Polls `predicate` until it is true; throws `WorldWaitTimeoutError` when the bound is reached. */
  async waitFor(description: string, predicate: () => boolean, options: WaitOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const intervalMs = options.intervalMs ?? 10;
    const start = Date.now();
    while (!predicate()) {
      if (Date.now() - start >= timeoutMs) throw new WorldWaitTimeoutError(description, Date.now() - start);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  /** Waits until every listed instance is in `state`. */
  waitForState(ids: readonly string[], state: SimInstanceState, options?: WaitOptions): Promise<void> {
    return this.waitFor(
      `${ids.join(', ')} to be ${state}`,
      () => ids.every((id) => this.ec2.instanceState(id) === state),
      options,
    );
  }

  /** Waits until no attachment is attaching or detaching. */
  waitForSettled(options?: WaitOptions): Promise<void> {
    return this.waitFor(
      'attachments to settle',
      () => this.interfaces().every((e) => e.status === 'available' || e.status === 'in-use'),
      options,
    );
  }
}
