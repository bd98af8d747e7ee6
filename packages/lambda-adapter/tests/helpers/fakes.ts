import {
  type ActionOutcome,
  type Ec2Port,
  EniPoolManager,
  type HandleResult,
  type InstanceMembership,
  type Logger,
  type PlanAction,
  type PoolScope,
  type PoolSummary,
  type ReconcileResult,
  type Trigger,
} from '@eni-pool/core';
import type { ManagerLike } from '../../src/types';

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export function poolSummary(pool: string, overrides: Partial<PoolSummary> = {}): PoolSummary {
  return {
    pool,
    interfaces: 3,
    freeInterfaces: 1,
    runningInstances: 2,
    attached: 2,
    attaches: 0,
    detaches: 0,
    unsatisfied: 0,
    ...overrides,
  };
}

export function attachOutcome(pool: string, status: ActionOutcome['status'], n = 1): ActionOutcome {
  const action: PlanAction = {
    kind: 'attach',
    id: `attach:eni-${n}:i-${n}`,
    pool,
    networkInterfaceId: `eni-${n}`,
    instanceId: `i-${n}`,
    deviceIndex: 1,
    networkCardIndex: 0,
  };
  return { action, status, durationMs: 5 };
}

export function reconcileResult(scope: PoolScope, overrides: Partial<ReconcileResult> = {}): ReconcileResult {
  const pools = scope.kind === 'pools' ? scope.pools : ['web'];
  return {
    scope,
    rounds: 1,
    converged: true,
    outcomes: [],
    unsatisfied: [],
    pools: pools.map((pool) => poolSummary(pool)),
    plan: { actions: [], keep: [], unsatisfied: [], pools: [] },
    leaving: [],
    ...overrides,
  };
}

/** A manager that records what it was asked and answers from `respond`. */
export class FakeManager implements ManagerLike {
  get poolTagKey(): string | undefined {
    return this.config.poolTagKey;
  }

  readonly handled: Trigger[] = [];
  readonly reconciled: PoolScope[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    private readonly config: {
      /** Instance → pool; instances not listed are not pool members. */
      readonly members?: Readonly<Record<string, string>>;
      /** Answers `poolsOf` as a real manager would, from this EC2 (`members` otherwise). */
      readonly poolsFrom?: Ec2Port;
      /** The tag key the fake plans with, as a manager's `poolTagKey`. */
      readonly poolTagKey?: string;
      readonly fail?: (scope: PoolScope) => Error | undefined;
      readonly delayMs?: number;
      readonly result?: (scope: PoolScope) => ReconcileResult;
    } = {},
  ) {}

  async handle(trigger: Trigger, options?: { readonly signal?: AbortSignal }): Promise<HandleResult> {
    this.handled.push(trigger);
    if (trigger.kind !== 'instance-state-change') throw new Error(`unexpected ${trigger.kind}`);
    const pool = this.config.members?.[trigger.instanceId];
    if (pool === undefined) return { trigger, skipped: `instance ${trigger.instanceId} is not in a pool` };
    return { trigger, reconcile: await this.reconcile({ kind: 'pools', pools: [pool] }, options) };
  }

  async poolsOf(instanceIds: Iterable<string>): Promise<Map<string, InstanceMembership>> {
    if (this.config.poolsFrom) {
      return new EniPoolManager({
        ec2: this.config.poolsFrom,
        logger: silentLogger,
        ...(this.config.poolTagKey ? { planner: { poolTagKey: this.config.poolTagKey } } : {}),
      }).poolsOf(instanceIds);
    }
    return new Map(
      [...instanceIds].map((id) => {
        const pool = this.config.members?.[id];
        return [id, { pools: pool === undefined ? [] : [pool] }];
      }),
    );
  }

  async reconcileInstances(
    instanceIds: Iterable<string>,
    options?: {
      readonly signal?: AbortSignal;
      readonly memberships?: ReadonlyMap<string, InstanceMembership>;
    },
  ): Promise<ReconcileResult | undefined> {
    const ids = [...instanceIds];
    const memberships = options?.memberships ?? (await this.poolsOf(ids));
    const pools = [...new Set(ids.flatMap((id) => memberships.get(id)?.pools ?? []))].sort();
    if (pools.length === 0) return undefined;
    return this.reconcile({ kind: 'pools', pools }, options);
  }

  async reconcile(scope: PoolScope, _options?: { readonly signal?: AbortSignal }): Promise<ReconcileResult> {
    this.reconciled.push(scope);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.config.delayMs) await new Promise((resolve) => setTimeout(resolve, this.config.delayMs));
      const failure = this.config.fail?.(scope);
      if (failure) throw failure;
      return this.config.result?.(scope) ?? reconcileResult(scope);
    } finally {
      this.inFlight -= 1;
    }
  }
}

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly context?: Record<string, unknown>;
}

/** A logger that keeps what it was told. */
export function recordingLogger(): Logger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (message: string, context?: Record<string, unknown>) => {
    entries.push({ level, message, ...(context ? { context } : {}) });
  };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
