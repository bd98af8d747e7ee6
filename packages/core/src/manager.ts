import type { EC2Client } from '@aws-sdk/client-ec2';
import { EventEmitter } from 'eventemitter3';
import type { Ec2Filter, Ec2Port } from './ec2-port';
import { ConfigurationError } from './errors';
import type { EniPoolEvents } from './events';
import {
  type ActionOutcome,
  Executor,
  type ExecutorOptions,
  resolveCallLimits,
  resolveRetryPolicy,
} from './executor';
import {
  type AttachPacingBucket,
  attachDelayMs,
  attachRank,
  PACING_HISTORY_MS,
  recentAttachTimes,
} from './internal/attach-pacing';
import { BatchedLookup } from './internal/batched-lookup';
import { type Clock, clockOf } from './internal/clock';
import { Ec2Calls } from './internal/ec2-calls';
import { emitSafely } from './internal/emit';
import { capAtCurrent, InstanceLimits } from './internal/instance-limits';
import { InterfaceWatcher } from './internal/interface-watcher';
import { LeavingMemory } from './internal/leaving-memory';
import { ScopeQueue } from './internal/scope-queue';
import { nonNegative, positive } from './internal/validate';
import type { LeavingInstances } from './leaving';
import {
  checkLoadOptions,
  describeInstancesById,
  loadPoolInstances,
  loadPoolInterfaces,
  loadPoolMembers,
} from './loader';
import { defaultLogger, type Logger } from './logger';
import {
  type AttachAction,
  DEFAULT_POOL_TAG_KEY,
  type InstanceView,
  type InterfaceView,
  type Plan,
  type PlanAction,
  type PlannerOptions,
  type PoolScope,
  type PoolState,
  type PoolSummary,
  type Unsatisfied,
} from './model';
import { planAssignments } from './planner';
import { compareStrings } from './planner/compare';
import { createEc2Client, createSdkEc2Port } from './sdk-ec2-port';
import type { Trigger } from './trigger';

/**
 * Options of {@link EniPoolManager}; every field is optional. Invalid values throw a `ConfigurationError`
 * naming the setting from the constructor, before any AWS call.
 *
 * @example
 * ```ts
 * const options: EniPoolManagerOptions = {
 *   ec2: createEc2Client({ region: 'eu-west-1' }),
 *   pools: ['bastion'],
 *   planner: { placement: 'availability-zone' },
 *   executor: { wait: { timeoutMs: 60_000 } },
 *   leaving: createAutoScalingLeavingInstances(), // from @eni-pool/lifecycle-hook-adapter
 * };
 * const manager = new EniPoolManager(options);
 * ```
 */
export interface EniPoolManagerOptions {
  /**
   * An `Ec2Port`, or an `EC2Client` to wrap. The client's retry strategy is the only retry of throttling
   * and server errors. @defaultValue `createEc2Client()`: the standard SDK configuration, adaptive retry,
   * `executor.retry.maxAttempts` attempts
   */
  readonly ec2?: Ec2Port | EC2Client;
  /** Where the manager and its executor log. @defaultValue warnings and errors as JSON lines on stderr */
  readonly logger?: Logger;
  /**
   * Planner options; `planner.poolTagKey` is also the tag the manager finds pools and members by.
   * @defaultValue `{}` (the defaults of `PlannerOptions`)
   */
  readonly planner?: PlannerOptions;
  /**
   * Executor options (concurrency, rate limits, retries, waits); its limits, retries, `sleep`, `now` and
   * `random` also serve the manager's describes. @defaultValue `{}` (the defaults of `ExecutorOptions`)
   */
  readonly executor?: Omit<ExecutorOptions, 'ec2' | 'logger'>;
  /**
   * The only pools this manager works on: a sync reconciles these, an event for an instance of another
   * pool is skipped, a lifecycle action of another pool's instance is left to its owner. For one
   * deployment per pool. @defaultValue every pool
   */
  readonly pools?: readonly string[];
  /** Load → plan → apply rounds before giving up on convergence. @defaultValue `3` */
  readonly maxRounds?: number;
  /** Page size of the describes that load the pool state, 5–1000. @defaultValue `1000` */
  readonly pageSize?: number;
  /**
   * A {@link LeavingInstances} source, asked which running members are leaving (an Auto Scaling group
   * terminating them, say) before an interface is given to them, and in every sync for all members, so
   * that every path through this manager releases their interfaces and never hands one back to them. A
   * failure or timeout is logged and the round plans with what is known without it (the `leaving`
   * instances of the call and those this manager remembers). @defaultValue none
   */
  readonly leaving?: LeavingInstances;
  /** Bound of one `leaving.leavingAmong` call, in milliseconds. @defaultValue `10000` */
  readonly leavingTimeoutMs?: number;
  /**
   * How long an instance passed as `leaving` (or to `markLeaving`) stays leaving for every later
   * reconcile of this manager, so that a reconcile from another path does not hand its interface back
   * before it shuts down; `0` remembers nothing beyond the call. @defaultValue `600000` (10 min)
   */
  readonly leavingTtlMs?: number;
  /** How long instance type limits (`DescribeInstanceTypes`) are cached. @defaultValue `3600000` (1 h) */
  readonly instanceTypeTtlMs?: number;
  /**
   * Pacing of the attaches that serve an event (`reconcileInstances`, `handle`) across every worker of
   * the account: from the pool's recent attach times and the members still waiting, each worker works
   * out when EC2's attach bucket will hold a token for its instance, and attaches then rather than be
   * throttled, so a burst of launches handled by many separate workers queues in one order (the plan's).
   * `capacity` and `refillPerSecond` are the bucket assumed; `maxDelayMs` bounds the wait. `false`
   * attaches at once. A sync (`reconcile`) is not paced.
   * @defaultValue the client-side attach bucket (`executor.rateLimit`: 45 burst, 4.5 per second, a
   * tenth below EC2's), `maxDelayMs: 45000`
   */
  readonly attachPacing?: false | AttachPacingOptions;
}

/** See {@link EniPoolManagerOptions.attachPacing}. */
export interface AttachPacingOptions {
  /** Attaches the account's bucket allows at once. @defaultValue `executor.rateLimit.capacity` (45) */
  readonly capacity?: number;
  /** Attaches per second it allows after that. @defaultValue `executor.rateLimit.refillPerSecond` (4.5) */
  readonly refillPerSecond?: number;
  /** The longest an attach is held back. @defaultValue `45000` */
  readonly maxDelayMs?: number;
  /**
   * At most this many attaches of other workers are counted ahead of an attach. Set it when the workers
   * are bounded, so that members beyond what they hold wait in a queue rather than in a worker of their
   * own: for an SQS event source, (its maximum concurrency − 1) × its batch size. Otherwise an attach
   * would keep tokens for members no worker has picked up yet. @defaultValue unbounded (each waiting
   * member may have a worker of its own, as Lambda scales out per event)
   */
  readonly maxAhead?: number;
}

/** Per-call options of `reconcile`, `reconcileInstances` and `handle`. */
export interface ReconcileOptions {
  /** Checked before every call and inside every wait; once aborted, nothing new is started. */
  readonly signal?: AbortSignal;
  /**
   * Instances being let go of while still `running` or `pending` (e.g. in a terminate lifecycle hook):
   * the planner releases their pool interfaces and hands them to successors. The manager remembers them
   * for `leavingTtlMs`, so its other reconciles treat them so too.
   */
  readonly leaving?: Iterable<string>;
  /**
   * Wait until every attach is `attached` and every detach `available` before the reconcile returns.
   * @defaultValue `true` for `reconcile`; for `reconcileInstances` and `handle`, `false` (an attach is
   * done once EC2 accepted it; a hand-over still waits for its detach)
   */
  readonly awaitSettled?: boolean;
}

/** What one `reconcile` did and found. Failed actions are reported here, not thrown. */
export interface ReconcileResult {
  /** The scope reconciled, as asked (within the managed pools). */
  readonly scope: PoolScope;
  /** For `reconcileInstances`: the instances whose actions were applied; absent for a whole-pool reconcile. */
  readonly targets?: readonly string[];
  /** Load → plan passes made, including the last one that found nothing (or too much) left to do. */
  readonly rounds: number;
  /** True when nothing was left to do for the scope (or the targets) at the end. */
  readonly converged: boolean;
  /** The outcome of every action applied, round after round (detaches, then attaches, in plan order). */
  readonly outcomes: readonly ActionOutcome[];
  /**
   * The instances left without an interface, with the planner's reason; when the reconcile did not
   * converge, every instance it meant to serve and did not is here (`not-converged` when the planner
   * had given it one).
   */
  readonly unsatisfied: readonly Unsatisfied[];
  /** Per-pool figures of the last plan (free interfaces, attaches, detaches, …), pools in scope. */
  readonly pools: readonly PoolSummary[];
  /** The plan of the last round (for `reconcileInstances`, the whole pool's plan). */
  readonly plan: Plan;
  /**
   * The running or pending instances the last round planned as leaving (passed as `leaving`,
   * remembered, or named by the `leaving` source), sorted.
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

/** Which pools an instance is in, and how EC2 showed it. */
export interface InstanceMembership {
  /** The instance as described, absent when EC2 no longer knows it. */
  readonly instance?: InstanceView;
  /** Its pool tag's value, and the pools of any pool interface it still holds; sorted, managed only. */
  readonly pools: readonly string[];
}

const FORWARDED_EVENTS = [
  'action_started',
  'action_succeeded',
  'action_failed',
  'action_conflicted',
] as const satisfies readonly (keyof EniPoolEvents)[];

const EMPTY_PLAN: Plan = { actions: [], keep: [], unsatisfied: [], pools: [] };

/** What one round of an instance reconcile hands the pacing. */
interface PacingRound {
  readonly pool: string;
  readonly plan: Plan;
  readonly planned: readonly PlanAction[];
  readonly interfaces: readonly InterfaceView[];
  readonly instances: readonly InstanceView[];
  readonly targets: ReadonlySet<string>;
  readonly zones: readonly Ec2Filter[];
  /** The pool's interfaces in every zone, when this round read them already (a burst). */
  readonly everywhere?: readonly InterfaceView[];
}

/** How often a paced attach works out its turn again (this manager's queue may have grown). */
const PACING_RECHECK_MS = 250;

/** The pacing bucket defaults to the client-side attach bucket (a tenth below EC2's 50 / 5 per second). */
function resolvePacing(
  option: false | AttachPacingOptions | undefined,
  attachBucket: AttachPacingBucket,
): ResolvedPacing | undefined {
  if (option === false) return undefined;
  if (option !== undefined && (typeof option !== 'object' || option === null)) {
    throw new ConfigurationError('attachPacing must be false or an object', 'attachPacing');
  }
  return {
    capacity: positive(option?.capacity ?? attachBucket.capacity, 'attachPacing.capacity'),
    refillPerSecond: positive(
      option?.refillPerSecond ?? attachBucket.refillPerSecond,
      'attachPacing.refillPerSecond',
    ),
    maxDelayMs: nonNegative(option?.maxDelayMs ?? 45_000, 'attachPacing.maxDelayMs'),
    maxAhead:
      option?.maxAhead === undefined
        ? Number.POSITIVE_INFINITY
        : nonNegative(option.maxAhead, 'attachPacing.maxAhead', true),
  };
}

type ResolvedPacing = AttachPacingBucket & { readonly maxDelayMs: number; readonly maxAhead: number };

/** A free interface of the instance's subnet or zone (either placement). */
function hasFreeFor(instance: InstanceView, interfaces: readonly InterfaceView[]): boolean {
  return interfaces.some(
    (eni) =>
      eni.status === 'available' &&
      eni.attachment === undefined &&
      (eni.subnetId === instance.subnetId || eni.availabilityZone === instance.availabilityZone),
  );
}

function isEc2Port(ec2: Ec2Port | EC2Client): ec2 is Ec2Port {
  return typeof (ec2 as Partial<Ec2Port>).describeNetworkInterfaces === 'function';
}

const isLive = (instance: InstanceView | undefined): boolean =>
  instance?.state === 'running' || instance?.state === 'pending';

/** Keeps only what concerns the pools of `scope`: holders from other pools are loaded, not managed. */
function planWithinScope(plan: Plan, pools: ReadonlySet<string> | undefined): Plan {
  if (pools === undefined) return plan;
  return {
    actions: plan.actions.filter((action) => pools.has(action.pool)),
    keep: plan.keep.filter((keep) => pools.has(keep.pool)),
    unsatisfied: plan.unsatisfied.filter((entry) => pools.has(entry.pool)),
    pools: plan.pools.filter((summary) => pools.has(summary.pool)),
  };
}

/**
 * The actions of `plan` that belong to `targets`: their attaches and detaches, the detach an attach of
 * theirs waits for, and the attach that waits for a detach of theirs (the hand-over to a successor).
 */
function actionsOf(plan: Plan, targets: ReadonlySet<string>): PlanAction[] {
  const own = plan.actions.filter((action) => targets.has(action.instanceId));
  const ids = new Set(own.map((action) => action.id));
  for (const action of own) if (action.kind === 'attach' && action.after) ids.add(action.after);
  for (const action of plan.actions) {
    if (action.kind === 'attach' && action.after !== undefined && ids.has(action.after)) ids.add(action.id);
  }
  return plan.actions.filter((action) => ids.has(action.id));
}

/** How many interfaces besides its primary one an instance holds (or is getting), as described. */
function secondaries(instance: InstanceView | undefined): number {
  return (instance?.attachments ?? []).filter((a) => a.deviceIndex > 0 && a.status !== 'detached').length;
}

/**
 * True when an instance needs nothing from its pool, as far as its own interfaces show: a member to
 * be served (running, tagged with the pool, not leaving) holding exactly one pool interface, or any
 * other instance holding none.
 */
function needsNothing(instance: InstanceView | undefined, held: number, served: boolean): boolean {
  if (instance?.state === 'pending') return true;
  return served ? held === 1 : held === 0;
}

/** Adds `not-converged` entries for the instances a plan meant to serve and the reconcile did not. */
function withUnserved(
  unsatisfied: readonly Unsatisfied[],
  planned: readonly PlanAction[],
  outcomes: readonly ActionOutcome[],
): Unsatisfied[] {
  const listed = new Set(unsatisfied.map((entry) => entry.instanceId));
  const served = new Set(
    outcomes
      .filter((outcome) => outcome.status === 'succeeded' && outcome.action.kind === 'attach')
      .map((outcome) => outcome.action.instanceId),
  );
  const last = new Map(outcomes.map((outcome) => [outcome.action.id, outcome]));
  const added: Unsatisfied[] = [];
  for (const action of planned) {
    if (action.kind !== 'attach' || listed.has(action.instanceId) || served.has(action.instanceId)) continue;
    listed.add(action.instanceId);
    const outcome = last.get(action.id);
    added.push({
      pool: action.pool,
      instanceId: action.instanceId,
      reason: 'not-converged',
      detail: outcome?.error
        ? `${action.networkInterfaceId} was planned for it, and the attach ${outcome.status}: ${outcome.error.message}`
        : `${action.networkInterfaceId} was planned for it when the reconcile ended (round budget spent or aborted)`,
    });
  }
  return [...unsatisfied, ...added];
}

/**
 * Ties load → plan → apply together. `reconcile` works whole pools (the scheduled sync, the repair
 * path); `handle` and `reconcileInstances` serve the instances an event is about: the whole pool is read
 * and planned, so concurrent workers agree on who gets which interface, but only the actions of those
 * instances are applied (their attach, their release, their hand-over). Both re-read and re-plan after a
 * lost race, a deleted interface or a full instance, up to `maxRounds`; a re-read is also where two racing
 * workers are caught (an instance holding two interfaces of its pool), and the planner's `duplicate`
 * rule releases the extra one, the same one on every worker.
 *
 * @example
 * ```ts
 * const manager = new EniPoolManager({ ec2: createEc2Client(), maxRounds: 3 });
 * manager.on('action_failed', ({ action, error }) => logger.warn(error.message, { action: action.id }));
 * const result = await manager.handle(parseEvent(event));
 * if (result.reconcile && !result.reconcile.converged) logger.warn('pool not converged');
 * ```
 */
export class EniPoolManager extends EventEmitter<EniPoolEvents> {
  /** The tag key whose value names an instance's or interface's pool. */
  readonly poolTagKey: string;
  /** The pools this manager works on, or undefined for every pool. */
  readonly managedPools: ReadonlySet<string> | undefined;
  /** Where the manager logs; adapters built on it log there too. */
  readonly logger: Logger;
  /** The manager's time: adapters built on it wait on the same clock. */
  readonly clock: Clock;
  /** True when a `leaving` source was given (Auto Scaling's terminating members, say). */
  readonly hasLeavingSource: boolean;
  /**
   * EC2 describes for adapters built on this manager, metered by the same buckets and retry budget as
   * the manager's own calls.
   */
  readonly ec2: Ec2Port;
  private readonly calls: Ec2Calls;
  private readonly executor: Executor;
  private readonly maxRounds: number;
  private readonly pageSize: number;
  private readonly leavingTtlMs: number;
  private readonly leavingTimeoutMs: number;
  private readonly remembered: LeavingMemory;
  private readonly limits: InstanceLimits;
  private readonly networkCardIndex: number;
  private readonly pacing: ResolvedPacing | undefined;
  /** Instances by id; concurrent `poolsOf` calls (the events of a burst) share one describe. */
  private readonly instanceLookup = new BatchedLookup<InstanceView>(async (ids) => {
    const found = await describeInstancesById(this.calls, ids, this.paging(undefined));
    return new Map(found.map((instance) => [instance.instanceId, instance]));
  });
  /** One reconcile per pool at a time within this manager; a waiting one is shared by later requests. */
  private readonly queue = new ScopeQueue<ReconcileResult>();
  /** Per pool, the targets of the instance reconcile that waits its turn, which later requests join. */
  private readonly waitingTargets = new Map<
    string,
    { views: Map<string, InstanceView | undefined>; awaitSettled: boolean }
  >();

  /**
   * Checks the options and wires the executor; makes no AWS call.
   *
   * @param options - The options as given, kept as {@link EniPoolManager.options}.
   * @throws ConfigurationError naming the setting, when `maxRounds`, `pools`, `leavingTtlMs`,
   * `leavingTimeoutMs`, `leaving` or an executor option is invalid.
   */
  constructor(
    /** The options the manager was built with, as given (defaults are not filled in). */
    readonly options: EniPoolManagerOptions = {},
  ) {
    super();
    this.logger = options.logger ?? defaultLogger;
    this.clock = clockOf(options.executor ?? {});
    const policy = resolveRetryPolicy(options.executor?.retry);
    const ec2 = options.ec2 ?? createEc2Client({ maxAttempts: policy.maxAttempts });
    const port = isEc2Port(ec2) ? ec2 : createSdkEc2Port(ec2);
    this.maxRounds = positive(options.maxRounds ?? 3, 'maxRounds', true);
    this.poolTagKey = options.planner?.poolTagKey ?? DEFAULT_POOL_TAG_KEY;
    this.pageSize = checkLoadOptions(
      { kind: 'all' },
      {
        poolTagKey: this.poolTagKey,
        ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
      },
    ).pageSize;
    if (options.pools !== undefined) {
      if (
        !Array.isArray(options.pools) ||
        options.pools.some((pool) => typeof pool !== 'string' || pool === '')
      ) {
        throw new ConfigurationError('pools must be a list of non-empty pool names', 'pools');
      }
    }
    this.managedPools = options.pools && options.pools.length > 0 ? new Set(options.pools) : undefined;
    this.leavingTtlMs = nonNegative(options.leavingTtlMs ?? 600_000, 'leavingTtlMs', true);
    this.leavingTimeoutMs = positive(options.leavingTimeoutMs ?? 10_000, 'leavingTimeoutMs', true);
    if (options.leaving !== undefined && typeof options.leaving.leavingAmong !== 'function') {
      throw new ConfigurationError('leaving must have a leavingAmong(members, signal) method', 'leaving');
    }
    this.hasLeavingSource = options.leaving !== undefined;
    this.networkCardIndex = options.planner?.networkCardIndex ?? 0;
    this.remembered = new LeavingMemory(this.clock.now);
    const limits = resolveCallLimits(options.executor?.rateLimit);
    this.pacing = resolvePacing(options.attachPacing, limits.mutating);
    this.calls = new Ec2Calls({
      port,
      policy,
      limits,
      clock: this.clock,
      random: options.executor?.random ?? Math.random,
      logger: this.logger,
    });
    this.ec2 = this.calls.describePort();
    this.limits = new InstanceLimits(
      this.calls,
      this.clock,
      this.logger,
      positive(options.instanceTypeTtlMs ?? 3_600_000, 'instanceTypeTtlMs', true),
    );
    // The tag the executor writes is the one the planner reads, unless set apart on purpose.
    const lastInstanceTagKey = options.executor?.lastInstanceTagKey ?? options.planner?.lastInstanceTagKey;
    this.executor = new Executor(
      {
        ...options.executor,
        ...(lastInstanceTagKey !== undefined ? { lastInstanceTagKey } : {}),
        ec2: port,
        logger: this.logger,
      },
      { calls: this.calls, watcher: new InterfaceWatcher(this.calls, this.clock, this.logger) },
    );
    for (const event of FORWARDED_EVENTS) {
      this.executor.on(event, (...args: unknown[]) => this.notify(event, ...(args as [never])));
    }
  }

  private notify<K extends keyof EniPoolEvents & string>(event: K, ...args: EniPoolEvents[K]): void {
    emitSafely<EniPoolEvents, K>(this, this.logger, event, ...args);
  }

  /** True when this manager works on `pool`. */
  manages(pool: string): boolean {
    return this.managedPools === undefined || this.managedPools.has(pool);
  }

  /**
   * Remembers `instanceIds` as leaving for `forMs`: every reconcile of this manager, whatever path it
   * comes from, releases their interfaces while EC2 still shows them running. `0` forgets them (an
   * instance a warm pool takes back into service, say).
   *
   * @example
   * ```ts
   * manager.markLeaving([terminatingInstanceId]);
   * await manager.reconcile({ kind: 'pools', pools: ['bastion'] });
   * ```
   */
  markLeaving(instanceIds: Iterable<string>, forMs: number = this.leavingTtlMs): void {
    nonNegative(forMs, 'forMs');
    this.remembered.mark(instanceIds, forMs);
  }

  /**
   * The instances this manager remembers as leaving right now (`leaving` and `markLeaving`, until their
   * time runs out): a copy, which later marks do not change.
   *
   * @example
   * ```ts
   * manager.markLeaving(['i-0abc']);
   * manager.leavingInstances().has('i-0abc'); // true, for `leavingTtlMs`
   * ```
   */
  leavingInstances(): ReadonlySet<string> {
    return this.remembered.current();
  }

  /**
   * The members among `candidates` that the `leaving` source names, among those not known to be leaving
   * yet. Bounded by `leavingTimeoutMs`; a failure is logged and answers nothing.
   */
  private async askLeaving(
    candidates: readonly InstanceView[],
    known: Set<string>,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const source = this.options.leaving;
    if (source === undefined || signal?.aborted) return;
    const members = candidates
      .filter((instance) => isLive(instance) && !known.has(instance.instanceId))
      .sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
    if (members.length === 0) return;
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
      for (const instanceId of answer) if (asked.has(instanceId)) known.add(instanceId);
    } catch (error) {
      this.logger.warn('could not tell which pool members are leaving; planning without the answer', {
        members: members.length,
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The live instances of `instances` that are known to be leaving, sorted. */
  private leavingAmong(instances: readonly InstanceView[], known: ReadonlySet<string>): string[] {
    return instances
      .filter((instance) => isLive(instance) && known.has(instance.instanceId))
      .map((instance) => instance.instanceId)
      .sort();
  }

  private paging(signal: AbortSignal | undefined) {
    return { pageSize: this.pageSize, maxPages: 10_000, ...(signal ? { signal } : {}) };
  }

  /** The scope narrowed to the managed pools; undefined when nothing of it is managed. */
  private managedScope(scope: PoolScope): PoolScope | undefined {
    if (this.managedPools === undefined) return scope;
    const pools =
      scope.kind === 'all' ? [...this.managedPools] : scope.pools.filter((pool) => this.manages(pool));
    return pools.length === 0 ? undefined : { kind: 'pools', pools: [...new Set(pools)].sort() };
  }

  /**
   * Load → plan → apply for whole pools, repeated while a round changed something or lost a race, for
   * at most `maxRounds` applying rounds. After the last applying round the state is read and planned
   * once more to tell whether it converged. Throws only when the state cannot be read (or an option is
   * invalid); failed actions are in `outcomes`. Pools outside `pools` (the option) are left alone.
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
    const leaving = [...(options.leaving ?? [])];
    if (leaving.length > 0) this.remembered.mark(leaving, this.leavingTtlMs);
    const managed = this.managedScope(scope);
    if (managed === undefined) {
      this.logger.debug('scope holds no pool this manager works on', {
        scope,
        pools: [...(this.managedPools ?? [])],
      });
      return {
        scope,
        rounds: 0,
        converged: true,
        outcomes: [],
        unsatisfied: [],
        pools: [],
        plan: EMPTY_PLAN,
        leaving: [],
      };
    }
    checkLoadOptions(managed, { poolTagKey: this.poolTagKey });
    const awaitSettled = options.awaitSettled ?? true;
    return this.queue.run(
      managed,
      (signal) => this.reconcileNow(managed, new Set(leaving), signal, awaitSettled),
      {
        ...(options.signal ? { signal: options.signal } : {}),
        // A waiting reconcile reads the remembered leaving instances when it starts; without memory, a
        // call's own `leaving` would be lost by sharing.
        share: leaving.length === 0 || this.leavingTtlMs > 0,
      },
    );
  }

  private async reconcileNow(
    scope: PoolScope,
    known: Set<string>,
    signal: AbortSignal | undefined,
    awaitSettled: boolean,
  ): Promise<ReconcileResult> {
    const startedAt = this.clock.now();
    const outcomes: ActionOutcome[] = [];
    const full = new Set<string>();
    let rounds = 0;
    let converged = false;
    let plan: Plan;
    let leaving: string[];
    for (;;) {
      rounds++;
      this.notify('reconcile_started', { scope, round: rounds });
      ({ plan, leaving } = await this.loadAndPlan(scope, known, full, signal));
      if (plan.actions.length === 0) {
        converged = true;
        break;
      }
      if (rounds > this.maxRounds || signal?.aborted) break;
      const applied = await this.applyActions(plan.actions, plan, {
        awaitSettled,
        signal,
        scope,
        round: rounds,
      });
      outcomes.push(...applied.outcomes);
      this.learnLimits(applied.outcomes, full);
      // Nothing changed and no race lost: another round would only repeat the same failures.
      if (applied.succeeded === 0 && applied.conflicts === 0) break;
    }
    return this.finish(scope, undefined, { rounds, converged, outcomes, plan, leaving }, startedAt);
  }

  /**
   * One round's read and plan of whole pools: the state, the leaving members (remembered, passed, and
   * what the leaving source says of every live member), the interface limits of waiting members.
   */
  private async loadAndPlan(
    scope: PoolScope,
    known: Set<string>,
    full: ReadonlySet<string>,
    signal: AbortSignal | undefined,
  ): Promise<{ state: PoolState; plan: Plan; leaving: string[] }> {
    const pools = scope.kind === 'all' ? undefined : new Set(scope.pools);
    const paging = this.paging(signal);
    const interfaces = await loadPoolInterfaces(this.calls, scope, this.poolTagKey, paging);
    let instances = await loadPoolInstances(this.calls, scope, this.poolTagKey, interfaces, paging);
    for (const instanceId of this.remembered.current()) known.add(instanceId);
    await this.askLeaving(
      instances.filter((instance) => {
        const pool = instance.tags[this.poolTagKey];
        return pool !== undefined && (pools === undefined || pools.has(pool));
      }),
      known,
      signal,
    );
    const leaving = this.leavingAmong(instances, known);
    instances = capAtCurrent(await this.withLimits(instances, interfaces, leaving, signal), full);
    const state: PoolState = { instances, interfaces, leaving };
    return { state, plan: planWithinScope(planAssignments(state, this.options.planner), pools), leaving };
  }

  /**
   * The dry run: what one round of `reconcile(scope)` would plan now, read as it would read (describes,
   * the leaving source, instance type limits) and changing nothing. Pools outside `pools` are left out.
   *
   * @example
   * ```ts
   * const { plan } = await manager.plan({ kind: 'pools', pools: ['bastion'] });
   * for (const action of plan.actions) console.log(action.id);
   * ```
   */
  async plan(
    scope: PoolScope,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<{ readonly state: PoolState; readonly plan: Plan; readonly leaving: readonly string[] }> {
    const managed = this.managedScope(scope);
    if (managed === undefined)
      return { state: { instances: [], interfaces: [] }, plan: EMPTY_PLAN, leaving: [] };
    checkLoadOptions(managed, { poolTagKey: this.poolTagKey });
    return this.loadAndPlan(managed, new Set(), new Set(), options.signal);
  }

  /** Sets the interface limit of every waiting running member whose type is known or can be learnt. */
  private async withLimits(
    instances: InstanceView[],
    interfaces: readonly InterfaceView[],
    leaving: readonly string[],
    signal: AbortSignal | undefined,
    only?: ReadonlySet<string>,
  ): Promise<InstanceView[]> {
    const holding = new Set(interfaces.flatMap((eni) => (eni.attachment ? [eni.attachment.instanceId] : [])));
    const away = new Set(leaving);
    const waiting = new Set(
      instances
        .filter(
          (instance) =>
            instance.state === 'running' &&
            instance.tags[this.poolTagKey] !== undefined &&
            !holding.has(instance.instanceId) &&
            !away.has(instance.instanceId) &&
            this.limitMatters(instance) &&
            (only === undefined || only.has(instance.instanceId)),
        )
        .map((instance) => instance.instanceId),
    );
    return this.limits.apply(instances, waiting, this.networkCardIndex, signal);
  }

  /**
   * Whether one more interface could be one too many for `instance`. Every EC2 instance type takes at
   * least two network interfaces, so an instance holding only its primary one takes a pool interface
   * on card 0 without its type being read (one `DescribeInstanceTypes` less per launch); a type that
   * took fewer would be learnt from EC2's `AttachmentLimitExceeded`, as any stale limit is.
   */
  private limitMatters(instance: InstanceView): boolean {
    return secondaries(instance) > 0 || this.networkCardIndex !== 0;
  }

  /** Instances EC2 refused for `AttachmentLimitExceeded` are full for the rest of the reconcile. */
  private learnLimits(outcomes: readonly ActionOutcome[], full: Set<string>): void {
    for (const outcome of outcomes) {
      if (outcome.errorClass === 'attachment-limit') full.add(outcome.action.instanceId);
    }
  }

  private async applyActions(
    actions: readonly PlanAction[],
    plan: Plan,
    context: {
      readonly awaitSettled: boolean;
      readonly signal: AbortSignal | undefined;
      readonly scope: PoolScope;
      readonly round: number;
      readonly targets?: readonly string[];
      readonly awaitDetached?: boolean;
      readonly beforeAttach?: (action: AttachAction) => Promise<void>;
    },
  ) {
    this.logger.info('applying plan', {
      scope: context.scope,
      ...(context.targets ? { instanceIds: context.targets } : {}),
      round: context.round,
      actions: actions.map((action) => action.id),
    });
    const applied = await this.executor.apply(
      { ...plan, actions, unsatisfied: [] },
      {
        awaitSettled: context.awaitSettled,
        ...(context.awaitDetached !== undefined ? { awaitDetached: context.awaitDetached } : {}),
        ...(context.beforeAttach ? { beforeAttach: context.beforeAttach } : {}),
        ...(context.signal ? { signal: context.signal } : {}),
      },
    );
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
    return applied;
  }

  private finish(
    scope: PoolScope,
    targets: readonly string[] | undefined,
    run: {
      readonly rounds: number;
      readonly converged: boolean;
      readonly outcomes: readonly ActionOutcome[];
      readonly plan: Plan;
      readonly leaving: readonly string[];
      readonly planned?: readonly PlanAction[];
    },
    startedAt: number,
  ): ReconcileResult {
    const { rounds, converged, outcomes, plan, leaving } = run;
    const unsatisfied = converged
      ? [...plan.unsatisfied]
      : withUnserved(plan.unsatisfied, run.planned ?? plan.actions, outcomes);
    // Reported once, from the last plan, rather than once per round.
    for (const entry of unsatisfied) this.notify('instance_unsatisfied', entry);
    const durationMs = this.clock.now() - startedAt;
    if (!converged) {
      this.logger.warn('reconcile did not converge', {
        scope,
        targets,
        rounds,
        actions: plan.actions.length,
      });
    }
    this.notify('reconcile_finished', { scope, rounds, converged, durationMs });
    return {
      scope,
      ...(targets ? { targets } : {}),
      rounds,
      converged,
      outcomes,
      unsatisfied,
      pools: plan.pools,
      plan,
      leaving,
    };
  }

  /**
   * Which pools each instance is in: its pool tag, and the pool of any pool interface it still holds
   * (which covers a removed or changed tag). One `DescribeInstances` per 200 instances, and one
   * `DescribeNetworkInterfaces` only for the instances that carry no pool tag but hold secondary
   * interfaces (or are gone). Pools this manager does not work on are left out.
   *
   * @example
   * ```ts
   * const memberships = await manager.poolsOf(['i-0a1', 'i-0b2']);
   * memberships.get('i-0a1')?.pools; // ['bastion']
   * ```
   */
  async poolsOf(
    instanceIds: Iterable<string>,
    signal?: AbortSignal,
  ): Promise<Map<string, InstanceMembership>> {
    const ids = [...new Set(instanceIds)].sort();
    const paging = this.paging(signal);
    const described = await this.instanceLookup.load(ids);
    const pools = new Map<string, Set<string>>(ids.map((id) => [id, new Set<string>()]));
    const unclear: string[] = [];
    for (const id of ids) {
      const instance = described.get(id);
      const pool = instance?.tags[this.poolTagKey];
      if (pool) pools.get(id)?.add(pool);
      // Without a tag, only a secondary interface can tie it to a pool; a gone instance may still hold one.
      else if (
        instance === undefined ||
        instance.attachments.some((attachment) => attachment.deviceIndex > 0)
      ) {
        unclear.push(id);
      }
    }
    for (let start = 0; start < unclear.length; start += 200) {
      const chunk = unclear.slice(start, start + 200);
      const held = await this.calls.allPages(
        'DescribeNetworkInterfaces',
        [
          { name: 'attachment.instance-id', values: chunk },
          { name: 'tag-key', values: [this.poolTagKey] },
        ],
        paging,
      );
      for (const eni of held) {
        const pool = eni.tags[this.poolTagKey];
        const holder = eni.attachment?.instanceId;
        if (pool && holder !== undefined) pools.get(holder)?.add(pool);
      }
    }
    const result = new Map<string, InstanceMembership>();
    for (const id of ids) {
      const instance = described.get(id);
      result.set(id, {
        ...(instance ? { instance } : {}),
        pools: [...(pools.get(id) ?? [])].filter((pool) => this.manages(pool)).sort(),
      });
    }
    return result;
  }

  /**
   * Serves the given instances: for each of their pools, the pool is read and planned whole, and only
   * the actions of these instances are applied — an attach to each that waits, the release of what each
   * no longer should hold, and the hand-over of a released interface to the successor waiting for it.
   * Requests for the same pool that wait their turn are served together, by one read and one plan.
   * The scheduled sync (`reconcile`) remains the path that repairs everything else.
   *
   * @example
   * ```ts
   * const result = await manager.reconcileInstances(['i-0a1']);
   * result.converged; // true once i-0a1 holds its interface (or needs none)
   * ```
   */
  async reconcileInstances(
    instanceIds: Iterable<string>,
    options: ReconcileOptions & {
      /** What `poolsOf` answered for these instances, when the caller already asked it. */
      readonly memberships?: ReadonlyMap<string, InstanceMembership>;
    } = {},
  ): Promise<ReconcileResult | undefined> {
    const ids = [...instanceIds];
    const known = options.memberships;
    const memberships =
      known !== undefined && ids.every((id) => known.has(id))
        ? new Map(ids.map((id) => [id, known.get(id) as InstanceMembership]))
        : await this.poolsOf(ids, options.signal);
    return this.reconcileMembers(memberships, options);
  }

  private async reconcileMembers(
    memberships: ReadonlyMap<string, InstanceMembership>,
    options: ReconcileOptions,
  ): Promise<ReconcileResult | undefined> {
    const leaving = [...(options.leaving ?? [])];
    if (leaving.length > 0) this.remembered.mark(leaving, this.leavingTtlMs);
    const byPool = new Map<string, Map<string, InstanceView | undefined>>();
    for (const [instanceId, membership] of memberships) {
      for (const pool of membership.pools) {
        const members = byPool.get(pool) ?? new Map<string, InstanceView | undefined>();
        byPool.set(pool, members);
        members.set(instanceId, membership.instance);
      }
    }
    if (byPool.size === 0) return undefined;
    const results = await Promise.all(
      [...byPool]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([pool, members]) => this.reconcileTargetsOf(pool, members, new Set(leaving), options)),
    );
    return results.length === 1 ? results[0] : mergeResults(results);
  }

  private reconcileTargetsOf(
    pool: string,
    members: ReadonlyMap<string, InstanceView | undefined>,
    known: Set<string>,
    options: ReconcileOptions,
  ): Promise<ReconcileResult> {
    const awaitSettled = options.awaitSettled ?? false;
    const waiting = this.waitingTargets.get(pool);
    if (waiting !== undefined) {
      for (const [instanceId, view] of members) waiting.views.set(instanceId, view);
      waiting.awaitSettled ||= awaitSettled;
    }
    const batch = waiting ?? { views: new Map(members), awaitSettled };
    if (waiting === undefined) this.waitingTargets.set(pool, batch);
    const scope: PoolScope = { kind: 'pools', pools: [pool] };
    return this.queue.run(
      scope,
      (signal) => {
        if (this.waitingTargets.get(pool) === batch) this.waitingTargets.delete(pool);
        return this.reconcileTargetsNow(pool, batch.views, known, signal, batch.awaitSettled);
      },
      { ...(options.signal ? { signal: options.signal } : {}), share: true, key: `targets:${pool}` },
    );
  }

  private async reconcileTargetsNow(
    pool: string,
    views: ReadonlyMap<string, InstanceView | undefined>,
    known: Set<string>,
    signal: AbortSignal | undefined,
    awaitSettled: boolean,
  ): Promise<ReconcileResult> {
    const startedAt = this.clock.now();
    const scope: PoolScope = { kind: 'pools', pools: [pool] };
    const targets = new Set(views.keys());
    const targetList = [...targets].sort();
    // An interface serves only instances of its own zone, and whoever competes for it is in that zone
    // too: reading the targets' zones of the pool is reading all the plan needs (fewer pages). The
    // pacing of a burst reads the rest of the pool's interfaces when it needs them.
    const targetZones = [...views.values()].map((view) => view?.availabilityZone);
    const zones: Ec2Filter[] = targetZones.every((zone): zone is string => zone !== undefined && zone !== '')
      ? [{ name: 'availability-zone', values: [...new Set(targetZones)].sort() }]
      : [];
    const outcomes: ActionOutcome[] = [];
    const full = new Set<string>();
    let rounds = 0;
    let converged = false;
    let plan: Plan = EMPTY_PLAN;
    let planned: PlanAction[] = [];
    let leaving: string[] = [];
    // Interfaces the targets gave back: once free, handing them over is the targets' business too.
    const released = new Set<string>();
    const select = (from: Plan) => {
      const own = actionsOf(from, targets);
      const ids = new Set(own.map((action) => action.id));
      const handovers = from.actions.filter(
        (action) =>
          action.kind === 'attach' && released.has(action.networkInterfaceId) && !ids.has(action.id),
      );
      return [...own, ...handovers];
    };
    // Whether a target is a running member of the pool that is not leaving.
    const served = (id: string) => {
      const view = views.get(id);
      return view?.state === 'running' && view.tags[this.poolTagKey] === pool && !known.has(id);
    };
    for (;;) {
      rounds++;
      this.notify('reconcile_started', { scope, round: rounds });
      for (const instanceId of this.remembered.current()) known.add(instanceId);
      const paging = this.paging(signal);
      // Targets holding nothing but their primary interface need the pool's members, so those are read
      // first: they show whether other members wait too (a burst). Then the pool's interfaces are read
      // once in every zone, for the plan and for pacing the burst's attaches across workers; otherwise
      // in the targets' zones only. For other targets the interfaces alone may show a late or duplicate
      // event, which then costs no more.
      const bare = rounds === 1 && targetList.every((id) => served(id) && secondaries(views.get(id)) === 0);
      const members = bare
        ? await loadPoolMembers(this.calls, scope, this.poolTagKey, paging, zones)
        : undefined;
      const crowded =
        zones.length > 0 &&
        (members ?? []).some(
          (member) =>
            !targets.has(member.instanceId) &&
            (member.state === 'running' || member.state === 'pending') &&
            secondaries(member) === 0,
        );
      const read = await loadPoolInterfaces(this.calls, scope, this.poolTagKey, paging, crowded ? [] : zones);
      const inZones = new Set(zones.flatMap((filter) => filter.values));
      const interfaces = crowded ? read.filter((eni) => inZones.has(eni.availabilityZone)) : read;
      if (rounds === 1) {
        const held = (instanceId: string) =>
          interfaces.filter(
            (eni) => eni.attachment?.instanceId === instanceId && eni.attachment.status !== 'detached',
          ).length;
        // The instances' own views and the pool's interfaces settle it: a late or duplicate event.
        if (targetList.every((id) => needsNothing(views.get(id), held(id), served(id)))) {
          converged = true;
          break;
        }
        // A target about to get a free interface needs its type's limits: read them alongside the pool.
        this.limits.prefetch(
          targetList.flatMap((id) => {
            const view = views.get(id);
            return view?.instanceType !== undefined &&
              this.limitMatters(view) &&
              served(id) &&
              held(id) === 0 &&
              hasFreeFor(view, interfaces)
              ? [view.instanceType]
              : [];
          }),
          signal,
        );
      }
      let instances = await loadPoolInstances(
        this.calls,
        scope,
        this.poolTagKey,
        interfaces,
        paging,
        zones,
        members,
      );
      const plan0 = () =>
        planWithinScope(
          planAssignments(
            { instances, interfaces, leaving: this.leavingAmong(instances, known) },
            this.options.planner,
          ),
          new Set([pool]),
        );
      plan = plan0();
      planned = select(plan);
      // Only the instances about to get an interface are asked whether they are leaving, and only
      // their types' limits are read: the cost of an event stays that of the instance it is about.
      const receivers = new Set(planned.filter((a) => a.kind === 'attach').map((a) => a.instanceId));
      // A target left waiting may be waiting for a leaving member's interface, or behind a leaving
      // member in the oldest-first order: then the pool's members are asked, as a sync would.
      const starved = plan.unsatisfied.some((entry) => targets.has(entry.instanceId));
      if (receivers.size > 0 || starved) {
        const before = known.size;
        await this.askLeaving(
          instances.filter(
            (instance) =>
              instance.tags[this.poolTagKey] === pool && (starved || receivers.has(instance.instanceId)),
          ),
          known,
          signal,
        );
        const limited = capAtCurrent(
          await this.withLimits(
            instances,
            interfaces,
            this.leavingAmong(instances, known),
            signal,
            receivers,
          ),
          full,
        );
        const changed = known.size !== before || limited.some((instance, i) => instance !== instances[i]);
        instances = limited;
        if (changed) {
          plan = plan0();
          planned = select(plan);
        }
      }
      leaving = this.leavingAmong(instances, known);
      if (planned.length === 0) {
        converged = true;
        break;
      }
      if (rounds > this.maxRounds || signal?.aborted) break;
      const beforeAttach = await this.attachGate(
        {
          pool,
          plan,
          planned,
          interfaces,
          instances,
          targets,
          zones,
          ...(crowded ? { everywhere: read } : {}),
        },
        signal,
      );
      if (signal?.aborted) break;
      // A release waits until its interface is free, so the next round can hand it to a successor that
      // was not waiting yet when this round planned (it launched while the detach ran).
      const applied = await this.applyActions(planned, plan, {
        awaitSettled,
        awaitDetached: true,
        signal,
        scope,
        round: rounds,
        targets: targetList,
        ...(beforeAttach ? { beforeAttach } : {}),
      });
      outcomes.push(...applied.outcomes);
      this.learnLimits(applied.outcomes, full);
      const freed = applied.outcomes.filter(
        (outcome) =>
          outcome.status === 'succeeded' &&
          outcome.action.kind === 'detach' &&
          !applied.outcomes.some(
            (other) =>
              other.action.kind === 'attach' &&
              other.status === 'succeeded' &&
              other.action.networkInterfaceId === outcome.action.networkInterfaceId,
          ),
      );
      for (const outcome of freed) released.add(outcome.action.networkInterfaceId);
      if (applied.conflicts === 0 && freed.length === 0) {
        converged = applied.failed === 0 && applied.skipped === 0;
        break;
      }
    }
    return this.finish(scope, targetList, { rounds, converged, outcomes, plan, leaving, planned }, startedAt);
  }

  /**
   * What holds each of the round's attaches back until the account's attach bucket has a token for it:
   * the attach ranked `r` among those due goes once `r + 1` tokens are there, so the attaches of a batch
   * of targets are spread as those of separate workers are. Members ahead that wait in this manager's own
   * queue for the pool are not counted: this manager attaches them itself, after these, through its own
   * bucket. The turn is worked out again as the queue grows. Undefined when nothing is paced.
   */
  private async attachGate(
    round: PacingRound,
    signal: AbortSignal | undefined,
  ): Promise<((action: AttachAction) => Promise<void>) | undefined> {
    const pacing = this.pacing;
    if (pacing === undefined || !round.planned.some((action) => action.kind === 'attach')) return undefined;
    // EC2's attach times are wall-clock times, so the bucket is replayed on the wall clock; the wait
    // runs on the manager's clock.
    const readAtWall = Date.now();
    const view = await this.pacingView(round, readAtWall, signal);
    const readAt = this.clock.now();
    const until = readAt + pacing.maxDelayMs;
    // With bounded workers, an attach counts at most maxAhead of the others' attaches, and this round's
    // own ahead of it: their order among themselves is the view's, whatever the queue holds since.
    const unqueued = () => false;
    const ownAhead = new Map<string, number>(
      Number.isFinite(pacing.maxAhead)
        ? round.planned
            .filter((planned): planned is AttachAction => planned.kind === 'attach')
            .map((own) => ({ id: own.id, rank: view.rank(own, unqueued) }))
            .sort((a, b) => a.rank - b.rank)
            .map((own, index) => [own.id, index] as const)
        : [],
    );
    return async (action) => {
      while (!signal?.aborted) {
        const queued = this.waitingTargets.get(round.pool)?.views;
        const rank = Math.min(
          view.rank(action, (instanceId) => queued?.has(instanceId) ?? false),
          pacing.maxAhead + (ownAhead.get(action.id) ?? 0),
        );
        const turnAt = Math.min(until, readAt + attachDelayMs(view.attachTimes, readAtWall, rank, pacing));
        const waitMs = turnAt - this.clock.now();
        if (waitMs <= 0) return;
        this.logger.debug('pacing attach behind the waiting members ahead', {
          pool: round.pool,
          instanceId: action.instanceId,
          rank,
          waitMs,
        });
        await this.clock.sleep(Math.min(waitMs, PACING_RECHECK_MS), signal);
      }
    };
  }

  /**
   * What the pacing counts: the pool's recent attach times, and the attaches due before the targets'.
   * Alone in its zones (no other member served by the plan, nothing attached there in the last minute),
   * a target goes by the zones read. In a burst the attach bucket is the account's, not the zones', so
   * the pool's interfaces are read in every zone (one `DescribeNetworkInterfaces`): the attaches due
   * first are those of the free interfaces before the target's, in id order, wherever they are.
   */
  private async pacingView(round: PacingRound, readAtWall: number, signal: AbortSignal | undefined) {
    const { plan, interfaces, instances, targets } = round;
    const zoneTimes = recentAttachTimes(interfaces, instances, readAtWall);
    const othersServed = plan.actions.some(
      (action) => action.kind === 'attach' && !targets.has(action.instanceId),
    );
    const attachedLately = zoneTimes.some((at) => at > readAtWall - PACING_HISTORY_MS);
    if (round.zones.length === 0 || !(othersServed || attachedLately)) {
      return {
        attachTimes: zoneTimes,
        rank: (action: AttachAction, queued: (instanceId: string) => boolean) =>
          attachRank(plan.actions, action, (ahead) => !queued(ahead.instanceId)),
      };
    }
    const scope: PoolScope = { kind: 'pools', pools: [round.pool] };
    const everywhere =
      round.everywhere ?? (await loadPoolInterfaces(this.calls, scope, this.poolTagKey, this.paging(signal)));
    const arriving = new Set(
      instances.flatMap((instance) =>
        instance.attachments.filter((a) => a.deviceIndex > 0).map((a) => a.networkInterfaceId),
      ),
    );
    const free = everywhere
      .filter(
        (eni) =>
          eni.status === 'available' && eni.attachment === undefined && !arriving.has(eni.networkInterfaceId),
      )
      .map((eni) => eni.networkInterfaceId)
      .sort(compareStrings);
    const receiverOf = new Map(
      plan.actions.flatMap((action) =>
        action.kind === 'attach' ? [[action.networkInterfaceId, action.instanceId] as const] : [],
      ),
    );
    return {
      attachTimes: recentAttachTimes(everywhere, instances, readAtWall),
      rank: (action: AttachAction, queued: (instanceId: string) => boolean) =>
        free.filter(
          (id) => compareStrings(id, action.networkInterfaceId) < 0 && !queued(receiverOf.get(id) ?? ''),
        ).length,
    };
  }

  /**
   * Handles one trigger: a state change or lifecycle action serves the instance it names
   * (`reconcileInstances`); a scheduled sync reconciles every pool this manager works on. A `pending`
   * state change, a test notification and an instance that is in no (managed) pool are skipped
   * without any mutating call.
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

  private async handleInstance(
    trigger: Trigger,
    instanceId: string,
    options: ReconcileOptions,
  ): Promise<HandleResult> {
    const reconcile = await this.reconcileInstances([instanceId], options);
    if (reconcile === undefined) {
      const why =
        this.managedPools === undefined ? 'instance is in no pool' : 'instance is in no managed pool';
      this.logger.info(`${why}; nothing to do`, { instanceId, trigger: trigger.kind });
      return { trigger, skipped: why };
    }
    return { trigger, reconcile };
  }
}

/** One result for the pools of one instance reconciled apart (an instance holding two pools' interfaces). */
function mergeResults(results: readonly ReconcileResult[]): ReconcileResult {
  const pools = results.flatMap((result) => (result.scope.kind === 'pools' ? result.scope.pools : []));
  return {
    scope: { kind: 'pools', pools },
    targets: [...new Set(results.flatMap((result) => result.targets ?? []))].sort(),
    rounds: Math.max(...results.map((result) => result.rounds)),
    converged: results.every((result) => result.converged),
    outcomes: results.flatMap((result) => result.outcomes),
    unsatisfied: results.flatMap((result) => result.unsatisfied),
    pools: results.flatMap((result) => result.pools),
    plan: {
      actions: results.flatMap((result) => result.plan.actions),
      keep: results.flatMap((result) => result.plan.keep),
      unsatisfied: results.flatMap((result) => result.plan.unsatisfied),
      pools: results.flatMap((result) => result.plan.pools),
    },
    leaving: [...new Set(results.flatMap((result) => result.leaving))].sort(),
  };
}
