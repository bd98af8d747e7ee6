/**
 * Small factories for planner and manager tests: plain `InstanceView` / `InterfaceView` / `PoolState`
 * values with sensible defaults, plus `applyPlanToState`, which simulates what EC2 does with a plan.
 */
import {
  type AttachmentStatus,
  DEFAULT_DEVICE_INDEX_TAG_KEY,
  DEFAULT_LAST_INSTANCE_TAG_KEY,
  DEFAULT_POOL_TAG_KEY,
  type InstanceAttachmentView,
  type InstanceStateName,
  type InstanceView,
  type InterfaceStatus,
  type InterfaceView,
  type Plan,
  type PoolState,
} from '../../src/index';

const BASE_LAUNCH_MS = Date.parse('2026-11-01T00:00:00.000Z');
let counter = 0;
const nextId = (prefix: string) => `${prefix}-auto${++counter}`;

/** `subnet-b` → `eu-west-1b`: one zone per subnet unless a test says otherwise. */
export function zoneOf(subnetId: string): string {
  return `eu-west-1${subnetId.slice(-1)}`;
}

export interface InstanceSpec {
  readonly id?: string;
  /** Pool tag value; `null` leaves the tag off. @defaultValue `'web'` */
  readonly pool?: string | null;
  readonly state?: InstanceStateName;
  readonly subnet?: string;
  readonly az?: string;
  /** Minutes after a fixed base time; the planner serves the lowest first. @defaultValue `0` */
  readonly launchedAt?: number;
  readonly tags?: Record<string, string>;
  /** Extra attachments (the primary at index 0 is added unless `primary: false`). */
  readonly attachments?: readonly InstanceAttachmentView[];
  readonly primary?: boolean;
  readonly maxInterfaces?: number;
  readonly poolTagKey?: string;
}

/** An instance; by default a running member of pool `web` in `subnet-a` with its primary interface. */
export function instance(spec: InstanceSpec = {}): InstanceView {
  const instanceId = spec.id ?? nextId('i');
  const subnetId = spec.subnet ?? 'subnet-a';
  const pool = spec.pool === undefined ? 'web' : spec.pool;
  const primary: InstanceAttachmentView[] =
    spec.primary === false
      ? []
      : [
          {
            networkInterfaceId: `eni-primary-${instanceId}`,
            attachmentId: `eni-attach-primary-${instanceId}`,
            deviceIndex: 0,
            networkCardIndex: 0,
            status: 'attached',
          },
        ];
  return {
    instanceId,
    state: spec.state ?? 'running',
    subnetId,
    availabilityZone: spec.az ?? zoneOf(subnetId),
    launchTime: new Date(BASE_LAUNCH_MS + (spec.launchedAt ?? 0) * 60_000).toISOString(),
    tags: { ...(pool === null ? {} : { [spec.poolTagKey ?? DEFAULT_POOL_TAG_KEY]: pool }), ...spec.tags },
    attachments: [...primary, ...(spec.attachments ?? [])],
    ...(spec.maxInterfaces === undefined ? {} : { maxInterfaces: spec.maxInterfaces }),
  };
}

export interface AttachedTo {
  readonly instanceId: string;
  /** @defaultValue `1` */
  readonly deviceIndex?: number;
  /** @defaultValue `0` */
  readonly networkCardIndex?: number;
  /** @defaultValue `'attached'` */
  readonly status?: AttachmentStatus;
}

export interface InterfaceSpec {
  readonly id?: string;
  /** Pool tag value; `null` leaves the tag off. @defaultValue `'web'` */
  readonly pool?: string | null;
  readonly subnet?: string;
  readonly az?: string;
  /** @defaultValue `'available'`, or `'in-use'` when `attachedTo` is given */
  readonly status?: InterfaceStatus;
  readonly attachedTo?: AttachedTo;
  /** Value of the last-instance tag (stop/start affinity). */
  readonly lastInstance?: string;
  /** Raw value of the device-index tag. */
  readonly deviceIndexTag?: string;
  readonly tags?: Record<string, string>;
  readonly poolTagKey?: string;
}

/** A pool interface; by default an `available` interface of pool `web` in `subnet-a`. */
export function eni(spec: InterfaceSpec = {}): InterfaceView {
  const networkInterfaceId = spec.id ?? nextId('eni');
  const subnetId = spec.subnet ?? 'subnet-a';
  const pool = spec.pool === undefined ? 'web' : spec.pool;
  const tags: Record<string, string> = {};
  if (pool !== null) tags[spec.poolTagKey ?? DEFAULT_POOL_TAG_KEY] = pool;
  if (spec.lastInstance !== undefined) tags[DEFAULT_LAST_INSTANCE_TAG_KEY] = spec.lastInstance;
  if (spec.deviceIndexTag !== undefined) tags[DEFAULT_DEVICE_INDEX_TAG_KEY] = spec.deviceIndexTag;
  const attachedTo = spec.attachedTo;
  return {
    networkInterfaceId,
    subnetId,
    availabilityZone: spec.az ?? zoneOf(subnetId),
    status: spec.status ?? (attachedTo === undefined ? 'available' : 'in-use'),
    privateIpAddress: `10.0.0.${(networkInterfaceId.length * 7) % 250}`,
    tags: { ...tags, ...spec.tags },
    ...(attachedTo === undefined
      ? {}
      : {
          attachment: {
            attachmentId: `eni-attach-${networkInterfaceId}`,
            instanceId: attachedTo.instanceId,
            deviceIndex: attachedTo.deviceIndex ?? 1,
            networkCardIndex: attachedTo.networkCardIndex ?? 0,
            status: attachedTo.status ?? 'attached',
          },
        }),
  };
}

/**
 * A state whose two views agree: every interface attachment is mirrored into its instance's
 * `attachments`, as DescribeInstances would report it.
 */
export function poolState(
  instances: readonly InstanceView[],
  interfaces: readonly InterfaceView[],
): PoolState {
  const byInstance = new Map<string, InstanceAttachmentView[]>();
  for (const view of interfaces) {
    const attachment = view.attachment;
    if (attachment === undefined || attachment.status === 'detached') continue;
    const list = byInstance.get(attachment.instanceId) ?? [];
    list.push({
      networkInterfaceId: view.networkInterfaceId,
      attachmentId: attachment.attachmentId,
      deviceIndex: attachment.deviceIndex,
      networkCardIndex: attachment.networkCardIndex,
      status: attachment.status,
    });
    byInstance.set(attachment.instanceId, list);
  }
  return {
    instances: instances.map((view) => {
      const extra = (byInstance.get(view.instanceId) ?? []).filter(
        (a) => !view.attachments.some((b) => b.networkInterfaceId === a.networkInterfaceId),
      );
      return extra.length === 0 ? view : { ...view, attachments: [...view.attachments, ...extra] };
    }),
    interfaces: [...interfaces],
  };
}

/** The same state with both lists in another order (Fisher–Yates driven by `random`). */
export function shuffleState(state: PoolState, random: () => number): PoolState {
  const shuffle = <T>(items: readonly T[]): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  };
  return { instances: shuffle(state.instances), interfaces: shuffle(state.interfaces) };
}

/** EC2 refused an action of the plan, the way the real API would. */
export class SimulatedEc2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'SimulatedEc2Error';
  }
}

/**
 * What EC2 looks like once every action of `plan` has completed: detaches first (the interface becomes
 * `available`), then attaches (`in-use`, attachment `attached`, last-instance tag written as the executor
 * does). Throws `SimulatedEc2Error` for anything EC2 would refuse: detaching a primary interface,
 * attaching an interface that is not available, across zones, at a used device index, or to an instance
 * that is not running.
 */
export function applyPlanToState(
  state: PoolState,
  plan: Plan,
  lastInstanceTagKey: string = DEFAULT_LAST_INSTANCE_TAG_KEY,
): PoolState {
  const interfaces = new Map(state.interfaces.map((view) => [view.networkInterfaceId, view]));
  const instances = new Map(state.instances.map((view) => [view.instanceId, view]));

  for (const action of plan.actions) {
    if (action.kind !== 'detach') continue;
    const view = interfaces.get(action.networkInterfaceId);
    if (view?.attachment === undefined || view.attachment.attachmentId !== action.attachmentId) {
      throw new SimulatedEc2Error('InvalidAttachmentID.NotFound', `${action.attachmentId} does not exist`);
    }
    if (view.attachment.deviceIndex === 0) {
      throw new SimulatedEc2Error(
        'OperationNotPermitted',
        `${view.networkInterfaceId} is a primary interface`,
      );
    }
    const { attachment: _gone, ...rest } = view;
    interfaces.set(view.networkInterfaceId, { ...rest, status: 'available' });
    const holder = instances.get(action.instanceId);
    if (holder !== undefined) {
      instances.set(holder.instanceId, {
        ...holder,
        attachments: holder.attachments.filter((a) => a.networkInterfaceId !== action.networkInterfaceId),
      });
    }
  }

  for (const action of plan.actions) {
    if (action.kind !== 'attach') continue;
    const view = interfaces.get(action.networkInterfaceId);
    const target = instances.get(action.instanceId);
    if (view === undefined || view.status !== 'available' || view.attachment !== undefined) {
      throw new SimulatedEc2Error('InvalidNetworkInterface.InUse', `${action.networkInterfaceId} in use`);
    }
    if (target === undefined || target.state !== 'running') {
      throw new SimulatedEc2Error('IncorrectInstanceState', `${action.instanceId} is not running`);
    }
    if (target.availabilityZone !== view.availabilityZone) {
      throw new SimulatedEc2Error('InvalidParameterCombination', 'not in the same availability zone');
    }
    const used = target.attachments.some(
      (a) =>
        a.status !== 'detached' &&
        a.deviceIndex === action.deviceIndex &&
        a.networkCardIndex === action.networkCardIndex,
    );
    if (action.deviceIndex < 1 || used) {
      throw new SimulatedEc2Error(
        'InvalidParameterValue',
        `Instance '${action.instanceId}' already has an interface attached at device index '${action.deviceIndex}'.`,
      );
    }
    const live = target.attachments.filter((a) => a.status !== 'detached').length;
    if (target.maxInterfaces !== undefined && live >= target.maxInterfaces) {
      throw new SimulatedEc2Error('AttachmentLimitExceeded', `Interface count ${live + 1} exceeds the limit`);
    }
    const attachment = {
      attachmentId: `eni-attach-${action.networkInterfaceId}-${action.instanceId}`,
      deviceIndex: action.deviceIndex,
      networkCardIndex: action.networkCardIndex,
      status: 'attached' as const,
    };
    interfaces.set(view.networkInterfaceId, {
      ...view,
      status: 'in-use',
      tags: { ...view.tags, [lastInstanceTagKey]: action.instanceId },
      attachment: { ...attachment, instanceId: action.instanceId },
    });
    instances.set(target.instanceId, {
      ...target,
      attachments: [...target.attachments, { networkInterfaceId: action.networkInterfaceId, ...attachment }],
    });
  }

  return { instances: [...instances.values()], interfaces: [...interfaces.values()] };
}
