import type { LifecycleActionTrigger, TestNotificationTrigger, Unsatisfied } from '@eni-pool/core';
import type { LifecycleOutcome } from './types';

/** Which action an event is about: the instance, its group and the hook. */
export interface LifecycleActionRef {
  readonly instanceId: string;
  readonly autoScalingGroupName: string;
  readonly lifecycleHookName: string;
}

/**
 * Facts the lifecycle handler emits, keyed by snake_case event name. Listener exceptions are caught and
 * logged; they never break the handling of an action.
 *
 * @example
 * ```ts
 * hooks.on('lifecycle_launch_unsatisfied', ({ instanceId, unsatisfied }) => alarm(instanceId, unsatisfied?.reason));
 * hooks.on('lifecycle_heartbeat_sent', ({ instanceId, count }) => log.debug('heartbeat', { instanceId, count }));
 * ```
 */
export interface LifecycleHookEvents {
  /** An action was accepted for handling. */
  lifecycle_action_received: [LifecycleActionTrigger];
  /** `RecordLifecycleActionHeartbeat` succeeded; `count` is the number sent for this action so far. */
  lifecycle_heartbeat_sent: [LifecycleActionRef & { readonly count: number }];
  /** The action was completed (or found already over); the outcome says with what and why. */
  lifecycle_action_completed: [LifecycleOutcome];
  /** A launch spent its budget without an attached interface; `unsatisfied` is the planner's reason. */
  lifecycle_launch_unsatisfied: [
    LifecycleActionRef & {
      readonly pool: string;
      readonly unsatisfied?: Unsatisfied;
      readonly lastError?: string;
      readonly waitedMs: number;
    },
  ];
  /** A terminating instance's pool interfaces were detached. */
  lifecycle_interfaces_released: [
    LifecycleActionRef & { readonly networkInterfaceIds: readonly string[]; readonly waitedMs: number },
  ];
  /** A terminate spent its budget before its interfaces were released; it continues anyway. */
  lifecycle_release_incomplete: [
    LifecycleActionRef & { readonly networkInterfaceIds: readonly string[]; readonly waitedMs: number },
  ];
  /** `autoscaling:TEST_NOTIFICATION` was acknowledged and dropped. */
  lifecycle_test_notification: [TestNotificationTrigger];
}
