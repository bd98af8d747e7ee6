#!/usr/bin/env node
import { ConfigurationError, createJsonLogger, type Logger } from '@eni-pool/core';
import { readCliConfig, type SqsCliConfig, usage } from './config';
import { createSqsEventSource } from './event-source';
import { startHealthServer } from './health-server';
import type { SqsEventSourceOptions } from './options';

/** The event source's options for a CLI configuration. */
export function optionsFromConfig(config: SqsCliConfig, logger: Logger): SqsEventSourceOptions {
  const { shared } = config;
  return {
    queueUrl: config.queueUrl,
    logger,
    poolTagKey: shared.poolTagKey,
    pools: config.pools,
    lifecycleHookPrefix: config.lifecycleHookPrefix,
    lifecycle: shared.lifecycleHooks,
    lifecycleOptions: { resultOnFailure: shared.lifecycleResultOnFailure },
    managerOptions: {
      maxRounds: shared.maxRounds,
      planner: { placement: shared.placement, deviceIndex: shared.deviceIndex },
      executor: { wait: { timeoutMs: shared.waitTimeoutMs } },
      // One replica is the only worker: the batches of its pollers share its manager, which attaches
      // what waits in its own queue itself. Members still in the queue are no worker's yet.
      attachPacing: { maxAhead: shared.pacingMaxAhead ?? 0 },
    },
    concurrency: config.pollers,
    reconcileConcurrency: config.reconcileConcurrency,
    batchSize: config.batchSize,
    waitTimeSeconds: config.waitTimeSeconds,
    visibilityTimeoutSeconds: config.visibilityTimeoutSeconds,
    heartbeatIntervalSeconds: config.heartbeatIntervalSeconds,
    unparseable: config.unparseable,
    syncIntervalMs: config.syncIntervalMs,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    stallTimeoutMs: config.stallTimeoutMs,
  };
}

/**
 * Runs `eni-pool-sqs`: resolves with the exit code. 0 after a graceful stop, 2 for a bad setting (the
 * message names it), 1 when the process could not start.
 */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let config: SqsCliConfig;
  try {
    const request = readCliConfig(argv, env);
    if (request.help) {
      process.stdout.write(`${usage()}\n`);
      return 0;
    }
    config = request.config;
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(`eni-pool-sqs: ${error.message}\n`);
    return 2;
  }
  const logger = createJsonLogger(config.logLevel, (line) => process.stdout.write(line));
  let source: ReturnType<typeof createSqsEventSource>;
  try {
    source = createSqsEventSource(optionsFromConfig(config, logger));
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(`eni-pool-sqs: ${error.message}\n`);
    return 2;
  }
  let server: Awaited<ReturnType<typeof startHealthServer>>;
  try {
    server = await startHealthServer(source, { port: config.healthPort });
  } catch (error) {
    logger.error('could not start the health server', { port: config.healthPort, error });
    return 1;
  }
  logger.info('health server listening', { port: server.port });
  const stopped = new Promise<void>((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        logger.warn('second signal: exiting now; unfinished messages return after their visibility timeout', {
          signal,
        });
        process.exit(1);
      }
      signalled = true;
      logger.info('signal received; stopping', { signal });
      source
        .stop()
        .catch((error: unknown) => logger.error('stopping failed', { error }))
        .finally(resolve);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  source.start();
  await stopped;
  await server.close();
  return 0;
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `eni-pool-sqs: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
