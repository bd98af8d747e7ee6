import type { InstanceMembership, ReconcileResult } from '@eni-pool/core';
import { lifecycleHandlerFor, unhandledLifecycleAction } from '../run-trigger';
import type { HandlerRuntime } from '../runtime';
import type { SortedBatch } from './records';
import type { Job } from './run-bounded';

/** The reconcile jobs of a batch, and the messages that failed before any job ran. */
export interface ReconcileJobs {
  readonly jobs: Job[];
  readonly failures: string[];
}

/**
 * The reconciles a batch needs: one full sync when it holds a scheduled sync (which settles every state
 * change in it too), else one reconcile per pool of the changed instances. Each job adds its result to
 * `results`.
 */
export async function reconcileJobs(
  batch: SortedBatch,
  runtime: HandlerRuntime,
  results: ReconcileResult[],
  signal: AbortSignal | undefined,
): Promise<ReconcileJobs> {
  const options = signal ? { signal } : {};
  if (batch.syncAll.length > 0) {
    const covered = [...batch.syncAll, ...[...batch.stateChanges.values()].flat()];
    const run = async () => {
      results.push(await runtime.manager.reconcile({ kind: 'all' }, options));
    };
    return { jobs: [{ key: 'pools:all', messageIds: covered, run }], failures: [] };
  }
  if (batch.stateChanges.size === 0) return { jobs: [], failures: [] };
  const instanceIds = [...batch.stateChanges.keys()];
  let memberships: Map<string, InstanceMembership>;
  try {
    memberships = await runtime.manager.poolsOf(instanceIds, signal);
  } catch (error) {
    runtime.logger.error('could not find the pools of the instances in the batch', { instanceIds, error });
    return { jobs: [], failures: [...batch.stateChanges.values()].flat() };
  }
  const jobs = [...groupByPool(batch.stateChanges, memberships, runtime)]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([pool, { members, messageIds }]) => ({
      key: `pool:${pool}`,
      messageIds,
      run: async () => {
        // One reconcile per pool per batch, applying only the actions of the batch's instances.
        const result = await runtime.manager.reconcileInstances(members.keys(), {
          ...options,
          memberships: members,
        });
        if (result) results.push(result);
      },
    }));
  return { jobs, failures: [] };
}

/** The changed instances of each pool (each membership narrowed to that pool), with their messages. */
function groupByPool(
  stateChanges: ReadonlyMap<string, readonly string[]>,
  memberships: ReadonlyMap<string, InstanceMembership>,
  runtime: HandlerRuntime,
): Map<string, { members: Map<string, InstanceMembership>; messageIds: string[] }> {
  const byPool = new Map<string, { members: Map<string, InstanceMembership>; messageIds: string[] }>();
  for (const [instanceId, messageIds] of stateChanges) {
    const membership = memberships.get(instanceId);
    if (membership === undefined || membership.pools.length === 0) {
      runtime.logger.info('instance is in no pool; nothing to do', { instanceId, messageIds });
      continue;
    }
    for (const pool of membership.pools) {
      const entry = byPool.get(pool) ?? { members: new Map<string, InstanceMembership>(), messageIds: [] };
      byPool.set(pool, entry);
      entry.members.set(instanceId, { ...membership, pools: [pool] });
      entry.messageIds.push(...messageIds);
    }
  }
  return byPool;
}

/** One job per lifecycle action of the batch; another owner's, or any with lifecycle hooks off, is only acknowledged. */
export function lifecycleJobs(
  batch: SortedBatch,
  runtime: HandlerRuntime,
  signal: AbortSignal | undefined,
): Job[] {
  return [...batch.lifecycleActions].map(([key, { trigger, messageIds }]) => ({
    key,
    messageIds,
    run: async () => {
      const lifecycle = lifecycleHandlerFor(trigger, runtime);
      if (lifecycle === undefined) {
        unhandledLifecycleAction(trigger, runtime);
        return;
      }
      await lifecycle.handle(trigger, signal);
    },
  }));
}
