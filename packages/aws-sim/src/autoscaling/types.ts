import type { EventSink, InstanceFleet, QueueSink, SimIdentity } from '../contracts';
import type { TokenBucketOptions } from '../token-bucket';

/** The two lifecycle transitions a hook can pause. */
export type LifecycleTransition =
  | 'autoscaling:EC2_INSTANCE_LAUNCHING'
  | 'autoscaling:EC2_INSTANCE_TERMINATING';

/** What a lifecycle action ends with. */
export type LifecycleActionResult = 'CONTINUE' | 'ABANDON';

/** The Auto Scaling lifecycle states the simulator uses (a subset of the API's `LifecycleState`). */
export type LifecycleState =
  | 'Pending'
  | 'Pending:Wait'
  | 'Pending:Proceed'
  | 'InService'
  | 'Terminating'
  | 'Terminating:Wait'
  | 'Terminating:Proceed'
  | 'Terminated'
  | 'Warmed:Pending'
  | 'Warmed:Pending:Wait'
  | 'Warmed:Pending:Proceed'
  | 'Warmed:Terminating'
  | 'Warmed:Terminated'
  | 'Warmed:Stopped'
  | 'Warmed:Running';

/** Where a warm-pool instance comes from or goes to, as lifecycle events name it. */
export type LifecyclePlace = 'EC2' | 'AutoScalingGroup' | 'WarmPool';

/** A lifecycle hook as the model keeps it (timeouts in simulated seconds). */
export interface LifecycleHookSpec {
  readonly name: string;
  readonly transition: LifecycleTransition;
  /** @defaultValue 3600 */
  readonly heartbeatTimeout: number;
  /** @defaultValue 'ABANDON' */
  readonly defaultResult: LifecycleActionResult;
  readonly notificationTargetArn?: string;
  readonly roleArn?: string;
  readonly notificationMetadata?: string;
}

/** A tag of a group; `propagateAtLaunch` copies it to instances launched afterwards. */
export interface GroupTag {
  readonly key: string;
  readonly value: string;
  readonly propagateAtLaunch: boolean;
}

/** A launch template reference, kept and echoed back; the simulator launches `instanceType` from it. */
export interface LaunchTemplateRef {
  readonly launchTemplateId?: string;
  readonly launchTemplateName?: string;
  readonly version?: string;
}

/** Warm pool settings (`PutWarmPool`). */
export interface WarmPoolSpec {
  /** @defaultValue 0 */
  readonly minSize: number;
  /** Undefined: the pool holds `maxSize - desired` instances, at least `minSize`. */
  readonly maxGroupPreparedCapacity?: number;
  /** @defaultValue 'Stopped' */
  readonly poolState: 'Stopped' | 'Running';
}

/** What `createGroup` needs; the same fields `CreateAutoScalingGroup` accepts, simplified. */
export interface GroupSpec {
  readonly name: string;
  readonly minSize: number;
  readonly maxSize: number;
  /** @defaultValue minSize */
  readonly desiredCapacity?: number;
  /** Subnets the group launches into, balanced in order. */
  readonly subnetIds: readonly string[];
  readonly tags?: readonly GroupTag[];
  readonly launchTemplate?: LaunchTemplateRef;
  /** @defaultValue the model's `defaultInstanceType` */
  readonly instanceType?: string;
  /** Hooks in place before the first launch, like `LifecycleHookSpecificationList`. */
  readonly lifecycleHooks?: readonly LifecycleHookSpec[];
}

/** One instance of a group (or its warm pool), as `DescribeAutoScalingInstances` shows it. */
export interface GroupInstanceView {
  readonly instanceId: string;
  readonly groupName: string;
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly instanceType: string;
  readonly lifecycleState: LifecycleState;
  readonly healthStatus: 'Healthy' | 'Unhealthy';
  readonly launchTemplate?: LaunchTemplateRef;
  readonly inWarmPool: boolean;
}

/** A group, as `DescribeAutoScalingGroups` shows it. */
export interface GroupView {
  readonly name: string;
  readonly arn: string;
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredCapacity: number;
  readonly subnetIds: readonly string[];
  readonly availabilityZones: readonly string[];
  readonly createdTime: Date;
  readonly instanceType: string;
  readonly launchTemplate?: LaunchTemplateRef;
  readonly tags: readonly GroupTag[];
  readonly hooks: readonly LifecycleHookSpec[];
  readonly warmPool?: WarmPoolSpec;
  /** Instances in the group proper (not in the warm pool). */
  readonly instances: readonly GroupInstanceView[];
  /** Instances in the warm pool. */
  readonly warmInstances: readonly GroupInstanceView[];
}

/** A lifecycle action that is waiting for completion. */
export interface ActiveLifecycleAction {
  readonly token: string;
  readonly instanceId: string;
  readonly groupName: string;
  readonly hookName: string;
  readonly transition: LifecycleTransition;
  readonly startedAt: Date;
  /** When the hook's DefaultResult applies unless a heartbeat (or completion) comes first. */
  readonly timeoutAt: Date;
  /** The hard limit, min(48 h, 100 × HeartbeatTimeout) after the start; heartbeats cannot pass it. */
  readonly globalTimeoutAt: Date;
  readonly origin?: LifecyclePlace;
  readonly destination?: LifecyclePlace;
}

/**
 * The record of one finished lifecycle action: how it ended, and what the instance's network
 * attachments looked like at that moment (from `snapshotAttachments`).
 */
export interface LifecycleCompletion<Attachment = unknown> extends ActiveLifecycleAction {
  readonly result: LifecycleActionResult;
  readonly completedAt: Date;
  /** `api`: CompleteLifecycleAction; `timeout`: the hook's DefaultResult; `hook-deleted`: DeleteLifecycleHook. */
  readonly how: 'api' | 'timeout' | 'hook-deleted';
  readonly attachmentsAtCompletion: readonly Attachment[];
}

/** Options of `AutoScalingModel`. */
export interface AutoScalingModelOptions<Attachment = unknown> {
  /** The EC2 side: launches, terminates, stops and starts instances and reports their state. */
  readonly fleet: InstanceFleet;
  /** Receives the lifecycle-action EventBridge events. */
  readonly events: EventSink;
  /** Receives lifecycle notifications for hooks with an SQS `NotificationTargetARN`. */
  readonly queues: QueueSink;
  /** @defaultValue DEFAULT_IDENTITY */
  readonly identity?: SimIdentity;
  /**
   * Milliseconds per simulated second for lifecycle timeouts: with 10, a 30 s HeartbeatTimeout lasts
   * 300 ms. @defaultValue 1000
   */
  readonly timeScale?: number;
  /**
   * The shared Auto Scaling API bucket (AWS does not publish its size); `false` turns throttling off.
   * @defaultValue `{ capacity: 40, refillPerSecond: 8 }`
   */
  readonly throttle?: TokenBucketOptions | false;
  /** The attachments of an instance at the moment a lifecycle action completes. @defaultValue `() => []` */
  readonly snapshotAttachments?: (instanceId: string) => readonly Attachment[];
  /** @defaultValue 't3.micro' */
  readonly defaultInstanceType?: string;
  /** How long to wait before retrying a launch the fleet refused, in ms. @defaultValue 1000 */
  readonly launchRetryMs?: number;
  /**
   * Publish "EC2 Instance Launch Successful" / "EC2 Instance Terminate Successful" events, as Auto
   * Scaling does; consumers must tell them from lifecycle actions. @defaultValue true
   */
  readonly activityEvents?: boolean;
  /** Seed of the draws of rate-based faults (`injectFault`). @defaultValue 1 */
  readonly seed?: number;
}

/**
 * A rate-based Auto Scaling fault: calls to `action` fail with `code` at the given rate, before the
 * call changes anything.
 */
export interface AutoScalingFaultSpec {
  /** An action name, or `*` for every Auto Scaling action. */
  readonly action: string;
  /** Probability in [0, 1] that a matching call fails. @defaultValue 1 */
  readonly rate?: number;
  /** The error code answered, e.g. `Throttling` or `InternalFailure`. */
  readonly code: string;
  /** @defaultValue 500 for `InternalFailure`/`ServiceUnavailable`/`ResourceContention`, else 400 (as AWS answers `Throttling`) */
  readonly status?: number;
  readonly message?: string;
  /** Stop after failing this many calls. @defaultValue unlimited */
  readonly times?: number;
}
