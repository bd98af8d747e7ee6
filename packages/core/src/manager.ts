import { EC2Client } from '@aws-sdk/client-ec2';
import { EventEmitter } from 'eventemitter3';
import type { DescribePageInput, Ec2Port } from './ec2-port';
import { ConfigurationError } from './errors';
import type { EniPoolEvents } from './events';
import { type ActionOutcome, Executor, type ExecutorOptions } from './executor';
import { type Clock, systemClock } from './internal/clock';
import { emitSafely } from './internal/emit';
import { MIN_PAGE_SIZE } from './internal/limits';
import { ReleasingMemory } from './internal/releasing-memory';
import { DEFAULT_RETRY_POLICY, withRetry } from './internal/retry';
import { ScopeQueue } from './internal/scope-queue';
import type { LeavingInstances } from './leaving';
import { loadPoolState } from './loader';
import { defaultLogger, type Logger } from './logger';
import {
  DEFAULT_POOL_TAG_KEY,
  type Plan,
  type PlannerOptions,
  type PoolScope,
  type PoolState,
  type PoolSummary,
  type Unsatisfied,
} from './model';
import { planAssignments } from './planner';
import { createSdkEc2Port } from './sdk-ec2-port';
import type { Trigger } from './trigger';

/**
 * Options of {@link EniPoolManager}; every field is optional. Invalid values throw a `ConfigurationError`
 * naming the setting from the constructor, before any AWS call.
 *
 * @example
 * ```ts
 * const options: EniPoolManagerOptions = {
 *   ec2: new EC2Client({}),
 *   planner: { placement: 'availability-zone' },
 *   executor: { wait: { timeoutMs: 60_000 } },
 *   leaving: createAutoScalingLeavingInstances(), // from @eni-pool/lifecycle-hook-adapter
 * };
 * const manager = new EniPoolManager(options);
 * ```
 */
export interface EniPoolManagerOptions {
  /** An `Ec2Port`, or an `EC2Client` to wrap. @defaultValue `new EC2Client({})` from the standard SDK configuration */
  readonly ec2?: Ec2Port | EC2Client;
  /** Where the manager and its executor log. @defaultValue warnings and errors as JSON lines on stderr */
  readonly logger?: Logger;
  /**
   * Planner options; `planner.poolTagKey` is also the tag the manager finds pools and members by.
   * @defaultValue `{}` (the defaults of `PlannerOptions`)
   */
  readonly planner?: PlannerOptions;
  /**
   * Executor options (concurrency, rate limit, retries, waits); its `retry`, `sleep`, `now` and `random`
   * also serve the manager's describes. @defaultValue `{}` (the defaults of `ExecutorOptions`)
   */
  readonly executor?: Omit<ExecutorOptions, 'ec2' | 'logger'>;
  /** Load → plan → apply rounds before giving up on convergence. @defaultValue `3` */
  readonly maxRounds?: number;
  /** Page size of the describes that load the pool state, 5–1000. @defaultValue `1000` */
  readonly pageSize?: number;
  /**
   * A {@link LeavingInstances} source, asked in every load → plan which running members of the
   * reconciled pools are leaving (an Auto Scaling group terminating them, say), so that every path
   * through this manager — state changes, the scheduled sync, lifecycle actions — releases their
   * interfaces and never hands one back to them. A failure or timeout is logged and the round plans with
   * what is known without it (the `releasing` instances of the call and those this manager remembers).
   * @defaultValue none
   */
  readonly leaving?: LeavingInstances;
  /** Bound of one `leaving.leavingAmong` call, in milliseconds. @defaultValue `10000` */
  readonly leavingTimeoutMs?: number;
  /**
   * How long an instance passed as `releasing` (or to `markReleasing`) stays leaving for every later
   * reconcile of this manager, so that a reconcile from another path does not hand its interface back
   * before it shuts down; `0` remembers nothing beyond the call. @defaultValue `600000` (10 min)
   */
  readonly releasingTtlMs?: number;
}

/** Per-call options of `reconcile` and `handle`. */
export interface ReconcileOptions {
  /** Checked between actions and between rounds; once aborted, nothing new is started. */
  readonly signal?: AbortSignal;
  /**
   * Instances being let go of while still `running` or `pending` (e.g. in a terminate lifecycle hook):
   * they are planned as `shutting-down`, so their pool interfaces are released and handed to successors.
   * The manager remembers them for `releasingTtlMs`, so its other reconciles treat them so too.
   */
  readonly releasing?: Iterable<string>;
}

/** What one `reconcile` did and found. Failed actions are reported here, not thrown. */
export interface ReconcileResult {
  /** The scope reconciled, as asked. */
  readonly scope: PoolScope;
  /** Load → plan passes made, including the last one that found nothing (or too much) left to do. */
  readonly rounds: number;
  /** True when the last round's plan had no actions left to do. */
  readonly converged: boolean;
  /** The outcome of every action applied, round after round (detaches, then attaches, in plan order). */
  readonly outcomes: readonly ActionOutcome[];
  /** The instances the last round could not serve, with the planner's reason. */
  readonly unsatisfied: readonly Unsatisfied[];
  /** Per-pool figures of the last round's plan (free interfaces, attaches, detaches, …), pools in scope. */
  readonly pools: readonly PoolSummary[];
  /** The plan of the last round. */
  readonly plan: Plan;
  /**
   * The running or pending instances the last round planned as leaving (`releasing`, remembered, or
   * named by the `leaving` source), sorted.
   */
  readonly leaving: readonly string[];
}

/** What `handle` did with one trigger: a reconcile, or the reason it needed none. */
export interface HandleResult {
  /** The trigger handled, as passed in. */
  readonly trigger: Trigger;
  /** Undefined when the trigger needed no reconcile (untagged instance, pending state, test notification). */
  readonly reconcile?: ReconcileResult;
  /** Why nothing was done, when nothing was. */
  readonly skipped?: string;
}

const FORWARDED_EVENTS = [
  'action_started',
  'action_succeeded',
  'action_failed',
  'action_conflicted',
] as const satisfies readonly (keyof EniPoolEvents)[];

function isEc2Port(ec2: Ec2Port | EC2Client): ec2 is Ec2Port {
  return typeof (ec2 as Partial<Ec2Port>).describeNetworkInterfaces === 'function';
}

/** Presents the releasing instances that still run as `shutting-down`, which is what they are about to be. */
function asReleasing(state: PoolState, releasing: ReadonlySet<string>): PoolState {
  return {
    ...state,
    instances: state.instances.map((instance) =>
      releasing.has(instance.instanceId) && (instance.state === 'running' || instance.state === 'pending')
        ? { ...instance, state: 'shutting-down' as const }
        : instance,
    ),
  };
}

/** Keeps only what concerns the pools of `scope`: holders from other pools are loaded, not managed. */
function planWithinScope(plan: Plan, scope: PoolScope): Plan {
  if (scope.kind === 'all') return plan;
  const pools = new Set(scope.pools);
  return {
    actions: plan.actions.filter((action) => pools.has(action.pool)),
    keep: plan.keep.filter((keep) => pools.has(keep.pool)),
    unsatisfied: plan.unsatisfied.filter((entry) => pools.has(entry.pool)),
    pools: plan.pools.filter((summary) => pools.has(summary.pool)),
  };
}

/**
 * Ties load → plan → apply together. A reconcile re-reads and re-plans after every round that changed
 * something or lost a race, up to `maxRounds`; that re-read is also where two racing workers are caught
 * (an instance holding two interfaces of its pool), and the planner's `duplicate` rule releases the
 * extra one, the same one on every worker.
 *
 * @example
 * ```ts
 * const manager = new EniPoolManager({ ec2: new EC2Client({}), maxRounds: 3 });
 * manager.on('action_failed', ({ action, error }) => logger.warn(error.message, { action: action.id }));
 * const result = await manager.handle(parseEvent(event));
 * if (result.reconcile && !result.reconcile.converged) logger.warn('pool not converged');
 * ```
 */
export class EniPoolManager extends EventEmitter<EniPoolEvents> {
  private readonly ec2: Ec2Port;
  private readonly logger: Logger;
  private readonly executor: Executor;
  private readonly maxRounds: number;
  private readonly poolTagKey: string;
  private readonly clock: Clock;
  private readonly releasingTtlMs: number;
  private readonly leavingTimeoutMs: number;
  private readonly released: ReleasingMemory;
  /** One reconcile per pool at a time within this manager; a waiting one is shared by later requests. */
  private readonly queue = new ScopeQueue<ReconcileResult>();

  /**
   * Checks the options and wires the executor; makes no AWS call.
   *
   * @param options - The options as given, kept as {@link EniPoolManager.options}.
   * @throws ConfigurationError naming the setting, when `maxRounds`, `releasingTtlMs`,
   * `leavingTimeoutMs`, `leaving` or an executor option is invalid.
   */
  constructor(
    /** The options the manager was built with, as given (defaults are not filled in). */
    readonly options: EniPoolManagerOptions = {},
  ) {
    super();
    const ec2 = options.ec2 ?? new EC2Client({});
    this.ec2 = isEc2Port(ec2) ? ec2 : createSdkEc2Port(ec2);
    this.logger = options.logger ?? defaultLogger;
    this.maxRounds = options.maxRounds ?? 3;
    if (!Number.isInteger(this.maxRounds) || this.maxRounds < 1) {
      throw new ConfigurationError(
        `maxRounds must be a positive integer, got ${options.maxRounds}`,
        'maxRounds',
      );
    }
    this.poolTagKey = options.planner?.poolTagKey ?? DEFAULT_POOL_TAG_KEY;
    this.clock = {
      now: options.executor?.now ?? systemClock.now,
      sleep: options.executor?.sleep ?? systemClock.sleep,
    };
    this.releasingTtlMs = options.releasingTtlMs ?? 600_000;
    if (!Number.isInteger(this.releasingTtlMs) || this.releasingTtlMs < 0) {
      throw new ConfigurationError(
        `releasingTtlMs must be a non-negative integer, got ${options.releasingTtlMs}`,
        'releasingTtlMs',
      );
    }
    this.leavingTimeoutMs = options.leavingTimeoutMs ?? 10_000;
    if (!Number.isInteger(this.leavingTimeoutMs) || this.leavingTimeoutMs < 1) {
      throw new ConfigurationError(
        `leavingTimeoutMs must be a positive integer, got ${options.leavingTimeoutMs}`,
        'leavingTimeoutMs',
      );
    }
    if (options.leaving !== undefined && typeof options.leaving.leavingAmong !== 'function') {
      throw new ConfigurationError('leaving must have a leavingAmong(members, signal) method', 'leaving');
    }
    this.released = new ReleasingMemory(this.clock.now);
    // The tag the executor writes is the one the planner reads, unless set apart on purpose.
    const lastInstanceTagKey = options.executor?.lastInstanceTagKey ?? options.planner?.lastInstanceTagKey;
    this.executor = new Executor({
      ...options.executor,
      ...(lastInstanceTagKey !== undefined ? { lastInstanceTagKey } : {}),
      ec2: this.ec2,
      logger: this.logger,
    });
    for (const event of FORWARDED_EVENTS) {
      this.executor.on(event, (...args: unknown[]) => this.notify(event, ...(args as [never])));
    }
  }

  private notify<K extends keyof EniPoolEvents & string>(event: K, ...args: EniPoolEvents[K]): void {
    emitSafely<EniPoolEvents, K>(this, this.logger, event, ...args);
  }

  /** Describes go through the executor's retry policy too: a throttled read must not end a reconcile. */
  private readonly reads: Ec2Port = {
    describeInstances: (input) => this.read('DescribeInstances', () => this.ec2.describeInstances(input)),
    describeNetworkInterfaces: (input) =>
      this.read('DescribeNetworkInterfaces', () => this.ec2.describeNetworkInterfaces(input)),
    attachNetworkInterface: (input) => this.ec2.attachNetworkInterface(input),
    detachNetworkInterface: (input) => this.ec2.detachNetworkInterface(input),
    createTags: (input) => this.ec2.createTags(input),
  };

  private async read<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const retry = this.options.executor?.retry;
    const { value } = await withRetry(
      {
        operation,
        policy: {
          maxAttempts: retry?.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
          baseDelayMs: retry?.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
          maxDelayMs: retry?.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
        },
        clock: this.clock,
        random: this.options.executor?.random ?? Math.random,
        logger: this.logger,
      },
      call,
    );
    return value;
  }

  /**
   * Remembers `instanceIds` as leaving for `forMs`: every reconcile of this manager, whatever path it
   * comes from, plans them as `shutting-down` while EC2 still shows them running. `0` forgets them (an
   * instance a warm pool takes back into service, say).
   *
   * @example
   * ```ts
   * manager.markReleasing([terminatingInstanceId]);
   * await manager.reconcile({ kind: 'pools', pools: ['bastion'] });
   * ```
   */
  markReleasing(instanceIds: Iterable<string>, forMs: number = this.releasingTtlMs): void {
    if (!Number.isFinite(forMs) || forMs < 0) {
      throw new ConfigurationError(`forMs must be a non-negative number, got ${forMs}`, 'forMs');
    }
    this.released.mark(instanceIds, forMs);
  }

  /**
   * The instances this manager remembers as released right now (`releasing` and `markReleasing`, until
   * their time runs out): a copy, which later marks do not change.
   *
   * @example
   * ```ts
   * manager.markReleasing(['i-0abc']);
   * manager.releasingInstances().has('i-0abc'); // true, for `releasingTtlMs`
   * ```
   */
  releasingInstances(): ReadonlySet<string> {
    return this.released.current();
  }

  /**
   * The running or pending members of the pools of `scope` that the `leaving` source names, among those
   * not known to be leaving yet. Bounded by `leavingTimeoutMs`; a failure is logged and answers nothing.
   */
  private async askLeaving(
    state: PoolState,
    scope: PoolScope,
    known: ReadonlySet<string>,
    signal: AbortSignal | undefined,
  ): Promise<string[]> {
    const source = this.options.leaving;
    if (source === undefined || signal?.aborted) return [];
    const pools = scope.kind === 'all' ? undefined : new Set(scope.pools);
    const members = state.instances
      .filter((instance) => {
        const pool = instance.tags[this.poolTagKey];
        return (
          (instance.state === 'running' || instance.state === 'pending') &&
          pool !== undefined &&
          (pools === undefined || pools.has(pool)) &&
          !known.has(instance.instanceId)
        );
      })
      .sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
    if (members.length === 0) return [];
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(`no answer within leavingTimeoutMs (${this.leavingTimeoutMs} ms)`);
        controller.abort(error);
        reject(error);
      }, this.leavingTimeoutMs);
      // The bound must not keep an otherwise idle process alive.
      (timer as { unref?: () => void }).unref?.();
    });
    try {
      const answer = await Promise.race([source.leavingAmong(members, controller.signal), timeout]);
      const asked = new Set(members.map((member) => member.instanceId));
      return [...new Set(answer)].filter((instanceId) => asked.has(instanceId)).sort();
    } catch (error) {
      this.logger.warn('could not tell which pool members are leaving; planning without the answer', {
        scope,
        members: members.length,
        error: error instanceof Error ? error.message : String(error),
      });
      return [];
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Loads the state and plans it, with every running member known to be leaving presented as
   * `shutting-down`. `known` collects the leaving instances of the reconcile across its rounds.
   */
  private async loadAndPlan(
    scope: PoolScope,
    known: Set<string>,
    signal: AbortSignal | undefined,
  ): Promise<{ plan: Plan; leaving: string[] }> {
    const loaded = await loadPoolState(this.reads, scope, {
      poolTagKey: this.poolTagKey,
      ...(this.options.pageSize !== undefined ? { pageSize: this.options.pageSize } : {}),
    });
    for (const instanceId of this.released.current()) known.add(instanceId);
    for (const instanceId of await this.askLeaving(loaded, scope, known, signal)) known.add(instanceId);
    const leaving = loaded.instances
      .filter(
        (instance) =>
          known.has(instance.instanceId) && (instance.state === 'running' || instance.state === 'pending'),
      )
      .map((instance) => instance.instanceId)
      .sort();
    const state = leaving.length === 0 ? loaded : asReleasing(loaded, known);
    return { plan: planWithinScope(planAssignments(state, this.options.planner), scope), leaving };
  }

  /**
   * Load → plan → apply, repeated while a round changed something or lost a race, for at most
   * `maxRounds` applying rounds. After the last applying round the state is read and planned once more
   * to tell whether it converged. Throws only when the state cannot be read (or an option is invalid);
   * failed actions are in `outcomes`.
   *
   * Reconciles of the same pool within one manager run one at a time, in the order asked (a scope is
   * taken whole, so scopes sharing a pool never interleave); pools apart run in parallel. A request for
   * a scope whose reconcile is still waiting its turn shares that reconcile's result: it has not read
   * anything yet, so what it finds answers both. Its `signal` then aborts only once every sharer's has.
   * A request aborted while it waits does not wait on: it is answered at once from a read, unapplied.
   *
   * @example
   * ```ts
   * const { converged, unsatisfied } = await manager.reconcile({ kind: 'pools', pools: ['bastion'] });
   * ```
   */
  async reconcile(scope: PoolScope, options: ReconcileOptions = {}): Promise<ReconcileResult> {
    const releasing = [...(options.releasing ?? [])];
    if (releasing.length > 0) this.released.mark(releasing, this.releasingTtlMs);
    return this.queue.run(scope, (signal) => this.reconcileNow(scope, new Set(releasing), signal), {
      ...(options.signal ? { signal: options.signal } : {}),
      // A waiting reconcile reads the remembered releasing instances when it starts; without memory, a
      // call's own `releasing` would be lost by sharing.
      share: releasing.length === 0 || this.releasingTtlMs > 0,
    });
  }

  private async reconcileNow(
    scope: PoolScope,
    known: Set<string>,
    signal: AbortSignal | undefined,
  ): Promise<ReconcileResult> {
    const startedAt = this.clock.now();
    const outcomes: ActionOutcome[] = [];
    let rounds = 0;
    let converged = false;
    let plan: Plan;
    let leaving: string[];
    for (;;) {
      rounds++;
      this.notify('reconcile_started', { scope, round: rounds });
      ({ plan, leaving } = await this.loadAndPlan(scope, known, signal));
      if (plan.actions.length === 0) {
        converged = true;
        break;
      }
      if (rounds > this.maxRounds || signal?.aborted) break;
      this.logger.info('applying plan', {
        scope,
        round: rounds,
        actions: plan.actions.map((action) => action.id),
      });
      const applied = await this.executor.apply(plan, signal);
      outcomes.push(...applied.outcomes);
      for (const outcome of applied.outcomes) {
        const { action } = outcome;
        if (outcome.status === 'succeeded' && action.kind === 'detach' && action.reason === 'duplicate') {
          this.notify('duplicate_released', {
            instanceId: action.instanceId,
            networkInterfaceId: action.networkInterfaceId,
            pool: action.pool,
          });
        }
      }
      // Nothing changed and no race lost: another round would only repeat the same failures.
      if (applied.succeeded === 0 && applied.conflicts === 0) break;
    }
    // Reported once, from the last plan, rather than once per round.
    for (const unsatisfied of plan.unsatisfied) this.notify('instance_unsatisfied', unsatisfied);
    const durationMs = this.clock.now() - startedAt;
    if (!converged) {
      this.logger.warn('reconcile did not converge', { scope, rounds, actions: plan.actions.length });
    }
    this.notify('reconcile_finished', { scope, rounds, converged, durationMs });
    return {
      scope,
      rounds,
      converged,
      outcomes,
      unsatisfied: plan.unsatisfied,
      pools: plan.pools,
      plan,
      leaving,
    };
  }

  /**
   * Handles one trigger: a state change or lifecycle action reconciles the pools of that instance
   * (by its pool tag, and by any pool interface it still holds, which covers a removed or changed tag);
   * a scheduled sync reconciles every pool. A `pending` state change, a test notification and an
   * instance that is in no pool are skipped without any mutating call.
   *
   * @example
   * ```ts
   * const result = await manager.handle({ kind: 'scheduled-sync', origin: {} });
   * ```
   */
  async handle(trigger: Trigger, options: ReconcileOptions = {}): Promise<HandleResult> {
    switch (trigger.kind) {
      case 'test-notification':
        this.logger.debug('test notification acknowledged', { group: trigger.autoScalingGroupName });
        return { trigger, skipped: 'test notification' };
      case 'scheduled-sync':
        return { trigger, reconcile: await this.reconcile({ kind: 'all' }, options) };
      case 'instance-state-change':
        if (trigger.state === 'pending') {
          this.logger.debug('pending instance: waiting for running', { instanceId: trigger.instanceId });
          return { trigger, skipped: 'instance is pending' };
        }
        return this.handleInstance(trigger, trigger.instanceId, options);
      case 'lifecycle-action':
        return this.handleInstance(trigger, trigger.instanceId, options);
    }
  }

  /** The pools an instance belongs to (its tag) or holds an interface of. */
  async poolsOfInstance(instanceId: string): Promise<string[]> {
    const pools = new Set<string>();
    const page = (filters: DescribePageInput['filters'], nextToken?: string): DescribePageInput => ({
      filters,
      maxResults: MIN_PAGE_SIZE,
      ...(nextToken ? { nextToken } : {}),
    });
    let token: string | undefined;
    do {
      const result = await this.reads.describeInstances(
        page([{ name: 'instance-id', values: [instanceId] }], token),
      );
      for (const instance of result.instances) {
        const pool = instance.tags[this.poolTagKey];
        if (pool) pools.add(pool);
      }
      token = result.nextToken;
    } while (token);
    do {
      const result = await this.reads.describeNetworkInterfaces(
        page(
          [
            { name: 'attachment.instance-id', values: [instanceId] },
            { name: 'tag-key', values: [this.poolTagKey] },
          ],
          token,
        ),
      );
      for (const eni of result.interfaces) {
        const pool = eni.tags[this.poolTagKey];
        if (pool) pools.add(pool);
      }
      token = result.nextToken;
    } while (token);
    return [...pools].sort();
  }

  private async handleInstance(
    trigger: Trigger,
    instanceId: string,
    options: ReconcileOptions,
  ): Promise<HandleResult> {
    const pools = await this.poolsOfInstance(instanceId);
    if (pools.length === 0) {
      this.logger.info('instance is in no pool; nothing to do', { instanceId, trigger: trigger.kind });
      return { trigger, skipped: 'instance is in no pool' };
    }
    return { trigger, reconcile: await this.reconcile({ kind: 'pools', pools }, options) };
  }
}
