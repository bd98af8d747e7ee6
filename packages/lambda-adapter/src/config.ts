import {
  ConfigurationError,
  DEFAULT_POOL_TAG_KEY,
  type DeviceIndexPolicy,
  type LogLevel,
  type Placement,
} from '@eni-pool/core';
import {
  DEFAULT_HOOK_NAME_PREFIX,
  LIFECYCLE_ACTION_RESULTS,
  type LifecycleActionResult,
} from '@eni-pool/lifecycle-hook-adapter';

/** The function's settings, read once from the environment at cold start. */
export interface LambdaConfig {
  /** `ENI_POOL_TAG_KEY`. @defaultValue `'network-interface-manager-pool'` */
  readonly poolTagKey: string;
  /** `ENI_POOL_PLACEMENT`. @defaultValue `'subnet'` */
  readonly placement: Placement;
  /** `ENI_POOL_DEVICE_INDEX`: `lowest-free` or a fixed index ≥ 1. @defaultValue `{ mode: 'lowest-free' }` */
  readonly deviceIndex: DeviceIndexPolicy;
  /** `ENI_POOL_LOG_LEVEL`, else `POWERTOOLS_LOG_LEVEL`. @defaultValue `'info'` */
  readonly logLevel: LogLevel;
  /** `ENI_POOL_WAIT_TIMEOUT_MS`: bound of one attachment-state wait. @defaultValue `60000` */
  readonly waitTimeoutMs: number;
  /** `ENI_POOL_MAX_ROUNDS`: load → plan → apply rounds per reconcile. @defaultValue `3` */
  readonly maxRounds: number;
  /** `ENI_POOL_LIFECYCLE_RESULT_ON_FAILURE`. @defaultValue `'ABANDON'` */
  readonly lifecycleResultOnFailure: LifecycleActionResult;
  /** `ENI_POOL_LIFECYCLE_HOOKS` (`enabled` | `disabled`). @defaultValue `true` */
  readonly lifecycleHooks: boolean;
  /** `ENI_POOL_SQS_CONCURRENCY`: pool reconciles in flight at once within one SQS batch. @defaultValue `4` */
  readonly sqsConcurrency: number;
  /**
   * `ENI_POOL_PACING_MAX_AHEAD` (0–10000): at most this many attaches of other invocations are counted
   * ahead of an attach (`attachPacing.maxAhead`); set when invocations are bounded, e.g. by the SQS event
   * source's maximum concurrency: (concurrency − 1) × batch size. @defaultValue unset (unbounded)
   */
  readonly pacingMaxAhead: number | undefined;
  /** `ENI_POOL_METRICS` (`enabled` | `disabled`): CloudWatch EMF metrics per pool. @defaultValue `true` */
  readonly metrics: boolean;
  /**
   * `ENI_POOL_POOLS`: comma-separated pool names this function works on (the stack's `PoolName`);
   * empty for every pool. Every path honours it, the sync included. @defaultValue `[]` (every pool)
   */
  readonly pools: readonly string[];
  /**
   * `ENI_POOL_LIFECYCLE_HOOK_PREFIX`: only lifecycle actions of hooks whose name starts with it are
   * eni-pool's; others are ignored with no AWS call. @defaultValue `'eni-pool'`
   */
  readonly lifecycleHookPrefix: string;
  /** `POWERTOOLS_SERVICE_NAME`: the `service` key of every log line. @defaultValue `'eni-pool'` */
  readonly serviceName: string;
  /** `POWERTOOLS_METRICS_NAMESPACE`: the CloudWatch namespace of the pool metrics. @defaultValue `'EniPool'` */
  readonly metricsNamespace: string;
  /** `POWERTOOLS_LOGGER_LOG_EVENT`: log every incoming event (at info). @defaultValue `false` */
  readonly logEvent: boolean;
}

/** The environment variables read by {@link readLambdaConfig}, with their defaults. */
export const LAMBDA_ENVIRONMENT_DEFAULTS = {
  ENI_POOL_TAG_KEY: DEFAULT_POOL_TAG_KEY,
  ENI_POOL_PLACEMENT: 'subnet',
  ENI_POOL_DEVICE_INDEX: 'lowest-free',
  ENI_POOL_LOG_LEVEL: 'info',
  ENI_POOL_WAIT_TIMEOUT_MS: '60000',
  ENI_POOL_MAX_ROUNDS: '3',
  ENI_POOL_LIFECYCLE_RESULT_ON_FAILURE: 'ABANDON',
  ENI_POOL_LIFECYCLE_HOOKS: 'enabled',
  ENI_POOL_SQS_CONCURRENCY: '4',
  ENI_POOL_PACING_MAX_AHEAD: '',
  ENI_POOL_METRICS: 'enabled',
  ENI_POOL_POOLS: '',
  ENI_POOL_LIFECYCLE_HOOK_PREFIX: DEFAULT_HOOK_NAME_PREFIX,
  POWERTOOLS_SERVICE_NAME: 'eni-pool',
  POWERTOOLS_METRICS_NAMESPACE: 'EniPool',
  POWERTOOLS_LOGGER_LOG_EVENT: 'false',
} as const;

/** The environment variables a configuration is read from, as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The trimmed value of `name`, or undefined when unset or blank. */
function raw(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Reads an integer environment variable within `[min, max]`; `fallback` when it is unset (which may be
 * `undefined`, for a setting that is off unless given).
 *
 * @throws ConfigurationError naming the variable when the value is not an integer in range.
 * @example
 * ```ts
 * integerFromEnv({ ROUNDS: '5' }, 'ROUNDS', 3, { min: 1, max: 10 }); // 5
 * integerFromEnv({}, 'ROUNDS', 3, { min: 1, max: 10 }); // 3
 * ```
 */
export function integerFromEnv<F extends number | undefined>(
  env: Environment,
  name: string,
  fallback: F,
  range: { readonly min: number; readonly max: number },
): number | F {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) {
    throw new ConfigurationError(`${name} must be an integer, got '${value}'`, name);
  }
  const parsed = Number(value);
  if (parsed < range.min || parsed > range.max) {
    throw new ConfigurationError(
      `${name} must be between ${range.min} and ${range.max}, got ${parsed}`,
      name,
    );
  }
  return parsed;
}

/**
 * Reads an environment variable that must be one of `choices` (compared case-insensitively; the
 * choice's own spelling is returned).
 *
 * @throws ConfigurationError naming the variable and the accepted values.
 * @example
 * ```ts
 * choiceFromEnv({ MODE: 'Subnet' }, 'MODE', ['subnet', 'availability-zone'], 'subnet'); // 'subnet'
 * ```
 */
export function choiceFromEnv<const T extends string>(
  env: Environment,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const match = choices.find((choice) => choice.toLowerCase() === value.toLowerCase());
  if (match === undefined) {
    throw new ConfigurationError(`${name} must be one of ${choices.join(', ')}, got '${value}'`, name);
  }
  return match;
}

/**
 * Reads an `enabled`/`disabled` switch (`true`/`false`, `on`/`off`, `1`/`0` are accepted too).
 *
 * @throws ConfigurationError naming the variable.
 * @example
 * ```ts
 * switchFromEnv({ METRICS: 'off' }, 'METRICS', true); // false
 * ```
 */
export function switchFromEnv(env: Environment, name: string, fallback: boolean): boolean {
  const value = raw(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (['enabled', 'true', 'on', '1', 'yes'].includes(value)) return true;
  if (['disabled', 'false', 'off', '0', 'no'].includes(value)) return false;
  throw new ConfigurationError(`${name} must be 'enabled' or 'disabled', got '${value}'`, name);
}

function tagKeyFromEnv(env: Environment, name: string): string {
  const value = raw(env, name) ?? DEFAULT_POOL_TAG_KEY;
  // EC2 tag keys are 1–128 characters and the `aws:` prefix is reserved for AWS.
  if (value.length > 128) {
    throw new ConfigurationError(`${name} must be at most 128 characters, got ${value.length}`, name);
  }
  if (value.toLowerCase().startsWith('aws:')) {
    throw new ConfigurationError(`${name} must not use the reserved 'aws:' prefix, got '${value}'`, name);
  }
  return value;
}

/**
 * A comma-separated list of pool names, in the order written; blanks and repeats dropped, each checked as
 * a tag value (≤ 256 characters).
 */
function poolsFromEnv(env: Environment, name: string): string[] {
  const pools = [...new Set((raw(env, name) ?? '').split(',').map((pool) => pool.trim()))].filter(
    (pool) => pool !== '',
  );
  const tooLong = pools.find((pool) => pool.length > 256);
  if (tooLong !== undefined) {
    throw new ConfigurationError(
      `${name} holds a pool name longer than 256 characters: '${tooLong.slice(0, 40)}…'`,
      name,
    );
  }
  return pools;
}

function hookPrefixFromEnv(env: Environment, name: string): string {
  const value = raw(env, name) ?? DEFAULT_HOOK_NAME_PREFIX;
  // Lifecycle hook names are 1–255 characters of [A-Za-z0-9\-_\/].
  if (value.length > 255 || !/^[A-Za-z0-9\-_/]+$/.test(value)) {
    throw new ConfigurationError(
      `${name} must be 1–255 characters of letters, digits, '-', '_' and '/', got '${value}'`,
      name,
    );
  }
  return value;
}

function deviceIndexFromEnv(env: Environment, name: string): DeviceIndexPolicy {
  const value = raw(env, name);
  if (value === undefined || value.toLowerCase() === 'lowest-free') return { mode: 'lowest-free' };
  // Index 0 is the primary interface, so a pool interface needs 1 or more.
  return { mode: 'fixed', index: integerFromEnv(env, name, 1, { min: 1, max: 31 }) };
}

/** A name for logs or metrics: 1–255 printable characters without spaces at the ends. */
function nameFromEnv(env: Environment, name: string, fallback: string): string {
  const value = raw(env, name) ?? fallback;
  // CloudWatch namespaces and dimension values allow at most 255 characters.
  if (value.length > 255 || /[^\x20-\x7e]/.test(value)) {
    throw new ConfigurationError(
      `${name} must be at most 255 printable ASCII characters, got '${value}'`,
      name,
    );
  }
  return value;
}

function logLevelFromEnv(env: Environment): LogLevel {
  const levels = ['debug', 'info', 'warn', 'error', 'silent'] as const;
  if (raw(env, 'ENI_POOL_LOG_LEVEL') !== undefined) {
    return choiceFromEnv(env, 'ENI_POOL_LOG_LEVEL', levels, 'info');
  }
  // Powertools spells levels in capitals and has two more; map them onto the nearest core level.
  const powertools = raw(env, 'POWERTOOLS_LOG_LEVEL')?.toLowerCase();
  if (powertools === undefined) return 'info';
  if (powertools === 'trace') return 'debug';
  if (powertools === 'critical') return 'error';
  return choiceFromEnv(env, 'POWERTOOLS_LOG_LEVEL', levels, 'info');
}

/**
 * Reads the function's configuration from environment variables. Called once, at cold start, so a
 * bad value fails the init phase with a message naming the variable instead of failing every event.
 *
 * @throws ConfigurationError whose `setting` is the offending variable.
 * @example
 * ```ts
 * const config = readLambdaConfig(process.env);
 * config.poolTagKey; // 'network-interface-manager-pool' unless ENI_POOL_TAG_KEY is set
 * ```
 */
export function readLambdaConfig(env: Environment = process.env): LambdaConfig {
  return {
    poolTagKey: tagKeyFromEnv(env, 'ENI_POOL_TAG_KEY'),
    placement: choiceFromEnv(env, 'ENI_POOL_PLACEMENT', ['subnet', 'availability-zone'], 'subnet'),
    deviceIndex: deviceIndexFromEnv(env, 'ENI_POOL_DEVICE_INDEX'),
    logLevel: logLevelFromEnv(env),
    waitTimeoutMs: integerFromEnv(env, 'ENI_POOL_WAIT_TIMEOUT_MS', 60_000, { min: 1_000, max: 900_000 }),
    maxRounds: integerFromEnv(env, 'ENI_POOL_MAX_ROUNDS', 3, { min: 1, max: 10 }),
    lifecycleResultOnFailure: choiceFromEnv(
      env,
      'ENI_POOL_LIFECYCLE_RESULT_ON_FAILURE',
      LIFECYCLE_ACTION_RESULTS,
      'ABANDON',
    ),
    lifecycleHooks: switchFromEnv(env, 'ENI_POOL_LIFECYCLE_HOOKS', true),
    sqsConcurrency: integerFromEnv(env, 'ENI_POOL_SQS_CONCURRENCY', 4, { min: 1, max: 32 }),
    pacingMaxAhead: integerFromEnv(env, 'ENI_POOL_PACING_MAX_AHEAD', undefined, { min: 0, max: 10_000 }),
    metrics: switchFromEnv(env, 'ENI_POOL_METRICS', true),
    pools: poolsFromEnv(env, 'ENI_POOL_POOLS'),
    lifecycleHookPrefix: hookPrefixFromEnv(env, 'ENI_POOL_LIFECYCLE_HOOK_PREFIX'),
    serviceName: nameFromEnv(env, 'POWERTOOLS_SERVICE_NAME', 'eni-pool'),
    metricsNamespace: nameFromEnv(env, 'POWERTOOLS_METRICS_NAMESPACE', 'EniPool'),
    logEvent: switchFromEnv(env, 'POWERTOOLS_LOGGER_LOG_EVENT', false),
  };
}
