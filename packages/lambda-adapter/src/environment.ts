import { Metrics } from '@aws-lambda-powertools/metrics';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { createEc2Client } from '@eni-pool/core';
import { createAutoScalingClient, createEniPool } from '@eni-pool/lifecycle-hook-adapter';
import { type LambdaConfig, readLambdaConfig } from './config';
import { createLambdaHandler, type LambdaHandler } from './lambda-handler';
import { createEmfPublisher } from './metrics';
import { createPowertoolsLogger, fromPowertools } from './powertools-logger';

/**
 * Builds the function's handler from environment variables (see {@link readLambdaConfig}): a Powertools
 * JSON logger, EMF metrics per pool, one `EC2Client` and manager per container, and the lifecycle-hook
 * adapter unless `ENI_POOL_LIFECYCLE_HOOKS=disabled`. Call it once, at module scope, so configuration
 * errors fail the init phase.
 *
 * @throws ConfigurationError naming the offending variable.
 * @example
 * ```ts
 * // index.ts of a function
 * import { createHandlerFromEnvironment } from '@eni-pool/lambda-adapter';
 *
 * export const handler = createHandlerFromEnvironment(process.env);
 * ```
 */
export function createHandlerFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): LambdaHandler {
  return createHandlerFromConfig(readLambdaConfig(env));
}

/**
 * Builds the handler from an already-read configuration, on the given EC2 and Auto Scaling clients. One
 * manager serves every path (state changes, the sync, lifecycle actions): it asks Auto Scaling which pool
 * members are terminating before each plan, remembers what the terminate hook released, and runs one
 * reconcile per pool at a time.
 *
 * @example
 * ```ts
 * const config = { ...readLambdaConfig(process.env), placement: 'availability-zone' as const };
 * export const handler = createHandlerFromConfig(config, createEc2Client({ region: 'eu-west-1' }));
 * ```
 */
export function createHandlerFromConfig(
  config: LambdaConfig,
  ec2: EC2Client = createEc2Client(),
  autoScaling: AutoScalingClient = createAutoScalingClient(),
): LambdaHandler {
  const powertools = createPowertoolsLogger(config.logLevel, config.serviceName);
  const logger = fromPowertools(powertools);
  const { manager, lifecycle } = createEniPool({
    ec2,
    autoScaling,
    logger,
    manager: {
      pools: config.pools,
      maxRounds: config.maxRounds,
      planner: {
        poolTagKey: config.poolTagKey,
        placement: config.placement,
        deviceIndex: config.deviceIndex,
      },
      executor: { wait: { timeoutMs: config.waitTimeoutMs } },
      ...(config.pacingMaxAhead !== undefined ? { attachPacing: { maxAhead: config.pacingMaxAhead } } : {}),
    },
    lifecycle: config.lifecycleHooks
      ? { resultOnFailure: config.lifecycleResultOnFailure, hookNamePrefix: config.lifecycleHookPrefix }
      : false,
  });
  return createLambdaHandler({
    manager,
    logger,
    powertools,
    poolTagKey: config.poolTagKey,
    hookNamePrefix: config.lifecycleHookPrefix,
    logEvent: config.logEvent,
    metrics: config.metrics
      ? createEmfPublisher(
          new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName }),
        )
      : false,
    lifecycle: lifecycle ?? false,
    concurrency: config.sqsConcurrency,
  });
}
