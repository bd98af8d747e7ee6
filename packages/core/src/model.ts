/**
 * Plain-data views of the EC2 resources eni-pool reasons about. The planner sees only these types:
 * no SDK shapes, no clocks, no I/O.
 */

/** The tag key shared by pool interfaces and pool instances; its value is the pool name. */
export const DEFAULT_POOL_TAG_KEY = 'network-interface-manager-pool';

/** Optional tag on a pool interface that fixes the device index it is attached at. */
export const DEFAULT_DEVICE_INDEX_TAG_KEY = 'network-interface-manager-device-index';

/** Tag written on a pool interface when it is attached, naming the instance, for stop/start affinity. */
export const DEFAULT_LAST_INSTANCE_TAG_KEY = 'network-interface-manager-last-instance';

export type InstanceStateName =
  | 'pending'
  | 'running'
  | 'stopping'
  | 'stopped'
  | 'shutting-down'
  | 'terminated';

export type InterfaceStatus = 'available' | 'associated' | 'attaching' | 'in-use' | 'detaching';

export type AttachmentStatus = 'attaching' | 'attached' | 'detaching' | 'detached';

export type Tags = Readonly<Record<string, string>>;

/** One interface attached to an instance, as the instance sees it (pool interfaces or not). */
export interface InstanceAttachmentView {
  readonly networkInterfaceId: string;
  readonly attachmentId?: string;
  readonly deviceIndex: number;
  readonly networkCardIndex: number;
  readonly status: AttachmentStatus;
}

export interface InstanceView {
  readonly instanceId: string;
  readonly state: InstanceStateName;
  readonly subnetId: string;
  readonly availabilityZone: string;
  /** ISO-8601 launch time; pool members are served oldest first. */
  readonly launchTime: string;
  readonly instanceType?: string;
  readonly tags: Tags;
  /** Every interface attached to the instance, including the primary one at device index 0. */
  readonly attachments: readonly InstanceAttachmentView[];
  /** The instance type's interface limit, when known. */
  readonly maxInterfaces?: number;
}

export interface InterfaceAttachmentView {
  readonly attachmentId: string;
  readonly instanceId: string;
  readonly deviceIndex: number;
  readonly networkCardIndex: number;
  readonly status: AttachmentStatus;
}

export interface InterfaceView {
  readonly networkInterfaceId: string;
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly status: InterfaceStatus;
  readonly privateIpAddress?: string;
  readonly tags: Tags;
  readonly attachment?: InterfaceAttachmentView;
}

/**
 * Everything the planner needs: the pool instances, the pool interfaces, and the instances that pool
 * interfaces are attached to even when those are not (or no longer) pool members.
 */
export interface PoolState {
  readonly instances: readonly InstanceView[];
  readonly interfaces: readonly InterfaceView[];
}

/** Where a free interface may come from for an instance. */
export type Placement = 'subnet' | 'availability-zone';

/** How the device index of an attach is chosen. */
export type DeviceIndexPolicy =
  | { readonly mode: 'lowest-free' }
  | { readonly mode: 'fixed'; readonly index: number };

export interface PlannerOptions {
  /** @defaultValue `'network-interface-manager-pool'` */
  readonly poolTagKey?: string;
  /** @defaultValue `'subnet'` */
  readonly placement?: Placement;
  /** @defaultValue `{ mode: 'lowest-free' }` */
  readonly deviceIndex?: DeviceIndexPolicy;
  /** A tag on an interface whose integer value fixes its device index. @defaultValue `'network-interface-manager-device-index'` */
  readonly deviceIndexTagKey?: string;
  /** A tag on an interface naming the instance it last served. @defaultValue `'network-interface-manager-last-instance'` */
  readonly lastInstanceTagKey?: string;
  /** Network card index passed explicitly on every attach. @defaultValue `0` */
  readonly networkCardIndex?: number;
}

export type DetachReason =
  /** The holder is stopping, stopped, shutting down or terminated. */
  | 'instance-not-running'
  /** The holder no longer carries the pool tag, or carries another pool's. */
  | 'not-a-member'
  /** The holder has two interfaces of its pool; this one goes back. */
  | 'duplicate'
  /** The holder is not in the described state at all (gone). */
  | 'instance-unknown';

export interface AttachAction {
  readonly kind: 'attach';
  /** Stable identity of the action within a plan, e.g. `attach:eni-1:i-1`. */
  readonly id: string;
  readonly pool: string;
  readonly networkInterfaceId: string;
  readonly instanceId: string;
  readonly deviceIndex: number;
  readonly networkCardIndex: number;
  /** For a hand-over: the id of the detach that must finish first. */
  readonly after?: string;
}

export interface DetachAction {
  readonly kind: 'detach';
  readonly id: string;
  readonly pool: string;
  readonly networkInterfaceId: string;
  readonly instanceId: string;
  readonly attachmentId: string;
  readonly reason: DetachReason;
}

export type PlanAction = AttachAction | DetachAction;

export type UnsatisfiedReason =
  /** No interface of the pool is free anywhere the instance could use. */
  | 'pool-exhausted'
  /** The pool has free interfaces, but none in the instance's subnet (or zone). */
  | 'no-interface-in-subnet'
  /** The instance already has as many interfaces as its type allows. */
  | 'attachment-limit'
  /** The only usable interfaces are attaching or detaching; the next round will see them settled. */
  | 'interface-in-transition'
  /** The fixed device index is already used on the instance. */
  | 'device-index-taken';

export interface Unsatisfied {
  readonly pool: string;
  readonly instanceId: string;
  readonly reason: UnsatisfiedReason;
  readonly detail: string;
}

export interface Keep {
  readonly pool: string;
  readonly instanceId: string;
  readonly networkInterfaceId: string;
}

export interface PoolSummary {
  readonly pool: string;
  readonly interfaces: number;
  readonly freeInterfaces: number;
  readonly runningInstances: number;
  readonly attached: number;
  readonly attaches: number;
  readonly detaches: number;
  readonly unsatisfied: number;
}

/**
 * What should change. `actions` lists detaches before attaches; an attach with `after` must wait for
 * that detach. Pools, actions, keeps and unsatisfied entries are sorted, so equal states give equal plans.
 */
export interface Plan {
  readonly actions: readonly PlanAction[];
  readonly keep: readonly Keep[];
  readonly unsatisfied: readonly Unsatisfied[];
  readonly pools: readonly PoolSummary[];
}

/** Which pools a load or reconcile covers. */
export type PoolScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'pools'; readonly pools: readonly string[] };
