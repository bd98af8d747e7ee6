import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  ConfigurationError,
  DEFAULT_POOL_TAG_KEY,
  type Ec2Port,
  type EniPoolManagerOptions,
  type Logger,
} from '@eni-pool/core';
import type { LifecycleActionHandler } from '@eni-pool/lambda-adapter';
import { DEFAULT_HOOK_NAME_PREFIX, type LifecycleHookHandlerOptions } from '@eni-pool/lifecycle-hook-adapter';

/** What happens to a message that is not JSON or not an event eni-pool knows. */
export type UnparseablePolicy = 'delete' | 'retain';

/** Timers the event source schedules its syncs and bounds with; injected by tests. */
export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real timers; they never keep an idle process alive on their own. */
export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Options of {@link createSqsEventSource}. */
export interface SqsEventSourceOptions {
  /** The queue's URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`). Required. */
  readonly queueUrl: string;
  /**
   * SQS access. @defaultValue `new SQSClient({})` from the standard SDK configuration; when
   * `AWS_ENDPOINT_URL` or `AWS_ENDPOINT_URL_SQS` is set, with `useQueueUrlAsEndpoint: false`, so the
   * client stays on the configured endpoint instead of following the queue URL's host
   */
  readonly sqs?: SQSClient;
  /** EC2 access for the manager and the lifecycle handler. @defaultValue `createEc2Client()` (standard SDK configuration, adaptive retry) */
  readonly ec2?: Ec2Port | EC2Client;
  /** Auto Scaling access for lifecycle actions and the leaving source. @defaultValue `new AutoScalingClient({})` */
  readonly autoScaling?: AutoScalingClient;
  /**
   * Options of the manager (planner, executor, rounds…), built by `createEniPool` with `ec2`, `logger`,
   * `poolTagKey`, `pools` and Auto Scaling's terminating members as its leaving source.
   */
  readonly managerOptions?: Omit<EniPoolManagerOptions, 'ec2' | 'logger' | 'leaving' | 'pools'>;
  /**
   * Lifecycle actions: `true` builds the lifecycle-hook adapter on the manager, `false` acknowledges them
   * with a warning (the hook then times out with its default result), or a handler of your own.
   * @defaultValue `true`
   */
  readonly lifecycle?: boolean | LifecycleActionHandler;
  /** Options of the lifecycle-hook adapter built for `lifecycle: true`. */
  readonly lifecycleOptions?: Omit<
    LifecycleHookHandlerOptions,
    | 'manager'
    | 'managerOptions'
    | 'ec2'
    | 'autoScaling'
    | 'logger'
    | 'poolTagKey'
    | 'detectTerminating'
    | 'hookNamePrefix'
  >;
  /**
   * Only lifecycle actions of hooks whose name starts with this are eni-pool's; others get no AWS call and
   * are deleted. The lifecycle-hook adapter's `hookNamePrefix`. @defaultValue `'eni-pool'`
   */
  readonly lifecycleHookPrefix?: string;
  /** @defaultValue `'network-interface-manager-pool'` */
  readonly poolTagKey?: string;
  /**
   * The pools this process reconciles (the manager's `pools`: its own sync covers them, events of other
   * pools are acknowledged without a call that changes anything, lifecycle actions of other pools'
   * instances are left to their owner). Empty: every pool. @defaultValue `[]`
   */
  readonly pools?: readonly string[];
  /** Batches handled at once: each is one poller receiving and handling a batch (1–16). @defaultValue `2` */
  readonly concurrency?: number;
  /** Pool reconciles in flight at once within one batch (1–32). @defaultValue `4` */
  readonly reconcileConcurrency?: number;
  /** Messages per receive (1–10). @defaultValue `10` */
  readonly batchSize?: number;
  /** Long-poll wait of one receive, in seconds (1–20). @defaultValue `20` */
  readonly waitTimeSeconds?: number;
  /**
   * Visibility timeout given to received messages, in seconds (2–43200); extended every
   * `heartbeatIntervalSeconds` while a batch is handled. @defaultValue `60`
   */
  readonly visibilityTimeoutSeconds?: number;
  /** Seconds between visibility extensions; below `visibilityTimeoutSeconds`. @defaultValue `20` */
  readonly heartbeatIntervalSeconds?: number;
  /** Non-JSON or unknown messages: `delete` (logged, so they cannot poison the queue) or `retain` (left for the DLQ). @defaultValue `'delete'` */
  readonly unparseable?: UnparseablePolicy;
  /**
   * Period of the full sync this process runs itself, in ms (≥ 10000), or `0` for none. Each replica
   * starts at a random offset within the first period and jitters every period by ±`syncJitter`, so
   * replicas spread their syncs; a sync never starts while the previous one runs. @defaultValue `300000`
   */
  readonly syncIntervalMs?: number;
  /** Fraction of the period each sync is moved by at random, 0–0.5. @defaultValue `0.1` */
  readonly syncJitter?: number;
  /**
   * `stop()` waits this long for in-flight batches, then aborts them and makes their unfinished messages
   * visible again; keep it below the orchestrator's grace period (ECS `stopTimeout`, Kubernetes
   * `terminationGracePeriodSeconds`, both 30 s by default). @defaultValue `20000`
   */
  readonly shutdownTimeoutMs?: number;
  /**
   * Readiness fails when no poller has finished a receive or a batch for this long, in ms; above
   * `waitTimeSeconds`. @defaultValue `60000`
   */
  readonly stallTimeoutMs?: number;
  /** @defaultValue warnings and errors as JSON lines on stderr */
  readonly logger?: Logger;
  /** Injected for tests. @defaultValue {@link realTimers} */
  readonly timers?: Timers;
  /** Injected for tests (sync offsets, receive backoff jitter). @defaultValue `Math.random` */
  readonly random?: () => number;
}

/** The options with every default filled in. */
export interface ResolvedSqsOptions {
  readonly queueUrl: string;
  readonly lifecycleHookPrefix: string;
  readonly poolTagKey: string;
  readonly pools: readonly string[];
  readonly concurrency: number;
  readonly reconcileConcurrency: number;
  readonly batchSize: number;
  readonly waitTimeSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly heartbeatIntervalSeconds: number;
  readonly unparseable: UnparseablePolicy;
  readonly syncIntervalMs: number;
  readonly syncJitter: number;
  readonly shutdownTimeoutMs: number;
  readonly stallTimeoutMs: number;
}

function integer(value: number | undefined, fallback: number, setting: string, min: number, max: number) {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(
      `${setting} must be an integer from ${min} to ${max}, got ${String(value)}`,
      setting,
    );
  }
  return value;
}

/**
 * Validates the options and fills in defaults. Throws `ConfigurationError` naming the first bad setting.
 *
 * @example
 * ```ts
 * resolveSqsOptions({ queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/eni-pool-events' }).batchSize; // 10
 * ```
 */
export function resolveSqsOptions(options: SqsEventSourceOptions): ResolvedSqsOptions {
  const queueUrl = options?.queueUrl;
  if (
    typeof queueUrl !== 'string' ||
    !URL.canParse(queueUrl) ||
    !/^https?:$/.test(new URL(queueUrl).protocol)
  ) {
    throw new ConfigurationError(`queueUrl must be an http(s) URL, got ${String(queueUrl)}`, 'queueUrl');
  }
  const prefix = options.lifecycleHookPrefix ?? DEFAULT_HOOK_NAME_PREFIX;
  if (typeof prefix !== 'string' || prefix.trim() === '' || prefix.length > 255) {
    throw new ConfigurationError(
      'lifecycleHookPrefix must be a non-empty string of at most 255 characters (a hook name is)',
      'lifecycleHookPrefix',
    );
  }
  const poolTagKey = options.poolTagKey ?? DEFAULT_POOL_TAG_KEY;
  if (typeof poolTagKey !== 'string' || poolTagKey.trim() === '') {
    throw new ConfigurationError('poolTagKey must be a non-empty string', 'poolTagKey');
  }
  const pools = options.pools ?? [];
  if (!Array.isArray(pools) || pools.some((pool) => typeof pool !== 'string' || pool.trim() === '')) {
    throw new ConfigurationError('pools must be a list of non-empty pool names', 'pools');
  }
  const visibilityTimeoutSeconds = integer(
    options.visibilityTimeoutSeconds,
    60,
    'visibilityTimeoutSeconds',
    2,
    43_200,
  );
  const heartbeatIntervalSeconds = integer(
    options.heartbeatIntervalSeconds,
    20,
    'heartbeatIntervalSeconds',
    1,
    43_199,
  );
  if (heartbeatIntervalSeconds >= visibilityTimeoutSeconds) {
    throw new ConfigurationError(
      `heartbeatIntervalSeconds (${heartbeatIntervalSeconds}) must be below visibilityTimeoutSeconds (${visibilityTimeoutSeconds})`,
      'heartbeatIntervalSeconds',
    );
  }
  const waitTimeSeconds = integer(options.waitTimeSeconds, 20, 'waitTimeSeconds', 1, 20);
  const syncIntervalMs = options.syncIntervalMs ?? 300_000;
  if (syncIntervalMs !== 0) integer(syncIntervalMs, 0, 'syncIntervalMs', 10_000, 86_400_000);
  const syncJitter = options.syncJitter ?? 0.1;
  if (typeof syncJitter !== 'number' || !(syncJitter >= 0 && syncJitter <= 0.5)) {
    throw new ConfigurationError(
      `syncJitter must be a number from 0 to 0.5, got ${String(syncJitter)}`,
      'syncJitter',
    );
  }
  const stallTimeoutMs = integer(options.stallTimeoutMs, 60_000, 'stallTimeoutMs', 1_000, 3_600_000);
  if (stallTimeoutMs <= waitTimeSeconds * 1000) {
    throw new ConfigurationError(
      `stallTimeoutMs (${stallTimeoutMs}) must be above waitTimeSeconds (${waitTimeSeconds} s)`,
      'stallTimeoutMs',
    );
  }
  const unparseable = options.unparseable ?? 'delete';
  if (unparseable !== 'delete' && unparseable !== 'retain') {
    throw new ConfigurationError(
      `unparseable must be 'delete' or 'retain', got '${String(unparseable)}'`,
      'unparseable',
    );
  }
  return {
    queueUrl,
    lifecycleHookPrefix: prefix,
    poolTagKey,
    pools: [...new Set(pools)].sort(),
    concurrency: integer(options.concurrency, 2, 'concurrency', 1, 16),
    reconcileConcurrency: integer(options.reconcileConcurrency, 4, 'reconcileConcurrency', 1, 32),
    batchSize: integer(options.batchSize, 10, 'batchSize', 1, 10),
    waitTimeSeconds,
    visibilityTimeoutSeconds,
    heartbeatIntervalSeconds,
    unparseable,
    syncIntervalMs,
    syncJitter,
    shutdownTimeoutMs: integer(options.shutdownTimeoutMs, 20_000, 'shutdownTimeoutMs', 0, 600_000),
    stallTimeoutMs,
  };
}
