import type {
  AttachAction,
  DetachAction,
  InstanceView,
  Keep,
  Unsatisfied,
  UnsatisfiedReason,
} from '../model';
import { CandidateQueue } from './candidate-queue';
import { compareStrings } from './compare';
import { InstanceSlots, isRejection, type SlotFit, type SlotRejection } from './instance-slots';
import type { ResolvedPlannerOptions } from './options';
import {
  type IndexedState,
  type PoolInterface,
  type PoolLedger,
  placementKeyOf,
  type Waiting,
} from './state-index';

/** What one pool's assignment adds to the plan (its detaches are planned beforehand). */
export interface PoolAssignment {
  readonly attaches: AttachAction[];
  readonly keep: Keep[];
  readonly unsatisfied: Unsatisfied[];
}

/** A waiting member, with where it may draw from and its device slots. */
interface Demand {
  readonly view: InstanceView;
  readonly placementKey: string;
  readonly slots: InstanceSlots;
  /** Still pending: it reserves an interface in the oldest-first order, but nothing is attached yet. */
  readonly pending: boolean;
  served: boolean;
}

function compareMembers(a: Waiting, b: Waiting): number {
  return a.launchMs - b.launchMs || compareStrings(a.view.instanceId, b.view.instanceId);
}

function queuesByPlacement(
  interfaces: readonly PoolInterface[],
  taken: ReadonlySet<string>,
): Map<string, CandidateQueue> {
  const queues = new Map<string, CandidateQueue>();
  for (const iface of interfaces) {
    let queue = queues.get(iface.placementKey);
    if (queue === undefined) {
      queue = new CandidateQueue(taken);
      queues.set(iface.placementKey, queue);
    }
    queue.add(iface);
  }
  return queues;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * Serves the running members of one pool that hold no interface of it: oldest launch first, an interface
 * that last served the instance first, then free interfaces of its subnet (or zone) in id order, then an
 * interface this plan releases there (a hand-over). Whoever cannot be served is reported with a reason.
 */
export function assignPool(
  pool: PoolLedger,
  indexed: IndexedState,
  detachByInterface: ReadonlyMap<string, DetachAction>,
  options: ResolvedPlannerOptions,
): PoolAssignment {
  const attaches: AttachAction[] = [];
  const unsatisfied: Unsatisfied[] = [];
  const placementLabel = options.placement === 'subnet' ? 'subnet' : 'availability zone';
  const taken = new Set<string>();
  const freeQueues = queuesByPlacement(pool.free, taken);
  const releasedInterfaces = pool.releases.map((release) => release.iface);
  const handoverQueues = queuesByPlacement(releasedInterfaces, taken);
  const transitionsLeft = new Map(pool.transitions);
  // A pending member reserves a free interface only from the surplus over the running members still
  // waiting in its placement, so a reservation never keeps a running member unserved.
  const freeLeft = new Map<string, number>();
  for (const iface of pool.free)
    freeLeft.set(iface.placementKey, (freeLeft.get(iface.placementKey) ?? 0) + 1);
  const runningLeft = new Map<string, number>();
  const settle = (demand: Demand) => {
    if (!demand.pending)
      runningLeft.set(demand.placementKey, (runningLeft.get(demand.placementKey) ?? 0) - 1);
  };
  const mayReserve = (demand: Demand) =>
    (freeLeft.get(demand.placementKey) ?? 0) > (runningLeft.get(demand.placementKey) ?? 0);

  const attach = (demand: Demand, iface: PoolInterface, deviceIndex: number, after: string | undefined) => {
    const networkInterfaceId = iface.view.networkInterfaceId;
    const instanceId = demand.view.instanceId;
    if (!taken.has(networkInterfaceId) && iface.view.status === 'available' && !iface.view.attachment) {
      freeLeft.set(iface.placementKey, (freeLeft.get(iface.placementKey) ?? 0) - 1);
    }
    taken.add(networkInterfaceId);
    demand.served = true;
    settle(demand);
    if (demand.pending) return;
    attaches.push({
      kind: 'attach',
      id: `attach:${networkInterfaceId}:${instanceId}`,
      pool: pool.name,
      networkInterfaceId,
      instanceId,
      deviceIndex,
      networkCardIndex: options.networkCardIndex,
      ...(after === undefined ? {} : { after }),
    });
  };
  const report = (demand: Demand, reason: UnsatisfiedReason, detail: string) => {
    // A pending member is not owed anything yet; once it runs, its own plan says why it waits.
    if (!demand.pending)
      unsatisfied.push({ pool: pool.name, instanceId: demand.view.instanceId, reason, detail });
  };

  const demands: Demand[] = [];
  for (const { view, pending } of pool.waiting.sort(compareMembers)) {
    const slots = new InstanceSlots(
      view,
      indexed.slotsByInstance.get(view.instanceId),
      detachByInterface,
      options.networkCardIndex,
    );
    const demand: Demand = {
      view,
      placementKey: placementKeyOf(view, options.placement),
      slots,
      pending,
      served: false,
    };
    if (slots.atLimit()) {
      // At its limit it takes nothing, so the interface stays free for a member that can use it.
      report(
        demand,
        'attachment-limit',
        `instance ${view.instanceId} already uses ${slots.stayingCount} of its ${slots.maxInterfaces} interfaces`,
      );
      continue;
    }
    demands.push(demand);
    if (!pending) runningLeft.set(demand.placementKey, (runningLeft.get(demand.placementKey) ?? 0) + 1);
  }

  // First pass: give back the interface an instance held before it stopped, so its address stays put.
  const affinity = new Map<string, PoolInterface[]>();
  for (const iface of pool.free) {
    if (iface.lastInstanceId === undefined) continue;
    const list = affinity.get(iface.lastInstanceId);
    if (list === undefined) affinity.set(iface.lastInstanceId, [iface]);
    else list.push(iface);
  }
  if (affinity.size > 0) {
    for (const demand of demands) {
      const candidates = affinity.get(demand.view.instanceId);
      if (candidates === undefined || (demand.pending && !mayReserve(demand))) continue;
      candidates.sort((a, b) => compareStrings(a.view.networkInterfaceId, b.view.networkInterfaceId));
      for (const iface of candidates) {
        if (taken.has(iface.view.networkInterfaceId) || iface.placementKey !== demand.placementKey) continue;
        const fit = demand.slots.fit(iface.fixedIndex, false);
        if (isRejection(fit)) continue;
        attach(demand, iface, fit.deviceIndex, fit.after);
        break;
      }
    }
  }

  // Second pass: free interfaces in id order, then hand-overs; the supply reasons are settled at the end.
  const short: Demand[] = [];
  const reservations: { demand: Demand; iface: PoolInterface }[] = [];
  const takeReserved = (demand: Demand) => {
    for (const [i, { iface }] of reservations.entries()) {
      if (iface.placementKey !== demand.placementKey) continue;
      const fit = demand.slots.fit(iface.fixedIndex, false);
      if (isRejection(fit)) continue;
      reservations[i]!.demand.served = false;
      reservations.splice(i, 1);
      return { iface, fit };
    }
    return undefined;
  };
  for (const demand of demands) {
    if (demand.served || (demand.pending && !mayReserve(demand))) continue;
    let rejection: SlotRejection | undefined;
    // The queue asks once per fixed index and returns the interface whose fit it accepted last.
    const takeFrom = (queue: CandidateQueue | undefined, handover: boolean) => {
      const accepted: { fit?: SlotFit } = {};
      const iface = queue?.take((fixedIndex) => {
        const fit = demand.slots.fit(fixedIndex, handover);
        if (!isRejection(fit)) {
          accepted.fit = fit;
          return true;
        }
        rejection ??= fit;
        return false;
      });
      return iface === undefined || accepted.fit === undefined ? undefined : { iface, fit: accepted.fit };
    };
    const free = takeFrom(freeQueues.get(demand.placementKey), false);
    if (free !== undefined) {
      attach(demand, free.iface, free.fit.deviceIndex, free.fit.after);
      if (demand.pending) reservations.push({ demand, iface: free.iface });
      continue;
    }
    // A pending member reserves only free interfaces: a hand-over is for whoever runs now.
    const handedOver = demand.pending ? undefined : takeFrom(handoverQueues.get(demand.placementKey), true);
    if (handedOver !== undefined) {
      const detach = detachByInterface.get(handedOver.iface.view.networkInterfaceId)!;
      attach(demand, handedOver.iface, handedOver.fit.deviceIndex, handedOver.fit.after ?? detach.id);
      continue;
    }
    // The surplus a pending member reserved from was counted, not fitted: a running member that fits
    // no interface left nor one handed over takes a reserved one it fits, and the pending member waits for its turn.
    const reserved = demand.pending ? undefined : takeReserved(demand);
    if (reserved !== undefined) {
      attach(demand, reserved.iface, reserved.fit.deviceIndex, reserved.fit.after);
      continue;
    }
    const instanceId = demand.view.instanceId;
    const found = rejection as SlotRejection | undefined;
    if (found?.kind === 'index') {
      report(
        demand,
        'device-index-taken',
        `device index ${found.deviceIndex} is already used on instance ${instanceId} (network card ${options.networkCardIndex})`,
      );
    } else if (found?.kind === 'two-dependencies') {
      report(
        demand,
        found.frees === 'index' ? 'device-index-taken' : 'attachment-limit',
        found.frees === 'index'
          ? `device index ${found.deviceIndex} on instance ${instanceId} is freed by ${found.waitsFor} in this plan; the attach follows next round`
          : `instance ${instanceId} is at its limit of ${demand.slots.maxInterfaces} interfaces until ${found.waitsFor} completes; the attach follows next round`,
      );
    } else if ((transitionsLeft.get(demand.placementKey) ?? 0) > 0) {
      transitionsLeft.set(demand.placementKey, transitionsLeft.get(demand.placementKey)! - 1);
      report(
        demand,
        'interface-in-transition',
        `the interfaces of pool ${pool.name} in ${placementLabel} ${demand.placementKey} are attaching or detaching; the next round sees them settled`,
      );
    } else {
      short.push(demand);
    }
    settle(demand);
  }

  if (short.length > 0) {
    const leftOver = pool.free.length + releasedInterfaces.length - taken.size;
    for (const demand of short) {
      if (leftOver > 0) {
        report(
          demand,
          'no-interface-in-subnet',
          `pool ${pool.name} has ${plural(leftOver, 'interface')} free or being released, none in ${placementLabel} ${demand.placementKey}`,
        );
      } else {
        report(
          demand,
          'pool-exhausted',
          `pool ${pool.name} has no free interface (${plural(pool.interfaces, 'interface')} for ${plural(pool.runningMembers, 'running member')})`,
        );
      }
    }
  }
  return { attaches, keep: pool.keep, unsatisfied };
}
