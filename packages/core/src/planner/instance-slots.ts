import type { DetachAction, InstanceView } from '../model';
import { compareStrings } from './compare';
import type { OccupiedSlot } from './state-index';

/** Why an interface cannot be attached to an instance in this plan. */
export type SlotRejection =
  /** Its fixed device index is used by an attachment that stays. */
  | { readonly kind: 'index'; readonly deviceIndex: number }
  /** It would have to wait for two detaches (its own hand-over and one freeing the slot); next round. */
  | {
      readonly kind: 'two-dependencies';
      /** What the detach frees: the fixed index, or room under the interface limit. */
      readonly frees: 'index' | 'limit';
      readonly deviceIndex: number;
      readonly waitsFor: string;
    };

/** Where an interface fits on an instance in this plan. */
export interface SlotFit {
  /** The device index to attach at. */
  readonly deviceIndex: number;
  /** The detach that must finish first, when the index or the interface limit depends on it. */
  readonly after: string | undefined;
}

/**
 * The device slots of one instance on the planned network card: which indices stay used, which are freed
 * by a detach of this same plan, and how many interfaces the instance holds against its limit.
 */
export class InstanceSlots {
  /** Indices used on the network card by attachments that stay. */
  private readonly staying = new Set<number>();
  /** Indices on the network card freed by a detach in this plan, with that detach's id. */
  private readonly freed = new Map<number, string>();
  private readonly freeingDetaches: string[] = [];
  /** Attachments on every card that stay. */
  readonly stayingCount: number;
  readonly totalCount: number;
  readonly maxInterfaces: number | undefined;

  constructor(
    instance: InstanceView,
    slots: ReadonlyMap<string, OccupiedSlot> | undefined,
    detachByInterface: ReadonlyMap<string, DetachAction>,
    readonly networkCardIndex: number,
  ) {
    let stayingCount = 0;
    let totalCount = 0;
    for (const slot of slots?.values() ?? []) {
      totalCount += 1;
      const detach = detachByInterface.get(slot.networkInterfaceId);
      const leaving = detach !== undefined && detach.instanceId === instance.instanceId;
      if (leaving) this.freeingDetaches.push(detach.id);
      else stayingCount += 1;
      if (slot.networkCardIndex !== networkCardIndex) continue;
      if (leaving) {
        if (!this.staying.has(slot.deviceIndex)) this.freed.set(slot.deviceIndex, detach.id);
      } else {
        this.staying.add(slot.deviceIndex);
        this.freed.delete(slot.deviceIndex);
      }
    }
    this.freeingDetaches.sort(compareStrings);
    this.stayingCount = stayingCount;
    this.totalCount = totalCount;
    const max = instance.maxInterfaces;
    this.maxInterfaces = Number.isSafeInteger(max) && max !== undefined && max >= 1 ? max : undefined;
  }

  /** True when the instance is at its interface limit even after this plan's detaches. */
  atLimit(): boolean {
    return this.maxInterfaces !== undefined && this.stayingCount >= this.maxInterfaces;
  }

  /**
   * Where an interface with this fixed index (or none) would go. `handover` says whether the interface
   * itself waits for a detach; an attach can wait for one detach only.
   */
  fit(fixedIndex: number | undefined, handover: boolean): SlotFit | SlotRejection {
    let deviceIndex: number;
    let indexDependency: string | undefined;
    if (fixedIndex !== undefined) {
      if (this.staying.has(fixedIndex)) return { kind: 'index', deviceIndex: fixedIndex };
      deviceIndex = fixedIndex;
      indexDependency = this.freed.get(fixedIndex);
    } else {
      // Indices freed in this plan are skipped too, so the attach need not wait for their detach.
      deviceIndex = 1;
      while (this.staying.has(deviceIndex) || this.freed.has(deviceIndex)) deviceIndex += 1;
    }
    const overLimit = this.maxInterfaces !== undefined && this.totalCount >= this.maxInterfaces;
    const slotDependency = indexDependency ?? (overLimit ? this.freeingDetaches[0] : undefined);
    if (slotDependency !== undefined && handover) {
      const frees = indexDependency !== undefined ? 'index' : 'limit';
      return { kind: 'two-dependencies', frees, deviceIndex, waitsFor: slotDependency };
    }
    return { deviceIndex, after: slotDependency };
  }
}

/** Tells a rejection from a fit. */
export function isRejection(fit: SlotFit | SlotRejection): fit is SlotRejection {
  return 'kind' in fit;
}
