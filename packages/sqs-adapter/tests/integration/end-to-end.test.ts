import { afterEach, describe, expect, it } from 'vitest';
import { GROUP_NAME, POOL, QUEUE, SqsHarness } from '../helpers/sim-harness';

let harness: SqsHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('the SQS event source on the simulator', { timeout: 60_000 }, () => {
  it('keeps the pool right through launches and replacements, completing hooks only once the interface is attached or gone', async () => {
    harness = await SqsHarness.start({ subnets: 2, perSubnet: 2 });
    const h = harness;
    const source = h.source();
    const settled: string[] = [];
    source.on('message_settled', ({ result }) => settled.push(result));
    source.start();

    h.createGroup({ desiredCapacity: 2 });
    await h.settled(2);
    for (let round = 0; round < 3; round++) {
      for (const instanceId of h.inService().slice(0, 1))
        h.sim.autoscaling.terminateInstanceInGroup(instanceId, false);
      await h.settled(2);
    }

    const launches = h.completions().filter((c) => c.transition === 'autoscaling:EC2_INSTANCE_LAUNCHING');
    expect(launches).toHaveLength(5);
    for (const launch of launches) {
      expect(launch).toMatchObject({ result: 'CONTINUE', how: 'api', groupName: GROUP_NAME });
      expect(launch.poolAttachments.some((a) => a.status === 'attached')).toBe(true);
    }
    const terminations = h
      .completions()
      .filter((c) => c.transition === 'autoscaling:EC2_INSTANCE_TERMINATING');
    expect(terminations).toHaveLength(3);
    for (const termination of terminations) {
      expect(termination).toMatchObject({ result: 'CONTINUE', how: 'api' });
      expect(termination.poolAttachments).toEqual([]);
    }
    for (const instanceId of h.inService()) {
      expect(h.poolAttachments(instanceId)).toEqual([expect.objectContaining({ status: 'attached' })]);
    }
    expect(h.sim.world.invariants()).toEqual([]);
    expect(h.sim.sqs.messages(QUEUE)).toEqual([]);
    expect(settled.length).toBeGreaterThan(0);
    expect(settled.every((result) => result === 'handled')).toBe(true);
    const metrics = await source.metrics.text();
    expect(metrics).toMatch(
      new RegExp(`eni_pool_actions_total\\{pool="${POOL}",action="attach",outcome="succeeded"\\} [1-9]`),
    );
    expect(metrics).toMatch(/eni_pool_messages_total\{result="handled"\} [1-9]/);
  });
});
