import { describe, expect, it } from 'vitest';
import type { DescribePageInput } from '../../src/index';
import { EniPoolManager, silentLogger } from '../../src/index';
import { FakeEc2 } from '../../src/testing';
import { running } from '../helpers/triggers';

const POOL_FILTER = 'tag:network-interface-manager-pool';

/** The describes of the pool (by its tag), in order, each with the names of its filters. */
function poolReads(ec2: FakeEc2) {
  return ec2.calls.flatMap((call) => {
    if (call.operation !== 'DescribeInstances' && call.operation !== 'DescribeNetworkInterfaces') return [];
    const filters = (call.input as DescribePageInput).filters.map((filter) => filter.name);
    return filters.includes(POOL_FILTER) ? [{ operation: call.operation, filters }] : [];
  });
}

const manager = (ec2: FakeEc2) => new EniPoolManager({ ec2, logger: silentLogger });

describe('the reads of a running event', () => {
  it("reads a lone bare instance's pool members, then the interfaces of its zone", async () => {
    const ec2 = new FakeEc2();
    const instanceId = ec2.addInstance({ pool: 'web' });
    ec2.addInterface({ pool: 'web' });

    const result = await manager(ec2).handle(running(instanceId));

    expect(result.reconcile?.converged).toBe(true);
    expect(poolReads(ec2)).toEqual([
      { operation: 'DescribeInstances', filters: [POOL_FILTER, 'availability-zone'] },
      { operation: 'DescribeNetworkInterfaces', filters: [POOL_FILTER, 'availability-zone'] },
    ]);
    expect(ec2.poolInterfacesOf(instanceId)).toHaveLength(1);
  });

  it('reads the interfaces once, in every zone, when other members wait too (a burst)', async () => {
    const ec2 = new FakeEc2();
    const [first, second] = [ec2.addInstance({ pool: 'web' }), ec2.addInstance({ pool: 'web' })];
    ec2.addInterface({ pool: 'web' });
    ec2.addInterface({ pool: 'web' });
    // An interface of another zone: read for pacing, never planned for these members.
    ec2.addInterface({ pool: 'web', subnetId: 'subnet-b', availabilityZone: 'zone-b' });

    const result = await manager(ec2).handle(running(second));

    expect(result.reconcile?.converged).toBe(true);
    expect(poolReads(ec2)).toEqual([
      { operation: 'DescribeInstances', filters: [POOL_FILTER, 'availability-zone'] },
      { operation: 'DescribeNetworkInterfaces', filters: [POOL_FILTER] },
    ]);
    expect(ec2.poolInterfacesOf(second)).toHaveLength(1);
    expect(ec2.poolInterfacesOf(first)).toEqual([]);
  });

  it('reads only the interfaces for an instance that already holds one (a late or duplicate event)', async () => {
    const ec2 = new FakeEc2();
    const instanceId = ec2.addInstance({ pool: 'web' });
    ec2.addInterface({ pool: 'web', attachedTo: instanceId });

    const result = await manager(ec2).handle(running(instanceId));

    expect(result.reconcile).toMatchObject({ converged: true, outcomes: [] });
    expect(ec2.calls.map((call) => call.operation)).toEqual([
      'DescribeInstances',
      'DescribeNetworkInterfaces',
    ]);
  });
});
