import type { LifecycleActionTrigger, PoolScope, ReconcileResult } from '@eni-pool/core';
import { silentLogger } from '@eni-pool/core';
import { describe, expect, it } from 'vitest';
import { filterLifecycle, scopeManager } from '../../src/runtime';

function action(overrides: Partial<LifecycleActionTrigger> = {}): LifecycleActionTrigger {
  return {
    kind: 'lifecycle-action',
    instanceId: 'i-0123456789abcdef0',
    autoScalingGroupName: 'web-asg',
    lifecycleHookName: 'eni-pool-launch',
    transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
    source: 'notification',
    from: {},
    ...overrides,
  } as LifecycleActionTrigger;
}

/** An EC2 port that answers describes with fixed instances and no interfaces, and counts the calls. */
function fakePort(pools: Record<string, string>) {
  const calls: string[] = [];
  return {
    calls,
    port: {
      describeInstances: async () => {
        calls.push('DescribeInstances');
        return {
          instances: Object.entries(pools).map(([instanceId, pool]) => ({
            instanceId,
            tags: { 'network-interface-manager-pool': pool },
          })),
        };
      },
      describeNetworkInterfaces: async () => {
        calls.push('DescribeNetworkInterfaces');
        return { interfaces: [] };
      },
    } as never,
  };
}

describe('filterLifecycle', () => {
  it("hands on only actions of eni-pool's hooks, with no AWS call for the others", async () => {
    const handled: string[] = [];
    const { port, calls } = fakePort({});
    const filtered = filterLifecycle(
      { handle: async (trigger) => handled.push(trigger.lifecycleHookName) },
      {
        prefix: 'eni-pool',
        pools: [],
        poolTagKey: 'network-interface-manager-pool',
        ec2Port: () => port,
        logger: silentLogger,
      },
    );
    await filtered.handle(action({ lifecycleHookName: 'eni-pool-launch' }));
    await expect(filtered.handle(action({ lifecycleHookName: 'drain-connections' }))).resolves.toMatchObject({
      reason: 'foreign-hook',
    });
    expect(handled).toEqual(['eni-pool-launch']);
    expect(calls).toEqual([]);
  });

  it('with pools configured, ignores an action of an instance in another pool', async () => {
    const handled: string[] = [];
    const { port } = fakePort({ 'i-0123456789abcdef0': 'db' });
    const filtered = filterLifecycle(
      { handle: async (trigger) => handled.push(trigger.instanceId) },
      {
        prefix: 'eni-pool',
        pools: ['web'],
        poolTagKey: 'network-interface-manager-pool',
        ec2Port: () => port,
        logger: silentLogger,
      },
    );
    await expect(filtered.handle(action())).resolves.toMatchObject({ reason: 'pool-not-served' });
    expect(handled).toEqual([]);
  });
});

describe('scopeManager', () => {
  it('narrows every reconcile to the configured pools and skips one that names none of them', async () => {
    const scopes: PoolScope[] = [];
    const manager = {
      reconcile: async (scope: PoolScope) => {
        scopes.push(scope);
        return { scope } as ReconcileResult;
      },
      handle: async () => ({}) as never,
    };
    const scoped = scopeManager(manager, ['web']);
    await scoped.reconcile({ kind: 'all' });
    await scoped.reconcile({ kind: 'pools', pools: ['web', 'db'] });
    const skipped = await scoped.reconcile({ kind: 'pools', pools: ['db'] });
    expect(scopes).toEqual([
      { kind: 'pools', pools: ['web'] },
      { kind: 'pools', pools: ['web'] },
    ]);
    expect(skipped).toMatchObject({ rounds: 0, converged: true, outcomes: [] });
    expect(scopeManager(manager, [])).toBe(manager);
  });
});
