import type {
  AttachAction,
  DetachAction,
  Keep,
  Plan,
  PlannerOptions,
  PoolState,
  PoolSummary,
  Unsatisfied,
} from './model';
import { assignPool } from './planner/assign';
import { compareStrings } from './planner/compare';
import { resolvePlannerOptions } from './planner/options';
import { indexState } from './planner/state-index';

export { InvalidPoolStateError } from './planner/errors';

/**
 * Plans which pool interfaces to attach and detach so that every running pool member holds exactly one
 * interface of its pool from its own subnet (or zone).
 *
 * Pure and deterministic: plain data in, plain data out, no clock and no I/O; the same state in any order
 * gives a deep-equal plan. It runs in O(n log n) over instances and interfaces. In short:
 * - a running member keeps the pool interface it holds (the lowest device index if it holds two; the
 *   other is released as `duplicate`);
 * - a pool interface attached to anything else is detached, except a primary interface (device index 0),
 *   which is never touched, and one whose holder is still `pending`;
 * - members without one are served oldest launch first, from `available` interfaces of their subnet (or
 *   zone) in id order, preferring the interface whose last-instance tag names them; failing that, an
 *   interface this plan releases there is handed over (`after` names the detach to wait for);
 * - the device index is the lowest free one (>= 1) on `networkCardIndex`, unless the interface's
 *   device-index tag or `deviceIndex: { mode: 'fixed' }` fixes it (the tag wins); an attach that would
 *   wait for two detaches (its hand-over and one freeing its slot) is deferred to the next round;
 * - interfaces attaching or detaching are left alone; instances without the pool tag get nothing, and
 *   interfaces without it are never touched;
 * - whoever cannot be served is listed in `unsatisfied` with a reason and a detail; `pools` sums it up.
 *
 * @throws ConfigurationError when an option is invalid.
 * @throws InvalidPoolStateError when the state describes one id twice, differently, or a running member's
 *   launch time cannot be read.
 *
 * @example
 * ```ts
 * import { planAssignments } from '@eni-pool/core';
 *
 * const plan = planAssignments({
 *   instances: [{
 *     instanceId: 'i-0a1', state: 'running', subnetId: 'subnet-a', availabilityZone: 'eu-west-1a',
 *     launchTime: '2026-11-27T08:00:00.000Z', tags: { 'network-interface-manager-pool': 'web' },
 *     attachments: [{ networkInterfaceId: 'eni-prim', deviceIndex: 0, networkCardIndex: 0, status: 'attached' }],
 *   }],
 *   interfaces: [{
 *     networkInterfaceId: 'eni-0f1', subnetId: 'subnet-a', availabilityZone: 'eu-west-1a',
 *     status: 'available', tags: { 'network-interface-manager-pool': 'web' },
 *   }],
 * });
 * // plan.actions: [{ kind: 'attach', id: 'attach:eni-0f1:i-0a1', pool: 'web', networkInterfaceId: 'eni-0f1',
 * //                  instanceId: 'i-0a1', deviceIndex: 1, networkCardIndex: 0 }]
 * ```
 */
export function planAssignments(state: PoolState, options: PlannerOptions = {}): Plan {
  const resolved = resolvePlannerOptions(options);
  const indexed = indexState(state, resolved);
  // Pools in name order, each pool's lists sorted on their own: the concatenation is globally sorted by
  // (pool, key) at a lower cost than one sort of everything.
  const ledgers = [...indexed.ledgers.values()].sort((a, b) => compareStrings(a.name, b.name));

  const detachesByPool: DetachAction[][] = [];
  const detachByInterface = new Map<string, DetachAction>();
  for (const pool of ledgers) {
    const detaches: DetachAction[] = [];
    for (const release of pool.releases) {
      const networkInterfaceId = release.iface.view.networkInterfaceId;
      const detach: DetachAction = {
        kind: 'detach',
        id: `detach:${networkInterfaceId}:${release.instanceId}`,
        pool: pool.name,
        networkInterfaceId,
        instanceId: release.instanceId,
        attachmentId: release.attachmentId,
        reason: release.reason,
      };
      detaches.push(detach);
      detachByInterface.set(networkInterfaceId, detach);
    }
    detachesByPool.push(detaches.sort((a, b) => compareStrings(a.networkInterfaceId, b.networkInterfaceId)));
  }

  const detaches = detachesByPool.flat();
  const attaches: AttachAction[] = [];
  const keep: Keep[] = [];
  const unsatisfied: Unsatisfied[] = [];
  const pools: PoolSummary[] = [];
  const byInstance = (a: { readonly instanceId: string }, b: { readonly instanceId: string }) =>
    compareStrings(a.instanceId, b.instanceId);
  for (const pool of ledgers) {
    const assigned = assignPool(pool, indexed, detachByInterface, resolved);
    for (const action of assigned.attaches.sort(byInstance)) attaches.push(action);
    for (const entry of assigned.keep.sort(byInstance)) keep.push(entry);
    for (const entry of assigned.unsatisfied.sort(byInstance)) unsatisfied.push(entry);
    pools.push({
      pool: pool.name,
      interfaces: pool.interfaces,
      freeInterfaces: pool.free.length,
      runningInstances: pool.runningMembers,
      attached: assigned.keep.length,
      attaches: assigned.attaches.length,
      detaches: pool.releases.length,
      unsatisfied: assigned.unsatisfied.length,
    });
  }
  return { actions: [...detaches, ...attaches], keep, unsatisfied, pools };
}
