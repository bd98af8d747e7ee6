/**
 * Instances released through one manager (`releasing`, `markReleasing`), remembered until a deadline so
 * that every later reconcile of that manager — whatever path it comes from — treats them as leaving.
 */
export class LeavingMemory {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /** Remembers `instanceIds` for `forMs`; `0` forgets them. A later, shorter mark does not shorten. */
  mark(instanceIds: Iterable<string>, forMs: number): void {
    const now = this.now();
    for (const instanceId of instanceIds) {
      if (forMs <= 0) {
        this.until.delete(instanceId);
        continue;
      }
      this.until.set(instanceId, Math.max(this.until.get(instanceId) ?? 0, now + forMs));
    }
  }

  /** The instances still remembered; expired entries are dropped. */
  current(): Set<string> {
    const now = this.now();
    for (const [instanceId, until] of this.until) {
      if (until <= now) this.until.delete(instanceId);
    }
    return new Set(this.until.keys());
  }
}
