import type { DetachReason, InstanceView, InterfaceView, Keep, PoolState, Tags } from '../model';
import { compareStrings } from './compare';
import { InvalidPoolStateError } from './errors';
import type { ResolvedPlannerOptions } from './options';

/** A pool-tagged interface with the facts the planner keys on, read once. */
export interface PoolInterface {
  readonly view: InterfaceView;
  readonly pool: string;
  /** The subnet or the availability zone, per the placement option. */
  readonly placementKey: string;
  /** The device index fixed by the interface's tag, else by the pool-wide option. */
  readonly fixedIndex: number | undefined;
  /** The instance named by the last-instance tag (stop/start affinity). */
  readonly lastInstanceId: string | undefined;
}

/** An attachment of a pool interface that this plan detaches. */
export interface Release {
  readonly iface: PoolInterface;
  readonly instanceId: string;
  readonly attachmentId: string;
  readonly reason: DetachReason;
}

/**
 * A member that holds no interface of its pool and waits for one: a running one is served; a pending one
 * only reserves its place in the oldest-first order (nothing can be attached before it runs), so workers
 * that plan while it boots agree with those that plan once it runs.
 */
export interface Waiting {
  readonly view: InstanceView;
  readonly launchMs: number;
  readonly pending: boolean;
}

/** Everything known about one pool after a few linear passes over the state. */
export interface PoolLedger {
  readonly name: string;
  interfaces: number;
  /** `available` interfaces, unattached. */
  readonly free: PoolInterface[];
  runningMembers: number;
  /** Running members that keep the pool interface they hold. */
  readonly keep: Keep[];
  /** Further pool interfaces held by a member that already keeps one. */
  readonly extraHeld: { readonly view: InterfaceView; readonly instanceId: string }[];
  /** Running (and pending) members holding no interface of the pool. */
  readonly waiting: Waiting[];
  readonly releases: Release[];
  /** Per placement key, interfaces attaching or detaching that nobody holds yet. */
  readonly transitions: Map<string, number>;
}

interface InstanceRecord {
  readonly view: InstanceView;
  /** A running member that is not leaving: it keeps or gets an interface. */
  readonly served: boolean;
  /** The ledger of the instance's pool, when it carries the pool tag. */
  readonly ledger: PoolLedger | undefined;
  /** The pool interface a running member keeps (the lowest device index, then card, then id). */
  held: InterfaceView | undefined;
  /** It lists a pool interface that the interface describe still showed free: it is getting it. */
  arriving: boolean;
}

/** A slot an interface occupies on an instance, as seen from either side. */
export interface OccupiedSlot {
  readonly networkInterfaceId: string;
  readonly deviceIndex: number;
  readonly networkCardIndex: number;
}

/** The state indexed for planning: one ledger per pool, and the device slots of waiting instances. */
export interface IndexedState {
  /** Pool name → its ledger. */
  readonly ledgers: Map<string, PoolLedger>;
  /**
   * For each waiting instance, every non-detached attachment: the union of the instance's own list and
   * the interfaces that name it, by interface id (the two describes may disagree for a moment).
   */
  readonly slotsByInstance: ReadonlyMap<string, Map<string, OccupiedSlot>>;
}

/** Where an instance or interface sits, as the placement option sees it: its subnet, or its zone. */
export function placementKeyOf(
  view: { readonly subnetId: string; readonly availabilityZone: string },
  placement: ResolvedPlannerOptions['placement'],
): string {
  return placement === 'subnet' ? view.subnetId : view.availabilityZone;
}

const DEVICE_INDEX_PATTERN = /^[0-9]{1,9}$/;

function tagValue(tags: Tags | undefined, key: string): string | undefined {
  const value = tags?.[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** A device-index tag counts only when it is an integer >= 1; anything else is ignored. */
export function parseDeviceIndexTag(value: string | undefined): number | undefined {
  if (value === undefined || !DEVICE_INDEX_PATTERN.test(value)) return undefined;
  const index = Number(value);
  return index >= 1 ? index : undefined;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Identical duplicates (a resource seen on two pages) collapse; contradicting ones are an error. */
function uniqueById<T>(
  items: readonly T[],
  idOf: (item: T) => string,
  kind: string,
): { readonly byId: Map<string, T>; readonly list: T[] } {
  const byId = new Map<string, T>();
  const list: T[] = [];
  for (const item of items) {
    const id = idOf(item);
    if (typeof id !== 'string' || id.length === 0) {
      throw new InvalidPoolStateError(`every ${kind} needs a non-empty id`, String(id), 'id');
    }
    const seen = byId.get(id);
    if (seen === undefined) {
      byId.set(id, item);
      list.push(item);
    } else if (seen !== item && !deepEqual(seen, item)) {
      throw new InvalidPoolStateError(`${kind} ${id} is described twice, differently`, id, 'id');
    }
  }
  return { byId, list };
}

function ledgerOf(ledgers: Map<string, PoolLedger>, name: string): PoolLedger {
  let found = ledgers.get(name);
  if (found === undefined) {
    found = {
      name,
      interfaces: 0,
      free: [],
      runningMembers: 0,
      keep: [],
      extraHeld: [],
      waiting: [],
      releases: [],
      transitions: new Map(),
    };
    ledgers.set(name, found);
  }
  return found;
}

/** Orders the interfaces one member holds; the first is kept, so racing workers agree on it. */
function compareHeld(a: InterfaceView, b: InterfaceView): number {
  const ia = a.attachment!;
  const ib = b.attachment!;
  return (
    ia.deviceIndex - ib.deviceIndex ||
    ia.networkCardIndex - ib.networkCardIndex ||
    compareStrings(a.networkInterfaceId, b.networkInterfaceId)
  );
}

const isAttaching = (view: InterfaceView): boolean =>
  view.status === 'attaching' || view.attachment?.status === 'attaching';

/**
 * Sorts every pool interface into free, held, released or in transition, and every running pool member
 * into keeping or waiting. A few linear passes; allocation is kept to what the plan needs, since this is
 * the hot path for large pools.
 */
export function indexState(state: PoolState, options: ResolvedPlannerOptions): IndexedState {
  if (state === null || typeof state !== 'object' || !Array.isArray(state.instances)) {
    throw new InvalidPoolStateError('state.instances must be an array', 'state', 'instances');
  }
  if (!Array.isArray(state.interfaces)) {
    throw new InvalidPoolStateError('state.interfaces must be an array', 'state', 'interfaces');
  }
  const interfaceList = uniqueById(state.interfaces, (i) => i.networkInterfaceId, 'interface').list;
  const ledgers = new Map<string, PoolLedger>();
  const { poolTagKey } = options;
  if (state.leaving !== undefined && !Array.isArray(state.leaving)) {
    throw new InvalidPoolStateError('state.leaving must be an array of instance ids', 'state', 'leaving');
  }
  const leaving = new Set<string>(state.leaving ?? []);

  // One record per instance carries its pool and the pool interface it keeps, so the passes below look
  // each instance up once instead of keeping per-pool maps.
  const records = new Map<string, InstanceRecord>();
  const recordList: InstanceRecord[] = [];
  for (const view of state.instances) {
    const id = view.instanceId;
    if (typeof id !== 'string' || id.length === 0) {
      throw new InvalidPoolStateError('every instance needs a non-empty id', String(id), 'id');
    }
    const seen = records.get(id);
    if (seen !== undefined) {
      if (seen.view !== view && !deepEqual(seen.view, view)) {
        throw new InvalidPoolStateError(`instance ${id} is described twice, differently`, id, 'id');
      }
      continue;
    }
    const pool = tagValue(view.tags, poolTagKey);
    const ledger = pool === undefined ? undefined : ledgerOf(ledgers, pool);
    const served = ledger !== undefined && view.state === 'running' && !leaving.has(id);
    const record: InstanceRecord = { view, served, ledger, held: undefined, arriving: false };
    records.set(id, record);
    recordList.push(record);
    if (served) ledger.runningMembers += 1;
  }

  const makeInterface = (view: InterfaceView, pool: string): PoolInterface => ({
    view,
    pool,
    placementKey: placementKeyOf(view, options.placement),
    fixedIndex: parseDeviceIndexTag(view.tags[options.deviceIndexTagKey]) ?? options.fixedDeviceIndex,
    lastInstanceId: tagValue(view.tags, options.lastInstanceTagKey),
  });
  const countTransition = (ledger: PoolLedger, view: InterfaceView): void => {
    const key = placementKeyOf(view, options.placement);
    ledger.transitions.set(key, (ledger.transitions.get(key) ?? 0) + 1);
  };

  // The instances and the interfaces are two describes, not one snapshot: an attach made between them
  // shows on the instance only. Such an interface is not free, and its instance does not wait.
  const listedOn = new Map<string, InstanceRecord>();
  for (const record of recordList) {
    for (const attachment of record.view.attachments ?? []) {
      if (attachment.deviceIndex !== 0 && attachment.status !== 'detached') {
        listedOn.set(attachment.networkInterfaceId, record);
      }
    }
  }

  for (const view of interfaceList) {
    const pool = tagValue(view.tags, poolTagKey);
    if (pool === undefined) continue;
    const ledger = ledgerOf(ledgers, pool);
    ledger.interfaces += 1;
    const attachment = view.attachment?.status === 'detached' ? undefined : view.attachment;

    if (attachment === undefined) {
      const taker = view.status === 'available' ? listedOn.get(view.networkInterfaceId) : undefined;
      if (taker !== undefined) {
        if (taker.ledger === ledger) taker.arriving = true;
        countTransition(ledger, view);
      } else if (view.status === 'available') ledger.free.push(makeInterface(view, pool));
      else if (view.status === 'attaching' || view.status === 'detaching') countTransition(ledger, view);
      // Any other status without an attachment is unexplained: left alone, and not free.
      continue;
    }
    // The primary interface cannot be detached (OperationNotPermitted) and is nobody's pool address.
    if (attachment.deviceIndex === 0) continue;
    if (view.status === 'detaching' || attachment.status === 'detaching') {
      countTransition(ledger, view);
      continue;
    }
    const holderId = attachment.instanceId;
    const record = records.get(holderId);
    const holder = record?.view;
    if (record !== undefined && record.ledger === ledger && record.served) {
      const current = record.held;
      if (current === undefined) {
        record.held = view;
      } else {
        const keepCurrent = compareHeld(current, view) <= 0;
        record.held = keepCurrent ? current : view;
        ledger.extraHeld.push({ view: keepCurrent ? view : current, instanceId: holderId });
      }
      continue;
    }
    // Attaching to a non-member, or held by an instance still pending (EC2 refuses the detach): wait.
    if (isAttaching(view) || holder?.state === 'pending') {
      // A pending member that already holds one does not wait for another.
      if (record !== undefined && record.ledger === ledger) record.held ??= view;
      countTransition(ledger, view);
      continue;
    }
    ledger.releases.push({
      iface: makeInterface(view, pool),
      instanceId: holderId,
      attachmentId: attachment.attachmentId,
      reason:
        holder === undefined
          ? 'instance-unknown'
          : leaving.has(holderId) && holder.state === 'running'
            ? 'instance-leaving'
            : holder.state !== 'running'
              ? 'instance-not-running'
              : 'not-a-member',
    });
  }

  // A member holding two: the extra goes back, unless it is still attaching (then the next round).
  for (const ledger of ledgers.values()) {
    for (const { view, instanceId } of ledger.extraHeld) {
      if (isAttaching(view)) countTransition(ledger, view);
      else {
        ledger.releases.push({
          iface: makeInterface(view, ledger.name),
          instanceId,
          attachmentId: view.attachment!.attachmentId,
          reason: 'duplicate',
        });
      }
    }
  }

  const slotsByInstance = new Map<string, Map<string, OccupiedSlot>>();
  for (const { view, served, ledger, held, arriving } of recordList) {
    if (ledger === undefined || (held === undefined && arriving)) continue;
    const pending = view.state === 'pending' && !leaving.has(view.instanceId);
    if (!served && !pending) continue;
    if (held !== undefined) {
      if (!served) continue;
      ledger.keep.push({
        pool: ledger.name,
        instanceId: view.instanceId,
        networkInterfaceId: held.networkInterfaceId,
      });
      continue;
    }
    const launchMs = Date.parse(view.launchTime);
    if (Number.isNaN(launchMs)) {
      throw new InvalidPoolStateError(
        `instance ${view.instanceId} has launch time ${JSON.stringify(view.launchTime)}, not an ISO-8601 date`,
        view.instanceId,
        'launchTime',
      );
    }
    ledger.waiting.push({ view, launchMs, pending });
    const slots = new Map<string, OccupiedSlot>();
    for (const attachment of view.attachments ?? []) {
      if (attachment.status !== 'detached') slots.set(attachment.networkInterfaceId, attachment);
    }
    slotsByInstance.set(view.instanceId, slots);
  }
  if (slotsByInstance.size > 0) {
    for (const view of interfaceList) {
      const attachment = view.attachment;
      if (attachment === undefined || attachment.status === 'detached') continue;
      const slots = slotsByInstance.get(attachment.instanceId);
      if (slots !== undefined && !slots.has(view.networkInterfaceId)) {
        slots.set(view.networkInterfaceId, {
          networkInterfaceId: view.networkInterfaceId,
          deviceIndex: attachment.deviceIndex,
          networkCardIndex: attachment.networkCardIndex,
        });
      }
    }
  }

  return { ledgers, slotsByInstance };
}
