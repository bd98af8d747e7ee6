import { afterEach, describe, expect, it } from 'vitest';
import { GROUP_NAME, SimHarness } from '../helpers/sim-harness';

let harness: SimHarness | undefined;

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('lifecycle hooks on the simulator: replacements', () => {
  it('continues every one of 50+ replacement launches only with its pool interface attached', async () => {
    harness = await SimHarness.start({ subnets: 2, perSubnet: 2 });
    const h = harness;
    h.createGroup({ desiredCapacity: 4 });
    await h.settled(4);

    const replacements = 52;
    let replaced = 0;
    while (replaced < replacements) {
      // Small batches: two instances (one per subnet when possible) leave at once, and are replaced at once.
      const batch = h.inService().slice(0, 2);
      for (const instanceId of batch) h.sim.autoscaling.terminateInstanceInGroup(instanceId, false);
      replaced += batch.length;
      await h.settled(4);
    }

    const launches = h
      .completions()
      .filter((c) => c.transition === 'autoscaling:EC2_INSTANCE_LAUNCHING' && c.groupName === GROUP_NAME);
    expect(launches.length).toBeGreaterThanOrEqual(4 + replacements);
    // 100 %: every CONTINUE was sent with a pool interface already `attached` to the instance.
    const withoutInterface = launches.filter(
      (c) =>
        !(
          c.result === 'CONTINUE' &&
          c.how === 'api' &&
          c.poolAttachments.some((a) => a.status === 'attached')
        ),
    );
    expect(withoutInterface).toEqual([]);

    const terminations = h
      .completions()
      .filter((c) => c.transition === 'autoscaling:EC2_INSTANCE_TERMINATING');
    expect(terminations).toHaveLength(replacements);
    expect(terminations.every((c) => c.result === 'CONTINUE' && c.how === 'api')).toBe(true);
    // A terminating instance let go of its interface before it continued.
    expect(terminations.filter((c) => c.poolAttachments.length > 0)).toEqual([]);

    expect(h.handlerErrors).toEqual([]);
    expect(h.sim.world.invariants()).toEqual([]);
    // Every instance in service holds exactly one interface of the pool.
    for (const instanceId of h.inService()) {
      expect(h.poolAttachments(instanceId)).toEqual([expect.objectContaining({ status: 'attached' })]);
    }
    expect(
      new Set(h.inService().flatMap((id) => h.poolAttachments(id).map((a) => a.networkInterfaceId))).size,
    ).toBe(4);
  }, 60_000);

  it("hands the predecessor's interface to its successor before the predecessor starts shutting down", async () => {
    harness = await SimHarness.start({ subnets: 1, perSubnet: 1 });
    const h = harness;
    h.createGroup({ desiredCapacity: 1 });
    await h.settled(1);
    const [predecessor] = h.inService();
    const [held] = h.poolAttachments(predecessor!);

    let successor: string | undefined;
    let successorAtShutdown: { networkInterfaceId: string; status: string }[] | undefined;
    h.sim.ec2.onInstanceStateChange((instanceId, state) => {
      if (instanceId === predecessor && state === 'shutting-down') {
        successor = h.sim.autoscaling
          .describeGroup(GROUP_NAME)
          ?.instances.find((i) => i.instanceId !== predecessor)?.instanceId;
        successorAtShutdown = successor ? h.poolAttachments(successor) : [];
      }
    });
    h.sim.autoscaling.terminateInstanceInGroup(predecessor!, false);
    await h.settled(1);

    expect(successor).toBeDefined();
    expect(h.inService()).toEqual([successor]);
    expect(successorAtShutdown).toEqual([
      { networkInterfaceId: held!.networkInterfaceId, status: 'attached' },
    ]);

    const completions = h.completions();
    const predecessorDone = completions.findIndex(
      (c) => c.instanceId === predecessor && c.transition === 'autoscaling:EC2_INSTANCE_TERMINATING',
    );
    const successorDone = completions.findIndex(
      (c) => c.instanceId === successor && c.transition === 'autoscaling:EC2_INSTANCE_LAUNCHING',
    );
    expect(completions[successorDone]).toMatchObject({
      result: 'CONTINUE',
      poolAttachments: [{ networkInterfaceId: held!.networkInterfaceId, status: 'attached' }],
    });
    expect(completions[predecessorDone]).toMatchObject({ result: 'CONTINUE', poolAttachments: [] });
    const release = h.outcomes.find((o) => o.kind === 'terminate' && o.instanceId === predecessor);
    expect(release).toMatchObject({
      reason: 'interface-released',
      networkInterfaceIds: [held!.networkInterfaceId],
    });
  }, 30_000);

  it('never gives a released interface back to a terminating instance when launches and terminations run on different workers', async () => {
    harness = await SimHarness.start({ subnets: 2, perSubnet: 1, subscribe: false });
    const h = harness;
    h.route('launch', h.createWorker({ detectTerminating: true }));
    h.route('terminate', h.createWorker({ detectTerminating: true }));
    h.createGroup({ desiredCapacity: 2 });
    await h.settled(2);

    const leftAt = new Map<string, number>();
    for (let round = 0; round < 6; round++) {
      for (const instanceId of h.inService()) {
        leftAt.set(instanceId, Date.now());
        h.sim.autoscaling.terminateInstanceInGroup(instanceId, false);
      }
      await h.settled(2);
    }

    const launches = h.completions().filter((c) => c.transition === 'autoscaling:EC2_INSTANCE_LAUNCHING');
    expect(launches).toHaveLength(14);
    expect(
      launches.every(
        (c) => c.result === 'CONTINUE' && c.poolAttachments.some((a) => a.status === 'attached'),
      ),
    ).toBe(true);
    const attachesToLeaving = h.sim.calls.log.filter(
      (call) =>
        call.action === 'AttachNetworkInterface' &&
        [...leftAt].some(
          ([instanceId, at]) => call.at >= at && call.params.includes(`InstanceId=${instanceId}`),
        ),
    );
    expect(attachesToLeaving).toEqual([]);
    expect(h.handlerErrors).toEqual([]);
  }, 30_000);
});
