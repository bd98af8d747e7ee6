import { parseArgs } from 'node:util';
import { ConfigurationError, type LogLevel } from '@eni-pool/core';
import {
  choiceFromEnv,
  type Environment,
  integerFromEnv,
  type LambdaConfig,
  readLambdaConfig,
} from '@eni-pool/lambda-adapter';
import type { UnparseablePolicy } from './options';

/** One setting of the CLI: its flag, its environment variable, its default and what it does. */
export interface SettingSpec {
  readonly flag: string;
  readonly env: string;
  readonly defaultValue: string;
  readonly description: string;
}

/**
 * Every setting of `eni-pool-sqs`. A flag wins over its variable; the variable over the default. The
 * settings shared with the Lambda are read by the Lambda adapter's own reader, so both spell and check
 * them the same way.
 */
export const SETTINGS = [
  {
    flag: 'queue-url',
    env: 'ENI_POOL_QUEUE_URL',
    defaultValue: '(required)',
    description: 'URL of the queue to drain',
  },
  {
    flag: 'pollers',
    env: 'ENI_POOL_SQS_POLLERS',
    defaultValue: '2',
    description: 'batches received and handled at once (1–16)',
  },
  {
    flag: 'reconcile-concurrency',
    env: 'ENI_POOL_SQS_CONCURRENCY',
    defaultValue: '4',
    description: 'pool reconciles in flight within one batch (1–32)',
  },
  {
    flag: 'batch-size',
    env: 'ENI_POOL_SQS_BATCH_SIZE',
    defaultValue: '10',
    description: 'messages per receive (1–10)',
  },
  {
    flag: 'wait-time-seconds',
    env: 'ENI_POOL_SQS_WAIT_TIME_SECONDS',
    defaultValue: '20',
    description: 'long-poll wait (1–20 s)',
  },
  {
    flag: 'visibility-timeout',
    env: 'ENI_POOL_SQS_VISIBILITY_TIMEOUT',
    defaultValue: '60',
    description: 'visibility of received messages, extended while handled (2–43200 s)',
  },
  {
    flag: 'heartbeat-interval',
    env: 'ENI_POOL_SQS_HEARTBEAT_INTERVAL',
    defaultValue: '20',
    description: 'seconds between visibility extensions (below the visibility timeout)',
  },
  {
    flag: 'unparseable',
    env: 'ENI_POOL_SQS_UNPARSEABLE',
    defaultValue: 'delete',
    description: 'messages that are not known events: delete | retain (left for the DLQ)',
  },
  {
    flag: 'sync-interval-ms',
    env: 'ENI_POOL_SYNC_INTERVAL_MS',
    defaultValue: '300000',
    description: 'period of the full sync, jittered per replica; 0 turns it off',
  },
  {
    flag: 'shutdown-timeout-ms',
    env: 'ENI_POOL_SHUTDOWN_TIMEOUT_MS',
    defaultValue: '20000',
    description: 'wait for in-flight batches on SIGTERM before releasing them',
  },
  {
    flag: 'stall-timeout-ms',
    env: 'ENI_POOL_STALL_TIMEOUT_MS',
    defaultValue: '60000',
    description: '/readyz fails when no receive finished for this long',
  },
  {
    flag: 'health-port',
    env: 'ENI_POOL_HEALTH_PORT',
    defaultValue: '8080',
    description: 'port of /healthz, /readyz, /metrics (0: any free port)',
  },
  {
    flag: 'pools',
    env: 'ENI_POOL_POOLS',
    defaultValue: '(every pool)',
    description: 'comma-separated pools this process reconciles',
  },
  {
    flag: 'lifecycle-hook-prefix',
    env: 'ENI_POOL_LIFECYCLE_HOOK_PREFIX',
    defaultValue: 'eni-pool',
    description: "only hooks whose name starts with this are eni-pool's",
  },
  {
    flag: 'lifecycle-hooks',
    env: 'ENI_POOL_LIFECYCLE_HOOKS',
    defaultValue: 'enabled',
    description: 'complete lifecycle hooks: enabled | disabled',
  },
  {
    flag: 'lifecycle-result-on-failure',
    env: 'ENI_POOL_LIFECYCLE_RESULT_ON_FAILURE',
    defaultValue: 'ABANDON',
    description: 'result when a launch gets no interface in time',
  },
  {
    flag: 'tag-key',
    env: 'ENI_POOL_TAG_KEY',
    defaultValue: 'network-interface-manager-pool',
    description: 'pool tag key',
  },
  {
    flag: 'placement',
    env: 'ENI_POOL_PLACEMENT',
    defaultValue: 'subnet',
    description: 'subnet | availability-zone',
  },
  {
    flag: 'device-index',
    env: 'ENI_POOL_DEVICE_INDEX',
    defaultValue: 'lowest-free',
    description: 'lowest-free or a fixed index ≥ 1',
  },
  {
    flag: 'wait-timeout-ms',
    env: 'ENI_POOL_WAIT_TIMEOUT_MS',
    defaultValue: '60000',
    description: 'bound of one attachment-state wait',
  },
  {
    flag: 'max-rounds',
    env: 'ENI_POOL_MAX_ROUNDS',
    defaultValue: '3',
    description: 'load → plan → apply rounds per reconcile',
  },
  {
    flag: 'pacing-max-ahead',
    env: 'ENI_POOL_PACING_MAX_AHEAD',
    defaultValue: '0',
    description:
      "other replicas' attaches counted ahead when pacing: (replicas − 1) × pollers × batch size (0–10000)",
  },
  {
    flag: 'log-level',
    env: 'ENI_POOL_LOG_LEVEL',
    defaultValue: 'info',
    description: 'debug | info | warn | error | silent',
  },
] as const satisfies readonly SettingSpec[];

/** The CLI's configuration, read from flags and environment variables. */
export interface SqsCliConfig {
  /** The settings the Lambda shares (tag key, placement, device index, log level, waits, lifecycle). */
  readonly shared: LambdaConfig;
  readonly queueUrl: string;
  readonly pollers: number;
  readonly reconcileConcurrency: number;
  readonly batchSize: number;
  readonly waitTimeSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly heartbeatIntervalSeconds: number;
  readonly unparseable: UnparseablePolicy;
  readonly syncIntervalMs: number;
  readonly shutdownTimeoutMs: number;
  readonly stallTimeoutMs: number;
  readonly healthPort: number;
  readonly pools: readonly string[];
  readonly lifecycleHookPrefix: string;
  readonly logLevel: LogLevel;
}

/** What `readCliConfig` found on the command line besides settings. */
export type CliRequest = { readonly help: true } | { readonly help: false; readonly config: SqsCliConfig };

/** The usage text, generated from {@link SETTINGS}. */
export function usage(): string {
  const lines = SETTINGS.map(
    (s) => `  --${s.flag.padEnd(28)} ${s.env.padEnd(38)} ${s.description} (default: ${s.defaultValue})`,
  );
  return `Usage: eni-pool-sqs [options]

Drains an SQS queue of eni-pool events (EventBridge state changes and lifecycle actions, raw or SNS-wrapped
lifecycle notifications), keeps the pools right, completes lifecycle hooks, runs the periodic sync, and
serves /healthz, /readyz and /metrics. Stops gracefully on SIGTERM or SIGINT.

Options (flag, environment variable, meaning):
${lines.join('\n')}
  -h, --help

AWS credentials and region come from the standard SDK chain; AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_SQS,
_EC2, _AUTO_SCALING) points the clients elsewhere.`;
}

/**
 * Reads the configuration from command-line flags and environment variables; a flag wins over its
 * variable.
 *
 * @throws ConfigurationError whose message names the flag or variable with the bad value.
 * @example
 * ```ts
 * const request = readCliConfig(['--queue-url', url, '--pollers', '4'], process.env);
 * if (!request.help) request.config.pollers; // 4
 * ```
 */
export function readCliConfig(argv: readonly string[], env: Environment): CliRequest {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(SETTINGS.map((s) => [s.flag, { type: 'string' as const }])),
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ConfigurationError(error instanceof Error ? error.message : String(error), 'argv');
  }
  if (values.help === true) return { help: true };
  const merged: Record<string, string | undefined> = { ...env };
  const fromFlag = new Map<string, string>();
  for (const s of SETTINGS) {
    const value = values[s.flag];
    if (typeof value === 'string') {
      merged[s.env] = value;
      fromFlag.set(s.env, `--${s.flag}`);
    }
  }
  try {
    return { help: false, config: readSettings(merged) };
  } catch (error) {
    // Name the flag when the bad value came from one.
    if (error instanceof ConfigurationError && error.setting !== undefined && fromFlag.has(error.setting)) {
      const flag = fromFlag.get(error.setting)!;
      throw new ConfigurationError(`${flag} (${error.setting}): ${error.message}`, error.setting);
    }
    throw error;
  }
}

function readSettings(env: Environment): SqsCliConfig {
  const shared = readLambdaConfig(env);
  const queueUrl = env.ENI_POOL_QUEUE_URL?.trim() ?? '';
  if (queueUrl === '') {
    throw new ConfigurationError('ENI_POOL_QUEUE_URL (or --queue-url) is required', 'ENI_POOL_QUEUE_URL');
  }
  if (!URL.canParse(queueUrl) || !/^https?:$/.test(new URL(queueUrl).protocol)) {
    throw new ConfigurationError(
      `ENI_POOL_QUEUE_URL must be an http(s) URL, got '${queueUrl}'`,
      'ENI_POOL_QUEUE_URL',
    );
  }
  const visibilityTimeoutSeconds = integerFromEnv(env, 'ENI_POOL_SQS_VISIBILITY_TIMEOUT', 60, {
    min: 2,
    max: 43_200,
  });
  const heartbeatIntervalSeconds = integerFromEnv(env, 'ENI_POOL_SQS_HEARTBEAT_INTERVAL', 20, {
    min: 1,
    max: visibilityTimeoutSeconds - 1,
  });
  const waitTimeSeconds = integerFromEnv(env, 'ENI_POOL_SQS_WAIT_TIME_SECONDS', 20, { min: 1, max: 20 });
  const syncIntervalMs = integerFromEnv(env, 'ENI_POOL_SYNC_INTERVAL_MS', 300_000, {
    min: 0,
    max: 86_400_000,
  });
  if (syncIntervalMs !== 0 && syncIntervalMs < 10_000) {
    throw new ConfigurationError(
      `ENI_POOL_SYNC_INTERVAL_MS must be 0 (off) or at least 10000, got ${syncIntervalMs}`,
      'ENI_POOL_SYNC_INTERVAL_MS',
    );
  }
  return {
    shared,
    queueUrl,
    pollers: integerFromEnv(env, 'ENI_POOL_SQS_POLLERS', 2, { min: 1, max: 16 }),
    reconcileConcurrency: shared.sqsConcurrency,
    batchSize: integerFromEnv(env, 'ENI_POOL_SQS_BATCH_SIZE', 10, { min: 1, max: 10 }),
    waitTimeSeconds,
    visibilityTimeoutSeconds,
    heartbeatIntervalSeconds,
    unparseable: choiceFromEnv(env, 'ENI_POOL_SQS_UNPARSEABLE', ['delete', 'retain'], 'delete'),
    syncIntervalMs,
    shutdownTimeoutMs: integerFromEnv(env, 'ENI_POOL_SHUTDOWN_TIMEOUT_MS', 20_000, { min: 0, max: 600_000 }),
    stallTimeoutMs: integerFromEnv(env, 'ENI_POOL_STALL_TIMEOUT_MS', 60_000, {
      min: waitTimeSeconds * 1000 + 1,
      max: 3_600_000,
    }),
    healthPort: integerFromEnv(env, 'ENI_POOL_HEALTH_PORT', 8080, { min: 0, max: 65_535 }),
    pools: shared.pools,
    lifecycleHookPrefix: shared.lifecycleHookPrefix,
    logLevel: shared.logLevel,
  };
}
