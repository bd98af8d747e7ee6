/**
 * Every use of `@eni-pool/core` and of the adapters by the CLI is in this file: reading the pool state,
 * planning it as a reconcile would, and reconciling.
 */
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import {
  type ActionOutcome,
  createSdkEc2Port,
  DEFAULT_LAST_INSTANCE_TAG_KEY,
  type EniPoolEvents,
  type EniPoolManager,
  type Logger,
  loadPoolState,
  type Plan,
  type PlannerOptions,
  type PoolScope,
  type PoolState,
  type ReconcileResult,
} from '@eni-pool/core';
import { createEniPool } from '@eni-pool/lifecycle-hook-adapter';

export type {
  ActionOutcome,
  AttachAction,
  DetachAction,
  InstanceView,
  InterfaceView,
  Keep,
  Plan,
  PlanAction,
  PoolScope,
  PoolState,
  PoolSummary,
  Unsatisfied,
} from '@eni-pool/core';
export { DEFAULT_LAST_INSTANCE_TAG_KEY };

/** What the commands need to reach AWS and to read pools as the deployed manager does. */
export interface PoolContext {
  readonly ec2: EC2Client;
  readonly autoScaling: AutoScalingClient;
  readonly logger: Logger;
  readonly planner: Required<Pick<PlannerOptions, 'poolTagKey' | 'placement'>>;
}

/** The pool state, plus what core's views leave out that `status` shows: Elastic IPs by interface. */
export interface PoolSnapshot {
  readonly state: PoolState;
  /** Public IP of the Elastic IP associated with an interface, by interface id. */
  readonly publicIps: ReadonlyMap<string, string>;
}

/** The plan a reconcile would make now, and the members it plans as leaving. */
export interface PlannedPools extends PoolSnapshot {
  readonly plan: Plan;
  /** Running or pending members that Auto Scaling is terminating, planned as leaving. */
  readonly leaving: readonly string[];
}

export function poolScope(pools: readonly string[]): PoolScope {
  return pools.length === 0 ? { kind: 'all' } : { kind: 'pools', pools };
}

/**
 * Records the Elastic IP of every interface the describes return, by watching the SDK's own responses,
 * so `status` costs no describe beyond those of `loadPoolState`.
 */
function recordPublicIps(ec2: EC2Client, into: Map<string, string>): () => void {
  const name = `eniPoolPublicIps${Math.random().toString(36).slice(2)}`;
  ec2.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'DescribeNetworkInterfacesCommand') {
        const output = result.output as {
          NetworkInterfaces?: { NetworkInterfaceId?: string; Association?: { PublicIp?: string } }[];
        };
        for (const eni of output.NetworkInterfaces ?? []) {
          if (eni.NetworkInterfaceId && eni.Association?.PublicIp) {
            into.set(eni.NetworkInterfaceId, eni.Association.PublicIp);
          }
        }
      }
      return result;
    },
    { step: 'initialize', name },
  );
  return () => {
    ec2.middlewareStack.remove(name);
  };
}

/** Reads the pools of `scope` with filtered, paginated describes only. */
export async function readPools(context: PoolContext, scope: PoolScope): Promise<PoolSnapshot> {
  const publicIps = new Map<string, string>();
  const stop = recordPublicIps(context.ec2, publicIps);
  try {
    const state = await loadPoolState(createSdkEc2Port(context.ec2), scope, {
      poolTagKey: context.planner.poolTagKey,
    });
    return { state, publicIps };
  } finally {
    stop();
  }
}

/** A manager set up as the deployed one: same tag key and placement, Auto Scaling's leaving source. */
function managerFor(context: PoolContext): EniPoolManager {
  return createEniPool({
    ec2: context.ec2,
    autoScaling: context.autoScaling,
    logger: context.logger,
    manager: { planner: context.planner },
    lifecycle: false,
  }).manager;
}

/**
 * The plan one reconcile round of the deployed manager would make now (the manager's own dry run: load,
 * ask Auto Scaling which members are leaving, plan). Describes only; nothing is changed.
 */
export async function planPools(context: PoolContext, scope: PoolScope): Promise<PlannedPools> {
  const publicIps = new Map<string, string>();
  const stop = recordPublicIps(context.ec2, publicIps);
  try {
    const { state, plan, leaving } = await managerFor(context).plan(scope);
    return { state, publicIps, plan, leaving };
  } finally {
    stop();
  }
}

/** Listeners for the progress of a reconcile. */
export type SyncListeners = Partial<{
  [K in
    | 'action_started'
    | 'action_succeeded'
    | 'action_failed'
    | 'action_conflicted'
    | 'reconcile_started']: (...args: EniPoolEvents[K]) => void;
}>;

/** Reconciles the pools of `scope` now, as the deployed manager would (with its leaving source). */
export async function syncPools(
  context: PoolContext,
  scope: PoolScope,
  listeners: SyncListeners = {},
  signal?: AbortSignal,
): Promise<ReconcileResult> {
  const manager = managerFor(context);
  for (const [event, listener] of Object.entries(listeners)) {
    manager.on(event as keyof EniPoolEvents, listener as (...args: unknown[]) => void);
  }
  return manager.reconcile(scope, signal ? { signal } : {});
}

/** The AWS error code of a failed action (`UnauthorizedOperation`, …), or the error's name. */
export function outcomeErrorCode(outcome: ActionOutcome): string | undefined {
  const error = outcome.error as (Error & { code?: unknown }) | undefined;
  if (error === undefined) return undefined;
  return typeof error.code === 'string' ? error.code : error.name;
}
