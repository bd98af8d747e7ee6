import type { EventPattern } from '@eni-pool/aws-sim';

/** The names of the story: the tag, the pools, the group and its hooks, as the template names them. */
export const POOL_TAG = 'network-interface-manager-pool';
export const POOL = 'bastion';
export const GROUP = 'bastion-asg';
export const STANDALONE_POOL = 'admin';
export const LAUNCH_HOOK = 'eni-pool-launch';
export const TERMINATE_HOOK = 'eni-pool-terminate';

/** The EventBridge rules of the CloudFormation template, as patterns on the simulator's bus. */
export type RuleName = 'state-change-rule' | 'lifecycle-rule' | 'sync-rule';
export const RULES: readonly { readonly name: RuleName; readonly pattern: EventPattern }[] = [
  {
    name: 'state-change-rule',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['running', 'stopping', 'stopped', 'shutting-down', 'terminated'] },
    },
  },
  {
    name: 'lifecycle-rule',
    pattern: {
      source: ['aws.autoscaling'],
      'detail-type': ['EC2 Instance-launch Lifecycle Action', 'EC2 Instance-terminate Lifecycle Action'],
    },
  },
  { name: 'sync-rule', pattern: { source: ['aws.events'], 'detail-type': ['Scheduled Event'] } },
];

/** The simulator's delays and the demo's bounds, realistic or `fast` (tens of ms). */
export function timingsOf(fast: boolean) {
  return {
    fast,
    delays: fast
      ? { launchMs: 25, stopMs: 25, terminateMs: 25, attachMs: 15, detachMs: 15 }
      : { launchMs: 500, stopMs: 500, terminateMs: 500, attachMs: 300, detachMs: 250 },
    /** Bound of each wait for an outcome. */
    stepTimeoutMs: fast ? 10_000 : 30_000,
    poll: fast ? { initialDelayMs: 5, maxDelayMs: 40 } : { initialDelayMs: 100, maxDelayMs: 400 },
    retry: { baseDelayMs: fast ? 5 : 100, maxDelayMs: fast ? 50 : 1000 },
    /** How often a wait looks at the simulator again. */
    waitIntervalMs: fast ? 5 : 25,
    /** The pause before settling checks that nothing new started. */
    settlePauseMs: fast ? 20 : 100,
  } as const;
}

export type Timings = ReturnType<typeof timingsOf>;
