import * as z from 'zod/mini';

/**
 * Schemas of the event shapes `parseEvent` accepts. They check the fields eni-pool reads and let every
 * other field through, so a new field added by AWS never turns a good event into an error.
 *
 * Written with `zod/mini` (the functional API of the same zod 4 package): it tree-shakes, so the Lambda
 * bundle carries only the validators used here instead of all of zod. Every schema a caller can reach
 * through `parseEvent` sets its own `error` message, so no zod locale is needed; the few that keep zod's
 * default message (`detail-type`, `source`, the `Type` and `Event` literals, a non-object root) are checked
 * by `parseEvent` before validation and cannot fail there.
 */

/** EventBridge `source` and `detail-type` pairs eni-pool handles. */
export const EVENTBRIDGE_DETAIL_TYPES = {
  instanceStateChange: { source: 'aws.ec2', detailType: 'EC2 Instance State-change Notification' },
  scheduled: { source: 'aws.events', detailType: 'Scheduled Event' },
  launchLifecycleAction: { source: 'aws.autoscaling', detailType: 'EC2 Instance-launch Lifecycle Action' },
  terminateLifecycleAction: {
    source: 'aws.autoscaling',
    detailType: 'EC2 Instance-terminate Lifecycle Action',
  },
} as const;

/** `Service` of the messages Auto Scaling sends to a lifecycle hook's SQS or SNS target. */
export const AUTO_SCALING_SERVICE = 'AWS Auto Scaling';

/** `Event` of the message Auto Scaling sends once when a hook's notification target is set. */
export const TEST_NOTIFICATION_EVENT = 'autoscaling:TEST_NOTIFICATION';

/** The launching `LifecycleTransition`. */
export const LAUNCHING = 'autoscaling:EC2_INSTANCE_LAUNCHING';
/** The terminating `LifecycleTransition`. */
export const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';

/** `i-` then 8 (older) or 17 lowercase hex digits; anything in between is accepted, not invented. */
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/** Lifecycle action tokens are 36 characters in the 8-4-4-4-12 hex layout; the version digit varies. */
const UUID_LIKE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** An EC2 instance id. */
export const instanceIdSchema = z
  .string({ error: 'must be a string instance id' })
  .check(
    z.regex(INSTANCE_ID, { error: 'must be an instance id: "i-" followed by 8 to 17 lowercase hex digits' }),
  );

/** An EC2 instance state name. */
export const instanceStateSchema = z.enum(
  ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'],
  { error: 'must be one of pending, running, stopping, stopped, shutting-down, terminated' },
);

/** An ISO-8601 timestamp as EventBridge and Auto Scaling write it (`Z` or an offset, any precision). */
export const timestampSchema = z.iso.datetime({
  offset: true,
  error: 'must be an ISO-8601 timestamp such as 2026-11-27T05:00:00Z',
});

const nonEmpty = (what: string, max: number) =>
  z
    .string({ error: `must be a string ${what}` })
    .check(
      z.minLength(1, { error: `must be a non-empty ${what}` }),
      z.maxLength(max, { error: `must be a ${what} of at most ${max} characters` }),
    );

/** Auto Scaling allows 1–255 characters (older API versions allowed up to 1600; accept those too). */
export const autoScalingGroupNameSchema = nonEmpty('Auto Scaling group name', 1600);
/** Auto Scaling allows 1–255 characters. */
export const lifecycleHookNameSchema = nonEmpty('lifecycle hook name', 255);

/** A lifecycle action token. */
export const lifecycleActionTokenSchema = z
  .string({ error: 'must be a string lifecycle action token' })
  .check(z.regex(UUID_LIKE, { error: 'must be a lifecycle action token in the 8-4-4-4-12 hex layout' }));

/** `autoscaling:EC2_INSTANCE_LAUNCHING` or `autoscaling:EC2_INSTANCE_TERMINATING`. */
export const lifecycleTransitionSchema = z.enum([LAUNCHING, TERMINATING], {
  error: `must be ${LAUNCHING} or ${TERMINATING}`,
});

const lifecycleLocationSchema = z.enum(['EC2', 'AutoScalingGroup', 'WarmPool'], {
  error: 'must be EC2, AutoScalingGroup or WarmPool',
});

/** Metadata is free text; `null` is read as absent. */
const notificationMetadataSchema = z.nullish(z.string({ error: 'must be a string' }));

const optionalText = z.optional(z.string({ error: 'must be a string' }));

/** Envelope fields shared by every EventBridge event. `version` is optional: the EC2 doc sample omits it. */
const eventBridgeEnvelopeShape = {
  version: optionalText,
  id: optionalText,
  'detail-type': z.string(),
  source: z.string(),
  account: optionalText,
  time: z.optional(timestampSchema),
  region: optionalText,
  resources: z.optional(z.array(z.string({ error: 'must be a string' }), { error: 'must be an array' })),
};

const detailObject = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.looseObject(shape, { error: 'must be an object' });

/** EventBridge `EC2 Instance State-change Notification`. */
export const instanceStateChangeEventSchema = z.looseObject({
  ...eventBridgeEnvelopeShape,
  detail: detailObject({
    'instance-id': instanceIdSchema,
    state: instanceStateSchema,
  }),
});

/** EventBridge `Scheduled Event`; its `detail` is an object, content unchecked. */
export const scheduledEventSchema = z.looseObject({
  ...eventBridgeEnvelopeShape,
  detail: detailObject({}),
});

/** The lifecycle fields, spelled the same in the EventBridge `detail` and in a hook notification. */
const lifecycleFieldsShape = {
  LifecycleActionToken: z.optional(lifecycleActionTokenSchema),
  AutoScalingGroupName: autoScalingGroupNameSchema,
  LifecycleHookName: lifecycleHookNameSchema,
  EC2InstanceId: instanceIdSchema,
  LifecycleTransition: lifecycleTransitionSchema,
  NotificationMetadata: notificationMetadataSchema,
  Origin: z.optional(lifecycleLocationSchema),
  Destination: z.optional(lifecycleLocationSchema),
};

/** The lifecycle fields on their own, for code that reads both spellings alike. */
export const lifecycleFieldsSchema = z.object(lifecycleFieldsShape);

/** EventBridge `EC2 Instance-launch/terminate Lifecycle Action`. */
export const lifecycleActionEventSchema = z.looseObject({
  ...eventBridgeEnvelopeShape,
  detail: detailObject(lifecycleFieldsShape),
});

/** Fields Auto Scaling adds to every message it sends to a hook's SQS or SNS target. */
const notificationHeaderShape = {
  Service: optionalText,
  Time: z.optional(timestampSchema),
  RequestId: optionalText,
  AccountId: optionalText,
  AutoScalingGroupARN: optionalText,
};

/** The lifecycle message Auto Scaling sends to a hook's SQS or SNS target. */
export const lifecycleNotificationSchema = z.looseObject({
  ...notificationHeaderShape,
  ...lifecycleFieldsShape,
});

/** The `autoscaling:TEST_NOTIFICATION` message sent when a hook's target is set. */
export const testNotificationSchema = z.looseObject({
  ...notificationHeaderShape,
  Event: z.literal(TEST_NOTIFICATION_EVENT),
  AutoScalingGroupName: z.optional(autoScalingGroupNameSchema),
});

/** An SNS `Notification` envelope, as delivered to an SQS subscription without raw delivery. */
export const snsNotificationSchema = z.looseObject({
  Type: z.literal('Notification'),
  MessageId: optionalText,
  TopicArn: optionalText,
  Subject: z.nullish(z.string({ error: 'must be a string' })),
  Message: z.string({ error: 'must be a string (the published message)' }),
  Timestamp: z.optional(timestampSchema),
});

/** The lifecycle fields as validated. */
export type LifecycleFields = z.infer<typeof lifecycleFieldsSchema>;
/** A validated EC2 instance state-change event. */
export type InstanceStateChangeEvent = z.infer<typeof instanceStateChangeEventSchema>;
/** A validated scheduled event. */
export type ScheduledEvent = z.infer<typeof scheduledEventSchema>;
/** A validated EventBridge lifecycle action event. */
export type LifecycleActionEvent = z.infer<typeof lifecycleActionEventSchema>;
/** A validated hook notification. */
export type LifecycleNotification = z.infer<typeof lifecycleNotificationSchema>;
/** A validated test notification. */
export type TestNotification = z.infer<typeof testNotificationSchema>;
/** A validated SNS envelope. */
export type SnsNotification = z.infer<typeof snsNotificationSchema>;
