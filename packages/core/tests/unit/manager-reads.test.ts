import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { EniPoolManager, silentLogger } from '../../src/index';
import { FakeEc2 } from '../../src/testing';
import { running } from '../helpers/triggers';

/**
 * A fake whose every call answers one event-loop turn after it was made, noting how many calls had been
 * made by the time each answered: a read started before another answered ran alongside it.
 */
function slowWorld() {
  const madeBeforeAnswer = new Map<number, number>();
  const ec2: FakeEc2 = new FakeEc2({
    pause: async () => {
      const index = ec2.calls.length - 1;
      await nextTurn();
      madeBeforeAnswer.set(index, ec2.calls.length);
    },
  });
  return { ec2, madeBeforeAnswer };
}

const poolRead = (ec2: FakeEc2, operation: 'DescribeInstances' | 'DescribeNetworkInterfaces') =>
  ec2.calls.findIndex(
    (call) =>
      call.operation === operation &&
      'filters' in call.input &&
      call.input.filters.some((filter) => filter.name === 'tag:network-interface-manager-pool'),
  );

describe('the reads of a running event', () => {
  it("reads a bare instance's pool members alongside the pool's interfaces", async () => {
    const { ec2, madeBeforeAnswer } = slowWorld();
    const instanceId = ec2.addInstance({ pool: 'web' });
    ec2.addInterface({ pool: 'web' });
    const manager = new EniPoolManager({ ec2, logger: silentLogger });

    const result = await manager.handle(running(instanceId));

    expect(result.reconcile?.converged).toBe(true);
    const interfaces = poolRead(ec2, 'DescribeNetworkInterfaces');
    const members = poolRead(ec2, 'DescribeInstances');
    expect(interfaces).toBeGreaterThan(0);
    expect(members).toBeGreaterThan(0);
    // The members' read went out before the interfaces' read answered.
    expect(members).toBeLessThan(madeBeforeAnswer.get(interfaces)!);
    expect(ec2.poolInterfacesOf(instanceId)).toHaveLength(1);
  });

  it('reads only the interfaces for an instance that already holds one (a late or duplicate event)', async () => {
    const { ec2 } = slowWorld();
    const instanceId = ec2.addInstance({ pool: 'web' });
    ec2.addInterface({ pool: 'web', attachedTo: instanceId });
    const manager = new EniPoolManager({ ec2, logger: silentLogger });

    const result = await manager.handle(running(instanceId));

    expect(result.reconcile).toMatchObject({ converged: true, outcomes: [] });
    expect(ec2.calls.map((call) => call.operation)).toEqual([
      'DescribeInstances',
      'DescribeNetworkInterfaces',
    ]);
  });
});
