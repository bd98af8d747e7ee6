import type { EventBridgeEvent } from '@eni-pool/aws-sim';
import { instanceStateChangeEvent } from '@eni-pool/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, POOL_TAG, scheduledEvent, startHarness } from '../helpers/sim-harness';

/** Generous bounds: CI runs every project at once on two cores. */
const BOUND = { timeoutMs: 20_000 };

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** Starts a harness that `afterEach` stops. */
async function start(options?: Parameters<typeof startHarness>[0]): Promise<Harness> {
  harness = await startHarness(options);
  return harness;
}

/** An Auto Scaling group of three over three subnets (zones), with one pool interface per subnet. */
async function groupOfThree(h: Harness) {
  const { subnetIds } = h.sim.world.createNetwork({ azs: 3 });
  const interfaces = h.sim.world.createPool({ name: 'web', subnets: subnetIds });
  const group = h.sim.autoscaling.createGroup({
    name: 'web',
    minSize: 3,
    maxSize: 3,
    subnetIds,
    tags: [{ key: POOL_TAG, value: 'web', propagateAtLaunch: true }],
  });
  await h.sim.world.waitFor(
    'the group to launch three instances',
    () => groupInstances(h).length === 3,
    BOUND,
  );
  const instances = groupInstances(h);
  expect(group.name).toBe('web');
  return { subnetIds, interfaces, instances };
}

/**
 * The same pool with three instances launched outside Auto Scaling: a group would replace an instance
 * that is stopped, so stop/start is what standalone pool members do.
 */
async function standaloneThree(h: Harness) {
  const { subnetIds } = h.sim.world.createNetwork({ azs: 3 });
  h.sim.world.createPool({ name: 'web', subnets: subnetIds });
  const instances = subnetIds.flatMap((subnetId) =>
    h.sim.world.launchInstances({ subnetId, tags: { [POOL_TAG]: 'web' } }),
  );
  return { subnetIds, instances };
}

function groupInstances(h: Harness): string[] {
  return h.sim.world
    .instances()
    .filter((i) => i.tags[POOL_TAG] === 'web' && i.state !== 'terminated' && i.state !== 'shutting-down')
    .map((i) => i.instanceId);
}

function addressOf(h: Harness, networkInterfaceId: string): string {
  return h.sim.world.interface(networkInterfaceId)!.privateIpAddress;
}

describe('the Lambda handler on the simulator', { timeout: 60_000 }, () => {
  it('attaches one pool interface to each of three instances in three subnets', async () => {
    const h = await start();
    const { instances } = await groupOfThree(h);
    await h.sim.world.waitForState(instances, 'running', BOUND);
    await h.settle();
    for (const instanceId of instances) expect(h.poolInterfacesOf(instanceId, 'web')).toHaveLength(1);
    expect(h.sim.world.invariants()).toEqual([]);
    expect(h.failures).toEqual([]);
  });

  it('hands a terminated instance’s interface, and its address, to the successor in the same subnet', async () => {
    const h = await start();
    const { instances } = await groupOfThree(h);
    await h.sim.world.waitForState(instances, 'running', BOUND);
    await h.settle();
    const [leaving] = instances as [string];
    const subnetId = h.sim.world.instance(leaving)!.subnetId;
    const [eni] = h.poolInterfacesOf(leaving, 'web') as [string];
    const address = addressOf(h, eni);

    // Auto Scaling replaces the instance it terminates, in the same subnet to keep the zones balanced.
    h.sim.autoscaling.terminateInstanceInGroup(leaving, false);
    await h.sim.world.waitForState([leaving], 'terminated', BOUND);
    await h.sim.world.waitFor('a successor', () => groupInstances(h).length === 3, BOUND);
    const successor = groupInstances(h).find((id) => !instances.includes(id))!;
    expect(h.sim.world.instance(successor)!.subnetId).toBe(subnetId);
    await h.sim.world.waitForState([successor], 'running', BOUND);
    await h.settle();

    expect(h.poolInterfacesOf(successor, 'web')).toEqual([eni]);
    expect(addressOf(h, eni)).toBe(address);
    expect(h.sim.world.invariants()).toEqual([]);
  });

  it('gives stopped and restarted instances their own addresses back, whichever starts first', async () => {
    const h = await start();
    const { subnetIds } = h.sim.world.createNetwork({ azs: 1 });
    h.sim.world.createPool({ name: 'web', subnets: subnetIds, perSubnet: 2 });
    const launch = async () => {
      const [id] = h.sim.world.launchInstances({ subnetId: subnetIds[0]!, tags: { [POOL_TAG]: 'web' } }) as [
        string,
      ];
      await h.sim.world.waitForState([id], 'running', BOUND);
      await h.settle();
      return id;
    };
    const first = await launch();
    const second = await launch();
    const [firstEni] = h.poolInterfacesOf(first, 'web') as [string];
    const [secondEni] = h.poolInterfacesOf(second, 'web') as [string];
    const addresses = [addressOf(h, firstEni), addressOf(h, secondEni)];
    // The premise: the first instance got the interface that comes first in the planner's stable order.
    expect([firstEni, secondEni].sort()).toEqual([firstEni, secondEni]);

    h.sim.world.stopInstances([first, second]);
    await h.sim.world.waitForState([first, second], 'stopped', BOUND);
    await h.settle();
    expect(h.sim.world.poolInterfaces('web').map((e) => e.status)).toEqual(['available', 'available']);

    // The second starts alone with both interfaces free: it still gets its own, not the first in order.
    h.sim.world.startInstances([second]);
    await h.sim.world.waitForState([second], 'running', BOUND);
    await h.settle();
    h.sim.world.startInstances([first]);
    await h.sim.world.waitForState([first], 'running', BOUND);
    await h.settle();

    expect(h.poolInterfacesOf(first, 'web')).toEqual([firstEni]);
    expect(h.poolInterfacesOf(second, 'web')).toEqual([secondEni]);
    expect([addressOf(h, firstEni), addressOf(h, secondEni)]).toEqual(addresses);
    expect(h.sim.world.invariants()).toEqual([]);
  });

  it('repairs with the scheduled sync what dropped events missed', async () => {
    const h = await start();
    h.sim.events.configure({ drop: 1 });
    const { instances } = await groupOfThree(h);
    await h.sim.world.waitForState(instances, 'running', BOUND);
    await h.settle();
    for (const instanceId of instances) expect(h.poolInterfacesOf(instanceId)).toEqual([]);
    expect(h.mutatingCalls()).toBe(0);

    const result = await h.handler(scheduledEvent());
    await h.settle();
    expect(result).toMatchObject({ status: 'reconciled', trigger: 'scheduled-sync', pools: ['web'] });
    for (const instanceId of instances) expect(h.poolInterfacesOf(instanceId, 'web')).toHaveLength(1);
    expect(h.sim.world.invariants()).toEqual([]);
  });

  it('changes nothing when events arrive again, duplicated and out of order', async () => {
    const h = await start({ seed: 7 });
    const delivered: EventBridgeEvent[] = [];
    h.sim.events.subscribe({ source: ['aws.ec2'] }, (event) => {
      delivered.push(event);
    });
    const { instances } = await standaloneThree(h);
    await h.sim.world.waitForState(instances, 'running', BOUND);
    await h.settle();
    h.sim.world.stopInstances([instances[2]!]);
    await h.sim.world.waitForState([instances[2]!], 'stopped', BOUND);
    await h.settle();
    const before = h.mutatingCalls();
    const attached = instances.map((id) => h.poolInterfacesOf(id, 'web'));
    expect(before).toBeGreaterThan(0);

    // Every event again, twice each, newest first; then through the bus with duplicates and shuffling.
    const replay = [...delivered, ...delivered].reverse();
    for (const event of replay) await h.handler(event);
    h.sim.events.configure({ duplicate: 1, reorderWindowMs: 20 });
    for (const event of [...delivered]) h.sim.events.publish(event);
    await h.settle();

    expect(h.mutatingCalls()).toBe(before);
    expect(instances.map((id) => h.poolInterfacesOf(id, 'web'))).toEqual(attached);
    expect(h.failures).toEqual([]);
  });

  it('never gives an instance two pool interfaces, or an interface two instances, under 8 concurrent invocations', async () => {
    const h = await start({ seed: 3 });
    // Only the invocations below act: the bus loses the launch events.
    h.sim.events.configure({ drop: 1 });
    const { subnetIds } = h.sim.world.createNetwork({ azs: 2 });
    h.sim.world.createPool({ name: 'api', subnets: subnetIds, perSubnet: 3 });
    const instances = subnetIds.flatMap((subnetId) =>
      h.sim.world.launchInstances({ subnetId, count: 3, tags: { [POOL_TAG]: 'api' } }),
    );
    await h.sim.world.waitForState(instances, 'running', BOUND);

    const stateChange = (instanceId: string) => instanceStateChangeEvent({ instanceId, state: 'running' });
    const invocations = [...instances.map(stateChange), scheduledEvent(), stateChange(instances[0]!)].slice(
      0,
      8,
    );
    expect(invocations).toHaveLength(8);
    const outcomes = await Promise.allSettled(invocations.map((event) => h.handler(event)));
    await h.sim.world.waitForSettled(BOUND);

    expect(h.sim.world.invariants()).toEqual([]);
    for (const instanceId of instances)
      expect(h.poolInterfacesOf(instanceId, 'api').length).toBeLessThanOrEqual(1);
    const holders = h.sim.world
      .poolInterfaces('api')
      .map((e) => e.attachment?.instanceId)
      .filter(Boolean);
    expect(new Set(holders).size).toBe(holders.length);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);

    // Convergence: one more sync leaves each of the six instances with exactly one interface.
    await h.handler(scheduledEvent());
    await h.sim.world.waitForSettled(BOUND);
    for (const instanceId of instances) expect(h.poolInterfacesOf(instanceId, 'api')).toHaveLength(1);
    expect(h.sim.world.invariants()).toEqual([]);
  });

  it('syncs every pool with filtered describes whose number does not grow with the pools', async () => {
    const h = await start();
    h.sim.events.configure({ drop: 1 });
    const { subnetIds } = h.sim.world.createNetwork({ azs: 2 });
    const describesOfOneSync = async () => {
      // Settle first, so the sync finds nothing to do and runs exactly one round.
      await h.handler(scheduledEvent());
      await h.sim.world.waitForSettled(BOUND);
      const before = h.sim.calls.log.length;
      await h.handler(scheduledEvent());
      const calls = h.sim.calls.log.slice(before);
      expect(calls.filter((c) => !c.action.startsWith('Describe'))).toEqual([]);
      return calls;
    };
    const addPool = async (name: string) => {
      h.sim.world.createPool({ name, subnets: subnetIds });
      const ids = subnetIds.flatMap((subnetId) =>
        h.sim.world.launchInstances({ subnetId, tags: { [POOL_TAG]: name } }),
      );
      await h.sim.world.waitForState(ids, 'running', BOUND);
    };

    await addPool('pool-1');
    const one = await describesOfOneSync();
    await addPool('pool-2');
    await addPool('pool-3');
    await addPool('pool-4');
    const four = await describesOfOneSync();

    expect(four.map((c) => c.action)).toEqual(one.map((c) => c.action));
    for (const call of four) expect(call.params).toMatch(/Filter\.\d+\.Name=tag-key/);
    for (const pool of ['pool-1', 'pool-2', 'pool-3', 'pool-4']) {
      expect(h.sim.world.poolInterfaces(pool).every((e) => e.status === 'in-use')).toBe(true);
    }
  });
});
