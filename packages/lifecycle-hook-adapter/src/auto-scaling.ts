import {
  type AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingInstancesCommand,
  RecordLifecycleActionHeartbeatCommand,
} from '@aws-sdk/client-auto-scaling';
import { classifyAwsError, type LifecycleActionTrigger } from '@eni-pool/core';
import type { LifecycleActionResult } from './options';
import { type RetryContext, withRetry } from './timing';

/** `DescribeAutoScalingInstances` takes at most 50 instance ids (and records) per call. */
const DESCRIBE_INSTANCES_LIMIT = 50;

/** `done`: the call succeeded; `over`: Auto Scaling has no active action any more (completed or expired). */
export type LifecycleCallStatus = 'done' | 'over';

function identify(action: LifecycleActionTrigger) {
  return {
    AutoScalingGroupName: action.autoScalingGroupName,
    LifecycleHookName: action.lifecycleHookName,
    // The token names this very action; without it, Auto Scaling finds the instance's current one.
    ...(action.lifecycleActionToken
      ? { LifecycleActionToken: action.lifecycleActionToken }
      : { InstanceId: action.instanceId }),
  };
}

/**
 * The two Auto Scaling calls of the completion protocol, with budgeted retries of throttling and
 * `No active Lifecycle Action found` read as "already over" (never retried).
 */
export class LifecycleActions {
  constructor(
    private readonly client: AutoScalingClient,
    private readonly context: RetryContext,
  ) {}

  complete(action: LifecycleActionTrigger, result: LifecycleActionResult): Promise<LifecycleCallStatus> {
    return this.call('CompleteLifecycleAction', () =>
      this.client.send(
        new CompleteLifecycleActionCommand({ ...identify(action), LifecycleActionResult: result }),
      ),
    );
  }

  heartbeat(action: LifecycleActionTrigger, signal?: AbortSignal): Promise<LifecycleCallStatus> {
    return this.call(
      'RecordLifecycleActionHeartbeat',
      () => this.client.send(new RecordLifecycleActionHeartbeatCommand(identify(action))),
      signal,
    );
  }

  /**
   * Those of `instanceIds` that Auto Scaling is terminating (`Terminating`, `Terminating:Wait`,
   * `Terminating:Proceed`, or their `Warmed:` forms), asked 50 at a time.
   */
  async terminating(instanceIds: readonly string[], signal?: AbortSignal): Promise<string[]> {
    const found: string[] = [];
    const context = signal ? { ...this.context, signal } : this.context;
    for (let start = 0; start < instanceIds.length; start += DESCRIBE_INSTANCES_LIMIT) {
      const chunk = instanceIds.slice(start, start + DESCRIBE_INSTANCES_LIMIT);
      let nextToken: string | undefined;
      do {
        const token = nextToken;
        const page = await withRetry(
          'DescribeAutoScalingInstances',
          () =>
            this.client.send(
              new DescribeAutoScalingInstancesCommand({
                InstanceIds: chunk,
                MaxRecords: DESCRIBE_INSTANCES_LIMIT,
                ...(token ? { NextToken: token } : {}),
              }),
            ),
          context,
        );
        for (const instance of page.AutoScalingInstances ?? []) {
          const state = instance.LifecycleState ?? '';
          if (instance.InstanceId && /^(Warmed:)?Terminating/.test(state)) found.push(instance.InstanceId);
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
    return found;
  }

  private async call(
    operation: string,
    send: () => Promise<unknown>,
    signal?: AbortSignal,
  ): Promise<LifecycleCallStatus> {
    try {
      await withRetry(operation, send, signal ? { ...this.context, signal } : this.context);
      return 'done';
    } catch (error) {
      if (classifyAwsError(error) === 'lifecycle-action-over') return 'over';
      throw error;
    }
  }
}
