// The public API of @eni-pool/core, each export by name. Internals (the loader's steps, the executor's
// resolvers, the planner's indexes) stay inside the package.

export {
  type AwsErrorClass,
  awsErrorCode,
  awsErrorMessage,
  classifyAwsError,
  isAlreadyDetached,
  isAttachmentLimit,
  isDeviceIndexTaken,
  isIncorrectState,
  isInUse,
  isNoActiveLifecycleAction,
  isNotFound,
  isRetryable,
  isServerError,
  isThrottling,
} from './aws-errors';
export type {
  AttachInput,
  DescribePageInput,
  Ec2Filter,
  Ec2Port,
  InstanceTypeLimits,
  TagInput,
} from './ec2-port';
export {
  AttachConflictError,
  AttachmentLostError,
  AwsCallError,
  ConfigurationError,
  EniPoolError,
  InvalidEventError,
  OperationAbortedError,
  UnsupportedEventError,
  WaitTimeoutError,
} from './errors';
export type {
  ActionEvent,
  ActionFailedEvent,
  ActionSucceededEvent,
  EniPoolEvents,
  ReconcileFinishedEvent,
} from './events';
export {
  type ActionOutcome,
  type ActionStatus,
  type ApplyOptions,
  type ApplyResult,
  Executor,
  type ExecutorOptions,
  type RateLimitOptions,
  type RetryOptions,
  type WaitOptions,
} from './executor';
export { type Clock, clockOf, systemClock } from './internal/clock';
export { DEFAULT_RETRY_POLICY, type RetryContext, type RetryPolicy, withRetry } from './internal/retry';
export { mapBounded, Semaphore } from './internal/semaphore';
export { bool, nonEmptyString, nonNegative, oneOf, positive } from './internal/validate';
export type { LeavingInstances } from './leaving';
export { type LoadOptions, loadPoolState } from './loader';
export { createJsonLogger, defaultLogger, type Logger, type LogLevel, silentLogger } from './logger';
export {
  type AttachPacingOptions,
  EniPoolManager,
  type EniPoolManagerOptions,
  type HandleResult,
  type InstanceMembership,
  type ReconcileOptions,
  type ReconcileResult,
} from './manager';
export {
  type AttachAction,
  type AttachmentStatus,
  DEFAULT_DEVICE_INDEX_TAG_KEY,
  DEFAULT_LAST_INSTANCE_TAG_KEY,
  DEFAULT_POOL_TAG_KEY,
  type DetachAction,
  type DetachReason,
  type DeviceIndexPolicy,
  type InstanceAttachmentView,
  type InstanceStateName,
  type InstanceView,
  type InterfaceAttachmentView,
  type InterfaceStatus,
  type InterfaceView,
  type Keep,
  type Placement,
  type Plan,
  type PlanAction,
  type PlannerOptions,
  type PoolScope,
  type PoolState,
  type PoolSummary,
  type Tags,
  type Unsatisfied,
  type UnsatisfiedReason,
} from './model';
export { parseEvent } from './parse-event';
export { InvalidPoolStateError, planAssignments } from './planner';
export {
  createEc2Client,
  createSdkEc2Port,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_THROTTLING_DELAY_MS,
  type Ec2ClientOptions,
  ThrottlingBackoff,
} from './sdk-ec2-port';
export type {
  InstanceStateChangeTrigger,
  LifecycleActionTrigger,
  LifecycleLocation,
  LifecycleTransition,
  ScheduledSyncTrigger,
  TestNotificationTrigger,
  Trigger,
  TriggerOrigin,
} from './trigger';
