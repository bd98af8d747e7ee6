import {
  AutoScalingClient,
  type AutoScalingClientConfig,
  CompleteLifecycleActionCommand,
  RecordLifecycleActionHeartbeatCommand,
} from '@aws-sdk/client-auto-scaling';
import { classifyAwsError, type LifecycleActionTrigger } from '@eni-pool/core';
import type { LifecycleActionResult } from './options';
import { type RetryContext, withRetry } from './timing';

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

/**
 * An `AutoScalingClient` as eni-pool builds it: the standard SDK configuration, sending each request
 * once, since the lifecycle adapter's own budget (`retry`) is the one retry layer of its Auto Scaling
 * calls (`config` overrides any of it).
 *
 * @example
 * ```ts
 * const hooks = createLifecycleHookHandler({ autoScaling: createAutoScalingClient({ region: 'eu-west-1' }) });
 * ```
 */
export function createAutoScalingClient(config: AutoScalingClientConfig = {}): AutoScalingClient {
  return new AutoScalingClient({ maxAttempts: 1, ...config });
}
