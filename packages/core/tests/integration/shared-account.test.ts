import { AttachNetworkInterfaceCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AwsSim } from '@eni-pool/aws-sim';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createEc2Client,
  createSdkEc2Port,
  type Ec2Port,
  EniPoolManager,
  silentLogger,
} from '../../src/index';
import { running } from '../helpers/triggers';

/** Issue-9 behaviour of the manager on the simulator: limits, waits that end with their cause, re-plans. */
const POOL_TAG = 'network-interface-manager-pool';

let sim: AwsSim | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function start(delays: { attachMs?: number; detachMs?: number } = {}) {
  sim = await AwsSim.start({ seed: 3, delays: { launchMs: 5, attachMs: 10, detachMs: 10, ...delays } });
  const { subnetIds } = sim.world.createNetwork({ azs: 1 });
  return { sim, subnetId: subnetIds[0]! };
}

function manager(target: AwsSim, options: ConstructorParameters<typeof EniPoolManager>[0] = {}) {
  return new EniPoolManager({
    ec2: createEc2Client(target.clientConfig()),
    logger: silentLogger,
    ...options,
  });
}

describe('attachment limits', () => {
  it('reports an instance at its limit as attachment-limit and gives the only free interface to one that can use it', async () => {
    const { sim, subnetId } = await start();
    // t3.nano takes 2 interfaces: the primary and one more, here taken by another team's interface.
    const [full] = sim.world.launchInstances({ subnetId, type: 't3.nano', tags: { [POOL_TAG]: 'web' } });
    await sim.world.waitForState([full!], 'running');
    const foreign = sim.world.createInterface({ subnetId });
    await new EC2Client(sim.clientConfig()).send(
      new AttachNetworkInterfaceCommand({
        NetworkInterfaceId: foreign.networkInterfaceId,
        InstanceId: full,
        DeviceIndex: 1,
        NetworkCardIndex: 0,
      }),
    );
    await sim.world.waitForSettled();
    expect(sim.world.attachmentsOf(full!)).toHaveLength(2);
    const [younger] = sim.world.launchInstances({ subnetId, type: 't3.micro', tags: { [POOL_TAG]: 'web' } });
    await sim.world.waitForState([younger!], 'running');
    const [eni] = sim.world.createPool({ name: 'web', subnets: [subnetId] });
    sim.calls.reset();

    const result = await manager(sim).reconcile({ kind: 'pools', pools: ['web'] });

    expect(result.converged).toBe(true);
    expect(result.unsatisfied).toEqual([
      expect.objectContaining({ instanceId: full, reason: 'attachment-limit' }),
    ]);
    expect(sim.world.attachmentsOf(younger!).map((a) => a.networkInterfaceId)).toContain(
      eni!.networkInterfaceId,
    );
    // The limit came from DescribeInstanceTypes, so no attach was wasted on the full instance.
    expect(sim.calls.count('AttachNetworkInterface', 'AttachmentLimitExceeded')).toBe(0);
    expect(sim.calls.count('DescribeInstanceTypes')).toBe(1);
  });

  it('re-plans without an instance EC2 refuses with AttachmentLimitExceeded', async () => {
    const { sim, subnetId } = await start();
    const [older, younger] = sim.world.launchInstances({ subnetId, count: 2, tags: { [POOL_TAG]: 'web' } });
    await sim.world.waitForState([older!, younger!], 'running');
    const [eni] = sim.world.createPool({ name: 'web', subnets: [subnetId] });
    const target = manager(sim);
    const planned = (await target.plan({ kind: 'all' })).plan.actions[0]!;
    const first = planned.instanceId;
    const second = first === older ? younger! : older!;
    sim.world.injectFault({
      action: 'AttachNetworkInterface',
      code: 'AttachmentLimitExceeded',
      message: `Interface count 2 exceeds the limit for t3.micro`,
      times: 1,
    });

    const result = await target.reconcile({ kind: 'pools', pools: ['web'] });

    expect(result.outcomes.map((o) => [o.action.instanceId, o.status])).toEqual([
      [first, 'conflict'],
      [second, 'succeeded'],
    ]);
    expect(result.unsatisfied).toEqual([
      expect.objectContaining({ instanceId: first, reason: 'attachment-limit' }),
    ]);
    expect(sim.world.attachmentsOf(second).map((a) => a.networkInterfaceId)).toContain(
      eni!.networkInterfaceId,
    );
  });
});

describe('waits that end with their cause', () => {
  it('ends an attach wait as soon as the instance is gone, and re-plans', async () => {
    const { sim, subnetId } = await start({ attachMs: 30_000 });
    const [doomed] = sim.world.launchInstances({ subnetId, tags: { [POOL_TAG]: 'web' } });
    await sim.world.waitForState([doomed!], 'running');
    sim.world.createPool({ name: 'web', subnets: [subnetId] });
    const target = manager(sim, { executor: { wait: { timeoutMs: 60_000 } } });
    const started = Date.now();
    setTimeout(() => sim?.world.terminateInstances([doomed!]), 300);

    const result = await target.reconcile({ kind: 'pools', pools: ['web'] });

    // Bounded by the describes' grace, far below the 30 s attach and the 60 s wait bound.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.outcomes[0]).toMatchObject({ status: 'conflict' });
    expect(result.rounds).toBeGreaterThan(1);
  }, 30_000);

  it('returns its partial result once the signal aborts, without waiting out the attach', async () => {
    const { sim, subnetId } = await start({ attachMs: 30_000 });
    const [instance] = sim.world.launchInstances({ subnetId, tags: { [POOL_TAG]: 'web' } });
    await sim.world.waitForState([instance!], 'running');
    sim.world.createPool({ name: 'web', subnets: [subnetId] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('the function is about to time out')), 300);
    const started = Date.now();

    const result = await manager(sim).reconcile(
      { kind: 'pools', pools: ['web'] },
      { signal: controller.signal },
    );

    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.converged).toBe(false);
    expect(result.unsatisfied).toEqual([
      expect.objectContaining({ instanceId: instance, reason: 'not-converged' }),
    ]);
  }, 30_000);
});

describe('an interface deleted between plan and attach', () => {
  it('re-plans within the same reconcile and serves the instance with another', async () => {
    const { sim, subnetId } = await start();
    const [instance] = sim.world.launchInstances({ subnetId, tags: { [POOL_TAG]: 'web' } });
    await sim.world.waitForState([instance!], 'running');
    const [first, second] = sim.world.createPool({ name: 'web', subnets: [subnetId], perSubnet: 2 });
    const doomed = [first!, second!].map((e) => e.networkInterfaceId).sort()[0]!;
    // Someone deletes the interface eni-pool picked right after it read the pool.
    const sdk = createSdkEc2Port(createEc2Client(sim.clientConfig()));
    let deleted = false;
    const port: Ec2Port = {
      ...sdk,
      attachNetworkInterface: async (input) => {
        if (!deleted) {
          deleted = true;
          sim?.ec2.deleteNetworkInterface(doomed);
        }
        return sdk.attachNetworkInterface(input);
      },
    };

    const result = await manager(sim, { ec2: port }).handle(running(instance!));

    expect(result.reconcile?.outcomes.map((o) => [o.action.networkInterfaceId, o.status])).toEqual([
      [doomed, 'conflict'],
      [[first!, second!].map((e) => e.networkInterfaceId).sort()[1], 'succeeded'],
    ]);
    expect(result.reconcile?.converged).toBe(true);
    expect(result.reconcile?.unsatisfied).toEqual([]);
    expect(sim.world.attachmentsOf(instance!).filter((a) => a.deviceIndex > 0)).toHaveLength(1);
  });
});

describe('a manager scoped to its pools', () => {
  it('leaves every other pool alone on every path, the sync included', async () => {
    const { sim, subnetId } = await start();
    const [mine] = sim.world.launchInstances({ subnetId, tags: { [POOL_TAG]: 'mine' } });
    const [theirs] = sim.world.launchInstances({ subnetId, tags: { [POOL_TAG]: 'theirs' } });
    await sim.world.waitForState([mine!, theirs!], 'running');
    sim.world.createPool({ name: 'mine', subnets: [subnetId] });
    sim.world.createPool({ name: 'theirs', subnets: [subnetId] });
    const target = manager(sim, { pools: ['mine'] });

    const skipped = await target.handle(running(theirs!));
    const synced = await target.reconcile({ kind: 'all' });

    expect(skipped.skipped).toBe('instance is in no managed pool');
    expect(synced.scope).toEqual({ kind: 'pools', pools: ['mine'] });
    expect(synced.pools.map((p) => p.pool)).toEqual(['mine']);
    await sim.world.waitForSettled();
    expect(sim.world.attachmentsOf(theirs!).filter((a) => a.deviceIndex > 0)).toHaveLength(0);
    expect(sim.world.attachmentsOf(mine!).filter((a) => a.deviceIndex > 0)).toHaveLength(1);
  });
});
