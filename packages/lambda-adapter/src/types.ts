import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type {
  Ec2Port,
  HandleResult,
  InstanceMembership,
  LifecycleActionTrigger,
  Logger,
  PoolScope,
  ReconcileResult,
  Trigger,
} from '@eni-pool/core';
import type { PoolMetricsPublisher } from './metrics';

/** The part of `EniPoolManager` the handlers use. */
export interface ManagerLike {
  /** `signal` aborts before the function's timeout: nothing new is started once it fires. */
  handle(trigger: Trigger, options?: { readonly signal?: AbortSignal }): Promise<HandleResult>;
  reconcile(scope: PoolScope, options?: { readonly signal?: AbortSignal }): Promise<ReconcileResult>;
  /** Which pools each instance is in, in one batched lookup. */
  poolsOf(instanceIds: Iterable<string>, signal?: AbortSignal): Promise<Map<string, InstanceMembership>>;
  /** Serves these instances (their pools planned whole, their own actions applied). */
  reconcileInstances(
    instanceIds: Iterable<string>,
    options?: {
      readonly signal?: AbortSignal;
      readonly memberships?: ReadonlyMap<string, InstanceMembership>;
    },
  ): Promise<ReconcileResult | undefined>;
}

/**
 * Completes lifecycle actions; `createLifecycleHookHandler` from `@eni-pool/lifecycle-hook-adapter`
 * fits. Throwing means "retry this event".
 */
export interface LifecycleActionHandler {
  handle(trigger: LifecycleActionTrigger, signal?: AbortSignal): Promise<unknown>;
}

/** Options shared by every handler factory. */
export interface HandlerOptions {
  /**
   * Reconciles pools. Share one manager between every path of a function (state changes, the sync,
   * lifecycle actions): it runs one reconcile per pool at a time and remembers the instances a terminate
   * action released, so the paths do not race each other or hand an address back to a leaving instance.
   * @defaultValue `new EniPoolManager({ ec2, logger, leaving })`, with `leaving` from
   * `createAutoScalingLeavingInstances({ autoScaling })` unless `detectTerminating` is `false`
   */
  readonly manager?: ManagerLike;
  /**
   * Auto Scaling access for the default manager's leaving source and for `lifecycle: true`.
   * @defaultValue `new AutoScalingClient({})` from the standard SDK configuration
   */
  readonly autoScaling?: AutoScalingClient;
  /**
   * Whether the default manager asks Auto Scaling which pool members it is terminating
   * (`autoscaling:DescribeAutoScalingGroups`), so that no path gives a freed interface back to an
   * instance in `Terminating:Wait`. Ignored when `manager` is given. @defaultValue `true`
   */
  readonly detectTerminating?: boolean;
  /**
   * EC2 access for the default manager and for resolving instances to pools in SQS batches.
   * @defaultValue `createEc2Client()`: the standard SDK configuration (which honours `AWS_ENDPOINT_URL`), adaptive retry
   */
  readonly ec2?: Ec2Port | EC2Client;
  /** @defaultValue `'network-interface-manager-pool'` */
  readonly poolTagKey?: string;
  /**
   * Lifecycle actions of hooks whose name does not start with it are another owner's: ignored with a
   * debug log and no AWS call, even with lifecycle hooks disabled. @defaultValue `'eni-pool'`
   */
  readonly hookNamePrefix?: string;
  /** Where the handler logs. @defaultValue `fromPowertools(powertools)` when given, else core's warn-level JSON logger */
  readonly logger?: Logger;
  /**
   * When given, each invocation adds the Lambda context (request id, function, cold start) to it, and
   * the event's id as `correlation_id` on every line of the invocation.
   */
  readonly powertools?: PowertoolsLogger;
  /** Log every incoming event at info (`POWERTOOLS_LOGGER_LOG_EVENT`), through `powertools`. @defaultValue `false` */
  readonly logEvent?: boolean;
  /** Per-pool figures after each reconcile; `false` publishes nothing. @defaultValue `false` */
  readonly metrics?: PoolMetricsPublisher | false;
  /**
   * Lifecycle actions go here. `true` builds the lifecycle-hook adapter on this handler's own manager
   * (which must then be an `EniPoolManager`), EC2 and Auto Scaling clients and logger. Without one they
   * are acknowledged with a warning (the hook then times out with its default result).
   * @defaultValue `false`
   */
  readonly lifecycle?: LifecycleActionHandler | boolean;
  /**
   * Time kept free before the function's timeout (from `context.getRemainingTimeInMillis()`): work is
   * signalled to stop this long before Lambda would kill it, so it ends with a logged, partial result
   * instead of a timeout. At most half the remaining time is given up.
   * @defaultValue `5000`
   */
  readonly deadlineMarginMs?: number;
}

export type TriggerKind = Trigger['kind'];

/** A trigger that ended in one or more pool reconciles. */
export interface ReconciledResult {
  readonly status: 'reconciled';
  readonly trigger: TriggerKind;
  readonly pools: readonly string[];
  readonly rounds: number;
  readonly converged: boolean;
  /** Attach and detach calls that succeeded. */
  readonly actions: number;
  readonly unsatisfied: number;
}

/** A valid trigger that needed nothing done (pending state, untagged instance, test notification…). */
export interface IgnoredResult {
  readonly status: 'ignored';
  readonly trigger: TriggerKind;
  readonly reason: string;
}

/** A lifecycle action handed to the lifecycle-hook adapter. */
export interface LifecycleHandledResult {
  readonly status: 'lifecycle-handled';
  readonly trigger: 'lifecycle-action';
  readonly instanceId: string;
  readonly transition: LifecycleActionTrigger['transition'];
  readonly result: unknown;
}

/**
 * Input that is not an event eni-pool handles, or a known event with a bad field. Nothing was
 * changed. Returned rather than thrown, so Lambda's asynchronous retries do not replay garbage.
 */
export interface RejectedResult {
  readonly status: 'rejected';
  /** `UnsupportedEventError` or `InvalidEventError`. */
  readonly error: string;
  readonly message: string;
  /** For `InvalidEventError`: the dotted path of the offending field. */
  readonly field?: string;
}

/** What an EventBridge invocation returns. */
export type InvocationResult = ReconciledResult | IgnoredResult | LifecycleHandledResult | RejectedResult;
