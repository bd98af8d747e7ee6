import { type AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  AwsCallError,
  classifyAwsError,
  defaultLogger,
  type InstanceView,
  type LeavingInstances,
  type Logger,
  positive,
} from '@eni-pool/core';
import { createAutoScalingClient } from './auto-scaling';
import type { CallRetryOptions } from './options';
import { describeError, realSleep, type Sleep, withRetry } from './timing';

/** The tag Auto Scaling puts on every instance it launches; users cannot change `aws:` tags. */
export const AUTO_SCALING_GROUP_TAG = 'aws:autoscaling:groupName';

/**
 * Lifecycle states in which a group member is on its way out while EC2 may still show it running: the
 * terminate hook's wait and what comes right before and after it, and an instance retained after its
 * terminate hook was abandoned. `Detaching`, `EnteringStandby` and `Standby` are not among them: such an
 * instance keeps running with its pool tag and comes back (or stays on its own), so it keeps its
 * interface. Warm-pool states are not either: `DescribeAutoScalingGroups` does not list warm instances.
 */
export const LEAVING_LIFECYCLE_STATES: readonly string[] = [
  'Terminating',
  'Terminating:Wait',
  'Terminating:Proceed',
  'Terminating:Retained',
];

/** `DescribeAutoScalingGroups`: group names asked per call, and the largest page. */
const GROUP_NAMES_PER_CALL = 50;
const MAX_RECORDS = 100;

export interface AutoScalingLeavingInstancesOptions {
  /** @defaultValue `new AutoScalingClient({})` from the standard SDK configuration */
  readonly autoScaling?: AutoScalingClient;
  /** Lifecycle states that count as leaving. @defaultValue {@link LEAVING_LIFECYCLE_STATES} */
  readonly leavingStates?: readonly string[];
  /** Retries of throttled or failed (5xx) describes, on top of the SDK's own. */
  readonly retry?: CallRetryOptions;
  /** @defaultValue warnings and errors as JSON lines on stderr */
  readonly logger?: Logger;
  /** Injected for tests; must resolve early when `signal` aborts. @defaultValue real timers */
  readonly sleep?: Sleep;
  /** Injected for tests (backoff jitter). @defaultValue `Math.random` */
  readonly random?: () => number;
}

/**
 * A {@link @eni-pool/core!LeavingInstances | LeavingInstances} source backed by Auto Scaling; `enabled`
 * turns false after `AccessDenied`.
 */
export interface AutoScalingLeavingInstances extends LeavingInstances {
  readonly enabled: boolean;
}

/** The service answered with a client error (`AccessDenied`, say): asking again will not help. */
function isRefusal(error: unknown): boolean {
  const cause = error instanceof AwsCallError ? error.cause : error;
  if (classifyAwsError(cause) !== 'client') return false;
  const status = (cause as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  return status !== undefined && status >= 400 && status < 500;
}

/**
 * Asks Auto Scaling which pool members it is terminating, for `EniPoolManager`'s `leaving` option: during
 * `Terminating:Wait` an instance is still `running`, and without this a reconcile from any path (a state
 * change, the scheduled sync, another worker's lifecycle action) would give a freed interface straight
 * back to it.
 *
 * It reads the groups named by the members' `aws:autoscaling:groupName` tags with
 * `DescribeAutoScalingGroups` — one call for up to 50 groups, however many instances they hold — rather
 * than `DescribeAutoScalingInstances`, which takes 50 instances a call: a pool of 200 instances in one
 * group costs one call instead of four, and members outside any group cost none. Throttling and 5xx are
 * retried within a budget and then rejected (the manager logs it and plans without the answer). The
 * first refusal (`AccessDenied`, or any other client error) turns the source off for its lifetime, with
 * a warning: it answers nothing from then on. Needs `autoscaling:DescribeAutoScalingGroups` on `*`.
 *
 * @example
 * ```ts
 * const autoScaling = new AutoScalingClient({});
 * const manager = new EniPoolManager({ leaving: createAutoScalingLeavingInstances({ autoScaling }) });
 * ```
 */
export function createAutoScalingLeavingInstances(
  options: AutoScalingLeavingInstancesOptions = {},
): AutoScalingLeavingInstances {
  const client = options.autoScaling ?? createAutoScalingClient();
  const logger = options.logger ?? defaultLogger;
  const leavingStates = new Set(options.leavingStates ?? LEAVING_LIFECYCLE_STATES);
  const retry = {
    maxAttempts: positive(options.retry?.maxAttempts ?? 5, 'retry.maxAttempts', true),
    baseDelayMs: positive(options.retry?.baseDelayMs ?? 200, 'retry.baseDelayMs', true),
    maxDelayMs: positive(options.retry?.maxDelayMs ?? 5_000, 'retry.maxDelayMs', true),
  };
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  let enabled = true;

  async function groupsLeaving(groupNames: readonly string[], signal?: AbortSignal): Promise<Set<string>> {
    const leaving = new Set<string>();
    const context = { retry, sleep, random, ...(signal ? { signal } : {}) };
    for (let start = 0; start < groupNames.length; start += GROUP_NAMES_PER_CALL) {
      const names = groupNames.slice(start, start + GROUP_NAMES_PER_CALL);
      let nextToken: string | undefined;
      do {
        const token = nextToken;
        const page = await withRetry(
          'DescribeAutoScalingGroups',
          () =>
            client.send(
              new DescribeAutoScalingGroupsCommand({
                AutoScalingGroupNames: names,
                MaxRecords: MAX_RECORDS,
                ...(token ? { NextToken: token } : {}),
              }),
              signal ? { abortSignal: signal } : {},
            ),
          context,
        );
        for (const group of page.AutoScalingGroups ?? []) {
          for (const instance of group.Instances ?? []) {
            if (instance.InstanceId && leavingStates.has(instance.LifecycleState ?? '')) {
              leaving.add(instance.InstanceId);
            }
          }
        }
        nextToken = page.NextToken;
      } while (nextToken && !signal?.aborted);
    }
    return leaving;
  }

  return {
    get enabled() {
      return enabled;
    },
    async leavingAmong(members: readonly InstanceView[], signal?: AbortSignal): Promise<string[]> {
      if (!enabled) return [];
      const groupNames = [
        ...new Set(members.flatMap((member) => member.tags[AUTO_SCALING_GROUP_TAG] ?? [])),
      ].sort();
      if (groupNames.length === 0) return [];
      let leaving: Set<string>;
      try {
        leaving = await groupsLeaving(groupNames, signal);
      } catch (error) {
        // Throttling that outlasted the retries, a timeout or a lost connection is transient; only a
        // refusal by the service turns the source off.
        if (!signal?.aborted && isRefusal(error)) {
          enabled = false;
          logger.warn('cannot read Auto Scaling lifecycle states; terminating instances are not detected', {
            error: describeError(error),
          });
          return [];
        }
        throw error;
      }
      return members.map((member) => member.instanceId).filter((instanceId) => leaving.has(instanceId));
    },
  };
}
