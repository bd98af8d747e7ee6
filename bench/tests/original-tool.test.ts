import type { AwsSim } from '@eni-pool/aws-sim';
import { instanceStateChangeEvent } from '@eni-pool/core/testing';
import { describe, expect, it } from 'vitest';
import {
  OriginalTool,
  OriginalToolWaitBoundError,
  originalToolClientConfig,
} from '../baseline/original-tool';
import { callsSince, markCalls } from '../economy/calls';
import { poolInterfacesOf, poolWorld, startSim } from './helpers';

/**
 * The tool's sleep between polls, made deterministic: the first `early` sleeps return at once (the
 * attach or detach is still under way, since the simulated transition takes a second); every later one
 * returns once the simulator has settled. So a wait makes exactly `early + 1` polls, as the original does
 * with 1 s polls against a transition of `early + 1` seconds.
 */
function pollClock(sim: AwsSim, early: number) {
  let sleeps = 0;
  return {
    sleep: async () => {
      sleeps++;
      if (sleeps > early) await sim.world.waitForSettled({ timeoutMs: 10_000, intervalMs: 5 });
    },
    get sleeps() {
      return sleeps;
    },
    reset() {
      sleeps = 0;
    },
  };
}

const byAction = (sim: AwsSim) => ({
  DescribeInstances: sim.calls.count('DescribeInstances'),
  DescribeNetworkInterfaces: sim.calls.count('DescribeNetworkInterfaces'),
  AttachNetworkInterface: sim.calls.count('AttachNetworkInterface'),
  DetachNetworkInterface: sim.calls.count('DetachNetworkInterface'),
});

describe('OriginalTool', () => {
  it('answers a running event with 5 calls when the attach takes two polls: describe, filtered describe, attach, 2 polls', async () => {
    const { sim, client } = await startSim({ delays: { attachMs: 1_000 } });
    const { instances, interfaces } = await poolWorld(sim, { interfaces: 2, instances: 1 });
    const clock = pollClock(sim, 1);
    const tool = new OriginalTool({ ec2: client(originalToolClientConfig()), sleep: clock.sleep });
    sim.calls.reset();

    await tool.handle(instanceStateChangeEvent({ instanceId: instances[0]!, state: 'running' }));

    expect(byAction(sim)).toEqual({
      DescribeInstances: 1,
      DescribeNetworkInterfaces: 3,
      AttachNetworkInterface: 1,
      DetachNetworkInterface: 0,
    });
    expect(sim.calls.total).toBe(5);
    expect(clock.sleeps).toBe(2);
    // The first free interface the filtered describe returned, at device index 1 (one interface held).
    expect(poolInterfacesOf(sim, instances[0]!)).toEqual([interfaces[0]]);
    expect(
      sim.world
        .attachmentsOf(instances[0]!)
        .map((a) => a.deviceIndex)
        .sort(),
    ).toEqual([0, 1]);
    const filtered = sim.calls.log.find((c) => c.action === 'DescribeNetworkInterfaces')!;
    expect(filtered.params).toContain('status');
    expect(filtered.params).toContain('subnet-id');
  });

  it('attaches a second interface on a duplicate running event, as the original does not check', async () => {
    const { sim, client } = await startSim({ delays: { attachMs: 1_000 } });
    const { instances } = await poolWorld(sim, { interfaces: 2, instances: 1 });
    const clock = pollClock(sim, 0);
    const tool = new OriginalTool({ ec2: client(originalToolClientConfig()), sleep: clock.sleep });
    await tool.handle(instanceStateChangeEvent({ instanceId: instances[0]!, state: 'running' }));
    const mark = markCalls(sim);

    await tool.handle(instanceStateChangeEvent({ instanceId: instances[0]!, state: 'running' }));

    expect(callsSince(sim, mark)).toMatchObject({ describes: 3, mutating: 1, attaches: 1, total: 4 });
    expect(poolInterfacesOf(sim, instances[0]!)).toHaveLength(2);
    expect(
      sim.world
        .attachmentsOf(instances[0]!)
        .map((a) => a.deviceIndex)
        .sort(),
    ).toEqual([0, 1, 2]);
  });

  it('on shutting-down detaches, waits, then attaches the freed interface to the member that has none', async () => {
    const { sim, client } = await startSim({
      delays: { attachMs: 1_000, detachMs: 1_000, terminateMs: 60_000 },
    });
    const { instances, interfaces } = await poolWorld(sim, { interfaces: 1, instances: 2 });
    const [leaving, successor] = instances as [string, string];
    const clock = pollClock(sim, 0);
    const tool = new OriginalTool({ ec2: client(originalToolClientConfig()), sleep: clock.sleep });
    await tool.handle(instanceStateChangeEvent({ instanceId: leaving, state: 'running' }));
    sim.world.terminateInstances([leaving]);
    sim.calls.reset();

    await tool.handle(instanceStateChangeEvent({ instanceId: leaving, state: 'shutting-down' }));

    // DescribeInstances: the event's instance, the pool's running members twice (before the detach, before
    // the attach). DescribeNetworkInterfaces: the pool twice, the detach's poll, the free ones, the attach's poll.
    expect(byAction(sim)).toEqual({
      DescribeInstances: 3,
      DescribeNetworkInterfaces: 5,
      AttachNetworkInterface: 1,
      DetachNetworkInterface: 1,
    });
    expect(poolInterfacesOf(sim, successor)).toEqual(interfaces);
  });

  it('syncs every pool found by its tag, attaching to each running member without an interface', async () => {
    const { sim, client } = await startSim();
    const { subnetIds } = sim.world.createNetwork({ azs: 1 });
    for (const name of ['a', 'b']) {
      sim.world.createPool({ name, subnets: subnetIds, perSubnet: 1 });
      sim.world.launchInstances({
        subnetId: subnetIds[0]!,
        tags: { 'network-interface-manager-pool': name },
        type: 'm5.large',
      });
    }
    await sim.world.waitForState(
      sim.world.instances().map((i) => i.instanceId),
      'running',
    );
    const tool = new OriginalTool({
      ec2: client(originalToolClientConfig()),
      sleep: pollClock(sim, 0).sleep,
    });
    expect(await tool.allPoolNames()).toEqual(['a', 'b']);

    await tool.handle({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });

    expect(sim.calls.count('AttachNetworkInterface', 'ok')).toBe(2);
    for (const instance of sim.world.instances()) {
      const pool = instance.tags['network-interface-manager-pool'];
      const held = sim.world
        .attachmentsOf(instance.instanceId)
        .filter(
          (a) => sim.world.interface(a.networkInterfaceId)?.tags['network-interface-manager-pool'] === pool,
        );
      expect(held).toHaveLength(1);
    }
  });

  it("makes botocore's 5 attempts at an attach that EC2 keeps throttling, then logs and ends the event", async () => {
    const { sim, client } = await startSim();
    const { instances } = await poolWorld(sim, { interfaces: 1, instances: 1 });
    sim.world.injectFault({ action: 'AttachNetworkInterface', code: 'RequestLimitExceeded', status: 503 });
    const lines: string[] = [];
    const tool = new OriginalTool({
      ec2: client(originalToolClientConfig()),
      sleep: pollClock(sim, 0).sleep,
      log: (level, message) => lines.push(`${level} ${message}`),
    });

    await tool.handle(instanceStateChangeEvent({ instanceId: instances[0]!, state: 'running' }));

    expect(sim.calls.count('AttachNetworkInterface')).toBe(5);
    expect(sim.calls.count('AttachNetworkInterface', 'RequestLimitExceeded')).toBe(5);
    expect(lines.filter((l) => l.startsWith('error'))).toEqual([
      expect.stringContaining('RequestLimitExceeded'),
    ]);
    expect(poolInterfacesOf(sim, instances[0]!)).toEqual([]);
  }, 30_000);

  it('gives up a status wait at its bound, where the original would poll forever', async () => {
    const { sim, client } = await startSim({ delays: { attachMs: 600_000 } });
    const { instances } = await poolWorld(sim, { interfaces: 1, instances: 1 });
    const tool = new OriginalTool({
      ec2: client(originalToolClientConfig()),
      pollIntervalMs: 1_000,
      waitBoundMs: 3_000,
      sleep: async () => {},
    });
    sim.calls.reset();

    const error = await tool
      .handle(instanceStateChangeEvent({ instanceId: instances[0]!, state: 'running' }))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OriginalToolWaitBoundError);
    // describe, filtered describe, attach, and one poll per second of the bound.
    expect(sim.calls.total).toBe(6);
  });

  it('makes no call for events it ignores, and none past the instance describe for an instance in no pool', async () => {
    const { sim, client } = await startSim();
    const { subnetIds } = sim.world.createNetwork({ azs: 1 });
    const [other, untagged] = [
      ...sim.world.launchInstances({ subnetId: subnetIds[0]!, tags: { Name: 'web-1' } }),
      ...sim.world.launchInstances({ subnetId: subnetIds[0]! }),
    ];
    await sim.world.waitForState([other!, untagged!], 'running');
    const tool = new OriginalTool({ ec2: client(originalToolClientConfig()) });
    sim.calls.reset();

    await tool.handle(instanceStateChangeEvent({ instanceId: other!, state: 'pending' }));
    await tool.handle({ source: 'aws.s3', 'detail-type': 'Object Created' });
    expect(sim.calls.total).toBe(0);
    await tool.handle(instanceStateChangeEvent({ instanceId: other!, state: 'running' }));
    expect(sim.calls.total).toBe(1);
    // The original reads instance["Tags"], which an instance without tags lacks: the invocation fails.
    await expect(
      tool.handle(instanceStateChangeEvent({ instanceId: untagged!, state: 'running' })),
    ).rejects.toThrow("KeyError: 'Tags'");
    expect(sim.calls.total).toBe(2);
  });
});
