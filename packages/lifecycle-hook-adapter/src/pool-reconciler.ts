import {
  type Ec2Port,
  type EniPoolEvents,
  type EniPoolManager,
  Executor,
  type Logger,
  loadPoolState,
  type PoolState,
  planAssignments,
  type Unsatisfied,
} from '@eni-pool/core';

const FORWARDED_EVENTS = [
  'action_started',
  'action_succeeded',
  'action_failed',
  'action_conflicted',
  'duplicate_released',
  'instance_unsatisfied',
] as const satisfies readonly (keyof EniPoolEvents)[];

export interface PoolReconcileResult {
  readonly unsatisfied: readonly Unsatisfied[];
  readonly converged: boolean;
}

/**
 * Reconciles one pool, keeping instances that are being released out of it.
 *
 * During `Terminating:Wait` an instance is still `running`, so a plain reconcile would keep its interface
 * (or hand a freed one straight back, oldest instance first). While this handler releases instances, its
 * reconciles present them to the planner as `shutting-down` — which is what they are about to be — so the
 * planner releases their interfaces and hands them over to waiting successors in the same plan. With no
 * release in flight, the manager's own `reconcile` is used.
 */
export class PoolReconciler {
  private readonly releasing = new Map<string, number>();
  private executor: Executor | undefined;

  constructor(
    private readonly manager: EniPoolManager,
    private readonly ec2: Ec2Port,
    private readonly poolTagKey: string,
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly releasingTtlMs: number,
  ) {}

  /** Keeps `instanceId` out of this handler's reconciles for the configured time. */
  markReleasing(instanceId: string): void {
    this.releasing.set(instanceId, this.now() + this.releasingTtlMs);
  }

  releasingInstances(): ReadonlySet<string> {
    const now = this.now();
    for (const [instanceId, until] of this.releasing) {
      if (until <= now) this.releasing.delete(instanceId);
    }
    return new Set(this.releasing.keys());
  }

  async reconcile(pool: string): Promise<PoolReconcileResult> {
    const releasing = this.releasingInstances();
    if (releasing.size === 0) {
      const result = await this.manager.reconcile({ kind: 'pools', pools: [pool] });
      return { unsatisfied: result.unsatisfied, converged: result.converged };
    }
    return this.reconcileReleasing(pool, releasing);
  }

  private async reconcileReleasing(
    pool: string,
    releasing: ReadonlySet<string>,
  ): Promise<PoolReconcileResult> {
    const maxRounds = this.manager.options.maxRounds ?? 3;
    const plannerOptions = { ...this.manager.options.planner, poolTagKey: this.poolTagKey };
    let unsatisfied: readonly Unsatisfied[] = [];
    for (let round = 1; round <= maxRounds; round++) {
      const loaded = await loadPoolState(
        this.ec2,
        { kind: 'pools', pools: [pool] },
        { poolTagKey: this.poolTagKey },
      );
      const plan = planAssignments(withoutReleasing(loaded, releasing), plannerOptions);
      unsatisfied = plan.unsatisfied;
      if (plan.actions.length === 0) return { unsatisfied, converged: true };
      this.logger.debug('applying plan with releasing instances excluded', {
        pool,
        round,
        releasing: [...releasing],
        actions: plan.actions.map((action) => action.id),
      });
      const applied = await this.getExecutor().apply(plan);
      if (applied.conflicts === 0 && applied.failed === 0) return { unsatisfied, converged: true };
    }
    return { unsatisfied, converged: false };
  }

  private getExecutor(): Executor {
    if (!this.executor) {
      const executor = new Executor({ ...this.manager.options.executor, ec2: this.ec2, logger: this.logger });
      // Listeners of the manager hear about every attach and detach, whichever path applied it.
      for (const name of FORWARDED_EVENTS) {
        executor.on(name, (...args: unknown[]) => {
          (this.manager.emit as (event: string, ...rest: unknown[]) => boolean)(name, ...args);
        });
      }
      this.executor = executor;
    }
    return this.executor;
  }
}

/** The state with every releasing instance shown as `shutting-down`. */
export function withoutReleasing(state: PoolState, releasing: ReadonlySet<string>): PoolState {
  return {
    ...state,
    instances: state.instances.map((instance) =>
      releasing.has(instance.instanceId) && (instance.state === 'running' || instance.state === 'pending')
        ? { ...instance, state: 'shutting-down' }
        : instance,
    ),
  };
}
