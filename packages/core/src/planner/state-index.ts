import type { DetachReason, InstanceView, InterfaceView, PoolState, Tags } from '../model';
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

export interface Member {
  readonly view: InstanceView;
  readonly launchMs: number;
}

/** Everything known about one pool after a single pass over the state. */
export interface PoolBook {
  readonly name: string;
  interfaces: number;
  /** `available` interfaces, unattached. */
  readonly free: PoolInterface[];
  /** Running members of the pool. */
  readonly members: Member[];
  /** Per running member, the pool interfaces it holds (attached, or attaching to it). */
  readonly holdings: Map<string, PoolInterface[]>;
  readonly releases: Release[];
  /** Per placement key, interfaces attaching or detaching that nobody holds yet. */
  readonly transitions: Map<string, number>;
}

/** A slot an interface occupies on an instance, as seen from either side. */
export interface OccupiedSlot {
  readonly networkInterfaceId: string;
  readonly deviceIndex: number;
  readonly networkCardIndex: number;
}

export interface IndexedState {
  readonly books: Map<string, PoolBook>;
  readonly instances: ReadonlyMap<string, InstanceView>;
  /** Every non-detached attachment per instance: the union of both views, by interface id. */
  readonly slotsByInstance: ReadonlyMap<string, Map<string, OccupiedSlot>>;
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
function uniqueById<T>(items: readonly T[], idOf: (item: T) => string, kind: string): Map<string, T> {
  const byId = new Map<string, T>();
  for (const item of items) {
    const id = idOf(item);
    if (typeof id !== 'string' || id.length === 0) {
      throw new InvalidPoolStateError(`every ${kind} needs a non-empty id`, String(id), 'id');
    }
    const seen = byId.get(id);
    if (seen === undefined) byId.set(id, item);
    else if (seen !== item && !deepEqual(seen, item)) {
      throw new InvalidPoolStateError(`${kind} ${id} is described twice, differently`, id, 'id');
    }
  }
  return byId;
}

function book(books: Map<string, PoolBook>, name: string): PoolBook {
  let found = books.get(name);
  if (found === undefined) {
    found = {
      name,
      interfaces: 0,
      free: [],
      members: [],
      holdings: new Map(),
      releases: [],
      transitions: new Map(),
    };
    books.set(name, found);
  }
  return found;
}

function countTransition(pool: PoolBook, iface: PoolInterface): void {
  pool.transitions.set(iface.placementKey, (pool.transitions.get(iface.placementKey) ?? 0) + 1);
}

function addSlot(
  slots: Map<string, Map<string, OccupiedSlot>>,
  instanceId: string,
  slot: OccupiedSlot,
): void {
  let perInstance = slots.get(instanceId);
  if (perInstance === undefined) {
    perInstance = new Map();
    slots.set(instanceId, perInstance);
  }
  if (!perInstance.has(slot.networkInterfaceId)) perInstance.set(slot.networkInterfaceId, slot);
}

/** Orders the interfaces one member holds; the first is kept, so racing workers agree on it. */
function compareHeld(a: PoolInterface, b: PoolInterface): number {
  const ia = a.view.attachment!;
  const ib = b.view.attachment!;
  return (
    ia.deviceIndex - ib.deviceIndex ||
    ia.networkCardIndex - ib.networkCardIndex ||
    compareStrings(a.view.networkInterfaceId, b.view.networkInterfaceId)
  );
}

/**
 * One pass over the state: sorts every pool interface into free, held, released or in transition, and
 * collects the running members of every pool. Linear in the size of the state.
 */
export function indexState(state: PoolState, options: ResolvedPlannerOptions): IndexedState {
  if (state === null || typeof state !== 'object' || !Array.isArray(state.instances)) {
    throw new InvalidPoolStateError('state.instances must be an array', 'state', 'instances');
  }
  if (!Array.isArray(state.interfaces)) {
    throw new InvalidPoolStateError('state.interfaces must be an array', 'state', 'interfaces');
  }
  const instances = uniqueById(state.instances, (i) => i.instanceId, 'instance');
  const interfaces = uniqueById(state.interfaces, (i) => i.networkInterfaceId, 'interface');
  const books = new Map<string, PoolBook>();
  const slotsByInstance = new Map<string, Map<string, OccupiedSlot>>();
  const poolOf = new Map<string, string>();

  for (const view of instances.values()) {
    for (const attachment of view.attachments ?? []) {
      if (attachment.status !== 'detached') addSlot(slotsByInstance, view.instanceId, attachment);
    }
    const pool = tagValue(view.tags, options.poolTagKey);
    if (pool === undefined) continue;
    poolOf.set(view.instanceId, pool);
    const poolBook = book(books, pool);
    if (view.state !== 'running') continue;
    const launchMs = Date.parse(view.launchTime);
    if (Number.isNaN(launchMs)) {
      throw new InvalidPoolStateError(
        `instance ${view.instanceId} has launch time ${JSON.stringify(view.launchTime)}, not an ISO-8601 date`,
        view.instanceId,
        'launchTime',
      );
    }
    poolBook.members.push({ view, launchMs });
  }

  const isRunningMember = (instanceId: string, pool: string): boolean =>
    instances.get(instanceId)?.state === 'running' && poolOf.get(instanceId) === pool;

  for (const view of interfaces.values()) {
    const attachment = view.attachment?.status === 'detached' ? undefined : view.attachment;
    if (attachment !== undefined) {
      addSlot(slotsByInstance, attachment.instanceId, {
        networkInterfaceId: view.networkInterfaceId,
        ...attachment,
      });
    }
    const pool = tagValue(view.tags, options.poolTagKey);
    if (pool === undefined) continue;
    const poolBook = book(books, pool);
    poolBook.interfaces += 1;
    const iface: PoolInterface = {
      view,
      pool,
      placementKey: options.placement === 'subnet' ? view.subnetId : view.availabilityZone,
      fixedIndex: parseDeviceIndexTag(view.tags[options.deviceIndexTagKey]) ?? options.fixedDeviceIndex,
      lastInstanceId: tagValue(view.tags, options.lastInstanceTagKey),
    };

    if (attachment === undefined) {
      if (view.status === 'available') poolBook.free.push(iface);
      else if (view.status === 'attaching' || view.status === 'detaching') countTransition(poolBook, iface);
      // Any other status without an attachment is unexplained: left alone, and not free.
      continue;
    }
    // The primary interface cannot be detached (OperationNotPermitted) and is nobody's pool address.
    if (attachment.deviceIndex === 0) continue;
    if (view.status === 'detaching' || attachment.status === 'detaching') {
      countTransition(poolBook, iface);
      continue;
    }
    const holderId = attachment.instanceId;
    if (isRunningMember(holderId, pool)) {
      let held = poolBook.holdings.get(holderId);
      if (held === undefined) {
        held = [];
        poolBook.holdings.set(holderId, held);
      }
      held.push(iface);
      continue;
    }
    const holder = instances.get(holderId);
    // Attaching to a non-member, or held by an instance still pending (EC2 refuses the detach): wait.
    if (view.status === 'attaching' || attachment.status === 'attaching' || holder?.state === 'pending') {
      countTransition(poolBook, iface);
      continue;
    }
    poolBook.releases.push({
      iface,
      instanceId: holderId,
      attachmentId: attachment.attachmentId,
      reason:
        holder === undefined
          ? 'instance-unknown'
          : holder.state !== 'running'
            ? 'instance-not-running'
            : 'not-a-member',
    });
  }

  for (const poolBook of books.values()) {
    for (const [instanceId, held] of poolBook.holdings) {
      if (held.length < 2) continue;
      held.sort(compareHeld);
      for (const extra of held.splice(1)) {
        const attachment = extra.view.attachment!;
        if (extra.view.status === 'attaching' || attachment.status === 'attaching') {
          countTransition(poolBook, extra);
        } else {
          poolBook.releases.push({
            iface: extra,
            instanceId,
            attachmentId: attachment.attachmentId,
            reason: 'duplicate',
          });
        }
      }
    }
  }

  return { books, instances, slotsByInstance };
}
