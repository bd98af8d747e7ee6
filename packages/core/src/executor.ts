import { EventEmitter } from 'eventemitter3';
import { type AwsErrorClass, classifyAwsError } from './aws-errors';
import type { Ec2Port } from './ec2-port';
import {
  AttachConflictError,
  AwsCallError,
  ConfigurationError,
  EniPoolError,
  WaitTimeoutError,
} from './errors';
import type { EniPoolEvents } from './events';
import { type Clock, systemClock } from './internal/clock';
import { emitSafely } from './internal/emit';
import { MIN_PAGE_SIZE } from './internal/limits';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from './internal/retry';
import { TokenBucket } from './internal/token-bucket';
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
 * The retry budget of each EC2 call on throttling and server errors: full-jitter exponential backoff,
 * a random delay below `min(maxDelayMs, baseDelayMs · 2^(attempt - 1))` before each further attempt.
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
 * How long the executor polls an interface after an attach (until `attached`) or a detach (until
 * `available`), with delays that double from `initialDelayMs` up to `maxDelayMs`.
 */
export interface WaitOptions {
  /** Delay before the first poll. @defaultValue `500` */
  readonly initialDelayMs?: number;
  /** Longest delay between two polls. @defaultValue `5000` */
  readonly maxDelayMs?: number;
  /** Bound of one wait; then `WaitTimeoutError`. @defaultValue `120000` */
  readonly timeoutMs?: number;
}

/** A client-side token bucket, so a large plan stays within EC2's request rate instead of being throttled. */
export interface RateLimitOptions {
  /** Burst per mutating action (EC2: 50). @defaultValue `50` */
  readonly capacity?: number;
  /** Sustained calls per second per mutating action (EC2: 5). @defaultValue `5` */
  readonly refillPerSecond?: number;
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
  /**
   * Retries of each API call on throttling and server errors. They come on top of the SDK client's own
   * retries (its `maxAttempts`), which run inside every attempt.
   */
  readonly retry?: RetryOptions;
  /** Bounds of the wait after each attach and detach. */
  readonly wait?: WaitOptions;
  /** Tag written on an interface at attach, naming its instance (stop/start affinity); `false` disables. @defaultValue `'network-interface-manager-last-instance'` */
  readonly lastInstanceTagKey?: string | false;
  /** Injected for tests. @defaultValue real timers */
  readonly sleep?: (ms: number) => Promise<void>;
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

/** Attach errors that mean "another worker got there first": the manager re-reads and re-plans. */
const CONFLICT_CLASSES: readonly AwsErrorClass[] = ['in-use', 'device-index-taken'];

interface ResolvedWait {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly timeoutMs: number;
}

function positive(value: number, setting: string, integer = false): number {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new ConfigurationError(
      `${setting} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`,
      setting,
    );
  }
  return value;
}

function nonNegative(value: number, setting: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new ConfigurationError(`${setting} must be a number ≥ 0, got ${value}`, setting);
  }
  return value;
}

function asEniPoolError(error: unknown): EniPoolError {
  if (error instanceof EniPoolError) return error;
  return new EniPoolError(error instanceof Error ? error.message : String(error), { cause: error });
}

function describeInterface(eni: InterfaceView | undefined): string {
  if (!eni) return 'not found';
  if (!eni.attachment) return eni.status;
  return `${eni.status}, attachment ${eni.attachment.attachmentId} to ${eni.attachment.instanceId} ${eni.attachment.status}`;
}

/**
 * Applies plans to EC2: bounded concurrency, a token bucket per mutating action, bounded retries with
 * full-jitter backoff for throttling and server errors, and bounded waits until each attach is
 * `attached` and each detach `available`. It never decides policy: an attach that loses a race is
 * reported as a `conflict` for the manager to re-plan.
 *
 * @example
 * ```ts
 * const executor = new Executor({ ec2: createSdkEc2Port(new EC2Client({})), concurrency: 4 });
 * executor.on('action_failed', ({ action, error }) => logger.warn(error.message, { action: action.id }));
 * const result = await executor.apply(planAssignments(await loadPoolState(ec2, { kind: 'all' })));
 * ```
 */
export class Executor extends EventEmitter<EniPoolEvents> {
  private readonly ec2: Ec2Port;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly concurrency: number;
  private readonly retryPolicy: RetryPolicy;
  private readonly waitPolicy: ResolvedWait;
  private readonly lastInstanceTagKey: string | undefined;
  private readonly buckets: Readonly<Record<'attach' | 'detach' | 'createTags', TokenBucket>>;

  /**
   * @param options - The EC2 port and the budgets; checked here.
   * @throws ConfigurationError when an option is out of range.
   */
  constructor(
    /** The options the executor was created with, as given. */
    readonly options: ExecutorOptions,
  ) {
    super();
    this.ec2 = options.ec2;
    this.logger = options.logger ?? defaultLogger;
    this.clock = {
      now: options.now ?? systemClock.now,
      sleep: options.sleep ?? systemClock.sleep,
    };
    this.random = options.random ?? Math.random;
    this.concurrency = positive(options.concurrency ?? 8, 'concurrency', true);
    this.retryPolicy = {
      maxAttempts: positive(
        options.retry?.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
        'retry.maxAttempts',
        true,
      ),
      baseDelayMs: nonNegative(
        options.retry?.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
        'retry.baseDelayMs',
      ),
      maxDelayMs: nonNegative(
        options.retry?.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
        'retry.maxDelayMs',
      ),
    };
    this.waitPolicy = {
      initialDelayMs: nonNegative(options.wait?.initialDelayMs ?? 500, 'wait.initialDelayMs'),
      maxDelayMs: positive(options.wait?.maxDelayMs ?? 5000, 'wait.maxDelayMs'),
      timeoutMs: nonNegative(options.wait?.timeoutMs ?? 120_000, 'wait.timeoutMs'),
    };
    const tagKey = options.lastInstanceTagKey ?? DEFAULT_LAST_INSTANCE_TAG_KEY;
    if (tagKey === '')
      throw new ConfigurationError('lastInstanceTagKey must not be empty', 'lastInstanceTagKey');
    this.lastInstanceTagKey = tagKey === false ? undefined : tagKey;
    const bucket = {
      capacity: positive(options.rateLimit?.capacity ?? 50, 'rateLimit.capacity'),
      refillPerSecond: positive(options.rateLimit?.refillPerSecond ?? 5, 'rateLimit.refillPerSecond'),
    };
    this.buckets = {
      attach: new TokenBucket(bucket, this.clock),
      detach: new TokenBucket(bucket, this.clock),
      createTags: new TokenBucket(bucket, this.clock),
    };
  }

  /**
   * Carries out `plan`: detaches first, then attaches, at most `concurrency` at a time. An attach with
   * `after` starts only once that detach succeeded and its interface is `available`, and is `skipped`
   * if the detach did not succeed. Emits `instance_unsatisfied` for each unsatisfied instance and an
   * event for every action. Never throws for a failed action; the outcome says what happened.
   *
   * `signal` is checked between actions: once aborted, actions not yet started are `skipped`.
   */
  async apply(plan: Plan, signal?: AbortSignal): Promise<ApplyResult> {
    for (const unsatisfied of plan.unsatisfied) this.notify('instance_unsatisfied', unsatisfied);

    // Detaches are queued first, so an attach waiting for its detach never holds the slot that detach needs.
    const ordered = [
      ...plan.actions.filter((action) => action.kind === 'detach'),
      ...plan.actions.filter((action) => action.kind === 'attach'),
    ];
    const detachResults = new Map<
      string,
      { promise: Promise<ActionStatus>; resolve: (s: ActionStatus) => void }
    >();
    for (const action of ordered) {
      if (action.kind !== 'detach') continue;
      let resolve!: (status: ActionStatus) => void;
      const promise = new Promise<ActionStatus>((r) => {
        resolve = r;
      });
      detachResults.set(action.id, { promise, resolve });
    }

    const outcomes: ActionOutcome[] = new Array(ordered.length);
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < ordered.length; index = next++) {
        const action = ordered[index]!;
        const outcome = await this.runAction(action, detachResults, signal);
        outcomes[index] = outcome;
        if (action.kind === 'detach') detachResults.get(action.id)?.resolve(outcome.status);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, ordered.length) }, worker));

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

  private async runAction(
    action: PlanAction,
    detachResults: ReadonlyMap<string, { promise: Promise<ActionStatus> }>,
    signal: AbortSignal | undefined,
  ): Promise<ActionOutcome> {
    if (signal?.aborted) return this.skipped(action, 'aborted before the action started');
    if (action.kind === 'attach' && action.after !== undefined) {
      const dependency = detachResults.get(action.after);
      if (!dependency)
        return this.skipped(action, `the detach ${action.after} it waits for is not in the plan`);
      const status = await dependency.promise;
      if (status !== 'succeeded')
        return this.skipped(action, `the detach ${action.after} it waits for ${status}`);
      if (signal?.aborted) return this.skipped(action, 'aborted before the action started');
    }
    return action.kind === 'detach' ? this.detach(action) : this.attach(action);
  }

  private async detach(action: DetachAction): Promise<ActionOutcome> {
    const startedAt = this.clock.now();
    this.notify('action_started', { action });
    let attempts = 1;
    try {
      try {
        const result = await withRetry(
          this.retryContext('DetachNetworkInterface', action, this.buckets.detach),
          () => this.ec2.detachNetworkInterface({ attachmentId: action.attachmentId }),
        );
        attempts = result.attempts;
      } catch (error) {
        if (!(error instanceof AwsCallError && classifyAwsError(error.cause) === 'already-detached'))
          throw error;
        attempts = error.attempts;
        this.logger.debug('attachment already gone; detach is done', { action: action.id });
      }
      await this.waitFor(action.networkInterfaceId, 'available', (eni) => {
        // Gone, free, or already attached elsewhere by someone else: our attachment no longer exists.
        if (!eni || eni.status === 'available') return true;
        return eni.attachment !== undefined && eni.attachment.attachmentId !== action.attachmentId;
      });
      const durationMs = this.clock.now() - startedAt;
      this.notify('action_succeeded', { action, attempt: attempts, durationMs });
      return { action, status: 'succeeded', durationMs };
    } catch (error) {
      return this.failed(action, error, startedAt, attempts);
    }
  }

  private async attach(action: AttachAction): Promise<ActionOutcome> {
    const startedAt = this.clock.now();
    this.notify('action_started', { action });
    let attempts = 1;
    let attachmentId: string;
    try {
      const result = await withRetry(
        {
          ...this.retryContext('AttachNetworkInterface', action, this.buckets.attach),
          // A just-launched instance may not accept an attach yet; it will within the budget or not at all.
          alsoRetry: ['incorrect-state'],
        },
        () =>
          this.ec2.attachNetworkInterface({
            networkInterfaceId: action.networkInterfaceId,
            instanceId: action.instanceId,
            deviceIndex: action.deviceIndex,
            networkCardIndex: action.networkCardIndex,
          }),
      );
      attempts = result.attempts;
      attachmentId = result.value.attachmentId;
    } catch (error) {
      if (error instanceof AwsCallError && CONFLICT_CLASSES.includes(classifyAwsError(error.cause))) {
        const conflict = new AttachConflictError(
          `${action.networkInterfaceId} could not be attached to ${action.instanceId}: ${error.message}`,
          action.networkInterfaceId,
          action.instanceId,
          { cause: error },
        );
        const durationMs = this.clock.now() - startedAt;
        this.logger.info('attach lost a race; will re-plan', { action: action.id, code: error.code });
        this.notify('action_conflicted', { action, attempt: error.attempts, error: conflict, durationMs });
        return { action, status: 'conflict', error: conflict, durationMs };
      }
      return this.failed(action, error, startedAt, error instanceof AwsCallError ? error.attempts : attempts);
    }
    try {
      await this.waitFor(
        action.networkInterfaceId,
        'attached',
        (eni) => eni?.attachment?.attachmentId === attachmentId && eni.attachment.status === 'attached',
      );
    } catch (error) {
      return this.failed(action, error, startedAt, attempts);
    }
    await this.tagLastInstance(action);
    const durationMs = this.clock.now() - startedAt;
    this.notify('action_succeeded', { action, attempt: attempts, attachmentId, durationMs });
    return { action, status: 'succeeded', attachmentId, durationMs };
  }

  /** Best effort: affinity is a preference, so a tagging failure is logged, never a failed attach. */
  private async tagLastInstance(action: AttachAction): Promise<void> {
    if (this.lastInstanceTagKey === undefined) return;
    try {
      await withRetry(this.retryContext('CreateTags', action, this.buckets.createTags), () =>
        this.ec2.createTags({
          resourceIds: [action.networkInterfaceId],
          tags: { [this.lastInstanceTagKey as string]: action.instanceId },
        }),
      );
    } catch (error) {
      this.logger.warn('could not tag the interface with its instance', {
        action: action.id,
        networkInterfaceId: action.networkInterfaceId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private failed(action: PlanAction, error: unknown, startedAt: number, attempts: number): ActionOutcome {
    const failure = asEniPoolError(error);
    const durationMs = this.clock.now() - startedAt;
    this.logger.warn('action failed', { action: action.id, error: failure.message });
    this.notify('action_failed', { action, attempt: attempts, error: failure, durationMs });
    return { action, status: 'failed', error: failure, durationMs };
  }

  private retryContext(operation: string, action: PlanAction, bucket?: TokenBucket) {
    return {
      operation,
      policy: this.retryPolicy,
      clock: this.clock,
      random: this.random,
      logger: this.logger,
      logContext: { action: action.id },
      ...(bucket ? { beforeAttempt: () => bucket.take() } : {}),
    };
  }

  /**
   * Polls the interface (a `network-interface-id` filtered describe) with growing delays until `settled`
   * says yes, or throws `WaitTimeoutError` once `wait.timeoutMs` is spent. Time is counted on the clock
   * and as the sum of the delays slept, whichever is larger, so the bound holds with any clock.
   */
  private async waitFor(
    networkInterfaceId: string,
    expected: string,
    settled: (eni: InterfaceView | undefined) => boolean,
  ): Promise<void> {
    const { initialDelayMs, maxDelayMs, timeoutMs } = this.waitPolicy;
    const startedAt = this.clock.now();
    let slept = 0;
    let delay = initialDelayMs;
    let lastSeen: string | undefined;
    let polls = 0;
    for (;;) {
      const waited = Math.max(this.clock.now() - startedAt, slept);
      if (waited >= timeoutMs && polls > 0) {
        throw new WaitTimeoutError(
          `${networkInterfaceId} did not become ${expected} within ${timeoutMs} ms (last seen: ${lastSeen}, ${polls} polls)`,
          networkInterfaceId,
          expected,
          lastSeen,
          waited,
        );
      }
      const pause = Math.max(0, Math.min(delay, timeoutMs - waited));
      if (pause > 0) {
        await this.clock.sleep(pause);
        slept += pause;
      }
      const { value } = await withRetry(
        {
          operation: 'DescribeNetworkInterfaces',
          policy: this.retryPolicy,
          clock: this.clock,
          random: this.random,
          logger: this.logger,
          logContext: { networkInterfaceId },
        },
        () =>
          this.ec2.describeNetworkInterfaces({
            filters: [{ name: 'network-interface-id', values: [networkInterfaceId] }],
            maxResults: MIN_PAGE_SIZE,
          }),
      );
      polls++;
      const eni = value.interfaces.find((candidate) => candidate.networkInterfaceId === networkInterfaceId);
      lastSeen = describeInterface(eni);
      if (settled(eni)) return;
      delay = Math.min(maxDelayMs, Math.max(delay * 2, 1));
    }
  }
}
