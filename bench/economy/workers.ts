/**
 * The contenders of the economy bench, each as a "worker": what one Lambda container does with the events
 * it is given. A worker owns its SDK clients, as a container does; a burst gives every event a worker of
 * its own, as Lambda scales out.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import type { AwsSim } from '@eni-pool/aws-sim';
import { createEc2Client, EniPoolManager, parseEvent, silentLogger } from '@eni-pool/core';
import { sqsEvent, sqsRecord } from '@eni-pool/core/testing';
import {
  createEventBridgeHandler,
  createHandlerFromConfig,
  readLambdaConfig,
} from '@eni-pool/lambda-adapter';
import { OriginalTool, originalToolClientConfig } from '../baseline/original-tool';

export type ContenderName = 'original' | 'eni-pool' | 'eni-pool (Lambda handler)';

export interface Worker {
  /** Handles one EventBridge event; resolves when the invocation would return. */
  handle(event: unknown): Promise<void>;
  /** Releases the worker's clients. */
  close(): void;
}

export interface WorkerOptions {
  /** Stops the worker's work at a bench deadline. */
  readonly signal?: AbortSignal;
  /** The Lambda handler completes lifecycle actions (`lifecycle: true`). @defaultValue false */
  readonly lifecycle?: boolean;
  /** Called with every error the worker's invocation ends with (a Lambda error). */
  readonly onError?: (error: unknown) => void;
}

/** Where a worker finds the simulator: the simulator itself, or its client settings in another thread. */
export type SimEndpoint = Pick<AwsSim, 'clientConfig'>;

/** The SDK client's own warnings (socket pool sizes) would land in the tables; they change no call. */
const quietClient = (sim: SimEndpoint) => ({ ...sim.clientConfig(), logger: silentLogger });

/** The original tool: its own boto-like client (5 attempts); errors end the invocation. */
export function originalWorker(sim: SimEndpoint, options: WorkerOptions = {}): Worker {
  const ec2 = new EC2Client({ ...quietClient(sim), ...originalToolClientConfig() });
  const tool = new OriginalTool({ ec2, ...(options.signal ? { signal: options.signal } : {}) });
  return {
    handle: (event) => tool.handle(event).catch((error) => options.onError?.(error)),
    close: () => ec2.destroy(),
  };
}

/**
 * eni-pool with its default options, driven as its README shows: `manager.handle(parseEvent(event))`.
 * The client is the one the manager builds when given none (`createEc2Client`), pointed at the
 * simulator. Only the logger is silent; logging makes no call.
 */
export function managerWorker(
  sim: SimEndpoint,
  options: WorkerOptions = {},
): Worker & { manager: EniPoolManager } {
  const ec2 = createEc2Client(quietClient(sim));
  const manager = new EniPoolManager({ ec2, logger: silentLogger });
  return {
    manager,
    handle: async (event) => {
      try {
        await manager.handle(parseEvent(event), options.signal ? { signal: options.signal } : {});
      } catch (error) {
        options.onError?.(error);
      }
    },
    close: () => ec2.destroy(),
  };
}

/** Several events handled by one shared manager (one container that takes every event). */
export function sharedManagerWorker(manager: EniPoolManager, options: WorkerOptions = {}): Worker {
  return {
    handle: async (event) => {
      try {
        await manager.handle(parseEvent(event), options.signal ? { signal: options.signal } : {});
      } catch (error) {
        options.onError?.(error);
      }
    },
    close: () => {},
  };
}

/**
 * The Lambda adapter's EventBridge handler with its defaults (metrics off, Auto Scaling leaving check
 * on), and the EC2 client it builds when given none.
 */
export function lambdaWorker(sim: SimEndpoint, options: WorkerOptions = {}): Worker {
  const ec2 = createEc2Client(quietClient(sim));
  const autoScaling = new AutoScalingClient(quietClient(sim));
  const handler = createEventBridgeHandler({
    ec2,
    autoScaling,
    logger: silentLogger,
    ...(options.lifecycle ? { lifecycle: true } : {}),
  });
  return {
    handle: async (event) => {
      try {
        const result = await handler(event);
        if (result.status === 'rejected') options.onError?.(new Error(`rejected: ${result.message}`));
      } catch (error) {
        options.onError?.(error);
      }
    },
    close: () => {
      ec2.destroy();
      autoScaling.destroy();
    },
  };
}

export interface BatchWorker {
  /** Handles one SQS batch of EventBridge events; resolves when the invocation would return. */
  handleBatch(events: readonly unknown[]): Promise<void>;
  close(): void;
}

/**
 * The function the template deploys with `UseQueue=true`, built from the environment the template gives
 * it (`ENI_POOL_PACING_MAX_AHEAD=40`; metrics and logs off here, as they make no EC2 call) on the
 * clients it builds when given none: one invocation per SQS batch, each event a record whose body is
 * the event.
 */
export function sqsBatchWorker(sim: SimEndpoint, options: WorkerOptions = {}): BatchWorker {
  const ec2 = createEc2Client(quietClient(sim));
  const autoScaling = new AutoScalingClient(quietClient(sim));
  const config = readLambdaConfig({
    ENI_POOL_PACING_MAX_AHEAD: '40',
    ENI_POOL_METRICS: 'disabled',
    ENI_POOL_LOG_LEVEL: 'silent',
  });
  const handler = createHandlerFromConfig(config, ec2, autoScaling);
  return {
    handleBatch: async (events) => {
      try {
        const response = await handler(sqsEvent(...events.map((event) => sqsRecord(event))));
        const failed = 'batchItemFailures' in response ? response.batchItemFailures.length : 0;
        if (failed > 0) options.onError?.(new Error(`${failed} of ${events.length} records failed`));
      } catch (error) {
        options.onError?.(error);
      }
    },
    close: () => {
      ec2.destroy();
      autoScaling.destroy();
    },
  };
}

export function workerFor(name: ContenderName, sim: SimEndpoint, options: WorkerOptions = {}): Worker {
  if (name === 'original') return originalWorker(sim, options);
  if (name === 'eni-pool') return managerWorker(sim, options);
  return lambdaWorker(sim, options);
}
