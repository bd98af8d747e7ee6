import { afterEach, describe, expect, it } from 'vitest';
import { FakeTimers } from '../helpers/fake-timers';
import { SqsHarness } from '../helpers/sim-harness';
import { until } from '../helpers/until';

let harness: SqsHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('the periodic sync', { timeout: 60_000 }, () => {
  it('repairs what lost events missed, only in the pools this process serves', async () => {
    harness = await SqsHarness.start({ subnets: 1, perSubnet: 2 });
    const h = harness;
    h.sim.world.createPool({ name: 'db', subnets: h.subnetIds, perSubnet: 1 });
    // Every event is lost: only the sync can attach.
    h.sim.events.configure({ drop: 1 });
    const web = h.sim.world.launchInstances({
      subnetId: h.subnetIds[0]!,
      count: 2,
      tags: { 'network-interface-manager-pool': 'web' },
    });
    const db = h.sim.world.launchInstances({
      subnetId: h.subnetIds[0]!,
      count: 1,
      tags: { 'network-interface-manager-pool': 'db' },
    });
    await h.sim.world.waitForState([...web, ...db], 'running', { timeoutMs: 20_000 });
    h.sim.sqs.purgeQueue('eni-pool-events');

    const timers = new FakeTimers();
    const source = h.source({ pools: ['web'], syncIntervalMs: 60_000, timers, random: () => 0.5 });
    const syncs: unknown[] = [];
    source.on('sync_finished', ({ result }) => syncs.push(result.scope));
    source.start();
    await timers.advance(29_000);
    expect(syncs).toEqual([]);
    await timers.advance(1_000);
    await until(() => syncs.length === 1, 'the first sync');
    await h.sim.world.waitForSettled({ timeoutMs: 20_000 });
    expect(syncs).toEqual([{ kind: 'pools', pools: ['web'] }]);
    for (const instanceId of web) expect(h.sim.world.attachmentsOf(instanceId)).toHaveLength(2);
    expect(h.sim.world.attachmentsOf(db[0]!)).toHaveLength(1);
    expect(await source.metrics.text()).toMatch(/eni_pool_pool_attached_interfaces\{pool="web"\} 2/);
  });
});
