import type { EniPoolManager, Unsatisfied } from '@eni-pool/core';

export interface PoolReconcileResult {
  readonly unsatisfied: readonly Unsatisfied[];
  readonly converged: boolean;
}

/**
 * Reconciles one pool through the manager, keeping instances that this handler is releasing out of it.
 *
 * During `Terminating:Wait` an instance is still `running`, so a plain reconcile would keep its interface
 * (or hand a freed one straight back, oldest instance first). The manager's `releasing` option presents
 * those instances to the planner as `shutting-down` — which is what they are about to be — so it releases
 * their interfaces and hands them over to waiting successors in the same plan. An instance stays in the
 * releasing set for a while after its terminate action, so that a launch handled meanwhile by this handler
 * does not give the address back to it before it shuts down.
 */
export class PoolReconciler {
  private readonly releasing = new Map<string, number>();
  /** The last reconcile queued per pool: one at a time per pool within this handler. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly manager: EniPoolManager,
    private readonly now: () => number,
    private readonly releasingTtlMs: number,
  ) {}

  /** Keeps `instanceId` out of this handler's reconciles for the configured time. */
  markReleasing(instanceId: string): void {
    this.releasing.set(instanceId, this.now() + this.releasingTtlMs);
  }

  /** The instances currently being released (expired entries are dropped). */
  releasingInstances(): ReadonlySet<string> {
    const now = this.now();
    for (const [instanceId, until] of this.releasing) {
      if (until <= now) this.releasing.delete(instanceId);
    }
    return new Set(this.releasing.keys());
  }

  /**
   * Reconciles `pool`, after any reconcile of the same pool already running in this handler: actions of
   * one pool handled at once (a launch and the termination it replaces) would otherwise plan the same
   * hand-over twice and race each other's attaches.
   */
  async reconcile(pool: string, signal?: AbortSignal): Promise<PoolReconcileResult> {
    const previous = this.queues.get(pool) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(async () => {
        const result = await this.manager.reconcile(
          { kind: 'pools', pools: [pool] },
          { releasing: this.releasingInstances(), ...(signal ? { signal } : {}) },
        );
        return { unsatisfied: result.unsatisfied, converged: result.converged };
      });
    this.queues.set(pool, run);
    try {
      return await run;
    } finally {
      if (this.queues.get(pool) === run) this.queues.delete(pool);
    }
  }
}
