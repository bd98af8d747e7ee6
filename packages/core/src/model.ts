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

/** The EC2 instance state (`State.Name`); only `running` instances are served an interface. */
export type InstanceStateName =
  | 'pending'
  | 'running'
  | 'stopping'
  | 'stopped'
  | 'shutting-down'
  | 'terminated';

/**
 * The EC2 network interface status. Only `available` interfaces are handed out; `attaching` and
 * `detaching` ones are left alone until they settle.
 */
export type InterfaceStatus = 'available' | 'associated' | 'attaching' | 'in-use' | 'detaching';

/** The status of one attachment between an interface and an instance. */
export type AttachmentStatus = 'attaching' | 'attached' | 'detaching' | 'detached';

/** Resource tags as a key → value record (a tag without a value maps to `''`). */
export type Tags = Readonly<Record<string, string>>;

/** One interface attached to an instance, as the instance sees it (pool interfaces or not). */
export interface InstanceAttachmentView {
  /** The attached interface, `eni-…`. */
  readonly networkInterfaceId: string;
  /** The attachment, `eni-attach-…`, when EC2 reports one. */
  readonly attachmentId?: string;
  /** Device index on the instance; `0` is the primary interface. */
  readonly deviceIndex: number;
  /** Network card the interface sits on; `0` on single-card instance types. */
  readonly networkCardIndex: number;
  /** Only `attached` attachments count as settled. */
  readonly status: AttachmentStatus;
}

/** An EC2 instance as eni-pool sees it: a pool member, or the holder of a pool interface. */
export interface InstanceView {
  /** `i-…`. */
  readonly instanceId: string;
  /** Only `running` members are served; a stopped or terminated holder gives its interface back. */
  readonly state: InstanceStateName;
  /** The subnet the instance runs in; its pool interface must come from the same one (or zone). */
  readonly subnetId: string;
  /** e.g. `eu-west-1a`. */
  readonly availabilityZone: string;
  /** ISO-8601 launch time; pool members are served oldest first. */
  readonly launchTime: string;
  /** e.g. `t3.micro`, when known. */
  readonly instanceType?: string;
  /** The instance's tags; the pool tag makes it a pool member. */
  readonly tags: Tags;
  /** Every interface attached to the instance, including the primary one at device index 0. */
  readonly attachments: readonly InstanceAttachmentView[];
  /** The instance type's interface limit, when known. */
  readonly maxInterfaces?: number;
}

/** The attachment of an interface, as the interface sees it. */
export interface InterfaceAttachmentView {
  /** `eni-attach-…`; a detach names it. */
  readonly attachmentId: string;
  /** The instance holding the interface. */
  readonly instanceId: string;
  /** Device index on that instance; `0` is its primary interface, which eni-pool never detaches. */
  readonly deviceIndex: number;
  /** Network card the interface sits on. */
  readonly networkCardIndex: number;
  /** `attaching` and `detaching` attachments are left alone until they settle. */
  readonly status: AttachmentStatus;
  /** When EC2 accepted the attach (ISO 8601), when it says; paces the attaches of a burst. */
  readonly attachTime?: string;
}

/** An EC2 network interface; pool interfaces carry the pool tag. */
export interface InterfaceView {
  /** `eni-…`. */
  readonly networkInterfaceId: string;
  /** The subnet the interface lives in; it can only serve instances of the same subnet (or zone). */
  readonly subnetId: string;
  /** The interface's availability zone, used with `placement: 'availability-zone'`. */
  readonly availabilityZone: string;
  /** Only `available` interfaces are handed out. */
  readonly status: InterfaceStatus;
  /** The fixed private IP the pool keeps alive, when known. */
  readonly privateIpAddress?: string;
  /** The interface's tags: the pool tag, and the optional device-index and last-instance tags. */
  readonly tags: Tags;
  /** Present while the interface is attached (or attaching, detaching) to an instance. */
  readonly attachment?: InterfaceAttachmentView;
}

/**
 * Everything the planner needs: the pool instances, the pool interfaces, and the instances that pool
 * interfaces are attached to even when those are not (or no longer) pool members. `loadPoolState` reads
 * it from EC2; tests and tools may build it by hand.
 *
 * @example
 * A running member of pool `web` without its interface, and the free pool interface of its subnet:
 * ```ts
 * const state: PoolState = {
 *   instances: [{
 *     instanceId: 'i-0a1', state: 'running', subnetId: 'subnet-a', availabilityZone: 'eu-west-1a',
 *     launchTime: '2026-11-27T08:00:00.000Z', tags: { 'network-interface-manager-pool': 'web' },
 *     attachments: [{ networkInterfaceId: 'eni-prim', deviceIndex: 0, networkCardIndex: 0, status: 'attached' }],
 *   }],
 *   interfaces: [{
 *     networkInterfaceId: 'eni-0f1', subnetId: 'subnet-a', availabilityZone: 'eu-west-1a',
 *     status: 'available', privateIpAddress: '10.0.1.10', tags: { 'network-interface-manager-pool': 'web' },
 *   }],
 * };
 * ```
 */
export interface PoolState {
  /** Pool members in any state, plus the non-member holders of pool interfaces. */
  readonly instances: readonly InstanceView[];
  /** The pool interfaces, attached or not. */
  readonly interfaces: readonly InterfaceView[];
  /**
   * Members that are leaving while EC2 still shows them `running` or `pending` (Auto Scaling terminating
   * them, a terminate lifecycle hook releasing them): their pool interfaces are released with reason
   * `instance-leaving`, and they are never served. @defaultValue none
   */
  readonly leaving?: readonly string[];
}

/** Where a free interface may come from for an instance. */
export type Placement = 'subnet' | 'availability-zone';

/** How the device index of an attach is chosen. */
export type DeviceIndexPolicy =
  | {
      /** The lowest index (>= 1) free on the instance's network card. */
      readonly mode: 'lowest-free';
    }
  | {
      /** Always the same index; an instance where it is taken is reported `device-index-taken`. */
      readonly mode: 'fixed';
      /** The device index, an integer >= 1 (0 is the primary interface). */
      readonly index: number;
    };

/** How `planAssignments` reads the state and places interfaces. Invalid values throw `ConfigurationError`. */
export interface PlannerOptions {
  /** The tag key whose value names the pool (1–128 characters). @defaultValue `'network-interface-manager-pool'` */
  readonly poolTagKey?: string;
  /** Serve an instance from its own subnet only, or from anywhere in its availability zone. @defaultValue `'subnet'` */
  readonly placement?: Placement;
  /** How the device index of an attach is chosen; an interface's device-index tag overrides it. @defaultValue `{ mode: 'lowest-free' }` */
  readonly deviceIndex?: DeviceIndexPolicy;
  /** A tag on an interface whose integer value fixes its device index. @defaultValue `'network-interface-manager-device-index'` */
  readonly deviceIndexTagKey?: string;
  /** A tag on an interface naming the instance it last served. @defaultValue `'network-interface-manager-last-instance'` */
  readonly lastInstanceTagKey?: string;
  /** Network card index passed explicitly on every attach. @defaultValue `0` */
  readonly networkCardIndex?: number;
}

/** Why a pool interface is taken back from the instance holding it. */
export type DetachReason =
  /** The holder is stopping, stopped, shutting down or terminated. */
  | 'instance-not-running'
  /** The holder no longer carries the pool tag, or carries another pool's. */
  | 'not-a-member'
  /** The holder has two interfaces of its pool; this one goes back. */
  | 'duplicate'
  /** The holder is not in the described state at all (gone). */
  | 'instance-unknown'
  /** The holder still runs but is leaving (`PoolState.leaving`): its interface goes to a successor. */
  | 'instance-leaving';

/** Attach a free (or just released) pool interface to a running pool member. */
export interface AttachAction {
  /** Discriminant of `PlanAction`. */
  readonly kind: 'attach';
  /** Stable identity of the action within a plan, e.g. `attach:eni-1:i-1`. */
  readonly id: string;
  /** The pool name (the pool tag's value). */
  readonly pool: string;
  /** The interface to attach. */
  readonly networkInterfaceId: string;
  /** The running pool member that receives it. */
  readonly instanceId: string;
  /** Device index to attach at (>= 1). */
  readonly deviceIndex: number;
  /** Network card index, always sent explicitly. */
  readonly networkCardIndex: number;
  /** For a hand-over: the id of the detach that must finish first. */
  readonly after?: string;
}

/** Take a pool interface back from an instance that should not hold it. */
export interface DetachAction {
  /** Discriminant of `PlanAction`. */
  readonly kind: 'detach';
  /** Stable identity of the action within a plan, e.g. `detach:eni-1:i-1`; an attach's `after` names it. */
  readonly id: string;
  /** The pool name (the pool tag's value). */
  readonly pool: string;
  /** The interface to release. */
  readonly networkInterfaceId: string;
  /** The instance that holds it now. */
  readonly instanceId: string;
  /** The attachment to end. */
  readonly attachmentId: string;
  /** Why it goes back. */
  readonly reason: DetachReason;
}

/** One change in a `Plan`. */
export type PlanAction = AttachAction | DetachAction;

/** Why a running pool member gets no interface in this plan. */
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
  | 'device-index-taken'
  /**
   * The reconcile ended (round budget spent, aborted, or an action failed) before the instance got its
   * interface; `detail` says what was left. Only in a `ReconcileResult`, never from the planner itself.
   */
  | 'not-converged';

/** A running pool member the plan cannot serve, and why; the next round tries again. */
export interface Unsatisfied {
  /** The member's pool. */
  readonly pool: string;
  /** The member left without an interface. */
  readonly instanceId: string;
  /** Why, as a code for metrics and alarms. */
  readonly reason: UnsatisfiedReason;
  /** A sentence for operators, e.g. which subnet had no free interface. */
  readonly detail: string;
}

/** A running pool member that already holds its pool interface and keeps it. */
export interface Keep {
  /** The member's pool. */
  readonly pool: string;
  /** The member. */
  readonly instanceId: string;
  /** The interface it keeps. */
  readonly networkInterfaceId: string;
}

/** Counts for one pool in a plan, for logs and metrics. */
export interface PoolSummary {
  /** The pool name. */
  readonly pool: string;
  /** Pool interfaces described. */
  readonly interfaces: number;
  /** Of those, `available` ones. */
  readonly freeInterfaces: number;
  /** Pool members in state `running`. */
  readonly runningInstances: number;
  /** Running members that keep the interface they hold (`keep` entries). */
  readonly attached: number;
  /** Attach actions planned. */
  readonly attaches: number;
  /** Detach actions planned. */
  readonly detaches: number;
  /** Running members left unserved (`unsatisfied` entries). */
  readonly unsatisfied: number;
}

/**
 * What should change. `actions` lists detaches before attaches; an attach with `after` must wait for
 * that detach. Pools, actions, keeps and unsatisfied entries are sorted, so equal states give equal plans.
 *
 * @example
 * The plan for the `PoolState` example: one attach, nothing kept yet, nobody left unserved.
 * ```ts
 * const plan: Plan = {
 *   actions: [{
 *     kind: 'attach', id: 'attach:eni-0f1:i-0a1', pool: 'web', networkInterfaceId: 'eni-0f1',
 *     instanceId: 'i-0a1', deviceIndex: 1, networkCardIndex: 0,
 *   }],
 *   keep: [],
 *   unsatisfied: [],
 *   pools: [{
 *     pool: 'web', interfaces: 1, freeInterfaces: 1, runningInstances: 1,
 *     attached: 0, attaches: 1, detaches: 0, unsatisfied: 0,
 *   }],
 * };
 * ```
 */
export interface Plan {
  /** Detaches, then attaches. */
  readonly actions: readonly PlanAction[];
  /** Members already served, left as they are. */
  readonly keep: readonly Keep[];
  /** Members that cannot be served this round. */
  readonly unsatisfied: readonly Unsatisfied[];
  /** One summary per pool seen in the state. */
  readonly pools: readonly PoolSummary[];
}

/** Which pools a load or reconcile covers. */
export type PoolScope =
  | {
      /** Every instance and interface carrying the pool tag key, whatever its value. */
      readonly kind: 'all';
    }
  | {
      /** Only the named pools. */
      readonly kind: 'pools';
      /** Pool names (the pool tag's values); at least one, none empty. */
      readonly pools: readonly string[];
    };
