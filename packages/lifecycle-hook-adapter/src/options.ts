import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import {
  bool,
  ConfigurationError,
  DEFAULT_POOL_TAG_KEY,
  type Ec2Port,
  type EniPoolManager,
  type EniPoolManagerOptions,
  type Logger,
  oneOf,
  positive,
} from '@eni-pool/core';

/**
 * The hook-name prefix eni-pool's own lifecycle hooks carry (`eni-pool-launch`, `eni-pool-terminate`):
 * actions of any other hook on the same group are another team's and get no AWS call.
 */
export const DEFAULT_HOOK_NAME_PREFIX = 'eni-pool';

/**
 * True when `hookName` names one of eni-pool's own hooks, i.e. starts with `prefix`.
 *
 * @example
 * ```ts
 * isOwnHook('eni-pool-launch', 'eni-pool'); // true
 * isOwnHook('app-bootstrap', 'eni-pool'); // false
 * ```
 */
export function isOwnHook(hookName: string, prefix: string = DEFAULT_HOOK_NAME_PREFIX): boolean {
  return hookName.startsWith(prefix);
}

/** The results `CompleteLifecycleAction` accepts. */
export const LIFECYCLE_ACTION_RESULTS = ['CONTINUE', 'ABANDON'] as const;

/**
 * The result sent with `CompleteLifecycleAction`: `CONTINUE` lets the instance go on, `ABANDON` has Auto
 * Scaling terminate a launching instance.
 *
 * @example
 * ```ts
 * const resultOnFailure: LifecycleActionResult = 'ABANDON';
 * ```
 */
export type LifecycleActionResult = (typeof LIFECYCLE_ACTION_RESULTS)[number];

/** What to do with an instance that is launched into the warm pool (`Destination: WarmPool`). */
export type WarmPoolMode = 'skip' | 'attach';

/**
 * Exponential backoff between polls of EC2 while waiting for an instance or an interface.
 *
 * @example
 * ```ts
 * createLifecycleHookHandler({ poll: { initialDelayMs: 500, maxDelayMs: 2_000, multiplier: 2 } });
 * ```
 */
export interface PollOptions {
  /** First delay. @defaultValue `1000` */
  readonly initialDelayMs?: number;
  /**
   * Upper bound of one delay. A waiting launch looks again at least this often, so it goes in service
   * soon after a hand-over attached its interface. @defaultValue `2000`
   */
  readonly maxDelayMs?: number;
  /** Growth factor per poll. @defaultValue `2` */
  readonly multiplier?: number;
}

/**
 * Retries of throttled or failed (5xx) Auto Scaling calls: the one retry layer of those calls, since the
 * Auto Scaling client eni-pool builds sends each request once (`createAutoScalingClient`).
 *
 * @example
 * ```ts
 * createLifecycleHookHandler({ retry: { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 } });
 * ```
 */
export interface CallRetryOptions {
  /** Attempts per call, including the first. @defaultValue `5` */
  readonly maxAttempts?: number;
  /** @defaultValue `200` */
  readonly baseDelayMs?: number;
  /** @defaultValue `5000` */
  readonly maxDelayMs?: number;
}

/**
 * Options of {@link createLifecycleHookHandler}; every field is optional. Invalid values throw a
 * `ConfigurationError` naming the setting from the constructor, before any AWS call.
 *
 * @example
 * ```ts
 * const options: LifecycleHookHandlerOptions = {
 *   hookNamePrefix: 'eni-pool', // eni-pool-launch, eni-pool-terminate
 *   launchBudgetMs: 240_000, // then ABANDON, so Auto Scaling replaces the instance
 *   heartbeatIntervalMs: 60_000, // at most half the hook's HeartbeatTimeout
 *   hookHeartbeatTimeoutMs: 300_000,
 *   managerOptions: { pools: ['bastion'] },
 * };
 * const hooks = createLifecycleHookHandler(options);
 * ```
 */
export interface LifecycleHookHandlerOptions {
  /**
   * The manager that reconciles pools. Built from `managerOptions` (sharing `ec2` and `logger`) when
   * absent.
   */
  readonly manager?: EniPoolManager;
  /** Options for the manager built when `manager` is absent. */
  readonly managerOptions?: Omit<EniPoolManagerOptions, 'ec2' | 'logger'>;
  /** @defaultValue `new AutoScalingClient({})` from the standard SDK configuration */
  readonly autoScaling?: AutoScalingClient;
  /**
   * EC2 access for the adapter's own describes and releases. @defaultValue the manager's `ec2`, else
   * `new EC2Client({})`
   */
  readonly ec2?: Ec2Port | EC2Client;
  /** Tag key naming an instance's (and an interface's) pool. @defaultValue `'network-interface-manager-pool'` */
  readonly poolTagKey?: string;
  /**
   * eni-pool handles only the lifecycle actions of hooks whose name starts with this prefix; any other
   * hook's action (another team's `app-bootstrap`, say) is ignored with a debug log and no AWS call.
   * Keep it equal to the templates' `LifecycleHookPrefix`. @defaultValue `'eni-pool'`
   */
  readonly hookNamePrefix?: string;
  /**
   * Total time a launch may wait for its interface (instance visible and running, interface free and
   * attached) before the action is completed with `resultOnFailure`. @defaultValue `240000` (4 min)
   */
  readonly launchBudgetMs?: number;
  /**
   * Total time a termination may wait for its interfaces to be released before the action is completed
   * with `CONTINUE` anyway (the interface frees itself when the instance terminates). @defaultValue `120000`
   */
  readonly terminateBudgetMs?: number;
  /**
   * Time between `RecordLifecycleActionHeartbeat` calls while an action is in progress. The first one is
   * sent this long after the handler starts, and the hook's timer started before the event was delivered,
   * so keep it at most half the hook's `HeartbeatTimeout`. @defaultValue `60000`
   */
  readonly heartbeatIntervalMs?: number;
  /**
   * The hook's `HeartbeatTimeout` in milliseconds, when known. The constructor then checks that
   * `heartbeatIntervalMs` is at most half of it.
   */
  readonly hookHeartbeatTimeoutMs?: number;
  /** Backoff between polls and re-reconciles. */
  readonly poll?: PollOptions;
  /** Retries of throttled Auto Scaling and describe calls. */
  readonly retry?: CallRetryOptions;
  /** Result sent when a launch could not get its interface within the budget. @defaultValue `'ABANDON'` */
  readonly resultOnFailure?: LifecycleActionResult;
  /** Whether an instance launched into the warm pool gets an interface. @defaultValue `'skip'` */
  readonly warmPool?: WarmPoolMode;
  /**
   * Give the manager the handler builds a leaving source backed by Auto Scaling
   * (`createAutoScalingLeavingInstances`): every reconcile of that manager then asks which running
   * members of the pool Auto Scaling is terminating (`DescribeAutoScalingGroups`, one call for the groups
   * named by the members' `aws:autoscaling:groupName` tags) and releases their interfaces. This matters
   * when lifecycle actions are handled by different workers (several Lambda containers): without it, a
   * worker that does not know about another worker's release gives the freed interface back, oldest
   * instance first, to the terminating instance. Needs `autoscaling:DescribeAutoScalingGroups`; the
   * first `AccessDenied` turns it off for the handler's lifetime (with a warning). A `manager` passed in
   * brings its own `leaving` option; `true` with a manager that has none is a configuration error.
   * @defaultValue `true`
   */
  readonly detectTerminating?: boolean;
  /**
   * How long an instance released by a terminate action stays excluded from every reconcile of the
   * manager (`EniPoolManager.markLeaving`), so that a concurrent reconcile — this handler's or any other
   * path's through the same manager — does not hand its interface back before it shuts down.
   * @defaultValue `600000`
   */
  readonly leavingTtlMs?: number;
  /** @defaultValue warnings and errors as JSON lines on stderr */
  readonly logger?: Logger;
  /** Injected for tests; must resolve early (or reject) when `signal` aborts. @defaultValue real timers */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injected for tests. @defaultValue `Date.now` */
  readonly now?: () => number;
  /** Injected for tests (backoff jitter). @defaultValue `Math.random` */
  readonly random?: () => number;
}

/**
 * The options with every default filled in, as `LifecycleHookHandler.settings` shows them.
 *
 * @example
 * ```ts
 * createLifecycleHookHandler({}).settings.launchBudgetMs; // 240000
 * ```
 */
export interface ResolvedSettings {
  readonly poolTagKey: string;
  readonly hookNamePrefix: string;
  readonly launchBudgetMs: number;
  readonly terminateBudgetMs: number;
  readonly heartbeatIntervalMs: number;
  readonly poll: Required<PollOptions>;
  readonly retry: Required<CallRetryOptions>;
  readonly resultOnFailure: LifecycleActionResult;
  readonly warmPool: WarmPoolMode;
  readonly leavingTtlMs: number;
  readonly detectTerminating: boolean;
}

/** Longest `HeartbeatTimeout` Auto Scaling accepts (7200 s). */
export const MAX_HOOK_HEARTBEAT_TIMEOUT_MS = 7_200_000;

/** Throws, naming `setting`, when a bound is below the one it must reach (a maximum below its start). */
function notBelow(value: number, setting: string, floor: number, floorSetting: string): void {
  if (value < floor) {
    throw new ConfigurationError(
      `${setting} (${value}) must not be below ${floorSetting} (${floor})`,
      setting,
    );
  }
}

/**
 * Validates the options and fills in defaults. Throws `ConfigurationError` naming the first bad setting.
 */
export function resolveSettings(options: LifecycleHookHandlerOptions): ResolvedSettings {
  const poolTagKey = options.poolTagKey ?? DEFAULT_POOL_TAG_KEY;
  if (typeof poolTagKey !== 'string' || poolTagKey.trim() === '') {
    throw new ConfigurationError('poolTagKey must be a non-empty string', 'poolTagKey');
  }
  const managerTagKey = options.manager?.poolTagKey ?? DEFAULT_POOL_TAG_KEY;
  if (options.manager && managerTagKey !== poolTagKey) {
    throw new ConfigurationError(
      `poolTagKey '${poolTagKey}' differs from the manager's planner.poolTagKey '${managerTagKey}'`,
      'poolTagKey',
    );
  }
  if (options.manager && options.managerOptions) {
    throw new ConfigurationError('pass either manager or managerOptions, not both', 'managerOptions');
  }
  const detectTerminating = bool(options.detectTerminating ?? true, 'detectTerminating');
  if (options.manager && options.detectTerminating === true && !options.manager.hasLeavingSource) {
    throw new ConfigurationError(
      'detectTerminating needs the manager to have a leaving source: build it with leaving: createAutoScalingLeavingInstances(...)',
      'detectTerminating',
    );
  }

  const launchBudgetMs = positive(options.launchBudgetMs ?? 240_000, 'launchBudgetMs', true);
  const terminateBudgetMs = positive(options.terminateBudgetMs ?? 120_000, 'terminateBudgetMs', true);
  const heartbeatIntervalMs = positive(options.heartbeatIntervalMs ?? 60_000, 'heartbeatIntervalMs', true);
  if (heartbeatIntervalMs >= MAX_HOOK_HEARTBEAT_TIMEOUT_MS) {
    throw new ConfigurationError(
      `heartbeatIntervalMs must be below the longest hook HeartbeatTimeout (${MAX_HOOK_HEARTBEAT_TIMEOUT_MS} ms), got ${heartbeatIntervalMs}`,
      'heartbeatIntervalMs',
    );
  }
  if (options.hookHeartbeatTimeoutMs !== undefined) {
    const hookTimeout = positive(options.hookHeartbeatTimeoutMs ?? 0, 'hookHeartbeatTimeoutMs', true);
    if (hookTimeout < 30_000 || hookTimeout > MAX_HOOK_HEARTBEAT_TIMEOUT_MS) {
      throw new ConfigurationError(
        `hookHeartbeatTimeoutMs must be between 30000 and ${MAX_HOOK_HEARTBEAT_TIMEOUT_MS} (the hook's 30–7200 s), got ${hookTimeout}`,
        'hookHeartbeatTimeoutMs',
      );
    }
    if (heartbeatIntervalMs * 2 > hookTimeout) {
      throw new ConfigurationError(
        `heartbeatIntervalMs (${heartbeatIntervalMs}) must be at most half of hookHeartbeatTimeoutMs (${hookTimeout})`,
        'heartbeatIntervalMs',
      );
    }
  }

  const initialDelayMs = positive(options.poll?.initialDelayMs ?? 1_000, 'poll.initialDelayMs', true);
  const maxDelayMs = positive(options.poll?.maxDelayMs ?? 2_000, 'poll.maxDelayMs', true);
  notBelow(maxDelayMs, 'poll.maxDelayMs', initialDelayMs, 'poll.initialDelayMs');
  const multiplier = options.poll?.multiplier ?? 2;
  if (typeof multiplier !== 'number' || !Number.isFinite(multiplier) || multiplier < 1) {
    throw new ConfigurationError(
      `poll.multiplier must be a number >= 1, got ${String(multiplier)}`,
      'poll.multiplier',
    );
  }

  const maxAttempts = positive(options.retry?.maxAttempts ?? 5, 'retry.maxAttempts', true);
  const baseDelayMs = positive(options.retry?.baseDelayMs ?? 200, 'retry.baseDelayMs', true);
  const retryMaxDelayMs = positive(options.retry?.maxDelayMs ?? 5_000, 'retry.maxDelayMs', true);
  notBelow(retryMaxDelayMs, 'retry.maxDelayMs', baseDelayMs, 'retry.baseDelayMs');

  const hookNamePrefix = options.hookNamePrefix ?? DEFAULT_HOOK_NAME_PREFIX;
  if (typeof hookNamePrefix !== 'string' || hookNamePrefix.trim() === '' || hookNamePrefix.length > 255) {
    throw new ConfigurationError(
      `hookNamePrefix must be a non-empty string of at most 255 characters, got ${JSON.stringify(hookNamePrefix)}`,
      'hookNamePrefix',
    );
  }

  return {
    poolTagKey,
    hookNamePrefix,
    launchBudgetMs,
    terminateBudgetMs,
    heartbeatIntervalMs,
    poll: { initialDelayMs, maxDelayMs, multiplier },
    retry: { maxAttempts, baseDelayMs, maxDelayMs: retryMaxDelayMs },
    resultOnFailure: oneOf(options.resultOnFailure ?? 'ABANDON', ['ABANDON', 'CONTINUE'], 'resultOnFailure'),
    warmPool: oneOf(options.warmPool ?? 'skip', ['skip', 'attach'], 'warmPool'),
    leavingTtlMs: positive(options.leavingTtlMs ?? 600_000, 'leavingTtlMs', true),
    // A manager passed in decides for itself; the setting says whether terminating members are detected.
    detectTerminating: options.manager ? options.manager.hasLeavingSource : detectTerminating,
  };
}
