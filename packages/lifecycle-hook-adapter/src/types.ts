import type { LifecycleActionTrigger, TestNotificationTrigger, Unsatisfied } from '@eni-pool/core';
import type { LifecycleActionResult } from './options';

/** What a lifecycle handler accepts. */
export type LifecycleTrigger = LifecycleActionTrigger | TestNotificationTrigger;

/** Why an action ended the way it did. */
export type LifecycleOutcomeReason =
  /** Launch: a pool interface was `attached` to the instance before `CONTINUE`. */
  | 'interface-attached'
  /** Terminate: the instance's pool interfaces were detached (or were already gone). */
  | 'interface-released'
  /** Terminate: the instance held no pool interface. */
  | 'nothing-to-release'
  /** Neither the instance nor its interfaces carry the pool tag: completed at once. */
  | 'unmanaged'
  /** The instance is going into the warm pool and `warmPool` is `'skip'`. */
  | 'warm-pool'
  /** The budget ran out before the interface was attached or released. */
  | 'budget-exhausted'
  /** The instance was stopping or gone before it ever ran. */
  | 'instance-not-running'
  /** A heartbeat found the action no longer active (completed elsewhere, or timed out): stopped. */
  | 'action-over'
  /** `autoscaling:TEST_NOTIFICATION`: acknowledged and dropped. */
  | 'test-notification'
  /** The hook's name does not start with `hookNamePrefix`: another owner's action, left alone. */
  | 'foreign-hook'
  /** The instance is in a pool the manager does not manage (`pools`): left to that pool's deployment. */
  | 'other-pool';

/**
 * How a lifecycle action (or test notification) was handled.
 *
 * @example
 * ```ts
 * const outcome = await hooks.handleMessage(body);
 * // { kind: 'launch', status: 'completed', result: 'CONTINUE', reason: 'interface-attached',
 * //   instanceId: 'i-0a1', pool: 'bastion', networkInterfaceIds: ['eni-0f1'], heartbeats: 0, … }
 * ```
 */
export interface LifecycleOutcome {
  readonly kind: 'launch' | 'terminate' | 'test-notification';
  readonly status: /** `CompleteLifecycleAction` succeeded. */
    | 'completed'
    /** Auto Scaling said the action was already over (completed, expired or abandoned): nothing to do. */
    | 'already-over'
    /** A test notification: nothing was called. */
    | 'acknowledged'
    /** Another hook's action (`reason: 'foreign-hook'`): nothing was called, nothing completed. */
    | 'ignored';
  readonly reason: LifecycleOutcomeReason;
  /** The result sent (or attempted, when the action was already over). */
  readonly result?: LifecycleActionResult;
  readonly instanceId?: string;
  readonly autoScalingGroupName?: string;
  readonly lifecycleHookName?: string;
  readonly pool?: string;
  /** Launch: the interface attached; terminate: the interfaces released. */
  readonly networkInterfaceIds: readonly string[];
  /** The planner's last word on why the instance could not be served, when it could not. */
  readonly unsatisfied?: Unsatisfied;
  /** Message of the last error met while waiting, when the budget ran out on errors. */
  readonly lastError?: string;
  readonly heartbeats: number;
  readonly reconciles: number;
  readonly durationMs: number;
}
