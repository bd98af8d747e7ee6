// The testing entry of @eni-pool/core (`@eni-pool/core/testing`): a stateful fake of the EC2 port, a
// virtual clock, and builders of the events eni-pool receives, for tests of code that runs eni-pool.

export { awsError } from './aws-error';
export {
  type EnvelopeOverrides,
  type EventBridgeEventSample,
  type InstanceStateChangeDetail,
  type InstanceStateChangeOptions,
  instanceStateChangeEvent,
  keyValueMessage,
  LAUNCHING,
  type LifecycleActionDetail,
  type LifecycleNotificationSample,
  type LifecycleOptions,
  lifecycleActionEvent,
  lifecycleNotification,
  type NotificationOverrides,
  SAMPLE_ACCOUNT,
  SAMPLE_GROUP,
  SAMPLE_HOOK,
  SAMPLE_INSTANCE_ID,
  SAMPLE_REGION,
  SAMPLE_TIME,
  SAMPLE_TOKEN,
  type SnsEnvelopeOverrides,
  type SnsEnvelopeSample,
  type SqsRecordOverrides,
  type SqsRecordSample,
  sampleId,
  scheduledEvent,
  snsEnvelope,
  sqsEvent,
  sqsRecord,
  TERMINATING,
  type TestNotificationSample,
  testNotification,
} from './events';
export {
  type DetachInput,
  FakeEc2,
  type FakeEc2Call,
  type FakeEc2Operation,
  type FakeEc2Options,
  type FakeEc2Timers,
  type FakeInstanceSpec,
  type FakeInterfaceSpec,
} from './fake-ec2';
export { VirtualClock } from './virtual-clock';
