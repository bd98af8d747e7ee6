import type { SQSEvent, SQSRecord } from 'aws-lambda';

let sequence = 0;
const nextId = (prefix: string) => `${prefix}-${(++sequence).toString().padStart(8, '0')}`;

const envelope = (
  detailType: string,
  source: string,
  detail: Record<string, unknown>,
  resources: string[] = [],
) => ({
  version: '0',
  id: nextId('evt'),
  'detail-type': detailType,
  source,
  account: '123456789012',
  time: '2026-11-27T05:00:00Z',
  region: 'us-east-1',
  resources,
  detail,
});

/** An "EC2 Instance State-change Notification". */
export function stateChange(instanceId: string, state: string) {
  return envelope('EC2 Instance State-change Notification', 'aws.ec2', { 'instance-id': instanceId, state }, [
    `arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`,
  ]);
}

/** A "Scheduled Event" of an EventBridge schedule rule. */
export function scheduled() {
  return envelope('Scheduled Event', 'aws.events', {}, [
    'arn:aws:events:us-east-1:123456789012:rule/eni-pool-sync',
  ]);
}

/** A lifecycle action token (8-4-4-4-12 hex) derived from the instance id. */
export function tokenFor(instanceId: string): string {
  const hex = instanceId.slice(2).padStart(32, '0').slice(-32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** An EventBridge lifecycle action. */
export function lifecycleAction(instanceId: string, transition: 'launch' | 'terminate' = 'launch') {
  return envelope(
    transition === 'launch'
      ? 'EC2 Instance-launch Lifecycle Action'
      : 'EC2 Instance-terminate Lifecycle Action',
    'aws.autoscaling',
    {
      LifecycleActionToken: tokenFor(instanceId),
      AutoScalingGroupName: 'web',
      LifecycleHookName: 'eni-pool',
      EC2InstanceId: instanceId,
      LifecycleTransition:
        transition === 'launch'
          ? 'autoscaling:EC2_INSTANCE_LAUNCHING'
          : 'autoscaling:EC2_INSTANCE_TERMINATING',
    },
  );
}

/** The message Auto Scaling sends to a hook's SQS target when the target is set. */
export function testNotification() {
  return {
    AccountId: '123456789012',
    RequestId: nextId('req'),
    AutoScalingGroupARN:
      'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/web',
    AutoScalingGroupName: 'web',
    Service: 'AWS Auto Scaling',
    Event: 'autoscaling:TEST_NOTIFICATION',
    Time: '2026-11-27T05:00:00.000Z',
  };
}

/** An SQS record carrying `body` (objects are JSON-encoded, strings kept as they are). */
export function sqsRecord(body: unknown, messageId = nextId('msg')): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1764219600000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1764219600000',
    },
    messageAttributes: {},
    md5OfBody: '0'.repeat(32),
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:eni-pool-events',
    awsRegion: 'us-east-1',
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** A well-formed instance id (`i-` and 17 hex digits) for a small number. */
export function instanceId(n: number): string {
  return `i-${n.toString(16).padStart(17, '0')}`;
}
