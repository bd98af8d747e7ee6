import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { EniPoolManager, type Logger } from '@eni-pool/core';
import { createEventBridgeHandler } from '@eni-pool/lambda-adapter';
import {
  createAutoScalingLeavingInstances,
  createLifecycleHookHandler,
} from '@eni-pool/lifecycle-hook-adapter';
import type { Timings } from './scenario';

/**
 * eni-pool, wired as the CloudFormation template wires it. One manager for every path, built as the
 * deployed handler builds it (`createHandlerFromConfig`): before each plan it asks Auto Scaling which pool
 * members are terminating, so no path hands an address back to an instance in Terminating:Wait. Only the
 * timings are shortened for the demo.
 */
export function wireEniPool(options: {
  readonly ec2: EC2Client;
  readonly autoScaling: AutoScalingClient;
  readonly logger: Logger;
  readonly timings: Timings;
}) {
  const { ec2, autoScaling, logger, timings } = options;
  const manager = new EniPoolManager({
    ec2,
    logger,
    leaving: createAutoScalingLeavingInstances({ autoScaling, logger, retry: timings.retry }),
    executor: {
      wait: { ...timings.poll, timeoutMs: timings.stepTimeoutMs },
      retry: timings.retry,
    },
  });
  const lifecycle = createLifecycleHookHandler({
    manager,
    ec2,
    autoScaling,
    logger,
    launchBudgetMs: timings.stepTimeoutMs,
    terminateBudgetMs: timings.stepTimeoutMs,
    heartbeatIntervalMs: 30_000,
    hookHeartbeatTimeoutMs: 300_000,
    poll: timings.poll,
    retry: timings.retry,
  });
  const handler = createEventBridgeHandler({ manager, ec2, logger, lifecycle });
  return { manager, lifecycle, handler };
}

export type EniPool = ReturnType<typeof wireEniPool>;
