import { randomUUID } from 'node:crypto';

/** The JSON Auto Scaling sends to a hook's SQS target for a lifecycle action. */
export function lifecycleNotification(
  overrides: Partial<{
    hookName: string;
    instanceId: string;
    groupName: string;
    transition: 'autoscaling:EC2_INSTANCE_LAUNCHING' | 'autoscaling:EC2_INSTANCE_TERMINATING';
  }> = {},
): string {
  return JSON.stringify({
    LifecycleHookName: overrides.hookName ?? 'eni-pool-launch',
    AccountId: '123456789012',
    RequestId: randomUUID(),
    LifecycleTransition: overrides.transition ?? 'autoscaling:EC2_INSTANCE_LAUNCHING',
    AutoScalingGroupName: overrides.groupName ?? 'web-asg',
    Service: 'AWS Auto Scaling',
    Time: new Date().toISOString(),
    EC2InstanceId: overrides.instanceId ?? 'i-0123456789abcdef0',
    LifecycleActionToken: randomUUID(),
  });
}

/** An EventBridge "EC2 Instance State-change Notification". */
export function stateChange(instanceId: string, state: string): string {
  return JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '123456789012',
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`],
    detail: { 'instance-id': instanceId, state },
  });
}

/** The message Auto Scaling sends when a hook's notification target is set. */
export function testNotification(): string {
  return JSON.stringify({
    AccountId: '123456789012',
    RequestId: randomUUID(),
    AutoScalingGroupARN:
      'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/web-asg',
    AutoScalingGroupName: 'web-asg',
    Service: 'AWS Auto Scaling',
    Event: 'autoscaling:TEST_NOTIFICATION',
    Time: new Date().toISOString(),
  });
}

/** An SNS envelope around `message`, as an SNS → SQS subscription without raw delivery sends it. */
export function snsWrapped(message: string): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:eni-pool-lifecycle',
    Subject: 'Auto Scaling: Lifecycle action',
    Message: message,
    Timestamp: new Date().toISOString(),
    SignatureVersion: '1',
  });
}

/** Resolves when `predicate` holds, polling; rejects after `timeoutMs` (generous: CI is busy). */
export async function until(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const start = Date.now();
  while (!(await predicate())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
