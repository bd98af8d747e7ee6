import { randomUUID } from 'node:crypto';
import type { LifecycleActionTrigger, LifecycleLocation, TestNotificationTrigger } from '@eni-pool/core';

export const GROUP = 'web-asg';
export const LAUNCH_HOOK = 'eni-pool-launch';
export const TERMINATE_HOOK = 'eni-pool-terminate';

export function launchAction(
  instanceId: string,
  overrides: Partial<LifecycleActionTrigger> & {
    origin?: LifecycleLocation;
    destination?: LifecycleLocation;
  } = {},
): LifecycleActionTrigger {
  return {
    kind: 'lifecycle-action',
    transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
    autoScalingGroupName: GROUP,
    lifecycleHookName: LAUNCH_HOOK,
    instanceId,
    lifecycleActionToken: randomUUID(),
    source: 'eventbridge',
    from: {},
    ...overrides,
  };
}

export function terminateAction(
  instanceId: string,
  overrides: Partial<LifecycleActionTrigger> = {},
): LifecycleActionTrigger {
  return launchAction(instanceId, {
    transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
    lifecycleHookName: TERMINATE_HOOK,
    ...overrides,
  });
}

export function testNotification(): TestNotificationTrigger {
  return { kind: 'test-notification', autoScalingGroupName: GROUP, from: {} };
}

/** The EventBridge envelope Auto Scaling sends for a lifecycle action. */
export function lifecycleEventBridgeEvent(action: LifecycleActionTrigger): Record<string, unknown> {
  const launching = action.transition === 'autoscaling:EC2_INSTANCE_LAUNCHING';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': launching
      ? 'EC2 Instance-launch Lifecycle Action'
      : 'EC2 Instance-terminate Lifecycle Action',
    source: 'aws.autoscaling',
    account: '123456789012',
    time: '2026-11-27T05:00:00Z',
    region: 'us-east-1',
    resources: [
      `arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/${GROUP}`,
    ],
    detail: {
      LifecycleActionToken: action.lifecycleActionToken,
      AutoScalingGroupName: action.autoScalingGroupName,
      LifecycleHookName: action.lifecycleHookName,
      EC2InstanceId: action.instanceId,
      LifecycleTransition: action.transition,
      ...(action.origin ? { Origin: action.origin } : {}),
      ...(action.destination ? { Destination: action.destination } : {}),
    },
  };
}

/** The flat JSON Auto Scaling puts on a hook's SQS notification target. */
export function lifecycleNotificationBody(action: LifecycleActionTrigger): string {
  return JSON.stringify({
    Origin: action.origin,
    Destination: action.destination,
    LifecycleHookName: action.lifecycleHookName,
    AccountId: '123456789012',
    RequestId: randomUUID(),
    LifecycleTransition: action.transition,
    AutoScalingGroupName: action.autoScalingGroupName,
    Service: 'AWS Auto Scaling',
    Time: '2026-11-27T05:00:00.000Z',
    EC2InstanceId: action.instanceId,
    LifecycleActionToken: action.lifecycleActionToken,
  });
}

export function testNotificationBody(): string {
  return JSON.stringify({
    AccountId: '123456789012',
    RequestId: randomUUID(),
    AutoScalingGroupARN: `arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/${GROUP}`,
    AutoScalingGroupName: GROUP,
    Service: 'AWS Auto Scaling',
    Event: 'autoscaling:TEST_NOTIFICATION',
    Time: '2026-11-27T05:00:00.000Z',
  });
}
