import { randomUUID } from 'node:crypto';
import {
  DEFAULT_IDENTITY,
  type EventBridgeEvent,
  type EventSink,
  type InstanceFleet,
  type QueueSink,
  type SimIdentity,
  type SimInstanceState,
} from '../contracts';
import { SeededRandom } from '../random';
import { TokenBucket } from '../token-bucket';
import { AutoScalingApiError, autoScalingErrors } from './errors';
import type {
  ActiveLifecycleAction,
  AutoScalingFaultSpec,
  AutoScalingModelOptions,
  GroupInstanceView,
  GroupSpec,
  GroupTag,
  GroupView,
  LaunchTemplateRef,
  LifecycleActionResult,
  LifecycleCompletion,
  LifecycleHookSpec,
  LifecyclePlace,
  LifecycleState,
  LifecycleTransition,
  WarmPoolSpec,
} from './types';

export const LAUNCHING: LifecycleTransition = 'autoscaling:EC2_INSTANCE_LAUNCHING';
export const TERMINATING: LifecycleTransition = 'autoscaling:EC2_INSTANCE_TERMINATING';

/** AWS caps a lifecycle action at min(48 h, 100 × HeartbeatTimeout). */
const MAX_GLOBAL_TIMEOUT_S = 172_800;
const MAX_HOOKS_PER_GROUP = 50;

interface Group {
  readonly name: string;
  readonly arn: string;
  readonly createdTime: Date;
  minSize: number;
  maxSize: number;
  desired: number;
  subnetIds: string[];
  instanceType: string;
  launchTemplate: LaunchTemplateRef | undefined;
  readonly tags: Map<string, GroupTag>;
  readonly hooks: Map<string, LifecycleHookSpec>;
  warmPool: WarmPoolSpec | undefined;
  readonly members: Map<string, Member>;
  launchRetry: NodeJS.Timeout | undefined;
}

interface Member {
  readonly instanceId: string;
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly instanceType: string;
  readonly launchTemplate: LaunchTemplateRef | undefined;
  readonly seq: number;
  state: LifecycleState;
  health: 'Healthy' | 'Unhealthy';
  /** Lifecycle actions of the current wait (one per hook of the transition). */
  readonly actions: Map<string, Action>;
  /** Launch hooks are over; the member settles as soon as EC2 reports the right state. */
  hooksDone: boolean;
  /** The model stopped this instance itself (warm pool), so `stopping`/`stopped` is expected. */
  stopRequested: boolean;
  /** The current launch or terminate activity: when it started and where the instance comes from. */
  activity: { startedAt: Date; origin: LifecyclePlace; destination: LifecyclePlace };
}

interface Action {
  readonly token: string;
  readonly group: Group;
  readonly member: Member;
  readonly hook: LifecycleHookSpec;
  readonly startedAt: Date;
  readonly globalDeadline: number;
  readonly origin: LifecyclePlace | undefined;
  readonly destination: LifecyclePlace | undefined;
  timer: NodeJS.Timeout | undefined;
  /** When the action times out unless a heartbeat extends it (epoch ms). */
  deadline: number;
}

/** Which instance a lifecycle call names: by token or by instance id, always with hook and group. */
export interface LifecycleActionRef {
  readonly groupName: string;
  readonly hookName: string;
  readonly token?: string;
  readonly instanceId?: string;
}

/** An activity, as `TerminateInstanceInAutoScalingGroup` answers it. */
export interface ScalingActivity {
  readonly activityId: string;
  readonly groupName: string;
  readonly description: string;
  readonly cause: string;
  readonly startTime: Date;
  readonly statusCode: 'InProgress';
  readonly progress: number;
}

const inGroupStates: ReadonlySet<LifecycleState> = new Set([
  'Pending',
  'Pending:Wait',
  'Pending:Proceed',
  'InService',
]);
const warmSettledStates: ReadonlySet<LifecycleState> = new Set(['Warmed:Stopped', 'Warmed:Running']);
const warmStates: ReadonlySet<LifecycleState> = new Set([
  'Warmed:Pending',
  'Warmed:Pending:Wait',
  'Warmed:Pending:Proceed',
  'Warmed:Stopped',
  'Warmed:Running',
]);

/**
 * A stateful model of EC2 Auto Scaling groups: capacity over subnets, tag propagation, replacement of
 * lost instances, lifecycle hooks with heartbeat and global timeouts, and simple warm pools. It drives
 * instances through an `InstanceFleet` and reports lifecycle actions to an `EventSink` (EventBridge) and,
 * for hooks with a notification target, to a `QueueSink` (SQS).
 *
 * @example
 * ```ts
 * const model = new AutoScalingModel({ fleet, events, queues, timeScale: 10 });
 * model.createGroup({ name: 'web', minSize: 2, maxSize: 4, subnetIds: ['subnet-a', 'subnet-b'] });
 * model.putLifecycleHook('web', { name: 'attach', transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
 *   heartbeatTimeout: 30, defaultResult: 'ABANDON' });
 * ```
 */
export class AutoScalingModel<Attachment = unknown> {
  /** Every finished lifecycle action, oldest first. */
  readonly completions: LifecycleCompletion<Attachment>[] = [];

  private readonly fleet: InstanceFleet;
  private readonly events: EventSink;
  private readonly queues: QueueSink;
  private readonly identity: SimIdentity;
  private readonly timeScale: number;
  private readonly bucket: TokenBucket | undefined;
  private readonly snapshotAttachments: (instanceId: string) => readonly Attachment[];
  private readonly defaultInstanceType: string;
  private readonly launchRetryMs: number;
  private readonly activityEvents: boolean;
  private readonly groups = new Map<string, Group>();
  private readonly memberIndex = new Map<string, Group>();
  private readonly actionsByToken = new Map<string, Action>();
  private readonly unsubscribe: () => void;
  private readonly reconciling = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly injected = new Map<string, AutoScalingApiError[]>();
  private faults: { spec: AutoScalingFaultSpec; left: number }[] = [];
  private readonly faultRandom: SeededRandom;
  private launchSeq = 0;
  private closed = false;

  constructor(options: AutoScalingModelOptions<Attachment>) {
    const timeScale = options.timeScale ?? 1000;
    if (!(timeScale > 0))
      throw new RangeError(`timeScale must be > 0 ms per simulated second (got ${timeScale})`);
    this.fleet = options.fleet;
    this.events = options.events;
    this.queues = options.queues;
    this.identity = options.identity ?? DEFAULT_IDENTITY;
    this.timeScale = timeScale;
    const throttle = options.throttle ?? { capacity: 40, refillPerSecond: 8 };
    if (throttle !== false && (!(throttle.capacity > 0) || !(throttle.refillPerSecond > 0))) {
      throw new RangeError(
        `token bucket needs capacity > 0 and refillPerSecond > 0 (got ${throttle.capacity}/${throttle.refillPerSecond})`,
      );
    }
    this.bucket = throttle === false ? undefined : new TokenBucket(throttle, () => performance.now());
    this.snapshotAttachments = options.snapshotAttachments ?? (() => []);
    this.defaultInstanceType = options.defaultInstanceType ?? 't3.micro';
    this.launchRetryMs = options.launchRetryMs ?? 1000;
    this.activityEvents = options.activityEvents ?? true;
    this.faultRandom = new SeededRandom(options.seed ?? 1);
    this.unsubscribe = this.fleet.onInstanceStateChange((id, state) => this.onInstanceState(id, state));
  }

  // ── API surface used by the awsQuery handler (and usable directly) ──────────────────────────────

  /**
   * Takes a token from the shared API bucket and pops an injected failure for `action`, if any.
   * Throws the error the API call must answer with.
   */
  admit(action: string): void {
    const queued = this.injected.get(action);
    const injected = queued?.shift();
    if (queued && queued.length === 0) this.injected.delete(action);
    if (injected) throw injected;
    const fault = this.drawFault(action);
    if (fault) throw fault;
    if (this.bucket && !this.bucket.tryTake()) throw autoScalingErrors.throttling();
  }

  /**
   * Makes calls of `action` (or of every action, `*`) fail with `code` at `rate`, drawn from the
   * model's seeded generator; returns a function that removes the fault.
   */
  injectFault(spec: AutoScalingFaultSpec): () => void {
    const rate = spec.rate ?? 1;
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`fault rate must be in [0, 1], got ${spec.rate}`);
    const entry = { spec, left: spec.times ?? Number.POSITIVE_INFINITY };
    this.faults.push(entry);
    return () => {
      this.faults = this.faults.filter((f) => f !== entry);
    };
  }

  /** Removes every rate-based fault. */
  clearFaults(): void {
    this.faults = [];
  }

  private drawFault(action: string): AutoScalingApiError | undefined {
    for (const f of this.faults) {
      if (f.left <= 0) continue;
      if (f.spec.action !== '*' && f.spec.action !== action) continue;
      if (this.faultRandom.next() >= (f.spec.rate ?? 1)) continue;
      f.left--;
      const status =
        f.spec.status ??
        (/InternalFailure|ServiceUnavailable|ResourceContention/.test(f.spec.code) ? 500 : 400);
      return new AutoScalingApiError(f.spec.code, f.spec.message ?? `Injected ${f.spec.code}`, status);
    }
    return undefined;
  }

  /**
   * Makes the next `times` calls of `action` (e.g. `CompleteLifecycleAction`) fail with `error`
   * (default `ResourceContention`, HTTP 500), before any other processing.
   */
  injectError(
    action: string,
    error: AutoScalingApiError = autoScalingErrors.resourceContention(),
    times = 1,
  ): void {
    const queued = this.injected.get(action) ?? [];
    for (let i = 0; i < times; i++) queued.push(error);
    this.injected.set(action, queued);
  }

  createGroup(spec: GroupSpec): GroupView {
    this.assertOpen();
    if (this.groups.has(spec.name)) {
      throw autoScalingErrors.alreadyExists(
        `AutoScalingGroup by this name already exists - A group with the name ${spec.name} already exists`,
      );
    }
    const desired = spec.desiredCapacity ?? spec.minSize;
    validateSizes(spec.minSize, spec.maxSize, desired);
    const subnetIds = this.validateSubnets(spec.subnetIds);
    const hooks = new Map<string, LifecycleHookSpec>();
    for (const hook of spec.lifecycleHooks ?? []) hooks.set(hook.name, validateHook(hook));
    const groupId = randomUUID();
    const group: Group = {
      name: spec.name,
      arn: `arn:aws:autoscaling:${this.identity.region}:${this.identity.account}:autoScalingGroup:${groupId}:autoScalingGroupName/${spec.name}`,
      createdTime: new Date(),
      minSize: spec.minSize,
      maxSize: spec.maxSize,
      desired,
      subnetIds,
      instanceType: spec.instanceType ?? this.defaultInstanceType,
      launchTemplate: spec.launchTemplate,
      tags: new Map((spec.tags ?? []).map((t) => [t.key, t])),
      hooks,
      warmPool: undefined,
      members: new Map(),
      launchRetry: undefined,
    };
    // Hooks created with the group announce themselves to their targets, as PutLifecycleHook does.
    for (const hook of hooks.values()) {
      if (!hook.notificationTargetArn) continue;
      if (!hook.roleArn) {
        throw autoScalingErrors.validation('RoleARN is required when NotificationTargetARN is specified');
      }
      this.sendTestNotification(group, hook.notificationTargetArn, hook.roleArn);
    }
    this.groups.set(spec.name, group);
    this.reconcile(group);
    return this.view(group);
  }

  updateGroup(
    name: string,
    update: {
      readonly minSize?: number;
      readonly maxSize?: number;
      readonly desiredCapacity?: number;
      readonly subnetIds?: readonly string[];
      readonly launchTemplate?: LaunchTemplateRef;
    },
  ): GroupView {
    const group = this.group(name);
    const minSize = update.minSize ?? group.minSize;
    const maxSize = update.maxSize ?? group.maxSize;
    // As in AWS, moving a bound past the current desired capacity drags the desired capacity along.
    const desired = update.desiredCapacity ?? Math.min(maxSize, Math.max(minSize, group.desired));
    validateSizes(minSize, maxSize, desired);
    const subnetIds = update.subnetIds ? this.validateSubnets(update.subnetIds) : group.subnetIds;
    group.minSize = minSize;
    group.maxSize = maxSize;
    group.desired = desired;
    group.subnetIds = subnetIds;
    if (update.launchTemplate) group.launchTemplate = update.launchTemplate;
    this.reconcile(group);
    return this.view(group);
  }

  setDesiredCapacity(name: string, desired: number): void {
    const group = this.group(name);
    if (!Number.isInteger(desired) || desired < 0) {
      throw autoScalingErrors.validation(`DesiredCapacity must be a non-negative integer (got ${desired})`);
    }
    if (desired > group.maxSize) {
      throw autoScalingErrors.validation(
        `New SetDesiredCapacity value ${desired} is above max value ${group.maxSize} for the AutoScalingGroup.`,
      );
    }
    if (desired < group.minSize) {
      throw autoScalingErrors.validation(
        `New SetDesiredCapacity value ${desired} is below min value ${group.minSize} for the AutoScalingGroup.`,
      );
    }
    group.desired = desired;
    this.reconcile(group);
  }

  /** Deletes a group; with instances left, only `forceDelete` (which skips hooks, as in AWS) may. */
  deleteGroup(name: string, forceDelete = false): void {
    const group = this.group(name);
    const live = [...group.members.values()];
    if (live.length > 0 && !forceDelete) {
      throw new AutoScalingApiError(
        'ResourceInUse',
        'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.',
      );
    }
    if (group.launchRetry) clearTimeout(group.launchRetry);
    for (const member of live) {
      this.cancelActions(member);
      group.members.delete(member.instanceId);
      this.memberIndex.delete(member.instanceId);
      this.safeTerminate(member.instanceId);
    }
    this.groups.delete(name);
  }

  /**
   * Takes an instance out of service (terminate hooks run). Without `decrementDesired`, a replacement
   * launches at once, since a terminating instance no longer counts toward the desired capacity.
   */
  terminateInstanceInGroup(instanceId: string, decrementDesired: boolean): ScalingActivity {
    this.assertOpen();
    const group = this.memberIndex.get(instanceId);
    const member = group?.members.get(instanceId);
    if (!group || !member) {
      throw autoScalingErrors.validation(
        `Instance Id not found - No managed instance found for instance ID: ${instanceId}`,
      );
    }
    if (decrementDesired && inGroupStates.has(member.state)) {
      if (group.desired - 1 < group.minSize) {
        throw autoScalingErrors.validation(
          `Currently, desiredSize equals minSize (${group.minSize}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
        );
      }
      group.desired -= 1;
    }
    const activity: ScalingActivity = {
      activityId: randomUUID(),
      groupName: group.name,
      description: `Terminating EC2 instance: ${instanceId}`,
      cause: `At ${new Date().toISOString()} instance ${instanceId} was taken out of service in response to a user request${decrementDesired ? ', shrinking the capacity' : ''}.`,
      startTime: new Date(),
      statusCode: 'InProgress',
      progress: 0,
    };
    if (warmStates.has(member.state)) this.retireWarm(group, member);
    else this.beginTermination(group, member);
    this.reconcile(group);
    return activity;
  }

  putLifecycleHook(groupName: string, input: Partial<LifecycleHookSpec> & { readonly name: string }): void {
    const group = this.group(groupName);
    const existing = group.hooks.get(input.name);
    if (!existing && input.transition === undefined) {
      throw autoScalingErrors.validation('LifecycleTransition is required for new lifecycle hooks');
    }
    if (!existing && group.hooks.size >= MAX_HOOKS_PER_GROUP) {
      throw autoScalingErrors.limitExceeded(
        `Unable to create lifecycle hook ${input.name} for Auto Scaling group ${groupName}: the maximum limit of lifecycle hooks, which by default is ${MAX_HOOKS_PER_GROUP} per Auto Scaling group, has been reached.`,
      );
    }
    const merged: LifecycleHookSpec = validateHook({
      name: input.name,
      transition: input.transition ?? existing?.transition ?? LAUNCHING,
      heartbeatTimeout: input.heartbeatTimeout ?? existing?.heartbeatTimeout ?? 3600,
      defaultResult: input.defaultResult ?? existing?.defaultResult ?? 'ABANDON',
      // An empty string clears the target.
      notificationTargetArn:
        input.notificationTargetArn === ''
          ? undefined
          : (input.notificationTargetArn ?? existing?.notificationTargetArn),
      roleArn: input.roleArn ?? existing?.roleArn,
      notificationMetadata: input.notificationMetadata ?? existing?.notificationMetadata,
    });
    if (input.notificationTargetArn) {
      if (!merged.roleArn) {
        throw autoScalingErrors.validation('RoleARN is required when NotificationTargetARN is specified');
      }
      this.sendTestNotification(group, input.notificationTargetArn, merged.roleArn);
    }
    group.hooks.set(merged.name, merged);
  }

  /**
   * Deletes a hook. Its outstanding actions finish first, as AWS documents: ABANDON for launching
   * instances, CONTINUE for terminating ones.
   */
  deleteLifecycleHook(groupName: string, hookName: string): void {
    const group = this.group(groupName);
    const hook = group.hooks.get(hookName);
    if (!hook) {
      throw autoScalingErrors.validation(
        `No Lifecycle Hook found with name ${hookName} for Auto Scaling group ${groupName}`,
      );
    }
    group.hooks.delete(hookName);
    for (const action of [...this.actionsByToken.values()]) {
      if (action.group !== group || action.hook.name !== hookName) continue;
      this.finishAction(action, hook.transition === LAUNCHING ? 'ABANDON' : 'CONTINUE', 'hook-deleted');
    }
  }

  lifecycleHooks(groupName: string, names: readonly string[] = []): LifecycleHookSpec[] {
    const group = this.group(groupName);
    const hooks = [...group.hooks.values()];
    return names.length === 0 ? hooks : hooks.filter((h) => names.includes(h.name));
  }

  completeLifecycleAction(ref: LifecycleActionRef, result: LifecycleActionResult): void {
    this.finishAction(this.findAction(ref), result, 'api');
  }

  /** Extends the action's timeout to now + HeartbeatTimeout, never past its global timeout. */
  recordHeartbeat(ref: LifecycleActionRef): void {
    const action = this.findAction(ref);
    this.arm(action, action.hook.heartbeatTimeout * this.timeScale);
  }

  putWarmPool(groupName: string, spec: WarmPoolSpec): void {
    const group = this.group(groupName);
    if (!Number.isInteger(spec.minSize) || spec.minSize < 0) {
      throw autoScalingErrors.validation(`MinSize must be a non-negative integer (got ${spec.minSize})`);
    }
    if (spec.poolState === 'Stopped' && (!this.fleet.stopInstance || !this.fleet.startInstance)) {
      throw autoScalingErrors.validation('This simulator fleet cannot stop instances; use PoolState Running');
    }
    group.warmPool = spec;
    this.reconcile(group);
  }

  /** Removes the warm pool and terminates its instances. */
  deleteWarmPool(groupName: string): void {
    const group = this.group(groupName);
    if (!group.warmPool) {
      throw autoScalingErrors.validation(`No warm pool found for Auto Scaling group ${groupName}`);
    }
    group.warmPool = undefined;
    for (const member of [...group.members.values()]) {
      if (warmStates.has(member.state)) this.retireWarm(group, member);
    }
  }

  createOrUpdateTags(groupName: string, tags: readonly GroupTag[]): void {
    const group = this.group(groupName);
    for (const tag of tags) group.tags.set(tag.key, tag);
  }

  deleteTags(groupName: string, keys: readonly string[]): void {
    const group = this.group(groupName);
    for (const key of keys) group.tags.delete(key);
  }

  // ── Inspection ─────────────────────────────────────────────────────────────────────────────────

  /** All groups, in creation order. */
  listGroups(): GroupView[] {
    return [...this.groups.values()].map((g) => this.view(g));
  }

  describeGroup(name: string): GroupView | undefined {
    const group = this.groups.get(name);
    return group ? this.view(group) : undefined;
  }

  /** Ids of the group's instances that are `InService` (none for an unknown group). */
  inServiceInstanceIds(name: string): string[] {
    return (this.describeGroup(name)?.instances ?? [])
      .filter((i) => i.lifecycleState === 'InService')
      .map((i) => i.instanceId);
  }

  /** The instance's place in its group (group proper or warm pool), or undefined when not managed. */
  describeInstance(instanceId: string): GroupInstanceView | undefined {
    const group = this.memberIndex.get(instanceId);
    const member = group?.members.get(instanceId);
    return group && member ? memberView(group, member) : undefined;
  }

  /** Lifecycle actions waiting for completion, oldest first. */
  activeActions(): ActiveLifecycleAction[] {
    return [...this.actionsByToken.values()].map(actionView);
  }

  /** Stops timers and stops listening to the fleet. The model answers nothing useful afterwards. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const action of this.actionsByToken.values()) clearTimeout(action.timer);
    for (const group of this.groups.values()) clearTimeout(group.launchRetry);
  }

  // ── Capacity ───────────────────────────────────────────────────────────────────────────────────

  /** Brings the group to its desired capacity and its warm pool to its size; safe to re-enter. */
  private reconcile(group: Group): void {
    if (this.closed) return;
    if (this.reconciling.has(group.name)) {
      this.dirty.add(group.name);
      return;
    }
    this.reconciling.add(group.name);
    try {
      do {
        this.dirty.delete(group.name);
        if (this.groups.get(group.name) !== group) return;
        this.reconcileOnce(group);
      } while (this.dirty.has(group.name));
    } finally {
      this.reconciling.delete(group.name);
    }
  }

  private reconcileOnce(group: Group): void {
    const members = [...group.members.values()];
    const inGroup = members.filter((m) => inGroupStates.has(m.state));
    let shortfall = group.desired - inGroup.length;
    while (shortfall > 0) {
      const warm = this.pickWarm(group);
      if (warm) this.leavePool(group, warm);
      else if (!this.launch(group, false)) return;
      shortfall--;
    }
    if (shortfall < 0) {
      for (const victim of pickScaleIn(inGroup, -shortfall)) this.beginTermination(group, victim);
    }
    const target = warmPoolTarget(group);
    const warm = [...group.members.values()].filter((m) => warmStates.has(m.state));
    for (let n = warm.length; n < target; n++) {
      if (!this.launch(group, true)) return;
    }
    if (warm.length > target) {
      const extra = warm.sort((a, b) => b.seq - a.seq).slice(0, warm.length - target);
      for (const member of extra) this.retireWarm(group, member);
    }
  }

  /** Launches one instance into the group or its warm pool; false when the fleet refused. */
  private launch(group: Group, intoWarmPool: boolean): boolean {
    const subnetId = this.pickSubnet(group, intoWarmPool);
    const tags: Record<string, string> = {};
    for (const tag of group.tags.values()) if (tag.propagateAtLaunch) tags[tag.key] = tag.value;
    tags['aws:autoscaling:groupName'] = group.name;
    let instanceId: string;
    try {
      instanceId = this.fleet.launchInstance({ subnetId, instanceType: group.instanceType, tags });
    } catch {
      // Like AWS, keep trying to reach capacity; a refused launch (no addresses, no capacity) is retried.
      group.launchRetry ??= setTimeout(() => {
        group.launchRetry = undefined;
        this.reconcile(group);
      }, this.launchRetryMs).unref();
      return false;
    }
    const member: Member = {
      instanceId,
      subnetId,
      availabilityZone: this.fleet.availabilityZoneOfSubnet(subnetId) ?? 'unknown',
      instanceType: group.instanceType,
      launchTemplate: group.launchTemplate,
      seq: ++this.launchSeq,
      state: intoWarmPool ? 'Warmed:Pending' : 'Pending',
      health: 'Healthy',
      actions: new Map(),
      hooksDone: false,
      stopRequested: false,
      activity: {
        startedAt: new Date(),
        origin: 'EC2',
        destination: intoWarmPool ? 'WarmPool' : 'AutoScalingGroup',
      },
    };
    group.members.set(instanceId, member);
    this.memberIndex.set(instanceId, group);
    this.startLaunchHooks(group, member, 'EC2', intoWarmPool ? 'WarmPool' : 'AutoScalingGroup');
    return true;
  }

  /** A warmed instance enters the group: started if stopped, launch hooks fire again. */
  private leavePool(group: Group, member: Member): void {
    member.state = 'Pending';
    member.activity = { startedAt: new Date(), origin: 'WarmPool', destination: 'AutoScalingGroup' };
    member.hooksDone = false;
    member.stopRequested = false;
    if (this.fleet.instanceState(member.instanceId) === 'stopped')
      this.fleet.startInstance?.(member.instanceId);
    this.startLaunchHooks(group, member, 'WarmPool', 'AutoScalingGroup');
  }

  private startLaunchHooks(
    group: Group,
    member: Member,
    origin: LifecyclePlace,
    destination: LifecyclePlace,
  ): void {
    const hooks = [...group.hooks.values()].filter((h) => h.transition === LAUNCHING);
    if (hooks.length === 0) {
      member.hooksDone = true;
      this.settle(group, member);
      return;
    }
    member.state = member.state === 'Warmed:Pending' ? 'Warmed:Pending:Wait' : 'Pending:Wait';
    for (const hook of hooks) this.startAction(group, member, hook, origin, destination);
  }

  /** Moves a member whose hooks are done to its resting state once EC2 has caught up. */
  private settle(group: Group, member: Member): void {
    if (!member.hooksDone) return;
    const ec2 = this.fleet.instanceState(member.instanceId);
    if (member.state === 'Pending' || member.state === 'Pending:Proceed') {
      if (ec2 === 'running') {
        member.state = 'InService';
        this.publishActivityEvent(group, member, 'launch');
      }
      return;
    }
    if (member.state === 'Warmed:Pending' || member.state === 'Warmed:Pending:Proceed') {
      if (group.warmPool?.poolState === 'Stopped') {
        if (ec2 === 'running' && !member.stopRequested) {
          member.stopRequested = true;
          this.fleet.stopInstance?.(member.instanceId);
        } else if (ec2 === 'stopped') {
          member.state = 'Warmed:Stopped';
          this.publishActivityEvent(group, member, 'launch');
          this.reconcile(group);
        }
      } else if (ec2 === 'running') {
        member.state = 'Warmed:Running';
        this.publishActivityEvent(group, member, 'launch');
        this.reconcile(group);
      }
    }
  }

  /** Starts the terminate path: terminate hooks, then the EC2 termination. */
  private beginTermination(group: Group, member: Member): void {
    if (!inGroupStates.has(member.state)) return;
    this.cancelActions(member);
    member.activity = { startedAt: new Date(), origin: 'AutoScalingGroup', destination: 'EC2' };
    const hooks = [...group.hooks.values()].filter((h) => h.transition === TERMINATING);
    if (hooks.length === 0) {
      this.proceedTermination(group, member);
      return;
    }
    member.state = 'Terminating:Wait';
    const warm = group.warmPool !== undefined;
    for (const hook of hooks) {
      this.startAction(group, member, hook, warm ? 'AutoScalingGroup' : undefined, warm ? 'EC2' : undefined);
    }
  }

  private proceedTermination(group: Group, member: Member): void {
    member.state = 'Terminating:Proceed';
    this.safeTerminate(member.instanceId);
    this.dropIfGone(group, member);
  }

  /** Takes an instance out of the warm pool for good (no hooks, as the simulator keeps pools simple). */
  private retireWarm(group: Group, member: Member): void {
    this.cancelActions(member);
    member.activity = { startedAt: new Date(), origin: 'WarmPool', destination: 'EC2' };
    member.state = 'Warmed:Terminating';
    this.safeTerminate(member.instanceId);
    this.dropIfGone(group, member);
  }

  private safeTerminate(instanceId: string): void {
    try {
      this.fleet.terminateInstance(instanceId);
    } catch {
      // Already gone: the state listener (or dropIfGone) finishes the bookkeeping.
    }
  }

  private dropIfGone(group: Group, member: Member): void {
    const ec2 = this.fleet.instanceState(member.instanceId);
    if (ec2 === undefined || ec2 === 'terminated') this.forget(group, member);
  }

  private forget(group: Group, member: Member): void {
    if (group.members.get(member.instanceId) !== member) return;
    this.cancelActions(member);
    member.state =
      warmStates.has(member.state) || member.state === 'Warmed:Terminating'
        ? 'Warmed:Terminated'
        : 'Terminated';
    group.members.delete(member.instanceId);
    this.memberIndex.delete(member.instanceId);
    this.publishActivityEvent(group, member, 'terminate');
    this.reconcile(group);
  }

  /** EC2 told us an instance changed state: settle it, or treat an unexpected loss as unhealthy. */
  private onInstanceState(instanceId: string, state: SimInstanceState): void {
    if (this.closed) return;
    const group = this.memberIndex.get(instanceId);
    const member = group?.members.get(instanceId);
    if (!group || !member) return;
    if (state === 'terminated') {
      this.forget(group, member);
      return;
    }
    if (state === 'shutting-down') {
      if (member.state === 'Terminating:Proceed' || member.state === 'Warmed:Terminating') return;
      // Terminated behind the group's back: it is lost; the hooks of a dying instance cannot help.
      member.health = 'Unhealthy';
      this.cancelActions(member);
      member.activity = {
        startedAt: new Date(),
        origin: warmStates.has(member.state) ? 'WarmPool' : 'AutoScalingGroup',
        destination: 'EC2',
      };
      member.state = warmStates.has(member.state) ? 'Warmed:Terminating' : 'Terminating:Proceed';
      this.reconcile(group);
      return;
    }
    if (state === 'stopping' || state === 'stopped') {
      if (member.stopRequested) {
        this.settle(group, member);
        return;
      }
      if (member.state.startsWith('Terminating')) return;
      // A stopped instance fails the EC2 health check; the group replaces it (terminate hooks run).
      member.health = 'Unhealthy';
      if (warmStates.has(member.state)) this.retireWarm(group, member);
      else this.beginTermination(group, member);
      this.reconcile(group);
      return;
    }
    this.settle(group, member);
  }

  private pickWarm(group: Group): Member | undefined {
    const ready = [...group.members.values()].filter((m) => warmSettledStates.has(m.state));
    return ready.sort((a, b) => a.seq - b.seq)[0];
  }

  /** The subnet with the fewest instances (group proper, or warm pool), first listed on ties. */
  private pickSubnet(group: Group, warmPool: boolean): string {
    const counts = new Map(group.subnetIds.map((s) => [s, 0]));
    for (const member of group.members.values()) {
      const counted = warmPool ? warmStates.has(member.state) : inGroupStates.has(member.state);
      if (counted && counts.has(member.subnetId))
        counts.set(member.subnetId, (counts.get(member.subnetId) ?? 0) + 1);
    }
    let best = group.subnetIds[0] as string;
    for (const subnet of group.subnetIds)
      if ((counts.get(subnet) ?? 0) < (counts.get(best) ?? 0)) best = subnet;
    return best;
  }

  // ── Lifecycle actions ──────────────────────────────────────────────────────────────────────────

  private startAction(
    group: Group,
    member: Member,
    hook: LifecycleHookSpec,
    origin: LifecyclePlace | undefined,
    destination: LifecyclePlace | undefined,
  ): void {
    const startedAt = new Date();
    const globalTimeoutS = Math.min(MAX_GLOBAL_TIMEOUT_S, 100 * hook.heartbeatTimeout);
    const action: Action = {
      token: randomUUID(),
      group,
      member,
      hook,
      startedAt,
      globalDeadline: startedAt.getTime() + globalTimeoutS * this.timeScale,
      // Origin/Destination only appear for groups with a warm pool.
      origin: group.warmPool ? origin : undefined,
      destination: group.warmPool ? destination : undefined,
      timer: undefined,
      deadline: startedAt.getTime(),
    };
    member.actions.set(action.token, action);
    this.actionsByToken.set(action.token, action);
    this.arm(action, hook.heartbeatTimeout * this.timeScale);
    this.publishLifecycleEvent(action);
    if (hook.notificationTargetArn) this.sendLifecycleNotification(action, hook.notificationTargetArn);
  }

  private arm(action: Action, ms: number): void {
    clearTimeout(action.timer);
    const now = Date.now();
    const delay = Math.max(0, Math.min(ms, action.globalDeadline - now));
    action.deadline = now + delay;
    action.timer = setTimeout(
      () => this.finishAction(action, action.hook.defaultResult, 'timeout'),
      delay,
    ).unref();
  }

  private findAction(ref: LifecycleActionRef): Action {
    if (ref.token !== undefined) {
      const action = this.actionsByToken.get(ref.token);
      if (!action || action.group.name !== ref.groupName || action.hook.name !== ref.hookName) {
        throw autoScalingErrors.noActiveActionForToken(ref.token);
      }
      return action;
    }
    if (ref.instanceId !== undefined) {
      const group = this.memberIndex.get(ref.instanceId);
      const member = group?.members.get(ref.instanceId);
      const action =
        group?.name === ref.groupName
          ? [...(member?.actions.values() ?? [])].find((a) => a.hook.name === ref.hookName)
          : undefined;
      if (!action) throw autoScalingErrors.noActiveActionForInstance(ref.instanceId);
      return action;
    }
    throw autoScalingErrors.validation('Either LifecycleActionToken or InstanceId must be specified');
  }

  private finishAction(action: Action, result: LifecycleActionResult, how: LifecycleCompletion['how']): void {
    if (this.actionsByToken.get(action.token) !== action) return;
    const { group, member } = action;
    clearTimeout(action.timer);
    this.actionsByToken.delete(action.token);
    member.actions.delete(action.token);
    this.completions.push({
      ...actionView(action),
      result,
      completedAt: new Date(),
      how,
      attachmentsAtCompletion: this.snapshotAttachments(member.instanceId),
    });
    if (action.hook.transition === LAUNCHING) {
      if (result === 'ABANDON') {
        // The launch failed: the instance is terminated (no terminate hooks) and replaced.
        this.cancelActions(member);
        member.health = 'Unhealthy';
        if (warmStates.has(member.state)) this.retireWarm(group, member);
        else this.proceedTermination(group, member);
        this.reconcile(group);
        return;
      }
      if (member.actions.size > 0) return;
      member.hooksDone = true;
      member.state = member.state === 'Warmed:Pending:Wait' ? 'Warmed:Pending:Proceed' : 'Pending:Proceed';
      this.settle(group, member);
      return;
    }
    // Terminate: ABANDON skips the remaining hooks; CONTINUE waits for them.
    if (result === 'ABANDON') this.cancelActions(member);
    if (member.actions.size === 0 && member.state === 'Terminating:Wait')
      this.proceedTermination(group, member);
  }

  /** Drops the member's outstanding actions without recording them (the instance is gone or moved on). */
  private cancelActions(member: Member): void {
    for (const action of member.actions.values()) {
      clearTimeout(action.timer);
      this.actionsByToken.delete(action.token);
    }
    member.actions.clear();
  }

  private publishLifecycleEvent(action: Action): void {
    const launching = action.hook.transition === LAUNCHING;
    const detail: Record<string, unknown> = {
      LifecycleActionToken: action.token,
      AutoScalingGroupName: action.group.name,
      LifecycleHookName: action.hook.name,
      EC2InstanceId: action.member.instanceId,
      LifecycleTransition: action.hook.transition,
    };
    if (action.hook.notificationMetadata !== undefined)
      detail.NotificationMetadata = action.hook.notificationMetadata;
    if (action.origin) detail.Origin = action.origin;
    if (action.destination) detail.Destination = action.destination;
    const event: EventBridgeEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': launching
        ? 'EC2 Instance-launch Lifecycle Action'
        : 'EC2 Instance-terminate Lifecycle Action',
      source: 'aws.autoscaling',
      account: this.identity.account,
      time: eventTime(action.startedAt),
      region: this.identity.region,
      resources: [action.group.arn],
      detail,
    };
    try {
      this.events.publish(event);
    } catch {
      // Auto Scaling events are best-effort: a failing sink loses the event, the action still waits.
    }
  }

  /** "EC2 Instance Launch Successful" / "EC2 Instance Terminate Successful", as Auto Scaling reports them. */
  private publishActivityEvent(group: Group, member: Member, kind: 'launch' | 'terminate'): void {
    if (!this.activityEvents) return;
    const { startedAt, origin, destination } = member.activity;
    const launch = kind === 'launch';
    const detail: Record<string, unknown> = {
      ...(group.warmPool ? { Origin: origin, Destination: destination } : {}),
      StatusCode: 'InProgress',
      Description: `${launch ? 'Launching a new' : 'Terminating'} EC2 instance: ${member.instanceId}`,
      AutoScalingGroupName: group.name,
      ActivityId: randomUUID(),
      Details: { 'Subnet ID': member.subnetId, 'Availability Zone': member.availabilityZone },
      RequestId: randomUUID(),
      StatusMessage: '',
      EndTime: new Date().toISOString(),
      EC2InstanceId: member.instanceId,
      StartTime: startedAt.toISOString(),
      Cause: launch
        ? `At ${startedAt.toISOString()} an instance was started in response to a difference between desired and actual capacity.`
        : `At ${startedAt.toISOString()} an instance was taken out of service.`,
    };
    const event: EventBridgeEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': launch ? 'EC2 Instance Launch Successful' : 'EC2 Instance Terminate Successful',
      source: 'aws.autoscaling',
      account: this.identity.account,
      time: eventTime(new Date()),
      region: this.identity.region,
      resources: [
        group.arn,
        `arn:aws:ec2:${this.identity.region}:${this.identity.account}:instance/${member.instanceId}`,
      ],
      detail,
    };
    try {
      this.events.publish(event);
    } catch {
      // Best-effort, like the lifecycle events.
    }
  }

  private sendLifecycleNotification(action: Action, target: string): void {
    const message: Record<string, string> = {
      LifecycleHookName: action.hook.name,
      AccountId: this.identity.account,
      RequestId: randomUUID(),
      LifecycleTransition: action.hook.transition,
      AutoScalingGroupName: action.group.name,
      Service: 'AWS Auto Scaling',
      Time: action.startedAt.toISOString(),
      EC2InstanceId: action.member.instanceId,
      ...(action.hook.notificationMetadata !== undefined
        ? { NotificationMetadata: action.hook.notificationMetadata }
        : {}),
      LifecycleActionToken: action.token,
    };
    if (action.origin) message.Origin = action.origin;
    if (action.destination) message.Destination = action.destination;
    try {
      this.queues.sendMessageTo(target, JSON.stringify(message));
    } catch {
      // A target that vanished after PutLifecycleHook loses the notification; the action still waits.
    }
  }

  private sendTestNotification(group: Group, target: string, roleArn: string): void {
    const message = {
      AccountId: this.identity.account,
      RequestId: randomUUID(),
      AutoScalingGroupARN: group.arn,
      AutoScalingGroupName: group.name,
      Service: 'AWS Auto Scaling',
      Event: 'autoscaling:TEST_NOTIFICATION',
      Time: new Date().toISOString(),
    };
    try {
      this.queues.sendMessageTo(target, JSON.stringify(message));
    } catch {
      throw autoScalingErrors.validation(
        `Unable to publish test message to notification target ${target} using IAM role ${roleArn}. Please check your target and role configuration and try to put lifecycle hook again.`,
      );
    }
  }

  // ── Helpers ────────────────────────────────────────────────────────────────────────────────────

  private group(name: string): Group {
    this.assertOpen();
    const group = this.groups.get(name);
    if (!group) throw autoScalingErrors.groupNotFound(name);
    return group;
  }

  private assertOpen(): void {
    if (this.closed)
      throw new AutoScalingApiError('ServiceUnavailable', 'The simulator has been stopped', 503);
  }

  private validateSubnets(subnetIds: readonly string[]): string[] {
    const unique = [...new Set(subnetIds.map((s) => s.trim()).filter((s) => s.length > 0))];
    if (unique.length === 0) {
      throw autoScalingErrors.validation(
        'No default VPC for this user. The simulator needs VPCZoneIdentifier (a comma-separated list of subnet IDs).',
      );
    }
    for (const subnetId of unique) {
      if (this.fleet.availabilityZoneOfSubnet(subnetId) === undefined) {
        throw autoScalingErrors.validation(`The subnet ID '${subnetId}' does not exist`);
      }
    }
    return unique;
  }

  private view(group: Group): GroupView {
    const members = [...group.members.values()].sort((a, b) => a.seq - b.seq);
    const inPool = (m: Member) => warmStates.has(m.state) || m.state === 'Warmed:Terminating';
    return {
      name: group.name,
      arn: group.arn,
      minSize: group.minSize,
      maxSize: group.maxSize,
      desiredCapacity: group.desired,
      subnetIds: [...group.subnetIds],
      availabilityZones: [
        ...new Set(group.subnetIds.map((s) => this.fleet.availabilityZoneOfSubnet(s) ?? 'unknown')),
      ].sort(),
      createdTime: group.createdTime,
      instanceType: group.instanceType,
      launchTemplate: group.launchTemplate,
      tags: [...group.tags.values()].sort((a, b) => a.key.localeCompare(b.key)),
      hooks: [...group.hooks.values()],
      warmPool: group.warmPool,
      instances: members.filter((m) => !inPool(m)).map((m) => memberView(group, m)),
      warmInstances: members.filter(inPool).map((m) => memberView(group, m)),
    };
  }
}

function memberView(group: Group, member: Member): GroupInstanceView {
  return {
    instanceId: member.instanceId,
    groupName: group.name,
    subnetId: member.subnetId,
    availabilityZone: member.availabilityZone,
    instanceType: member.instanceType,
    lifecycleState: member.state,
    healthStatus: member.health,
    launchTemplate: member.launchTemplate,
    inWarmPool: member.state.startsWith('Warmed:'),
  };
}

function actionView(action: Action): ActiveLifecycleAction {
  return {
    token: action.token,
    instanceId: action.member.instanceId,
    groupName: action.group.name,
    hookName: action.hook.name,
    transition: action.hook.transition,
    startedAt: action.startedAt,
    timeoutAt: new Date(action.deadline),
    globalTimeoutAt: new Date(action.globalDeadline),
    ...(action.origin ? { origin: action.origin } : {}),
    ...(action.destination ? { destination: action.destination } : {}),
  };
}

/** Warm pool size: MaxGroupPreparedCapacity (default MaxSize) minus desired, at least MinSize. */
function warmPoolTarget(group: Group): number {
  if (!group.warmPool) return 0;
  const prepared = group.warmPool.maxGroupPreparedCapacity ?? group.maxSize;
  return Math.max(group.warmPool.minSize, prepared - group.desired);
}

/**
 * Scale-in victims, deterministic: from the subnet holding the most instances, instances not yet in
 * service first, then the oldest launched.
 */
function pickScaleIn(inGroup: readonly Member[], count: number): Member[] {
  const pool = [...inGroup];
  const victims: Member[] = [];
  while (victims.length < count && pool.length > 0) {
    const perSubnet = new Map<string, number>();
    for (const m of pool) perSubnet.set(m.subnetId, (perSubnet.get(m.subnetId) ?? 0) + 1);
    const busiest = Math.max(...perSubnet.values());
    const candidates = pool
      .filter((m) => perSubnet.get(m.subnetId) === busiest)
      .sort((a, b) => Number(a.state === 'InService') - Number(b.state === 'InService') || a.seq - b.seq);
    const victim = candidates[0] as Member;
    victims.push(victim);
    pool.splice(pool.indexOf(victim), 1);
  }
  return victims;
}

function validateSizes(minSize: number, maxSize: number, desired: number): void {
  for (const [name, value] of [
    ['MinSize', minSize],
    ['MaxSize', maxSize],
    ['DesiredCapacity', desired],
  ] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw autoScalingErrors.validation(`${name} must be a non-negative integer (got ${value})`);
    }
  }
  if (minSize > maxSize) {
    throw autoScalingErrors.validation(`MinSize (${minSize}) cannot be greater than MaxSize (${maxSize})`);
  }
  if (desired < minSize || desired > maxSize) {
    throw autoScalingErrors.validation(
      `Desired capacity:${desired} must be between the specified min size:${minSize} and max size:${maxSize}`,
    );
  }
}

function validateHook(hook: LifecycleHookSpec): LifecycleHookSpec {
  if (!/^[A-Za-z0-9\-_/]{1,255}$/.test(hook.name)) {
    throw autoScalingErrors.validation(`Invalid LifecycleHookName: ${hook.name}`);
  }
  if (hook.transition !== LAUNCHING && hook.transition !== TERMINATING) {
    throw autoScalingErrors.validation(
      `Invalid Lifecycle Transition name ${String(hook.transition)}. Allowed values: ${LAUNCHING}, ${TERMINATING}`,
    );
  }
  if (
    !Number.isInteger(hook.heartbeatTimeout) ||
    hook.heartbeatTimeout < 30 ||
    hook.heartbeatTimeout > 7200
  ) {
    throw autoScalingErrors.validation(
      `Heartbeat timeout ${hook.heartbeatTimeout} is invalid: it must be between 30 and 7200 seconds`,
    );
  }
  if (hook.defaultResult !== 'CONTINUE' && hook.defaultResult !== 'ABANDON') {
    throw autoScalingErrors.validation(
      `Invalid DefaultResult ${String(hook.defaultResult)}. Allowed values: CONTINUE, ABANDON`,
    );
  }
  if (hook.notificationMetadata !== undefined && hook.notificationMetadata.length > 4000) {
    throw autoScalingErrors.validation('NotificationMetadata must be at most 4000 characters');
  }
  return hook;
}

/** EventBridge `time`: ISO 8601 to the second, as AWS writes it. */
function eventTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
