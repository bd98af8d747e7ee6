import type { InstanceStateName } from './model';

/** Where an event came from, kept for logs and metrics. */
export interface TriggerOrigin {
  /** EventBridge event id, SNS message id or Auto Scaling request id, when present. */
  readonly id?: string;
  /** ISO-8601 time the event or message was sent. */
  readonly time?: string;
  /** AWS region, from the event or read from an ARN. */
  readonly region?: string;
  /** AWS account id, from the event or read from an ARN. */
  readonly account?: string;
}

/** An "EC2 Instance State-change Notification". */
export interface InstanceStateChangeTrigger {
  /** Discriminant of `Trigger`. */
  readonly kind: 'instance-state-change';
  /** The instance whose state changed. */
  readonly instanceId: string;
  /** Its new state. */
  readonly state: InstanceStateName;
  /** Where the event came from. */
  readonly origin: TriggerOrigin;
}

/** A "Scheduled Event": sync every pool. */
export interface ScheduledSyncTrigger {
  /** Discriminant of `Trigger`. */
  readonly kind: 'scheduled-sync';
  /** Where the event came from. */
  readonly origin: TriggerOrigin;
}

/** The Auto Scaling lifecycle transition a hook pauses: an instance launching or terminating. */
export type LifecycleTransition =
  | 'autoscaling:EC2_INSTANCE_LAUNCHING'
  | 'autoscaling:EC2_INSTANCE_TERMINATING';

/** Warm-pool movement fields; absent for groups without a warm pool. */
export type LifecycleLocation = 'EC2' | 'AutoScalingGroup' | 'WarmPool';

/** A lifecycle action, from EventBridge or from a hook's notification target (SQS, SNS). */
export interface LifecycleActionTrigger {
  /** Discriminant of `Trigger`. */
  readonly kind: 'lifecycle-action';
  /** Launching or terminating. */
  readonly transition: LifecycleTransition;
  /** The group the instance belongs to. */
  readonly autoScalingGroupName: string;
  /** The hook that paused the instance; completing the action names it. */
  readonly lifecycleHookName: string;
  /** The instance the action is paused for. */
  readonly instanceId: string;
  /** Identifies the action when completing it; the instance id with hook and group names does too. */
  readonly lifecycleActionToken?: string;
  /** The hook's free-text metadata, when set. */
  readonly notificationMetadata?: string;
  /** Where the instance comes from (warm pools only). */
  readonly origin?: LifecycleLocation;
  /** Where the instance goes (warm pools only). */
  readonly destination?: LifecycleLocation;
  /** `eventbridge` for an EventBridge event, `notification` for a hook's SQS or SNS message. */
  readonly source: 'eventbridge' | 'notification';
  /** Where the event came from. */
  readonly from: TriggerOrigin;
}

/** `autoscaling:TEST_NOTIFICATION`, sent when a hook's notification target is set: acknowledge and drop. */
export interface TestNotificationTrigger {
  /** Discriminant of `Trigger`. */
  readonly kind: 'test-notification';
  /** The group whose hook target was set, when the message names it. */
  readonly autoScalingGroupName?: string;
  /** Where the message came from. */
  readonly from: TriggerOrigin;
}

/**
 * What an incoming event asks eni-pool to do, as `parseEvent` reads it: narrow on `kind`.
 * `EniPoolManager.handle` takes any of them.
 *
 * @example
 * ```ts
 * const trigger = parseEvent(record.body);
 * if (trigger.kind === 'lifecycle-action') {
 *   logger.info('lifecycle action', { instance: trigger.instanceId, transition: trigger.transition });
 * }
 * await manager.handle(trigger); // a test notification is acknowledged without any EC2 call
 * ```
 */
export type Trigger =
  | InstanceStateChangeTrigger
  | ScheduledSyncTrigger
  | LifecycleActionTrigger
  | TestNotificationTrigger;
