/**
 * Factories for every event shape eni-pool receives, in the wire form AWS delivers them. Each returns a
 * fresh plain object (or string) that tests may mutate freely. Defaults describe one consistent little
 * world: account 123456789012 in us-east-1, group `web-asg`, hook `eni-pool-launch`.
 */
import type { InstanceStateName } from '../model';
import type { LifecycleLocation, LifecycleTransition } from '../trigger';

/** The account of every sample event, unless overridden. */
export const SAMPLE_ACCOUNT = '123456789012';
/** The region of every sample event, unless overridden. */
export const SAMPLE_REGION = 'us-east-1';
/** The `time` of every sample EventBridge event, unless overridden. */
export const SAMPLE_TIME = '2026-11-27T05:00:00Z';
/** The instance of every sample event, unless overridden. */
export const SAMPLE_INSTANCE_ID = 'i-0123456789abcdef0';
/** The Auto Scaling group of every sample lifecycle event, unless overridden. */
export const SAMPLE_GROUP = 'web-asg';
/** The lifecycle hook of every sample lifecycle event (either transition), unless overridden. */
export const SAMPLE_HOOK = 'eni-pool-launch';
/** The lifecycle action token of every sample lifecycle event, unless overridden (the AWS docs' sample). */
export const SAMPLE_TOKEN = '87654321-4321-4321-4321-210987654321';

/** The launch transition of a lifecycle hook. */
export const LAUNCHING: LifecycleTransition = 'autoscaling:EC2_INSTANCE_LAUNCHING';
/** The terminate transition of a lifecycle hook. */
export const TERMINATING: LifecycleTransition = 'autoscaling:EC2_INSTANCE_TERMINATING';

let sequence = 0;

/** A deterministic, unique-per-call id in UUID layout (event ids, request ids, message ids). */
export function sampleId(): string {
  sequence += 1;
  return `00000000-0000-4000-8000-${sequence.toString(16).padStart(12, '0')}`;
}

/** An EventBridge event as the target of a rule receives it. */
export type EventBridgeEventSample<Detail> = {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Detail;
};

/** The detail of an "EC2 Instance State-change Notification". */
export type InstanceStateChangeDetail = { 'instance-id': string; state: string };

/** The lifecycle fields of a hook's event or notification, named as AWS names them. */
export type LifecycleActionDetail = {
  LifecycleActionToken?: string;
  AutoScalingGroupName: string;
  LifecycleHookName: string;
  EC2InstanceId: string;
  LifecycleTransition: LifecycleTransition;
  NotificationMetadata?: string;
  Origin?: LifecycleLocation;
  Destination?: LifecycleLocation;
};

/** The flat message a hook's SQS queue or SNS topic receives for a lifecycle action. */
export type LifecycleNotificationSample = LifecycleActionDetail & {
  Service: string;
  Time: string;
  RequestId: string;
  AccountId: string;
};

/** The `autoscaling:TEST_NOTIFICATION` message. */
export type TestNotificationSample = {
  AccountId: string;
  RequestId: string;
  AutoScalingGroupARN: string;
  AutoScalingGroupName: string;
  Service: string;
  Event: string;
  Time: string;
};

/** An SNS `Notification` envelope, as an SQS subscription without raw message delivery receives it. */
export type SnsEnvelopeSample = {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Subject: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  UnsubscribeURL: string;
};

/** A record of a Lambda SQS event; assignable to `SQSRecord` of `aws-lambda`. */
export type SqsRecordSample = {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: {
    ApproximateReceiveCount: string;
    SentTimestamp: string;
    SenderId: string;
    ApproximateFirstReceiveTimestamp: string;
  };
  messageAttributes: Record<string, never>;
  md5OfBody: string;
  eventSource: string;
  eventSourceARN: string;
  awsRegion: string;
};

/** Envelope fields an EventBridge event carries; any of them can be overridden. */
export interface EnvelopeOverrides {
  version?: string;
  id?: string;
  account?: string;
  time?: string;
  region?: string;
  resources?: string[];
}

function eventBridgeEvent<Detail>(
  source: string,
  detailType: string,
  detail: Detail,
  resources: string[],
  overrides: EnvelopeOverrides,
): EventBridgeEventSample<Detail> {
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

/** The fields of an instance state change; the envelope's can be overridden too. */
export interface InstanceStateChangeOptions extends EnvelopeOverrides {
  /** @defaultValue `SAMPLE_INSTANCE_ID` */
  instanceId?: string;
  /** Any string, so that a test can send a state EC2 never does. @defaultValue `'running'` */
  state?: InstanceStateName | (string & Record<never, never>);
}

/** An EventBridge "EC2 Instance State-change Notification" (`aws.ec2`). */
export function instanceStateChangeEvent(
  options: InstanceStateChangeOptions = {},
): EventBridgeEventSample<InstanceStateChangeDetail> {
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
): EventBridgeEventSample<Record<string, never>> {
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

function lifecycleFields(options: LifecycleOptions): LifecycleActionDetail {
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
): EventBridgeEventSample<LifecycleActionDetail> {
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
): LifecycleNotificationSample {
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
): TestNotificationSample {
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
export function keyValueMessage(notification: Readonly<Record<string, unknown>>): string {
  return Object.entries(notification)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join('\n');
}

/** Envelope fields of an SNS notification; any of them can be overridden. */
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
export function snsEnvelope(message: unknown, overrides: SnsEnvelopeOverrides = {}): SnsEnvelopeSample {
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

/** Fields of an SQS record; any of them can be overridden. */
export interface SqsRecordOverrides {
  messageId?: string;
  receiptHandle?: string;
  approximateReceiveCount?: number;
  queueName?: string;
}

/**
 * A record of a Lambda SQS event. An object `body` is JSON-encoded, as every producer here sends JSON.
 */
export function sqsRecord(body: unknown, overrides: SqsRecordOverrides = {}): SqsRecordSample {
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

/** A Lambda SQS event: `{ Records: [...] }`, of `sqsRecord`s or of any hand-made record. */
export function sqsEvent<R = SqsRecordSample>(...records: R[]): { Records: R[] } {
  return { Records: records };
}
