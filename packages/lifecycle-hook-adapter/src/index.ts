// The public API of @eni-pool/lifecycle-hook-adapter, each export by name. The Auto Scaling call
// wrappers, the option resolver and the EC2 views stay internal.

export { createAutoScalingClient } from './auto-scaling';
export { createEniPool, type EniPool, type EniPoolOptions } from './eni-pool';
export { LifecycleHandlingAbortedError } from './errors';
export type { LifecycleActionRef, LifecycleHookEvents } from './events';
export { createLifecycleHookHandler, LifecycleHookHandler } from './handler';
export {
  AUTO_SCALING_GROUP_TAG,
  type AutoScalingLeavingInstances,
  type AutoScalingLeavingInstancesOptions,
  createAutoScalingLeavingInstances,
  LEAVING_LIFECYCLE_STATES,
} from './leaving-instances';
export {
  type CallRetryOptions,
  DEFAULT_HOOK_NAME_PREFIX,
  isOwnHook,
  LIFECYCLE_ACTION_RESULTS,
  type LifecycleActionResult,
  type LifecycleHookHandlerOptions,
  MAX_HOOK_HEARTBEAT_TIMEOUT_MS,
  type PollOptions,
  type ResolvedSettings,
  type WarmPoolMode,
} from './options';
export type { Sleep } from './timing';
export type { LifecycleOutcome, LifecycleOutcomeReason, LifecycleTrigger } from './types';
