import { randomUUID } from 'node:crypto';
import { autoScalingErrors } from '@eni-pool/aws-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { GROUP_NAME, HOOK_TIMEOUT_MS, launchHook, SimHarness, terminateHook } from '../helpers/sim-harness';

let harness: SimHarness | undefined;

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const LAUNCHING = 'autoscaling:EC2_INSTANCE_LAUNCHING';

describe('lifecycle hooks on the simulator: waiting for a free interface', () => {
  it('heartbeats while the pool is short, then abandons the extra instance itself', async () => {
    // The budget is twice the hook's HeartbeatTimeout: only heartbeats keep the action alive that long.
    harness = await SimHarness.start({
      subnets: 1,
      perSubnet: 1,
      handler: { launchBudgetMs: 2 * HOOK_TIMEOUT_MS },
    });
    const h = harness;
    h.createGroup({ desiredCapacity: 1 });
    await h.settled(1);
    const [holder] = h.inService();

    h.sim.autoscaling.setDesiredCapacity(GROUP_NAME, 2);
    await h.sim.world.waitFor(
      'the extra instance to be abandoned',
      () => h.completions().some((c) => c.instanceId !== holder && c.result === 'ABANDON'),
      { timeoutMs: 4 * HOOK_TIMEOUT_MS },
    );
    const abandoned = h.completions().find((c) => c.instanceId !== holder && c.result === 'ABANDON')!;
    // Stop the group from replacing the abandoned instance over and over.
    h.sim.autoscaling.setDesiredCapacity(GROUP_NAME, 1);
    await h.settled(1);

    expect(abandoned).toMatchObject({ transition: LAUNCHING, how: 'api', poolAttachments: [] });
    expect(h.sim.calls.count('RecordLifecycleActionHeartbeat', 'ok')).toBeGreaterThanOrEqual(1);
    const outcome = h.outcomes.find((o) => o.kind === 'launch' && o.instanceId === abandoned.instanceId);
    expect(outcome).toMatchObject({
      status: 'completed',
      result: 'ABANDON',
      reason: 'budget-exhausted',
      unsatisfied: { reason: 'pool-exhausted', instanceId: abandoned.instanceId },
    });
    expect(outcome!.heartbeats).toBeGreaterThanOrEqual(1);
    expect(h.inService()).toEqual([holder]);
    expect(h.poolAttachments(holder!)).toEqual([expect.objectContaining({ status: 'attached' })]);
  }, 30_000);

  it('gives the waiting instance the interface that frees up within its budget', async () => {
    // A budget with room for a loaded machine: the hand-over must happen within it, however long it is.
    harness = await SimHarness.start({ subnets: 1, perSubnet: 1, handler: { launchBudgetMs: 10_000 } });
    const h = harness;
    h.createGroup({ desiredCapacity: 1 });
    await h.settled(1);
    const [holder] = h.inService();
    const [eni] = h.poolAttachments(holder!);

    h.sim.autoscaling.setDesiredCapacity(GROUP_NAME, 2);
    await h.sim.world.waitFor(
      'the waiting instance to send a heartbeat',
      () => h.sim.calls.count('RecordLifecycleActionHeartbeat', 'ok') >= 1,
      { timeoutMs: HOOK_TIMEOUT_MS },
    );
    h.sim.autoscaling.terminateInstanceInGroup(holder!, true);
    await h.settled(1);

    const [waiter] = h.inService();
    expect(waiter).not.toBe(holder);
    const launch = h.completions().find((c) => c.instanceId === waiter && c.transition === LAUNCHING);
    expect(launch).toMatchObject({
      result: 'CONTINUE',
      how: 'api',
      poolAttachments: [{ networkInterfaceId: eni!.networkInterfaceId, status: 'attached' }],
    });
    const outcome = h.outcomes.find((o) => o.kind === 'launch' && o.instanceId === waiter);
    expect(outcome!.heartbeats).toBeGreaterThanOrEqual(1);
    expect(h.handlerErrors).toEqual([]);
  }, 30_000);
});

describe('lifecycle hooks on the simulator: warm pools', () => {
  it('skips the interface going into the warm pool and attaches it on the way into the group', async () => {
    harness = await SimHarness.start({ subnets: 1, perSubnet: 1 });
    const h = harness;
    h.createGroup({ desiredCapacity: 0 });
    h.sim.autoscaling.putWarmPool(GROUP_NAME, {
      minSize: 1,
      maxGroupPreparedCapacity: 1,
      poolState: 'Stopped',
    });
    await h.sim.world.waitFor(
      'a stopped warm instance',
      () =>
        h.sim.autoscaling
          .describeGroup(GROUP_NAME)
          ?.warmInstances.some((i) => i.lifecycleState === 'Warmed:Stopped') ?? false,
      { timeoutMs: 5000 },
    );
    const warm = h.sim.autoscaling.describeGroup(GROUP_NAME)!.warmInstances[0]!.instanceId;

    h.sim.autoscaling.setDesiredCapacity(GROUP_NAME, 1);
    await h.sim.world.waitFor(
      'the warm instance in service, both of its actions handled',
      () => h.inService().includes(warm) && h.outcomes.filter((o) => o.instanceId === warm).length === 2,
      { timeoutMs: 5000 },
    );

    const firings = h.completions().filter((c) => c.instanceId === warm);
    expect(firings.map((c) => [c.origin, c.destination, c.result, c.how])).toEqual([
      ['EC2', 'WarmPool', 'CONTINUE', 'api'],
      ['WarmPool', 'AutoScalingGroup', 'CONTINUE', 'api'],
    ]);
    expect(firings[0]!.poolAttachments).toEqual([]);
    expect(firings[1]!.poolAttachments).toEqual([expect.objectContaining({ status: 'attached' })]);
    expect(h.outcomes.filter((o) => o.instanceId === warm).map((o) => o.reason)).toEqual([
      'warm-pool',
      'interface-attached',
    ]);
  }, 30_000);
});

describe('lifecycle hooks on the simulator: delivery', () => {
  it('stays correct when every lifecycle event is delivered twice', async () => {
    harness = await SimHarness.start({ subnets: 2, perSubnet: 1, sim: { events: { duplicate: 1 } } });
    const h = harness;
    h.createGroup({ desiredCapacity: 2 });
    await h.settled(2);
    for (let round = 0; round < 3; round++) {
      for (const instanceId of h.inService()) h.sim.autoscaling.terminateInstanceInGroup(instanceId, false);
      await h.settled(2);
    }

    const launches = h.completions().filter((c) => c.transition === LAUNCHING);
    expect(launches).toHaveLength(8);
    expect(
      launches.every(
        (c) => c.result === 'CONTINUE' && c.poolAttachments.some((a) => a.status === 'attached'),
      ),
    ).toBe(true);
    expect(h.sim.events.delivered.filter((d) => d.duplicate).length).toBeGreaterThanOrEqual(14);
    expect(h.outcomes.filter((o) => o.status === 'already-over').length).toBeGreaterThanOrEqual(1);
    expect(h.handlerErrors).toEqual([]);
    expect(h.sim.world.invariants()).toEqual([]);
  }, 30_000);

  it('treats a late redelivery and an expired action as already over', async () => {
    harness = await SimHarness.start({ subnets: 1, perSubnet: 1 });
    const h = harness;
    h.createGroup({ desiredCapacity: 1 });
    await h.settled(1);
    const [instance] = h.inService();
    const original = h.sim.events.published.find(
      (e) => e.source === 'aws.autoscaling' && e.detail.EC2InstanceId === instance,
    )!;
    const completeCalls = h.sim.calls.count('CompleteLifecycleAction');

    await h.deliver(original);
    await h.deliver({ ...original, detail: { ...original.detail, LifecycleActionToken: randomUUID() } });

    expect(h.outcomes.slice(-2)).toEqual([
      expect.objectContaining({ status: 'already-over', result: 'CONTINUE', reason: 'interface-attached' }),
      expect.objectContaining({ status: 'already-over', result: 'CONTINUE' }),
    ]);
    // One attempt each: "No active Lifecycle Action found" is never retried.
    expect(h.sim.calls.count('CompleteLifecycleAction', 'ValidationError')).toBe(2);
    expect(h.sim.calls.count('CompleteLifecycleAction')).toBe(completeCalls + 2);
    expect(h.handlerErrors).toEqual([]);
  }, 30_000);

  it('retries a throttled completion with its own budgeted backoff', async () => {
    harness = await SimHarness.start({ subnets: 1, perSubnet: 1, sdkMaxAttempts: 1 });
    const h = harness;
    h.sim.autoscaling.injectError('CompleteLifecycleAction', autoScalingErrors.throttling(), 3);
    h.createGroup({ desiredCapacity: 1 });
    await h.settled(1);

    expect(h.sim.calls.count('CompleteLifecycleAction', 'Throttling')).toBe(3);
    expect(h.sim.calls.count('CompleteLifecycleAction', 'ok')).toBe(1);
    expect(h.completions()).toEqual([
      expect.objectContaining({
        result: 'CONTINUE',
        how: 'api',
        poolAttachments: [expect.objectContaining({ status: 'attached' })],
      }),
    ]);
    expect(h.handlerErrors).toEqual([]);
  }, 30_000);

  it('continues the instances of an untagged group at once, without touching EC2', async () => {
    harness = await SimHarness.start({ subnets: 1, perSubnet: 1 });
    const h = harness;
    h.createGroup({ name: 'plain-asg', tags: [], desiredCapacity: 1 });
    await h.settled(1, 'plain-asg');
    const [instance] = h.inService('plain-asg');
    h.sim.autoscaling.terminateInstanceInGroup(instance!, true);
    await h.settled(0, 'plain-asg');

    expect(h.outcomes.map((o) => [o.kind, o.result, o.reason])).toEqual([
      ['launch', 'CONTINUE', 'unmanaged'],
      ['terminate', 'CONTINUE', 'unmanaged'],
    ]);
    expect(h.completions().map((c) => c.how)).toEqual(['api', 'api']);
    expect(h.sim.calls.count('AttachNetworkInterface')).toBe(0);
    expect(h.sim.calls.count('DetachNetworkInterface')).toBe(0);
    expect(h.sim.calls.count('RecordLifecycleActionHeartbeat')).toBe(0);
  }, 30_000);

  it('works from a hook notification queue and drops its test notification', async () => {
    harness = await SimHarness.start({ subnets: 1, perSubnet: 1, subscribe: false });
    const h = harness;
    const queue = h.sim.sqs.createQueue('eni-pool-lifecycle');
    const target = { notificationTargetArn: queue.arn, roleArn: 'arn:aws:iam::123456789012:role/hooks' };
    h.createGroup({ desiredCapacity: 1, lifecycleHooks: [launchHook(target), terminateHook(target)] });
    // A small consumer: every message body of the queue, once, in order.
    const seen = new Set<string>();
    let consuming = true;
    const consumer = (async () => {
      while (consuming) {
        for (const message of h.sim.sqs.messages(queue.url)) {
          if (seen.has(message.messageId)) continue;
          seen.add(message.messageId);
          void h.deliver(message.body).catch(() => {});
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await h.settled(1);
    const [instance] = h.inService();
    h.sim.autoscaling.terminateInstanceInGroup(instance!, false);
    await h.settled(1);
    consuming = false;
    await consumer;

    const kinds = h.outcomes.map((o) => [o.kind, o.reason]);
    expect(kinds).toContainEqual(['test-notification', 'test-notification']);
    expect(kinds.filter(([kind]) => kind === 'launch')).toEqual([
      ['launch', 'interface-attached'],
      ['launch', 'interface-attached'],
    ]);
    expect(kinds).toContainEqual(['terminate', 'interface-released']);
    expect(h.completions().every((c) => c.result === 'CONTINUE' && c.how === 'api')).toBe(true);
    expect(h.handlerErrors).toEqual([]);
  }, 30_000);
});
