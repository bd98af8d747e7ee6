/**
 * The `--json` output of every command: one JSON document on stdout. Its shape is part of the CLI's
 * contract: fields are only ever added within a `schemaVersion`; a change that removes or renames one
 * raises the version.
 */
import type {
  AttachAction,
  DetachAction,
  DetachReason,
  PlanAction,
  PoolSummary,
  Unsatisfied,
  UnsatisfiedReason,
} from '@eni-pool/core';

/**
 * The version of the JSON documents below.
 *
 * @example
 * ```ts
 * const report = JSON.parse(stdout) as PlanReport;
 * if (report.schemaVersion !== JSON_SCHEMA_VERSION) throw new Error('unexpected eni-pool output');
 * ```
 */
export const JSON_SCHEMA_VERSION = 1 as const;

/** Fields every document has. */
export interface ReportBase {
  readonly schemaVersion: typeof JSON_SCHEMA_VERSION;
  /** The region the command ran against. */
  readonly region: string;
  /** The pool tag key used. */
  readonly tagKey: string;
  /** `true` when the command's exit code is 0. */
  readonly ok: boolean;
}

/** The instance holding a pool interface. */
export interface Holder {
  readonly instanceId: string;
  /** EC2 state, or `null` when the holder was not described (gone). */
  readonly state: string | null;
  /** Whether the holder is a member of the interface's pool (carries the pool tag with its name). */
  readonly member: boolean;
  readonly deviceIndex: number;
  /** `attaching`, `attached` or `detaching`. */
  readonly attachmentStatus: string;
}

/** One pool interface in `status`. */
export interface InterfaceRow {
  readonly networkInterfaceId: string;
  readonly privateIp: string | null;
  /** The public IP of the associated Elastic IP, if any. */
  readonly publicIp: string | null;
  readonly subnetId: string;
  readonly availabilityZone: string;
  /** EC2 interface status: `available`, `attaching`, `in-use`, `detaching`, `associated`. */
  readonly status: string;
  readonly holder: Holder | null;
  /** The instance the interface last served (the last-instance tag eni-pool writes), if any. */
  readonly lastInstanceId: string | null;
}

/**
 * Why a running member holds no interface of its pool: the planner's reason, `attach-planned` when the
 * next reconcile attaches one, or `leaving` when Auto Scaling is terminating it.
 */
export type UnservedReason = UnsatisfiedReason | 'attach-planned' | 'leaving';

/** A running pool member without an interface of its pool. */
export interface UnservedInstance {
  readonly instanceId: string;
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly reason: UnservedReason;
  readonly detail: string;
}

/** One pool in `status`. */
export interface PoolStatus {
  readonly pool: string;
  readonly interfaces: readonly InterfaceRow[];
  readonly unserved: readonly UnservedInstance[];
  /** The planner's counts for the pool. */
  readonly summary: PoolSummary;
}

/** `eni-pool status --json`. `ok` is false when a running member holds no interface of its pool, or a pool asked for is not found. */
export interface StatusReport extends ReportBase {
  readonly command: 'status';
  readonly pools: readonly PoolStatus[];
  /** Pools asked for with `--pool` that nothing carries the tag of; `ok` is false when there are any. */
  readonly missingPools: readonly string[];
}

/**
 * Why a plan action is there: for a detach, the planner's `DetachReason` or `leaving` (Auto Scaling is
 * terminating the holder); for an attach, `member-without-interface` or `hand-over` (it waits for the
 * detach named by `after`).
 */
export type ActionReason = DetachReason | 'leaving' | 'member-without-interface' | 'hand-over';

/** A plan action with its reason and a sentence for operators (`detail`). */
export type PlannedAction =
  | (AttachAction & { readonly reason: 'member-without-interface' | 'hand-over'; readonly detail: string })
  | (Omit<DetachAction, 'reason'> & { readonly reason: DetachReason | 'leaving'; readonly detail: string });

/** `eni-pool plan --json`. `ok` is false when the plan has actions, leaves members unserved, or a pool asked for is not found. */
export interface PlanReport extends ReportBase {
  readonly command: 'plan';
  readonly placement: string;
  /** Detaches, then attaches, in the order a reconcile applies them. */
  readonly actions: readonly PlannedAction[];
  readonly unsatisfied: readonly Unsatisfied[];
  readonly pools: readonly PoolSummary[];
  /** Running members Auto Scaling is terminating, planned as leaving. */
  readonly leaving: readonly string[];
  /** Pools asked for with `--pool` that nothing carries the tag of; `ok` is false when there are any. */
  readonly missingPools: readonly string[];
}

/** How one action of `sync` ended. */
export interface SyncOutcome {
  /** The plan action, as core's planner made it. */
  readonly action: PlanAction;
  /** `succeeded`, `failed`, `conflict` (lost a race; re-planned) or `skipped`. */
  readonly status: string;
  readonly attachmentId?: string;
  readonly error?: { readonly code: string; readonly message: string };
  readonly durationMs: number;
}

/**
 * `eni-pool sync --json`. `ok` is false when an action failed, the reconcile did not converge, members
 * are left unserved, or the confirmation was declined (`applied: false`).
 */
export interface SyncReport extends ReportBase {
  readonly command: 'sync';
  /** `false` when the confirmation was declined: nothing was changed. */
  readonly applied: boolean;
  readonly converged: boolean;
  readonly rounds: number;
  readonly outcomes: readonly SyncOutcome[];
  readonly unsatisfied: readonly Unsatisfied[];
  readonly pools: readonly PoolSummary[];
  readonly leaving: readonly string[];
}

/** The checks `doctor` runs. */
export type CheckId =
  | 'pool-interfaces'
  | 'groups'
  | 'subnet-coverage'
  | 'capacity'
  | 'tag-propagation'
  | 'untagged-members'
  | 'lifecycle-hooks'
  | 'foreign-attachments'
  | 'permission-attach'
  | 'permission-detach';

/** One finding of `doctor`. */
export interface Check {
  readonly id: CheckId;
  /** `fail` makes the exit code 1; `warn` does not. */
  readonly status: 'pass' | 'warn' | 'fail';
  readonly pool?: string;
  readonly group?: string;
  /** What the check is about when narrower than the group: a subnet, a zone, an interface, a hook. */
  readonly subject?: string;
  readonly message: string;
  /** What to do about a `warn` or `fail`. */
  readonly fix?: string;
}

/** `eni-pool doctor --json`. `ok` is false when a check failed. */
export interface DoctorReport extends ReportBase {
  readonly command: 'doctor';
  readonly checks: readonly Check[];
  readonly summary: { readonly pass: number; readonly warn: number; readonly fail: number };
}

/** `--json` output of a command that could not run: the AWS error or the reason, exit code 1. */
export interface ErrorReport {
  readonly schemaVersion: typeof JSON_SCHEMA_VERSION;
  readonly command: string;
  readonly ok: false;
  readonly error: { readonly code: string; readonly message: string };
}

/** Any document `--json` prints. */
export type Report = StatusReport | PlanReport | SyncReport | DoctorReport;
