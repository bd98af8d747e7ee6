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
import type { IndexedState, PoolBook, PoolInterface, Waiting } from './state-index';

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
  pool: PoolBook,
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

  const attach = (demand: Demand, iface: PoolInterface, deviceIndex: number, after: string | undefined) => {
    const networkInterfaceId = iface.view.networkInterfaceId;
    const instanceId = demand.view.instanceId;
    taken.add(networkInterfaceId);
    demand.served = true;
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
  const report = (instanceId: string, reason: UnsatisfiedReason, detail: string) =>
    unsatisfied.push({ pool: pool.name, instanceId, reason, detail });

  const demands: Demand[] = [];
  for (const member of pool.waiting.sort(compareMembers)) {
    const { view } = member;
    const slots = new InstanceSlots(
      view,
      indexed.slotsByInstance.get(view.instanceId),
      detachByInterface,
      options.networkCardIndex,
    );
    if (slots.atLimit()) {
      report(
        view.instanceId,
        'attachment-limit',
        `instance ${view.instanceId} already uses ${slots.stayingCount} of its ${slots.maxInterfaces} interfaces`,
      );
      continue;
    }
    const placementKey = options.placement === 'subnet' ? view.subnetId : view.availabilityZone;
    demands.push({ view, placementKey, slots, served: false });
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
    for (const w of demands) {
      const candidates = affinity.get(w.view.instanceId);
      if (candidates === undefined) continue;
      candidates.sort((a, b) => compareStrings(a.view.networkInterfaceId, b.view.networkInterfaceId));
      for (const iface of candidates) {
        if (taken.has(iface.view.networkInterfaceId) || iface.placementKey !== w.placementKey) continue;
        const fit = w.slots.fit(iface.fixedIndex, false);
        if (isRejection(fit)) continue;
        attach(w, iface, fit.deviceIndex, fit.after);
        break;
      }
    }
  }

  // Second pass: free interfaces in id order, then hand-overs; the supply reasons are settled at the end.
  const short: Demand[] = [];
  for (const w of demands) {
    if (w.served) continue;
    let rejection: SlotRejection | undefined;
    // The queue asks once per fixed index and returns the interface whose fit it accepted last.
    const takeFrom = (queue: CandidateQueue | undefined, handover: boolean) => {
      const accepted: { fit?: SlotFit } = {};
      const iface = queue?.take((fixedIndex) => {
        const fit = w.slots.fit(fixedIndex, handover);
        if (!isRejection(fit)) {
          accepted.fit = fit;
          return true;
        }
        rejection ??= fit;
        return false;
      });
      return iface === undefined || accepted.fit === undefined ? undefined : { iface, fit: accepted.fit };
    };
    const free = takeFrom(freeQueues.get(w.placementKey), false);
    if (free !== undefined) {
      attach(w, free.iface, free.fit.deviceIndex, free.fit.after);
      continue;
    }
    const handedOver = takeFrom(handoverQueues.get(w.placementKey), true);
    if (handedOver !== undefined) {
      const detach = detachByInterface.get(handedOver.iface.view.networkInterfaceId)!;
      attach(w, handedOver.iface, handedOver.fit.deviceIndex, handedOver.fit.after ?? detach.id);
      continue;
    }
    const instanceId = w.view.instanceId;
    const found = rejection as SlotRejection | undefined;
    if (found?.kind === 'index') {
      report(
        instanceId,
        'device-index-taken',
        `device index ${found.deviceIndex} is already used on instance ${instanceId} (network card ${options.networkCardIndex})`,
      );
    } else if (found?.kind === 'two-dependencies') {
      report(
        instanceId,
        found.frees === 'index' ? 'device-index-taken' : 'attachment-limit',
        found.frees === 'index'
          ? `device index ${found.deviceIndex} on instance ${instanceId} is freed by ${found.waitsFor} in this plan; the attach follows next round`
          : `instance ${instanceId} is at its limit of ${w.slots.maxInterfaces} interfaces until ${found.waitsFor} completes; the attach follows next round`,
      );
    } else if ((transitionsLeft.get(w.placementKey) ?? 0) > 0) {
      transitionsLeft.set(w.placementKey, transitionsLeft.get(w.placementKey)! - 1);
      report(
        instanceId,
        'interface-in-transition',
        `the interfaces of pool ${pool.name} in ${placementLabel} ${w.placementKey} are attaching or detaching; the next round sees them settled`,
      );
    } else {
      short.push(w);
    }
  }

  if (short.length > 0) {
    const leftOver = pool.free.length + releasedInterfaces.length - taken.size;
    for (const w of short) {
      if (leftOver > 0) {
        report(
          w.view.instanceId,
          'no-interface-in-subnet',
          `pool ${pool.name} has ${plural(leftOver, 'interface')} free or being released, none in ${placementLabel} ${w.placementKey}`,
        );
      } else {
        report(
          w.view.instanceId,
          'pool-exhausted',
          `pool ${pool.name} has no free interface (${plural(pool.interfaces, 'interface')} for ${plural(pool.runningMembers, 'running member')})`,
        );
      }
    }
  }
  return { attaches, keep: pool.keep, unsatisfied };
}
