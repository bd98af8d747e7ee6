import type { LifecycleActionTrigger, LifecycleLocation, TestNotificationTrigger } from '@eni-pool/core';
import { SAMPLE_GROUP, sampleId } from '@eni-pool/core/testing';

export const GROUP = SAMPLE_GROUP;
export const LAUNCH_HOOK = 'eni-pool-launch';
export const TERMINATE_HOOK = 'eni-pool-terminate';

/** A parsed launch lifecycle action of the group's launch hook, with a fresh token. */
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
    lifecycleActionToken: sampleId(),
    source: 'eventbridge',
    from: {},
    ...overrides,
  };
}

/** A parsed terminate lifecycle action of the group's terminate hook, with a fresh token. */
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

/** A parsed test notification of the group. */
export function testNotification(): TestNotificationTrigger {
  return { kind: 'test-notification', autoScalingGroupName: GROUP, from: {} };
}
