import {
  CompleteLifecycleActionCommand,
  CreateAutoScalingGroupCommand,
  DeleteWarmPoolCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeWarmPoolCommand,
  PutLifecycleHookCommand,
  PutWarmPoolCommand,
  SetDesiredCapacityCommand,
} from '@aws-sdk/client-auto-scaling';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventBridgeEvent } from '../../src/contracts';
import { type AutoScalingHarness, startAutoScalingHarness, waitFor } from '../helpers/autoscaling-harness';

const LAUNCHING = 'autoscaling:EC2_INSTANCE_LAUNCHING';

async function createPooledGroup(h: AutoScalingHarness, poolState: 'Stopped' | 'Running', withHook = true) {
  await h.client.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'web',
      MinSize: 0,
      MaxSize: 1,
      DesiredCapacity: 0,
      VPCZoneIdentifier: 'subnet-a',
      LaunchTemplate: { LaunchTemplateName: 'web' },
    }),
  );
  if (withHook) {
    await h.client.send(
      new PutLifecycleHookCommand({
        AutoScalingGroupName: 'web',
        LifecycleHookName: 'attach-eni',
        LifecycleTransition: LAUNCHING,
        HeartbeatTimeout: 300,
      }),
    );
  }
  await h.client.send(
    new PutWarmPoolCommand({ AutoScalingGroupName: 'web', MinSize: 1, PoolState: poolState }),
  );
}

function continueAction(h: AutoScalingHarness, event: EventBridgeEvent) {
  return h.client.send(
    new CompleteLifecycleActionCommand({
      AutoScalingGroupName: 'web',
      LifecycleHookName: 'attach-eni',
      LifecycleActionToken: String(event.detail.LifecycleActionToken),
      LifecycleActionResult: 'CONTINUE',
    }),
  );
}

/** Lifecycle-action events only (Auto Scaling also reports launch/terminate activities). */
function actions(h: AutoScalingHarness): EventBridgeEvent[] {
  return h.events.published.filter((e) => e['detail-type'] === 'EC2 Instance-launch Lifecycle Action');
}

async function stateOf(h: AutoScalingHarness, instanceId: string) {
  const out = await h.client.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }));
  return out.AutoScalingInstances?.[0]?.LifecycleState;
}

describe('AutoScalingModel warm pools over the awsQuery wire', () => {
  let h: AutoScalingHarness;
  beforeEach(async () => {
    h = await startAutoScalingHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('fires the launch hook into the pool, stops the instance, and fires it again when it enters the group', async () => {
    await createPooledGroup(h, 'Stopped');

    const intoPool = await waitFor(() => actions(h)[0], 'the warm-pool launch event');
    const instanceId = String(intoPool.detail.EC2InstanceId);
    expect(intoPool.detail).toMatchObject({
      Origin: 'EC2',
      Destination: 'WarmPool',
      LifecycleTransition: LAUNCHING,
    });
    expect(await stateOf(h, instanceId)).toBe('Warmed:Pending:Wait');

    await continueAction(h, intoPool);
    await waitFor(async () => (await stateOf(h, instanceId)) === 'Warmed:Stopped', 'Warmed:Stopped');
    expect(h.fleet.instanceState(instanceId)).toBe('stopped');
    const pool = await h.client.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: 'web' }));
    expect(pool.WarmPoolConfiguration).toMatchObject({ MinSize: 1, PoolState: 'Stopped' });
    expect(pool.Instances?.map((i) => [i.InstanceId, i.LifecycleState])).toEqual([
      [instanceId, 'Warmed:Stopped'],
    ]);
    const beforeScaleOut = await h.client.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] }),
    );
    expect(beforeScaleOut.AutoScalingGroups?.[0]).toMatchObject({ Instances: [], WarmPoolSize: 1 });

    await h.client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 1 }));

    const intoGroup = await waitFor(
      () => actions(h).find((e) => e.detail.Origin === 'WarmPool'),
      'the launch event out of the pool',
    );
    expect(intoGroup.detail).toMatchObject({ EC2InstanceId: instanceId, Destination: 'AutoScalingGroup' });
    expect(intoGroup.detail.LifecycleActionToken).not.toBe(intoPool.detail.LifecycleActionToken);
    expect(await stateOf(h, instanceId)).toBe('Pending:Wait');
    await waitFor(() => h.fleet.instanceState(instanceId) === 'running', 'the instance started again');

    await continueAction(h, intoGroup);
    expect(await stateOf(h, instanceId)).toBe('InService');
    expect(h.model.completions.map((c) => [c.instanceId, c.origin, c.destination, c.how])).toEqual([
      [instanceId, 'EC2', 'WarmPool', 'api'],
      [instanceId, 'WarmPool', 'AutoScalingGroup', 'api'],
    ]);
    // The pool is refilled to MinSize with a new instance.
    const refill = await waitFor(() => actions(h)[2], 'the refill launch event');
    expect(refill.detail).toMatchObject({ Origin: 'EC2', Destination: 'WarmPool' });
    expect(refill.detail.EC2InstanceId).not.toBe(instanceId);
  });

  it('keeps instances running in a Running pool and launches straight into it without hooks', async () => {
    await createPooledGroup(h, 'Running', false);

    const [warm] = await waitFor(() => {
      const view = h.model.describeGroup('web');
      return view?.warmInstances[0]?.lifecycleState === 'Warmed:Running' && view.warmInstances;
    }, 'Warmed:Running');
    expect(h.fleet.instanceState(warm?.instanceId ?? '')).toBe('running');

    h.model.setDesiredCapacity('web', 1);

    await waitFor(
      () => h.model.describeInstance(warm?.instanceId ?? '')?.lifecycleState === 'InService',
      'InService',
    );
    expect(actions(h)).toEqual([]);
    expect(
      h.events.published.map((e) => [
        e['detail-type'],
        e.detail.EC2InstanceId,
        e.detail.Origin,
        e.detail.Destination,
      ]),
    ).toEqual([
      ['EC2 Instance Launch Successful', warm?.instanceId, 'EC2', 'WarmPool'],
      ['EC2 Instance Launch Successful', warm?.instanceId, 'WarmPool', 'AutoScalingGroup'],
    ]);
  });

  it('launches straight into the group when the pool is empty', async () => {
    await createPooledGroup(h, 'Stopped');
    await h.client.send(new DeleteWarmPoolCommand({ AutoScalingGroupName: 'web' }));
    const pooled = String(actions(h)[0]?.detail.EC2InstanceId);

    await h.client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 1 }));

    await waitFor(() => h.fleet.instanceState(pooled) === 'terminated', 'the pool instance terminated');
    const launched = actions(h)[1];
    expect(launched?.detail.EC2InstanceId).not.toBe(pooled);
    // Without a warm pool the event carries no Origin/Destination.
    expect(launched?.detail).not.toHaveProperty('Origin');
  });
});
