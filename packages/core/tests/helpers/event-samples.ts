/**
 * Factories for every event shape eni-pool receives, in the wire form AWS delivers them. Each returns a
 * fresh plain object (or string) that tests may mutate freely. Defaults describe one consistent little
 * world: account 123456789012 in us-east-1, group `web-asg`, hook `eni-pool-launch`.
 *
 * @example
 * ```ts
 * const body = JSON.stringify(snsEnvelope(lifecycleNotification({ instanceId: 'i-0abc12345678def90' })));
 * handler(sqsEvent([sqsRecord(body)]));
 * ```
 */
import type { InstanceStateName } from '../../src/model';
import type { LifecycleLocation, LifecycleTransition } from '../../src/trigger';

export const SAMPLE_ACCOUNT = '123456789012';
export const SAMPLE_REGION = 'us-east-1';
export const SAMPLE_TIME = '2026-11-27T05:00:00Z';
export const SAMPLE_INSTANCE_ID = 'i-0123456789abcdef0';
export const SAMPLE_GROUP = 'web-asg';
export const SAMPLE_HOOK = 'eni-pool-launch';
export const SAMPLE_TOKEN = '87654321-4321-4321-4321-210987654321';

export const LAUNCHING: LifecycleTransition = 'autoscaling:EC2_INSTANCE_LAUNCHING';
export const TERMINATING: LifecycleTransition = 'autoscaling:EC2_INSTANCE_TERMINATING';

let sequence = 0;

/** A deterministic, unique-per-call id in UUID layout (event ids, request ids, message ids). */
export function sampleId(): string {
  sequence += 1;
  return `00000000-0000-4000-8000-${sequence.toString(16).padStart(12, '0')}`;
}

/** Envelope fields an EventBridge event carries; any of them can be overridden. */
export interface EnvelopeOverrides {
  version?: string;
  id?: string;
  account?: string;
  time?: string;
  region?: string;
  resources?: string[];
}

function eventBridgeEvent(
  source: string,
  detailType: string,
  detail: Record<string, unknown>,
  resources: string[],
  overrides: EnvelopeOverrides,
): Record<string, unknown> {
  return {
    version: '0',
    id: sampleId(),
    'detail-type': detailType,
    source,
    account: SAMPLE_ACCOUNT,
    time: SAMPLE_TIME,
    region: SAMPLE_REGION,
    resources,
    ...overrides,
    detail,
  };
}

export interface InstanceStateChangeOptions extends EnvelopeOverrides {
  instanceId?: string;
  state?: InstanceStateName;
}

/** An EventBridge "EC2 Instance State-change Notification" (`aws.ec2`). */
export function instanceStateChangeEvent(options: InstanceStateChangeOptions = {}): Record<string, unknown> {
  const { instanceId = SAMPLE_INSTANCE_ID, state = 'running', ...overrides } = options;
  const account = overrides.account ?? SAMPLE_ACCOUNT;
  const region = overrides.region ?? SAMPLE_REGION;
  return eventBridgeEvent(
    'aws.ec2',
    'EC2 Instance State-change Notification',
    { 'instance-id': instanceId, state },
    [`arn:aws:ec2:${region}:${account}:instance/${instanceId}`],
    overrides,
  );
}

/** An EventBridge "Scheduled Event" from a rate/cron rule (`aws.events`, empty detail). */
export function scheduledEvent(
  overrides: EnvelopeOverrides & { ruleName?: string } = {},
): Record<string, unknown> {
  const { ruleName = 'eni-pool-sync', ...envelope } = overrides;
  const account = envelope.account ?? SAMPLE_ACCOUNT;
  const region = envelope.region ?? SAMPLE_REGION;
  return eventBridgeEvent(
    'aws.events',
    'Scheduled Event',
    {},
    [`arn:aws:events:${region}:${account}:rule/${ruleName}`],
    envelope,
  );
}

/** The lifecycle fields, named as on `LifecycleActionTrigger`. `null` leaves an optional field out. */
export interface LifecycleOptions {
  transition?: LifecycleTransition;
  instanceId?: string;
  autoScalingGroupName?: string;
  lifecycleHookName?: string;
  lifecycleActionToken?: string | null;
  notificationMetadata?: string | null;
  /** Warm-pool movement; omitted unless given. */
  origin?: LifecycleLocation;
  destination?: LifecycleLocation;
}

function lifecycleFields(options: LifecycleOptions): Record<string, unknown> {
  const {
    transition = LAUNCHING,
    instanceId = SAMPLE_INSTANCE_ID,
    autoScalingGroupName = SAMPLE_GROUP,
    lifecycleHookName = SAMPLE_HOOK,
    lifecycleActionToken = SAMPLE_TOKEN,
    notificationMetadata = null,
    origin,
    destination,
  } = options;
  return {
    ...(lifecycleActionToken !== null && { LifecycleActionToken: lifecycleActionToken }),
    AutoScalingGroupName: autoScalingGroupName,
    LifecycleHookName: lifecycleHookName,
    EC2InstanceId: instanceId,
    LifecycleTransition: transition,
    ...(notificationMetadata !== null && { NotificationMetadata: notificationMetadata }),
    ...(origin !== undefined && { Origin: origin }),
    ...(destination !== undefined && { Destination: destination }),
  };
}

function groupArn(groupName: string, account: string, region: string): string {
  return `arn:aws:autoscaling:${region}:${account}:autoScalingGroup:0f2c4b1e-5d3a-4c6b-9e8f-1a2b3c4d5e6f:autoScalingGroupName/${groupName}`;
}

/**
 * An EventBridge "EC2 Instance-launch Lifecycle Action" or "EC2 Instance-terminate Lifecycle Action"
 * (`aws.autoscaling`); the detail-type follows `transition`.
 */
export function lifecycleActionEvent(
  options: LifecycleOptions & EnvelopeOverrides = {},
): Record<string, unknown> {
  const { version, id, account, time, region, resources, ...lifecycle } = options;
  const envelope: EnvelopeOverrides = {
    ...(version !== undefined && { version }),
    ...(id !== undefined && { id }),
    ...(account !== undefined && { account }),
    ...(time !== undefined && { time }),
    ...(region !== undefined && { region }),
    ...(resources !== undefined && { resources }),
  };
  const detailType =
    (lifecycle.transition ?? LAUNCHING) === TERMINATING
      ? 'EC2 Instance-terminate Lifecycle Action'
      : 'EC2 Instance-launch Lifecycle Action';
  return eventBridgeEvent(
    'aws.autoscaling',
    detailType,
    lifecycleFields(lifecycle),
    [
      groupArn(
        lifecycle.autoScalingGroupName ?? SAMPLE_GROUP,
        account ?? SAMPLE_ACCOUNT,
        region ?? SAMPLE_REGION,
      ),
    ],
    envelope,
  );
}

/** Header fields Auto Scaling puts on messages to a hook's notification target. */
export interface NotificationOverrides {
  requestId?: string;
  accountId?: string;
  time?: string;
}

/** The flat JSON message Auto Scaling sends to a lifecycle hook's SQS queue (or SNS topic). */
export function lifecycleNotification(
  options: LifecycleOptions & NotificationOverrides = {},
): Record<string, unknown> {
  const {
    requestId = sampleId(),
    accountId = SAMPLE_ACCOUNT,
    time = '2026-11-27T05:00:00.123Z',
    ...lifecycle
  } = options;
  const fields = lifecycleFields(lifecycle);
  return {
    ...fields,
    Service: 'AWS Auto Scaling',
    Time: time,
    RequestId: requestId,
    AccountId: accountId,
  };
}

/** The `autoscaling:TEST_NOTIFICATION` message sent once when a hook's notification target is set. */
export function testNotification(
  options: NotificationOverrides & { autoScalingGroupName?: string; region?: string } = {},
): Record<string, unknown> {
  const {
    requestId = sampleId(),
    accountId = SAMPLE_ACCOUNT,
    time = '2026-11-27T05:00:00.123Z',
    autoScalingGroupName = SAMPLE_GROUP,
    region = SAMPLE_REGION,
  } = options;
  return {
    AccountId: accountId,
    RequestId: requestId,
    AutoScalingGroupARN: groupArn(autoScalingGroupName, accountId, region),
    AutoScalingGroupName: autoScalingGroupName,
    Service: 'AWS Auto Scaling',
    Event: 'autoscaling:TEST_NOTIFICATION',
    Time: time,
  };
}

/**
 * The documented "email key-value" form of a hook notification (`Key: value` per line), as the API
 * reference says SNS targets receive it.
 */
export function keyValueMessage(notification: Record<string, unknown>): string {
  return Object.entries(notification)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join('\n');
}

export interface SnsEnvelopeOverrides {
  messageId?: string;
  topicArn?: string;
  subject?: string;
  timestamp?: string;
}

/**
 * An SNS `Notification` envelope as delivered to an SQS subscription without raw message delivery. An
 * object `message` is JSON-encoded into `Message`; a string is used as is.
 */
export function snsEnvelope(message: unknown, overrides: SnsEnvelopeOverrides = {}): Record<string, unknown> {
  const {
    messageId = sampleId(),
    topicArn = `arn:aws:sns:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:eni-pool-lifecycle`,
    subject = 'Auto Scaling: Lifecycle action for instance in progress.',
    timestamp = '2026-11-27T05:00:00.456Z',
  } = overrides;
  return {
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: topicArn,
    Subject: subject,
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: timestamp,
    SignatureVersion: '1',
    Signature: 'c2lnbmF0dXJl',
    SigningCertURL: `https://sns.${SAMPLE_REGION}.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem`,
    UnsubscribeURL: `https://sns.${SAMPLE_REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topicArn}:1`,
  };
}

export interface SqsRecordOverrides {
  messageId?: string;
  receiptHandle?: string;
  approximateReceiveCount?: number;
  queueName?: string;
}

/**
 * A record of a Lambda SQS event. An object `body` is JSON-encoded, as every producer here sends JSON.
 */
export function sqsRecord(body: unknown, overrides: SqsRecordOverrides = {}): Record<string, unknown> {
  const {
    messageId = sampleId(),
    receiptHandle = `AQEB${messageId.replaceAll('-', '')}`,
    approximateReceiveCount = 1,
    queueName = 'eni-pool-events',
  } = overrides;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    messageId,
    receiptHandle,
    body: text,
    attributes: {
      ApproximateReceiveCount: String(approximateReceiveCount),
      SentTimestamp: '1795750800000',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1795750800010',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:${queueName}`,
    awsRegion: SAMPLE_REGION,
  };
}

/** A Lambda SQS event: `{ Records: [...] }`. */
export function sqsEvent(records: Record<string, unknown>[]): { Records: Record<string, unknown>[] } {
  return { Records: records };
}

/**
 * A copy of `event` with the field at the dotted `path` set to `value`, or removed when `value` is
 * `REMOVE`. Path segments that hold a JSON string (an SNS `Message`) are edited inside the string.
 */
export const REMOVE: unique symbol = Symbol('remove');

export function withField(
  event: Record<string, unknown>,
  path: string,
  value: unknown,
): Record<string, unknown> {
  return setPath(structuredClone(event), path.split('.'), value);
}

export function withoutField(event: Record<string, unknown>, path: string): Record<string, unknown> {
  return withField(event, path, REMOVE);
}

function setPath(
  target: Record<string, unknown>,
  segments: string[],
  value: unknown,
): Record<string, unknown> {
  const [head, ...rest] = segments;
  if (head === undefined) return target;
  if (rest.length === 0) {
    if (value === REMOVE) delete target[head];
    else target[head] = value;
    return target;
  }
  const child = target[head];
  if (typeof child === 'string') {
    target[head] = JSON.stringify(setPath(JSON.parse(child) as Record<string, unknown>, rest, value));
  } else if (typeof child === 'object' && child !== null) {
    setPath(child as Record<string, unknown>, rest, value);
  } else {
    throw new Error(`withField: ${head} is not an object in this event`);
  }
  return target;
}

/**
 * The samples of the AWS reference, byte for byte as published (placeholders included), to prove the
 * parser reads what AWS actually sends.
 */
export const AWS_REFERENCE_SAMPLES = {
  /** "EC2 Instance State-change Notification", EC2 user guide (with the envelope's `version`). */
  instanceStateChange: `{
  "version": "0",
  "id": "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "123456789012",
  "time": "2021-11-11T21:29:54Z",
  "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
  "detail": { "instance-id": "i-abcd1111", "state": "pending" }
}`,
  /** "EC2 Instance-launch Lifecycle Action", Auto Scaling event reference; `time` is a placeholder there. */
  launchLifecycleAction: `{
  "version": "0",
  "id": "12345678-1234-1234-1234-123456789012",
  "detail-type": "EC2 Instance-launch Lifecycle Action",
  "source": "aws.autoscaling",
  "account": "123456789012",
  "time": "yyyy-mm-ddThh:mm:ssZ",
  "region": "us-west-2",
  "resources": ["auto-scaling-group-arn"],
  "detail": {
    "LifecycleActionToken": "87654321-4321-4321-4321-210987654321",
    "AutoScalingGroupName": "my-asg",
    "LifecycleHookName": "my-lifecycle-hook",
    "EC2InstanceId": "i-1234567890abcdef0",
    "LifecycleTransition": "autoscaling:EC2_INSTANCE_LAUNCHING",
    "NotificationMetadata": "additional-info"
  }
}`,
  /** "Scheduled Event" from a scheduled rule (aws-lambda-rust-runtime fixture). */
  scheduled: `{
  "version": "0",
  "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
  "detail-type": "Scheduled Event",
  "source": "aws.events",
  "account": "123456789012",
  "time": "2015-10-08T16:53:06Z",
  "region": "us-east-1",
  "resources": ["arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule"],
  "detail": {}
}`,
  /** An observed SQS body from a terminate hook whose target is a queue. */
  terminateNotification: `{"LifecycleHookName":"valheim-default-terminate","AccountId":"456410706824","RequestId":"a7b2d01b-69d3-4940-910a-3a2ee0cbe1f9","LifecycleTransition":"autoscaling:EC2_INSTANCE_TERMINATING","AutoScalingGroupName":"valheim-default","Service":"AWS Auto Scaling","Time":"2021-02-26T06:40:06.663Z","EC2InstanceId":"i-016a0e69d8b5ae49d","NotificationMetadata":"…","LifecycleActionToken":"dce60e5a-ffe3-4a47-bd57-56effbaefd60"}`,
  /** An observed test notification. */
  testNotification: `{"AccountId":"609519224176","RequestId":"b36d6757-57c7-11e8-a9ca-b3409db76d91","AutoScalingGroupARN":"arn:aws:autoscaling:us-west-2:609519224176:autoScalingGroup:d3ab46f5-…:autoScalingGroupName/MarketDataECS-AutoScalingGroup-TZI0DMYKJBJG","AutoScalingGroupName":"MarketDataECS-AutoScalingGroup-TZI0DMYKJBJG","Service":"AWS Auto Scaling","Event":"autoscaling:TEST_NOTIFICATION","Time":"2018-05-14T22:39:45.555Z"}`,
  /** The "email key-value" notification message of the Auto Scaling user guide. */
  keyValueNotification: `Service: AWS Auto Scaling
Time: 2021-01-19T00:36:26.533Z
RequestId: 18b2ec17-3e9b-4c15-8024-ff2e8ce8786a
LifecycleActionToken: 71514b9d-6a40-4b26-8523-05e7ee35fa40
AccountId: 123456789012
AutoScalingGroupName: my-asg
LifecycleHookName: my-hook
EC2InstanceId: i-0598c7d356eba48d7
LifecycleTransition: autoscaling:EC2_INSTANCE_LAUNCHING
NotificationMetadata: hook message metadata`,
} as const;
