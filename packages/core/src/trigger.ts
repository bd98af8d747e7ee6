import type { InstanceStateName } from './model';

/** Where an event came from, kept for logs and metrics. */
export interface TriggerOrigin {
  /** EventBridge event id, SNS message id or Auto Scaling request id, when present. */
  readonly id?: string;
  readonly time?: string;
  readonly region?: string;
  readonly account?: string;
}

/** An "EC2 Instance State-change Notification". */
export interface InstanceStateChangeTrigger {
  readonly kind: 'instance-state-change';
  readonly instanceId: string;
  readonly state: InstanceStateName;
  readonly origin: TriggerOrigin;
}

/** A "Scheduled Event": sync every pool. */
export interface ScheduledSyncTrigger {
  readonly kind: 'scheduled-sync';
  readonly origin: TriggerOrigin;
}

export type LifecycleTransition =
  | 'autoscaling:EC2_INSTANCE_LAUNCHING'
  | 'autoscaling:EC2_INSTANCE_TERMINATING';

/** Warm-pool movement fields; absent for groups without a warm pool. */
export type LifecycleLocation = 'EC2' | 'AutoScalingGroup' | 'WarmPool';

/** A lifecycle action, from EventBridge or from a hook's notification target (SQS, SNS). */
export interface LifecycleActionTrigger {
  readonly kind: 'lifecycle-action';
  readonly transition: LifecycleTransition;
  readonly autoScalingGroupName: string;
  readonly lifecycleHookName: string;
  readonly instanceId: string;
  readonly lifecycleActionToken?: string;
  readonly notificationMetadata?: string;
  readonly origin?: LifecycleLocation;
  readonly destination?: LifecycleLocation;
  readonly source: 'eventbridge' | 'notification';
  readonly from: TriggerOrigin;
}

/** `autoscaling:TEST_NOTIFICATION`, sent when a hook's notification target is set: acknowledge and drop. */
export interface TestNotificationTrigger {
  readonly kind: 'test-notification';
  readonly autoScalingGroupName?: string;
  readonly from: TriggerOrigin;
}

export type Trigger =
  | InstanceStateChangeTrigger
  | ScheduledSyncTrigger
  | LifecycleActionTrigger
  | TestNotificationTrigger;
