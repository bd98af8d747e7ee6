import { AttachNetworkInterfaceCommand, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { callsSince, firstCallFloor, markCalls } from '../economy/calls';
import { HoldingSampler, sampleHolding } from '../economy/holding-sampler';
import { POOL_TAG } from '../economy/worlds';
import { poolWorld, startSim } from './helpers';

describe('firstCallFloor', () => {
  it('is what the simulator throttles of first reads sent together, beyond the describe bucket', async () => {
    const { sim, client } = await startSim({ throttling: true });
    const { instances } = await poolWorld(sim, { interfaces: 0, instances: 1 });
    const ec2 = client({ maxAttempts: 1 });
    const before = markCalls(sim);
    const startedAt = performance.now();
    // 150 workers' first read of their instance, at once.
    await Promise.all(
      Array.from({ length: 150 }, () =>
        ec2
          .send(
            new DescribeInstancesCommand({
              Filters: [{ Name: 'instance-id', Values: [instances[0]!] }],
              MaxResults: 1000,
            }),
          )
          .catch(() => undefined),
      ),
    );
    // Tokens that refilled while the requests went out (20 a second) are the only ones beyond the bucket.
    const refilled = Math.ceil((20 * (performance.now() - startedAt)) / 1000);

    expect(firstCallFloor(150)).toBe(50);
    expect(firstCallFloor(30)).toBe(0);
    const { throttled } = callsSince(sim, before);
    expect(throttled).toBeLessThanOrEqual(firstCallFloor(150));
    expect(throttled).toBeGreaterThanOrEqual(firstCallFloor(150) - refilled);
  });
});

describe('callsSince', () => {
  it('splits describes, their follow-up pages and mutating calls, counting throttled answers', async () => {
    const { sim, client } = await startSim({
      throttling: { buckets: { AttachNetworkInterface: { capacity: 1, refillPerSecond: 0.001 } } },
    });
    const { instances, interfaces } = await poolWorld(sim, { interfaces: 2, instances: 12 });
    const ec2 = client({ maxAttempts: 1 });
    const before = markCalls(sim);

    let token: string | undefined;
    do {
      const page = await ec2.send(
        new DescribeInstancesCommand({
          Filters: [{ Name: `tag:${POOL_TAG}`, Values: ['web'] }],
          MaxResults: 5,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      token = page.NextToken;
    } while (token);
    for (const [i, eni] of interfaces.entries()) {
      await ec2
        .send(
          new AttachNetworkInterfaceCommand({
            NetworkInterfaceId: eni,
            InstanceId: instances[i]!,
            DeviceIndex: 1,
          }),
        )
        .catch(() => undefined);
    }

    expect(callsSince(sim, before)).toEqual({
      describes: 3,
      pages: 2,
      mutating: 2,
      attaches: 2,
      throttled: 1,
      total: 5,
    });
  });

  it('reports pages as unknown once the bounded log has dropped calls since the mark', async () => {
    const { sim, client } = await startSim();
    await poolWorld(sim, { interfaces: 0, instances: 1 });
    const mark = { ...markCalls(sim), logTotal: sim.calls.total - 1 };
    await client().send(new DescribeInstancesCommand({}));
    expect(callsSince(sim, mark).pages).toBeUndefined();
  });
});

describe('HoldingSampler', () => {
  it('sees an instance holding two pool interfaces, and counts only single attached holders as served', async () => {
    const { sim } = await startSim({ delays: { attachMs: 0 } });
    const { instances, interfaces } = await poolWorld(sim, { interfaces: 3, instances: 2 });
    const [a, b] = instances as [string, string];
    const members = new Set(instances);
    expect(sampleHolding(sim, 'web', members, POOL_TAG)).toEqual({ served: 0, doubleHolders: [] });

    sim.ec2.attachNetworkInterface({ networkInterfaceId: interfaces[0]!, instanceId: a, deviceIndex: 1 });
    sim.ec2.attachNetworkInterface({ networkInterfaceId: interfaces[1]!, instanceId: a, deviceIndex: 2 });
    // Still attaching: held (so a double), not yet served.
    expect(sampleHolding(sim, 'web', members, POOL_TAG)).toEqual({ served: 0, doubleHolders: [a] });
    sim.ec2.attachNetworkInterface({ networkInterfaceId: interfaces[2]!, instanceId: b, deviceIndex: 1 });
    await sim.world.waitForSettled();
    expect(sampleHolding(sim, 'web', members, POOL_TAG)).toEqual({ served: 1, doubleHolders: [a] });
  });

  it('remembers every double-holder it saw and when all members were first served', async () => {
    const { sim } = await startSim({ delays: { attachMs: 0, detachMs: 0 } });
    const { instances, interfaces } = await poolWorld(sim, { interfaces: 2, instances: 1 });
    const [a] = instances as [string];
    let now = 1_000;
    const sampler = new HoldingSampler(sim, {
      pool: 'web',
      tagKey: POOL_TAG,
      members: [a],
      intervalMs: 60_000,
      now: () => now,
    });
    sampler.start();
    const first = sim.ec2.attachNetworkInterface({
      networkInterfaceId: interfaces[0]!,
      instanceId: a,
      deviceIndex: 1,
    });
    sim.ec2.attachNetworkInterface({ networkInterfaceId: interfaces[1]!, instanceId: a, deviceIndex: 2 });
    await sim.world.waitForSettled();
    now = 1_500;
    expect(sampler.sample().doubleHolders).toEqual([a]);
    sim.ec2.detachNetworkInterface(first.attachmentId);
    await sim.world.waitForSettled();
    now = 2_250;
    const served = sampler.allServed(1_000);
    sampler.sample();
    await expect(served).resolves.toBe(true);

    expect(sampler.stop()).toEqual({
      samples: 4,
      doubleHolders: 1,
      maxDoubleAtOnce: 1,
      maxServed: 1,
      allServedAfterMs: 1_250,
    });
  });

  it('resolves allServed with false at its bound when members stay unserved', async () => {
    const { sim } = await startSim();
    const { instances } = await poolWorld(sim, { interfaces: 1, instances: 1 });
    const sampler = new HoldingSampler(sim, {
      pool: 'web',
      tagKey: POOL_TAG,
      members: instances,
      intervalMs: 10,
    });
    sampler.start();
    await expect(sampler.allServed(50)).resolves.toBe(false);
    expect(sampler.stop()).toMatchObject({ doubleHolders: 0, maxServed: 0, allServedAfterMs: undefined });
  });
});
