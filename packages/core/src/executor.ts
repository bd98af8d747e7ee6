import { EventEmitter } from 'eventemitter3';
import { type AwsErrorClass, classifyAwsError } from './aws-errors';
import type { Ec2Port } from './ec2-port';
import {
  AttachConflictError,
  AttachmentLostError,
  ConfigurationError,
  EniPoolError,
  OperationAbortedError,
} from './errors';
import type { EniPoolEvents } from './events';
import { type Clock, clockOf } from './internal/clock';
import { EC2_CALL_LIMITS, Ec2Calls } from './internal/ec2-calls';
import { emitSafely } from './internal/emit';
import { InterfaceWatcher, type WatchPace, type WatchVerdict } from './internal/interface-watcher';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './internal/retry';
import { Semaphore } from './internal/semaphore';
import { nonNegative, positive } from './internal/validate';
import { defaultLogger, type Logger } from './logger';
import {
  type AttachAction,
  DEFAULT_LAST_INSTANCE_TAG_KEY,
  type DetachAction,
  type InterfaceView,
  type Plan,
  type PlanAction,
} from './model';

/**
 * The retry budget of each EC2 call: full-jitter exponential backoff, a random delay below
 * `min(maxDelayMs, baseDelayMs · 2^(attempt - 1))` before each further attempt. Throttling and server
 * errors are retried here only when the EC2 port does not retry them itself (the SDK port does, within
 * its client's `maxAttempts`, see `createEc2Client`), so the layers never multiply.
 */
export interface RetryOptions {
  /** Attempts per API call, including the first; a positive integer. @defaultValue `5` */
  readonly maxAttempts?: number;
  /** Backoff ceiling before the second attempt, doubled for each later one. @defaultValue `200` */
  readonly baseDelayMs?: number;
  /** Cap of the backoff ceiling. @defaultValue `5000` */
  readonly maxDelayMs?: number;
}

/**
 * How the executor polls an interface after an attach (until `attached`) or a detach (until
 * `available`): every `initialDelayMs` for the first 5 s, then at twice the delay every further 5 s, up
 * to `maxDelayMs`. The polls of all waits of one executor go out together, one describe per tick. A
 * wait ends early when what it waits for is gone (the attachment vanished or another owns the interface).
 */
export interface WaitOptions {
  /** Delay before the first poll and between the polls of the first 5 s. @defaultValue `250` */
  readonly initialDelayMs?: number;
  /** Longest delay between two polls. @defaultValue `1000` */
  readonly maxDelayMs?: number;
  /** Bound of one wait; then `WaitTimeoutError`. @defaultValue `120000` */
  readonly timeoutMs?: number;
}

/**
 * Client-side token buckets, so a large plan stays within EC2's request rate instead of being
 * throttled: one per mutating action (attach, detach), and one per describe. The defaults are a tenth
 * below EC2's buckets (50 burst / 5 per second, and 100 / 20), left to the other tools of the account
 * and to the SDK's own retries, which no client-side bucket sees.
 */
export interface RateLimitOptions {
  /** Burst per mutating action (EC2: 50). @defaultValue `45` */
  readonly capacity?: number;
  /** Sustained calls per second per mutating action (EC2: 5). @defaultValue `4.5` */
  readonly refillPerSecond?: number;
  /** Burst per describe action (EC2: 100). @defaultValue `90` */
  readonly describeCapacity?: number;
  /** Sustained describes per second per action (EC2: 20). @defaultValue `18` */
  readonly describeRefillPerSecond?: number;
}

/** Options of `new Executor(...)`. Invalid values throw `ConfigurationError` from the constructor. */
export interface ExecutorOptions {
  /** The EC2 operations to call, e.g. `createSdkEc2Port(new EC2Client({}))`. */
  readonly ec2: Ec2Port;
  /** Where the executor logs. @defaultValue `defaultLogger` (JSON lines on stderr, warnings and errors) */
  readonly logger?: Logger;
  /** Actions in flight at once. @defaultValue `8` */
  readonly concurrency?: number;
  /**
   * The client-side token bucket in front of each mutating action (attach, detach and create-tags each
   * have their own bucket, as in EC2).
   */
  readonly rateLimit?: RateLimitOptions;
  /** Retries of each API call (see {@link RetryOptions} for which layer retries what). */
  readonly retry?: RetryOptions;
  /** Bounds of the wait after each attach and detach. */
  readonly wait?: WaitOptions;
  /**
   * Tag written on an interface when it is taken back from an instance that stopped or went away, naming
   * that instance, so it gets the same address when it starts again (stop/start affinity); `false`
   * disables. Written at release rather than at attach, so serving a launch costs no extra call.
   * @defaultValue `'network-interface-manager-last-instance'`
   */
  readonly lastInstanceTagKey?: string | false;
  /** Injected for tests; must resolve early when `signal` aborts. @defaultValue real timers */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injected for tests. @defaultValue `Math.random` */
  readonly random?: () => number;
  /** Monotonic milliseconds, injected for tests. @defaultValue `performance.now` */
  readonly now?: () => number;
}

/**
 * How an action ended: `succeeded` (done and settled), `failed` (for good, see its error), `conflict`
 * (an attach that lost a race to another worker; re-plan) or `skipped` (never started: aborted, or the
 * detach it waited for did not succeed).
 */
export type ActionStatus = 'succeeded' | 'failed' | 'conflict' | 'skipped';

/** What became of one plan action. */
export interface ActionOutcome {
  /** The plan action. */
  readonly action: PlanAction;
  /** How it ended. */
  readonly status: ActionStatus;
  /** The AWS error class behind a conflict or failure, e.g. `attachment-limit` or `not-found`. */
  readonly errorClass?: AwsErrorClass;
  /** The new attachment, for a succeeded attach. */
  readonly attachmentId?: string;
  /** Why the action failed, conflicted or was skipped. */
  readonly error?: EniPoolError;
  /** Time spent on the action, in milliseconds (`0` when skipped). */
  readonly durationMs: number;
}

/** The result of `Executor.apply`: one outcome per action, and the counts per status. */
export interface ApplyResult {
  /** Detach outcomes first, then attach outcomes, each in plan order. */
  readonly outcomes: readonly ActionOutcome[];
  /** Outcomes with status `succeeded`. */
  readonly succeeded: number;
  /** Outcomes with status `failed`. */
  readonly failed: number;
  /** Outcomes with status `conflict`. */
  readonly conflicts: number;
  /** Outcomes with status `skipped`. */
  readonly skipped: number;
}

/** Per-call options of `Executor.apply`. */
export interface ApplyOptions {
  /** Checked before every call and inside every wait: once aborted, nothing new starts. */
  readonly signal?: AbortSignal;
  /**
   * Wait until every attach is `attached` and every detach `available` before the outcome is
   * `succeeded`. Without it an attach succeeds once EC2 accepted it, and a detach waits only when an
   * attach of the plan depends on it (a hand-over). @defaultValue `true`
   */
  readonly awaitSettled?: boolean;
  /**
   * Wait until every detach is `available`, whether or not an attach of the plan depends on it (the
   * caller hands the interface over once it is free). @defaultValue `awaitSettled`
   */
  readonly awaitDetached?: boolean;
  /**
   * Awaited before each attach's first call: after the detach it waits for (if any), outside the
   * executor's concurrency slots. The manager paces attaches across workers with it. An attach whose
   * wait ends with `signal` aborted is skipped.
   */
  readonly beforeAttach?: (action: AttachAction) => Promise<void>;
}

/** Attach errors after which the manager re-reads and re-plans rather than giving up. */
const REPLAN_CLASSES: readonly AwsErrorClass[] = [
  // Another worker got there first.
  'in-use',
  'device-index-taken',
  // The interface was deleted between plan and attach.
  'not-found',
  // The instance has no room left: the next plan serves someone else with the interface.
  'attachment-limit',
];

function asEniPoolError(error: unknown): EniPoolError {
  if (error instanceof EniPoolError) return error;
  return new EniPoolError(error instanceof Error ? error.message : String(error), { cause: error });
}

/** Internal collaborators a manager shares with its executor, so every call and wait is metered once. */
export interface ExecutorInternals {
  readonly calls: Ec2Calls;
  readonly watcher: InterfaceWatcher;
}

/**
 * Applies plans to EC2: bounded concurrency around each call (never held through a wait), a token bucket
 * per action, one retry budget per call, and bounded waits until each attach is `attached` and each
 * detach `available`, polled together for all actions at once. It never decides policy: an attach that
 * loses a race, finds its interface gone or its instance full is reported as a `conflict` for the manager
 * to re-plan.
 *
 * @example
 * ```ts
 * const executor = new Executor({ ec2: createSdkEc2Port(createEc2Client()), concurrency: 4 });
 * executor.on('action_failed', ({ action, error }) => logger.warn(error.message, { action: action.id }));
 * const result = await executor.apply(planAssignments(await loadPoolState(ec2, { kind: 'all' })));
 * ```
 */
export class Executor extends EventEmitter<EniPoolEvents> {
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly slots: Semaphore;
  private readonly pace: WatchPace;
  private readonly lastInstanceTagKey: string | undefined;
  private readonly calls: Ec2Calls;
  private readonly watcher: InterfaceWatcher;

  /**
   * @param options - The EC2 port and the budgets; checked here.
   * @param internals - Shared with the manager that owns this executor; built from `options` otherwise.
   * @throws ConfigurationError when an option is out of range.
   */
  constructor(
    /** The options the executor was created with, as given. */
    readonly options: ExecutorOptions,
    internals?: ExecutorInternals,
  ) {
    super();
    this.logger = options.logger ?? defaultLogger;
    this.clock = clockOf(options);
    this.slots = new Semaphore(positive(options.concurrency ?? 8, 'concurrency', true));
    const policy = resolveRetryPolicy(options.retry);
    this.pace = {
      initialDelayMs: nonNegative(options.wait?.initialDelayMs ?? 250, 'wait.initialDelayMs'),
      maxDelayMs: positive(options.wait?.maxDelayMs ?? 1000, 'wait.maxDelayMs'),
      timeoutMs: nonNegative(options.wait?.timeoutMs ?? 120_000, 'wait.timeoutMs'),
    };
    const tagKey = options.lastInstanceTagKey ?? DEFAULT_LAST_INSTANCE_TAG_KEY;
    if (tagKey === '')
      throw new ConfigurationError('lastInstanceTagKey must not be empty', 'lastInstanceTagKey');
    this.lastInstanceTagKey = tagKey === false ? undefined : tagKey;
    const limits = resolveCallLimits(options.rateLimit);
    this.calls =
      internals?.calls ??
      new Ec2Calls({
        port: options.ec2,
        policy,
        limits,
        clock: this.clock,
        random: options.random ?? Math.random,
        logger: this.logger,
      });
    this.watcher = internals?.watcher ?? new InterfaceWatcher(this.calls, this.clock, this.logger);
  }

  /**
   * Carries out `plan`: detaches, then attaches, at most `concurrency` calls at a time. An attach with
   * `after` starts only once that detach succeeded and its interface is `available`, and is `skipped`
   * if the detach did not succeed. Emits `instance_unsatisfied` for each unsatisfied instance and an
   * event for every action. Never throws for a failed action; the outcome says what happened.
   *
   * Once `signal` aborts, actions not yet started are `skipped` and waits in progress end.
   */
  async apply(plan: Plan, options: ApplyOptions | AbortSignal = {}): Promise<ApplyResult> {
    const {
      signal,
      awaitSettled = true,
      awaitDetached = awaitSettled,
      beforeAttach,
    } = options instanceof AbortSignal
      ? { signal: options, awaitSettled: true, awaitDetached: true, beforeAttach: undefined }
      : options;
    for (const unsatisfied of plan.unsatisfied) this.notify('instance_unsatisfied', unsatisfied);

    const ordered = [
      ...plan.actions.filter((action) => action.kind === 'detach'),
      ...plan.actions.filter((action) => action.kind === 'attach'),
    ];
    const awaited = new Set(
      ordered.flatMap((action) => (action.kind === 'attach' && action.after ? [action.after] : [])),
    );
    const detaches = new Map<string, Promise<ActionOutcome>>();
    const run = (action: PlanAction): Promise<ActionOutcome> => {
      if (action.kind === 'detach') {
        const outcome = this.detach(action, signal, awaitDetached || awaited.has(action.id));
        detaches.set(action.id, outcome);
        return outcome;
      }
      return this.attach(action, detaches, signal, awaitSettled, beforeAttach);
    };
    const outcomes = await Promise.all(ordered.map(run));
    const count = (status: ActionStatus) => outcomes.filter((outcome) => outcome.status === status).length;
    return {
      outcomes,
      succeeded: count('succeeded'),
      failed: count('failed'),
      conflicts: count('conflict'),
      skipped: count('skipped'),
    };
  }

  private notify<K extends keyof EniPoolEvents & string>(event: K, ...args: EniPoolEvents[K]): void {
    emitSafely<EniPoolEvents, K>(this, this.logger, event, ...args);
  }

  private skipped(action: PlanAction, reason: string): ActionOutcome {
    this.logger.warn('action skipped', { action: action.id, reason });
    return { action, status: 'skipped', error: new EniPoolError(reason), durationMs: 0 };
  }

  private async detach(
    action: DetachAction,
    signal: AbortSignal | undefined,
    awaitAvailable: boolean,
  ): Promise<ActionOutcome> {
    if (signal?.aborted) return this.skipped(action, 'aborted before the action started');
    const startedAt = this.clock.now();
    this.notify('action_started', { action });
    let attempts = 1;
    try {
      try {
        const result = await this.slots.run(() =>
          this.startCall(action, signal).call(
            'DetachNetworkInterface',
            () => this.calls.port.detachNetworkInterface({ attachmentId: action.attachmentId }),
            { ...(signal ? { signal } : {}), logContext: { action: action.id } },
          ),
        );
        attempts = result.attempts;
      } catch (error) {
        if (error instanceof OperationAbortedError)
          return this.skipped(action, 'aborted before the action started');
        if (classifyAwsError(error) !== 'already-detached') throw error;
        this.logger.debug('attachment already gone; detach is done', { action: action.id });
      }
      const tagged = this.tagLastInstance(action, signal);
      if (awaitAvailable) {
        await this.watcher.wait(
          action.networkInterfaceId,
          'available',
          (eni) => {
            // Gone, free, or already attached elsewhere by someone else: our attachment no longer exists.
            if (!eni || eni.status === 'available') return 'settled';
            return eni.attachment !== undefined && eni.attachment.attachmentId !== action.attachmentId
              ? 'settled'
              : 'waiting';
          },
          this.pace,
          signal,
        );
      }
      await tagged;
      const durationMs = this.clock.now() - startedAt;
      this.notify('action_succeeded', { action, attempt: attempts, durationMs });
      return { action, status: 'succeeded', durationMs };
    } catch (error) {
      return this.failed(action, error, startedAt, attempts);
    }
  }

  private async attach(
    action: AttachAction,
    detaches: ReadonlyMap<string, Promise<ActionOutcome>>,
    signal: AbortSignal | undefined,
    awaitAttached: boolean,
    beforeAttach: ApplyOptions['beforeAttach'],
  ): Promise<ActionOutcome> {
    if (action.after !== undefined) {
      const dependency = detaches.get(action.after);
      if (!dependency)
        return this.skipped(action, `the detach ${action.after} it waits for is not in the plan`);
      const { status } = await dependency;
      if (status !== 'succeeded')
        return this.skipped(action, `the detach ${action.after} it waits for ${status}`);
    }
    await beforeAttach?.(action);
    if (signal?.aborted) return this.skipped(action, 'aborted before the action started');
    const startedAt = this.clock.now();
    this.notify('action_started', { action });
    let attempts = 1;
    let attachmentId: string;
    try {
      const result = await this.slots.run(() =>
        this.startCall(action, signal).call(
          'AttachNetworkInterface',
          () =>
            this.calls.port.attachNetworkInterface({
              networkInterfaceId: action.networkInterfaceId,
              instanceId: action.instanceId,
              deviceIndex: action.deviceIndex,
              networkCardIndex: action.networkCardIndex,
            }),
          {
            ...(signal ? { signal } : {}),
            // A just-launched instance may not accept an attach yet; it will within the budget or not at all.
            alsoRetry: ['incorrect-state'],
            logContext: { action: action.id },
          },
        ),
      );
      attempts = result.attempts;
      attachmentId = result.value.attachmentId;
    } catch (error) {
      if (error instanceof OperationAbortedError)
        return this.skipped(action, 'aborted before the action started');
      const errorClass = classifyAwsError(error);
      if (REPLAN_CLASSES.includes(errorClass)) {
        return this.conflicted(
          action,
          error,
          errorClass,
          startedAt,
          (error as { attempts?: number }).attempts ?? attempts,
        );
      }
      return this.failed(action, error, startedAt, (error as { attempts?: number }).attempts ?? attempts);
    }
    if (awaitAttached) {
      try {
        await this.watcher.wait(
          action.networkInterfaceId,
          'attached',
          attachedCheck(attachmentId, action.instanceId, this.clock),
          this.pace,
          signal,
        );
      } catch (error) {
        if (error instanceof AttachmentLostError) {
          return this.conflicted(action, error, 'not-found', startedAt, attempts);
        }
        return this.failed(action, error, startedAt, attempts);
      }
    }
    const durationMs = this.clock.now() - startedAt;
    this.notify('action_succeeded', { action, attempt: attempts, attachmentId, durationMs });
    return { action, status: 'succeeded', attachmentId, durationMs };
  }

  /** The calls, once a slot is free; an abort while the action waited for its slot starts nothing. */
  private startCall(action: PlanAction, signal: AbortSignal | undefined): Ec2Calls {
    if (signal?.aborted)
      throw new OperationAbortedError(`${action.id} was aborted before it started`, action.id);
    return this.calls;
  }

  private conflicted(
    action: AttachAction,
    error: unknown,
    errorClass: AwsErrorClass,
    startedAt: number,
    attempts: number,
  ): ActionOutcome {
    const message = error instanceof Error ? error.message : String(error);
    const conflict = new AttachConflictError(
      `${action.networkInterfaceId} could not be attached to ${action.instanceId}: ${message}`,
      action.networkInterfaceId,
      action.instanceId,
      { cause: error },
    );
    const durationMs = this.clock.now() - startedAt;
    this.logger.info('attach must be re-planned', { action: action.id, errorClass, error: message });
    this.notify('action_conflicted', { action, attempt: attempts, error: conflict, durationMs });
    return { action, status: 'conflict', errorClass, error: conflict, durationMs };
  }

  /** Best effort: affinity is a preference, so a tagging failure is logged, never a failed detach. */
  private async tagLastInstance(action: DetachAction, signal: AbortSignal | undefined): Promise<void> {
    if (this.lastInstanceTagKey === undefined || action.reason !== 'instance-not-running') return;
    const key = this.lastInstanceTagKey;
    try {
      await this.calls.call(
        'CreateTags',
        () =>
          this.calls.port.createTags({
            resourceIds: [action.networkInterfaceId],
            tags: { [key]: action.instanceId },
          }),
        { ...(signal ? { signal } : {}), logContext: { action: action.id } },
      );
    } catch (error) {
      this.logger.warn('could not tag the interface with its last instance', {
        action: action.id,
        networkInterfaceId: action.networkInterfaceId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private failed(action: PlanAction, error: unknown, startedAt: number, attempts: number): ActionOutcome {
    const failure = asEniPoolError(error);
    const errorClass = classifyAwsError(error);
    const durationMs = this.clock.now() - startedAt;
    this.logger.warn('action failed', { action: action.id, error: failure.message });
    this.notify('action_failed', { action, attempt: attempts, error: failure, durationMs });
    return {
      action,
      status: 'failed',
      ...(errorClass !== 'client' ? { errorClass } : {}),
      error: failure,
      durationMs,
    };
  }
}

/** How long a new attachment may be missing from describes (their eventual consistency) before it counts as gone. */
const UNSEEN_GRACE_MS = 2_000;

/**
 * The check of an attach wait: settled once our attachment is `attached`; lost as soon as another
 * attachment owns the interface, the interface is deleted, or our attachment, once seen, disappears (its
 * instance stopped or terminated) or was never seen within the describes' lag.
 */
function attachedCheck(
  attachmentId: string,
  instanceId: string,
  clock: Clock,
): (eni: InterfaceView | undefined) => WatchVerdict {
  const startedAt = clock.now();
  let seen = false;
  let polls = 0;
  return (eni) => {
    polls++;
    const attachment = eni?.attachment;
    if (attachment?.attachmentId === attachmentId) {
      seen = true;
      if (attachment.status === 'attached') return 'settled';
      if (attachment.status === 'attaching') return 'waiting';
      return { lost: `the attachment to ${instanceId} is ${attachment.status}` };
    }
    if (attachment !== undefined && attachment.status !== 'detached') {
      return { lost: `attached to ${attachment.instanceId} by another attachment` };
    }
    if (eni === undefined && polls > 1) return { lost: 'the interface no longer exists' };
    if (seen) return { lost: `the attachment to ${instanceId} is gone (the instance left)` };
    return clock.now() - startedAt >= UNSEEN_GRACE_MS && polls > 2
      ? { lost: `the attachment to ${instanceId} never showed` }
      : 'waiting';
  };
}

/** The retry budget with defaults applied. @throws ConfigurationError when a value is out of range. */
export function resolveRetryPolicy(retry: RetryOptions | undefined): RetryPolicy {
  return {
    maxAttempts: positive(retry?.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts, 'retry.maxAttempts', true),
    baseDelayMs: nonNegative(retry?.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs, 'retry.baseDelayMs'),
    maxDelayMs: nonNegative(retry?.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs, 'retry.maxDelayMs'),
  };
}

/** The client-side buckets with defaults applied. @throws ConfigurationError when a value is out of range. */
export function resolveCallLimits(rateLimit: RateLimitOptions | undefined) {
  return {
    mutating: {
      capacity: positive(rateLimit?.capacity ?? EC2_CALL_LIMITS.mutating.capacity, 'rateLimit.capacity'),
      refillPerSecond: positive(
        rateLimit?.refillPerSecond ?? EC2_CALL_LIMITS.mutating.refillPerSecond,
        'rateLimit.refillPerSecond',
      ),
    },
    describe: {
      capacity: positive(
        rateLimit?.describeCapacity ?? EC2_CALL_LIMITS.describe.capacity,
        'rateLimit.describeCapacity',
      ),
      refillPerSecond: positive(
        rateLimit?.describeRefillPerSecond ?? EC2_CALL_LIMITS.describe.refillPerSecond,
        'rateLimit.describeRefillPerSecond',
      ),
    },
    tags: EC2_CALL_LIMITS.tags,
  };
}
