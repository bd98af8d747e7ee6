import type { InstanceView } from './model';

/**
 * Tells the manager which pool members are on their way out while EC2 still shows them `running` or
 * `pending` — an Auto Scaling group terminating them (`Terminating:Wait`), for example. The manager plans
 * such members as `shutting-down`: their pool interfaces are released and handed to successors, and a
 * freed interface is never given back to them.
 *
 * Core knows no Auto Scaling; `createAutoScalingLeavingInstances` from `@eni-pool/lifecycle-hook-adapter`
 * is the implementation that asks Auto Scaling.
 *
 * @example
 * ```ts
 * const draining = new Set(['i-0abc']);
 * const leaving: LeavingInstances = {
 *   async leavingAmong(members) {
 *     return members.filter((m) => draining.has(m.instanceId)).map((m) => m.instanceId);
 *   },
 * };
 * const manager = new EniPoolManager({ leaving });
 * ```
 */
export interface LeavingInstances {
  /**
   * The ids of those of `members` that are leaving. Called once per load → plan of a reconcile, with the
   * running and pending members of the reconciled pools that are not already known to be leaving; never
   * with an empty list. `signal` aborts when the manager's `leavingTimeoutMs` runs out or the reconcile
   * is aborted. A rejection is logged and the round goes on without the answer.
   */
  leavingAmong(members: readonly InstanceView[], signal?: AbortSignal): Promise<Iterable<string>>;
}
