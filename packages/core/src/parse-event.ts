import type * as z from 'zod/mini';
import { InvalidEventError, UnsupportedEventError } from './errors';
import {
  AUTO_SCALING_SERVICE,
  EVENTBRIDGE_DETAIL_TYPES,
  instanceStateChangeEventSchema,
  LAUNCHING,
  type LifecycleFields,
  type LifecycleNotification,
  lifecycleActionEventSchema,
  lifecycleNotificationSchema,
  scheduledEventSchema,
  snsNotificationSchema,
  TERMINATING,
  TEST_NOTIFICATION_EVENT,
  testNotificationSchema,
} from './event-schemas';
import type {
  LifecycleActionTrigger,
  LifecycleTransition,
  TestNotificationTrigger,
  Trigger,
  TriggerOrigin,
} from './trigger';

type JsonObject = Record<string, unknown>;

/** What the SNS layer knows about a message, used where the inner notification is silent. */
interface EnvelopeContext {
  /** Prefix of every field path inside the envelope, e.g. `Message.`. */
  readonly fieldPrefix: string;
  readonly origin: TriggerOrigin;
}

const NO_ENVELOPE: EnvelopeContext = { fieldPrefix: '', origin: {} };

/**
 * Turns an EventBridge event, an Auto Scaling lifecycle notification (raw, or in an SNS envelope) or a
 * JSON string of one into a `Trigger`. Throws `UnsupportedEventError` or `InvalidEventError`.
 *
 * Recognised inputs:
 * - EventBridge `EC2 Instance State-change Notification` (`aws.ec2`) → `instance-state-change`;
 * - EventBridge `Scheduled Event` (`aws.events`) → `scheduled-sync`;
 * - EventBridge `EC2 Instance-launch/terminate Lifecycle Action` (`aws.autoscaling`) → `lifecycle-action`
 *   with `source: 'eventbridge'`;
 * - the JSON message Auto Scaling sends to a hook's SQS or SNS target → `lifecycle-action` with
 *   `source: 'notification'`, or `test-notification` for `autoscaling:TEST_NOTIFICATION`;
 * - an SNS `Notification` envelope around any of the above (its `Message` as JSON, or in the
 *   `Key: value` email form).
 *
 * A string input (an SQS message body) is parsed as JSON first. Extra fields are ignored, so events are
 * never rejected for carrying more than eni-pool reads. Nothing else is ever thrown, whatever the input.
 *
 * @example
 * ```ts
 * const trigger = parseEvent(record.body);
 * if (trigger.kind === 'test-notification') return; // acknowledge and drop
 * ```
 */
export function parseEvent(input: unknown): Trigger {
  try {
    return parseValue(input);
  } catch (error) {
    if (error instanceof UnsupportedEventError || error instanceof InvalidEventError) throw error;
    // A hostile input (a throwing getter or proxy) must not surface as anything but a typed error.
    throw new UnsupportedEventError(
      `The event could not be read: ${describeError(error)}`,
      'unreadable input',
    );
  }
}

function parseValue(input: unknown): Trigger {
  const value = typeof input === 'string' ? parseJsonBody(input) : input;
  const event = asObject(value);
  if (isSnsNotification(event)) return parseSnsNotification(event);
  if (typeof event.Type === 'string' && 'TopicArn' in event) {
    throw new UnsupportedEventError(
      `SNS ${event.Type} messages are not events eni-pool handles; only Notification is`,
      `SNS ${event.Type}`,
    );
  }
  return parseUnwrapped(event, NO_ENVELOPE);
}

/** Everything but an SNS envelope: EventBridge events and Auto Scaling hook notifications. */
function parseUnwrapped(event: JsonObject, context: EnvelopeContext): Trigger {
  if (isEventBridgeEvent(event)) return parseEventBridgeEvent(event, context);
  if (isAutoScalingNotification(event)) return parseAutoScalingNotification(event, context);
  throw unsupportedShape(event);
}

function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UnsupportedEventError(
      `The event is a string that is not JSON (starts with ${preview(text)})`,
      'non-JSON string',
    );
  }
}

function asObject(value: unknown): JsonObject {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as JsonObject;
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  throw new UnsupportedEventError(`The event must be a JSON object, got ${kind}`, kind);
}

// ---------------------------------------------------------------------------------------------------
// EventBridge

function isEventBridgeEvent(event: JsonObject): boolean {
  return typeof event['detail-type'] === 'string' || (typeof event.source === 'string' && 'detail' in event);
}

function parseEventBridgeEvent(event: JsonObject, context: EnvelopeContext): Trigger {
  const source = event.source;
  const detailType = event['detail-type'];
  const { instanceStateChange, scheduled, launchLifecycleAction, terminateLifecycleAction } =
    EVENTBRIDGE_DETAIL_TYPES;

  if (source === instanceStateChange.source && detailType === instanceStateChange.detailType) {
    const parsed = validate(instanceStateChangeEventSchema, event, 'instance-state-change', context);
    return {
      kind: 'instance-state-change',
      instanceId: parsed.detail['instance-id'],
      state: parsed.detail.state,
      origin: eventBridgeOrigin(parsed, context),
    };
  }

  if (source === scheduled.source && detailType === scheduled.detailType) {
    const parsed = validate(scheduledEventSchema, event, 'scheduled-sync', context);
    return { kind: 'scheduled-sync', origin: eventBridgeOrigin(parsed, context) };
  }

  const lifecycleType =
    source === launchLifecycleAction.source && detailType === launchLifecycleAction.detailType
      ? LAUNCHING
      : source === terminateLifecycleAction.source && detailType === terminateLifecycleAction.detailType
        ? TERMINATING
        : undefined;
  if (lifecycleType !== undefined) {
    const parsed = validate(lifecycleActionEventSchema, event, 'lifecycle-action', context);
    const { detail } = parsed;
    if (detail.LifecycleTransition !== lifecycleType) {
      throw new InvalidEventError(
        `Invalid lifecycle-action event: ${context.fieldPrefix}detail.LifecycleTransition is ` +
          `${detail.LifecycleTransition} but the detail-type "${detailType}" means ${lifecycleType}`,
        `${context.fieldPrefix}detail.LifecycleTransition`,
        'lifecycle-action',
      );
    }
    return lifecycleTrigger(detail, 'eventbridge', eventBridgeOrigin(parsed, context));
  }

  const seen = `${String(source ?? '(no source)')} / ${String(detailType ?? '(no detail-type)')}`;
  throw new UnsupportedEventError(
    `Unsupported EventBridge event ${seen}: eni-pool handles EC2 Instance State-change Notification, ` +
      'Scheduled Event and EC2 Instance-launch/terminate Lifecycle Action',
    seen,
  );
}

function eventBridgeOrigin(
  event: {
    id?: string | undefined;
    time?: string | undefined;
    region?: string | undefined;
    account?: string | undefined;
  },
  context: EnvelopeContext,
): TriggerOrigin {
  return compactOrigin({
    id: event.id ?? context.origin.id,
    time: event.time ?? context.origin.time,
    region: event.region ?? context.origin.region,
    account: event.account ?? context.origin.account,
  });
}

// ---------------------------------------------------------------------------------------------------
// Auto Scaling hook notifications (sent to SQS as JSON, or through SNS)

/** `LifecycleHookName` only appears in lifecycle messages; `Service` alone also heads ASG notifications. */
function isAutoScalingNotification(event: JsonObject): boolean {
  if ('LifecycleHookName' in event) return true;
  return event.Service === AUTO_SCALING_SERVICE && ('LifecycleTransition' in event || 'Event' in event);
}

function parseAutoScalingNotification(event: JsonObject, context: EnvelopeContext): Trigger {
  if ('LifecycleTransition' in event || 'LifecycleHookName' in event) {
    const parsed = validate(lifecycleNotificationSchema, event, 'lifecycle-action', context);
    return lifecycleTrigger(parsed, 'notification', notificationOrigin(parsed, context));
  }
  if (event.Event === TEST_NOTIFICATION_EVENT) return parseTestNotification(event, context);
  const seen = `Event: ${typeof event.Event === 'string' ? event.Event : preview(event.Event)}`;
  throw new UnsupportedEventError(
    `Unsupported Auto Scaling notification (${seen}): eni-pool handles lifecycle actions and ` +
      `${TEST_NOTIFICATION_EVENT}`,
    seen,
  );
}

function parseTestNotification(event: JsonObject, context: EnvelopeContext): TestNotificationTrigger {
  const parsed = validate(testNotificationSchema, event, 'test-notification', context);
  return {
    kind: 'test-notification',
    ...(parsed.AutoScalingGroupName !== undefined && { autoScalingGroupName: parsed.AutoScalingGroupName }),
    from: notificationOrigin(parsed, context),
  };
}

function notificationOrigin(
  message: Pick<LifecycleNotification, 'RequestId' | 'Time' | 'AccountId' | 'AutoScalingGroupARN'>,
  context: EnvelopeContext,
): TriggerOrigin {
  const arn = parseArn(message.AutoScalingGroupARN);
  return compactOrigin({
    id: message.RequestId ?? context.origin.id,
    time: message.Time ?? context.origin.time,
    region: arn?.region ?? context.origin.region,
    account: message.AccountId ?? arn?.account ?? context.origin.account,
  });
}

/** The lifecycle fields are spelled the same in an EventBridge `detail` and in a notification. */
function lifecycleTrigger(
  fields: LifecycleFields,
  source: LifecycleActionTrigger['source'],
  from: TriggerOrigin,
): LifecycleActionTrigger {
  return {
    kind: 'lifecycle-action',
    transition: fields.LifecycleTransition satisfies LifecycleTransition,
    autoScalingGroupName: fields.AutoScalingGroupName,
    lifecycleHookName: fields.LifecycleHookName,
    instanceId: fields.EC2InstanceId,
    ...(fields.LifecycleActionToken !== undefined && { lifecycleActionToken: fields.LifecycleActionToken }),
    ...(fields.NotificationMetadata != null && { notificationMetadata: fields.NotificationMetadata }),
    ...(fields.Origin !== undefined && { origin: fields.Origin }),
    ...(fields.Destination !== undefined && { destination: fields.Destination }),
    source,
    from,
  };
}

// ---------------------------------------------------------------------------------------------------
// SNS envelope

function isSnsNotification(event: JsonObject): boolean {
  return event.Type === 'Notification' && ('Message' in event || 'TopicArn' in event);
}

function parseSnsNotification(event: JsonObject): Trigger {
  const envelope = validate(snsNotificationSchema, event, 'sns-notification', NO_ENVELOPE);
  const topic = parseArn(envelope.TopicArn);
  const context: EnvelopeContext = {
    fieldPrefix: 'Message.',
    origin: compactOrigin({
      id: envelope.MessageId,
      time: envelope.Timestamp,
      region: topic?.region,
      account: topic?.account,
    }),
  };
  const message = parseSnsMessage(envelope.Message);
  try {
    return parseUnwrapped(message, context);
  } catch (error) {
    if (error instanceof UnsupportedEventError) {
      const seen = `SNS Message: ${error.seen ?? 'unknown'}`;
      throw new UnsupportedEventError(
        `The SNS notification carries an unsupported message. ${error.message}`,
        seen,
      );
    }
    throw error;
  }
}

/** Auto Scaling documents the SNS form as "email key-value pairs"; observed messages are JSON. Take both. */
function parseSnsMessage(text: string): JsonObject {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const pairs = parseKeyValueMessage(text);
    if (pairs !== undefined) return pairs;
    throw new UnsupportedEventError(
      `The SNS Message is neither JSON nor "Key: value" lines (starts with ${preview(text)})`,
      'SNS Message: not JSON or key-value',
    );
  }
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) return json as JsonObject;
  const kind = json === null ? 'null' : Array.isArray(json) ? 'array' : typeof json;
  throw new UnsupportedEventError(
    `The SNS Message must be a JSON object, got ${kind}`,
    `SNS Message: ${kind}`,
  );
}

const KEY_VALUE_LINE = /^([A-Za-z][A-Za-z0-9]*):[ \t]?(.*)$/;

/**
 * Reads the email form, one `Key: value` per line (`Service: AWS Auto Scaling`). A line that is not a
 * `Key:` line continues the previous value, since notification metadata may span lines.
 */
function parseKeyValueMessage(text: string): JsonObject | undefined {
  const pairs: Record<string, string> = Object.create(null);
  let lastKey: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const match = KEY_VALUE_LINE.exec(line);
    if (match) {
      const [, key = '', value = ''] = match;
      pairs[key] = value.trimEnd();
      lastKey = key;
    } else if (lastKey !== undefined) {
      pairs[lastKey] = `${pairs[lastKey]}\n${line}`;
    } else if (line.trim() !== '') {
      return undefined;
    }
  }
  if (lastKey === undefined) return undefined;
  // Trailing blank lines of an email body are not part of the last value.
  pairs[lastKey] = (pairs[lastKey] ?? '').replace(/\s+$/, '');
  return { ...pairs };
}

// ---------------------------------------------------------------------------------------------------
// Shared helpers

function validate<T extends z.ZodMiniType>(
  schema: T,
  event: JsonObject,
  eventKind: string,
  context: EnvelopeContext,
): z.infer<T> {
  const result = schema.safeParse(event);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String) ?? [];
  const field = `${context.fieldPrefix}${path.join('.')}`;
  const got = path.length > 0 ? valueAt(event, path) : event;
  const found = got.present ? `got ${preview(got.value)}` : 'missing';
  throw new InvalidEventError(
    `Invalid ${eventKind} event: ${field} ${issue?.message ?? 'is invalid'} (${found})`,
    field,
    eventKind,
  );
}

function valueAt(root: unknown, path: readonly string[]): { present: boolean; value?: unknown } {
  let current: unknown = root;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) {
      return { present: false };
    }
    current = (current as JsonObject)[key];
  }
  return current === undefined ? { present: false } : { present: true, value: current };
}

function unsupportedShape(event: JsonObject): UnsupportedEventError {
  const records = event.Records;
  if (Array.isArray(records)) {
    const first: unknown = records[0];
    const sourceName =
      typeof first === 'object' && first !== null
        ? ((first as JsonObject).eventSource ?? (first as JsonObject).EventSource)
        : undefined;
    const seen = `Records[] (${typeof sourceName === 'string' ? sourceName : 'unknown source'})`;
    return new UnsupportedEventError(
      `Unsupported event: a batch of ${seen} records; pass each record's body (SQS) to parseEvent`,
      seen,
    );
  }
  if (event.eventSource === 'aws:sqs' || 'receiptHandle' in event) {
    return new UnsupportedEventError(
      'Unsupported event: an SQS record; pass its body to parseEvent instead',
      'aws:sqs record',
    );
  }
  const keys = Object.keys(event);
  const seen = keys.length === 0 ? 'empty object' : `object with keys ${keys.slice(0, 6).join(', ')}`;
  return new UnsupportedEventError(
    `Unsupported event (${seen}): not an EventBridge event, Auto Scaling notification or SNS notification`,
    seen,
  );
}

function parseArn(arn: string | undefined): { region: string; account: string } | undefined {
  if (arn === undefined) return undefined;
  const [prefix, , , region, account] = arn.split(':');
  if (prefix !== 'arn' || !region || !account) return undefined;
  return { region, account };
}

function compactOrigin(origin: Record<keyof TriggerOrigin, string | undefined>): TriggerOrigin {
  const result: { -readonly [K in keyof TriggerOrigin]: string } = {};
  for (const key of ['id', 'time', 'region', 'account'] as const) {
    const value = origin[key];
    if (value !== undefined) result[key] = value;
  }
  return result;
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return 'unknown error';
  }
}
