import { silentLogger } from '@eni-pool/core';
import {
  instanceStateChangeEvent,
  lifecycleNotification,
  snsEnvelope,
  testNotification,
} from '@eni-pool/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { DLQ, QUEUE, SqsHarness } from '../helpers/sim-harness';
import { until } from '../helpers/until';

let harness: SqsHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('message delivery', { timeout: 60_000 }, () => {
  it('does not hand a message to a second replica while a handler slower than the visibility timeout still works on it', async () => {
    // Visibility 4 s, extended every second: a loaded machine may delay a heartbeat by up to 3 s.
    harness = await SqsHarness.start({ queueVisibilitySeconds: 4 });
    const h = harness;
    let active = 0;
    let overlaps = 0;
    const handled: string[] = [];
    const slow = {
      async handle(trigger: { instanceId: string }) {
        active += 1;
        if (active > 1) overlaps += 1;
        await new Promise((resolve) => setTimeout(resolve, 9_000));
        handled.push(trigger.instanceId);
        active -= 1;
      },
    };
    const options = { lifecycle: slow, visibilityTimeoutSeconds: 4, heartbeatIntervalSeconds: 1 } as const;
    h.source(options).start();
    h.source(options).start();
    h.sim.sqs.sendMessageTo(
      QUEUE,
      JSON.stringify(lifecycleNotification({ instanceId: 'i-0000000000000abc' })),
    );

    await until(
      () => handled.length > 0 && h.sim.sqs.messages(QUEUE).length === 0,
      'the slow message to be handled and deleted',
    );
    // Give a redelivery every chance to show itself.
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    expect(handled).toEqual(['i-0000000000000abc']);
    expect(overlaps).toBe(0);
    expect(h.sim.calls.count('ChangeMessageVisibilityBatch')).toBeGreaterThanOrEqual(4);
  });

  it('parks a message whose work keeps failing in the dead-letter queue after maxReceiveCount receives', async () => {
    harness = await SqsHarness.start({
      sim: { sqs: { msPerSecond: 50 } },
      maxReceiveCount: 2,
      queueVisibilitySeconds: 2,
    });
    const h = harness;
    const failing = {
      async handle() {
        throw new Error('Auto Scaling is down');
      },
    };
    const settled: string[] = [];
    const source = h.source({
      lifecycle: failing,
      visibilityTimeoutSeconds: 2,
      heartbeatIntervalSeconds: 1,
      logger: silentLogger,
    });
    source.on('message_settled', ({ result }) => settled.push(result));
    source.start();
    const body = JSON.stringify(lifecycleNotification());
    h.sim.sqs.sendMessageTo(QUEUE, body);
    await until(() => h.sim.sqs.messages(DLQ).length === 1, 'the failing message in the dead-letter queue');
    expect(h.sim.sqs.messages(DLQ)[0]?.body).toBe(body);
    expect(h.sim.sqs.messages(QUEUE)).toEqual([]);
    expect(settled.filter((result) => result === 'failed')).toHaveLength(2);
    expect(settled).not.toContain('handled');
  });

  it('leaves garbage for the dead-letter queue with unparseable: retain, and makes no AWS call for it', async () => {
    harness = await SqsHarness.start({
      sim: { sqs: { msPerSecond: 50 } },
      maxReceiveCount: 2,
      queueVisibilitySeconds: 2,
    });
    const h = harness;
    h.source({ unparseable: 'retain', visibilityTimeoutSeconds: 2, heartbeatIntervalSeconds: 1 }).start();
    h.sim.sqs.sendMessageTo(QUEUE, 'not json at all');
    h.sim.sqs.sendMessageTo(QUEUE, '{"detail-type":"Something Else","source":"aws.s3"}');
    await until(() => h.sim.sqs.messages(DLQ).length === 2, 'both garbage messages in the dead-letter queue');
    expect(
      h.sim.sqs
        .messages(DLQ)
        .map((m) => m.body)
        .sort(),
    ).toEqual(['not json at all', '{"detail-type":"Something Else","source":"aws.s3"}'].sort());
    const ec2AndAutoScaling = h.sim.calls.log.filter((call) => call.service !== 'sqs');
    expect(ec2AndAutoScaling).toEqual([]);
  });

  it('deletes garbage by default, acknowledges test notifications and ignores other hooks, all without an AWS call', async () => {
    harness = await SqsHarness.start();
    const h = harness;
    const results: { result: string; reason?: string }[] = [];
    const source = h.source();
    source.on('message_settled', ({ result, reason }) =>
      results.push({ result, ...(reason ? { reason } : {}) }),
    );
    source.start();
    h.sim.sqs.sendMessageTo(QUEUE, 'not json at all');
    h.sim.sqs.sendMessageTo(QUEUE, JSON.stringify(testNotification()));
    h.sim.sqs.sendMessageTo(QUEUE, JSON.stringify(snsEnvelope(JSON.stringify(testNotification()))));
    h.sim.sqs.sendMessageTo(
      QUEUE,
      JSON.stringify(lifecycleNotification({ lifecycleHookName: 'other-team-drain' })),
    );
    h.sim.sqs.sendMessageTo(
      QUEUE,
      JSON.stringify(snsEnvelope(lifecycleNotification({ lifecycleHookName: 'other-team-launch' }))),
    );
    await until(
      () => results.length === 5 && h.sim.sqs.messages(QUEUE).length === 0,
      'all five messages settled',
    );
    expect(results.filter((r) => r.result === 'rejected')).toHaveLength(1);
    expect(results.filter((r) => r.result === 'handled')).toHaveLength(4);
    expect(h.sim.sqs.messages(DLQ)).toEqual([]);
    expect(h.sim.calls.log.filter((call) => call.service !== 'sqs')).toEqual([]);
  });

  it('lets every message in flight listen to the stop signal without a listener-leak warning', async () => {
    harness = await SqsHarness.start();
    const h = harness;
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      // Three pollers, batches of 10, 4 at once each: up to 12 lifecycle actions wait together, each
      // listening to the signal that stops the source, as a real wait does.
      let active = 0;
      let most = 0;
      const handled: string[] = [];
      const waiting = {
        async handle(trigger: { instanceId: string }, signal?: AbortSignal) {
          const onAbort = () => {};
          signal?.addEventListener('abort', onAbort, { once: true });
          active += 1;
          most = Math.max(most, active);
          await until(() => most >= 12 || handled.length > 0, 'twelve actions in flight', 10_000).catch(
            () => undefined,
          );
          signal?.removeEventListener('abort', onAbort);
          active -= 1;
          handled.push(trigger.instanceId);
        },
      };
      // Queued before the pollers start, so that each receive takes a full batch.
      for (let i = 0; i < 30; i++) {
        h.sim.sqs.sendMessageTo(
          QUEUE,
          JSON.stringify(lifecycleNotification({ instanceId: `i-${String(i).padStart(17, '0')}` })),
        );
      }
      h.source({ lifecycle: waiting, batchSize: 10, concurrency: 3, reconcileConcurrency: 4 }).start();
      await until(() => handled.length === 30, 'every action handled', 30_000);
      await new Promise((resolve) => process.nextTick(resolve));

      expect(most).toBeGreaterThan(10);
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('reconciles a batch of state changes of one pool once', async () => {
    harness = await SqsHarness.start({ subnets: 1, perSubnet: 3 });
    const h = harness;
    const instances = h.sim.world.launchInstances({
      subnetId: h.subnetIds[0]!,
      count: 3,
      tags: { 'network-interface-manager-pool': 'web' },
    });
    await h.sim.world.waitForState(instances, 'running', { timeoutMs: 20_000 });
    await h.sim.events.idle(20_000);
    // The bus already put their state changes in the queue; add duplicates, as SQS may deliver them.
    for (const instanceId of instances)
      h.sim.sqs.sendMessageTo(
        QUEUE,
        JSON.stringify(instanceStateChangeEvent({ instanceId, state: 'running' })),
      );
    const reconciles: number[] = [];
    const source = h.source({ batchSize: 10, concurrency: 1 });
    source.runtime.manager.on('reconcile_finished', () => reconciles.push(1));
    source.start();
    await until(() => h.sim.sqs.messages(QUEUE).length === 0, 'the queue drained');
    await h.sim.world.waitForSettled({ timeoutMs: 20_000 });
    for (const instanceId of instances) expect(h.poolAttachments(instanceId)).toHaveLength(1);
    expect(reconciles).toHaveLength(1);
    expect(h.sim.calls.count('AttachNetworkInterface')).toBe(3);
  });
});
