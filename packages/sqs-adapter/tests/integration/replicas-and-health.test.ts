import { testNotification } from '@eni-pool/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqsClient, type HealthServer, startHealthServer } from '../../src';
import { DLQ, QUEUE, SqsHarness } from '../helpers/sim-harness';
import { until } from '../helpers/until';

let harness: SqsHarness | undefined;
let server: HealthServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await harness?.stop();
  harness = undefined;
});

describe('several replicas and health', { timeout: 90_000 }, () => {
  it('runs three replicas on one queue, with duplicate deliveries, without a double assignment', async () => {
    harness = await SqsHarness.start({ subnets: 3, perSubnet: 2, sim: { sqs: { duplicateDelivery: 0.2 } } });
    const h = harness;
    const handled = new Map<string, number>();
    for (let i = 0; i < 3; i++) {
      const source = h.source({ concurrency: 2, batchSize: 3 });
      source.on('message_settled', ({ messageId, result }) => {
        if (result === 'handled') handled.set(messageId, (handled.get(messageId) ?? 0) + 1);
      });
      source.start();
    }
    h.createGroup({ desiredCapacity: 6 });
    await h.settled(6, 40_000);
    for (let round = 0; round < 3; round++) {
      for (const instanceId of h.inService().slice(0, 2))
        h.sim.autoscaling.terminateInstanceInGroup(instanceId, false);
      await h.settled(6, 40_000);
    }
    await h.sim.world.waitForSettled({ timeoutMs: 20_000 });

    expect(h.sim.world.invariants()).toEqual([]);
    const held = h.inService().map((instanceId) => h.poolAttachments(instanceId));
    for (const attachments of held)
      expect(attachments).toEqual([expect.objectContaining({ status: 'attached' })]);
    const interfaces = held.flat().map((a) => a.networkInterfaceId);
    expect(new Set(interfaces).size).toBe(6);
    // Each lifecycle action completed exactly once through the API: a duplicate delivery was idempotent.
    const completions = h.completions().filter((c) => c.how === 'api');
    const keys = completions.map((c) => `${c.instanceId}:${c.transition}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(completions.filter((c) => c.transition === 'autoscaling:EC2_INSTANCE_LAUNCHING')).toHaveLength(12);
    for (const launch of completions.filter((c) => c.transition === 'autoscaling:EC2_INSTANCE_LAUNCHING')) {
      expect(launch.result).toBe('CONTINUE');
      expect(launch.poolAttachments.some((a) => a.status === 'attached')).toBe(true);
    }
    expect(h.sim.sqs.messages(DLQ)).toEqual([]);
    expect(handled.size).toBeGreaterThan(0);
  });

  it('turns /readyz unhealthy while the queue cannot be reached and healthy again after', async () => {
    harness = await SqsHarness.start();
    const h = harness;
    const source = h.source();
    source.start();
    server = await startHealthServer(source, { port: 0, host: '127.0.0.1' });
    const get = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${server!.port}${path}`);
      return { status: response.status, body: await response.text() };
    };
    await until(async () => (await get('/readyz')).status === 200, 'ready after the first receive');
    expect((await get('/healthz')).status).toBe(200);

    h.sim.sqs.deleteQueue(QUEUE);
    await until(async () => (await get('/readyz')).status === 503, 'not ready without the queue');
    expect(JSON.parse((await get('/readyz')).body)).toMatchObject({ ready: false, live: true });
    expect((await get('/healthz')).status).toBe(200);

    h.sim.sqs.createQueue(QUEUE);
    await until(async () => (await get('/readyz')).status === 200, 'ready again with the queue back', 30_000);
    const metrics = await get('/metrics');
    expect(metrics.body).toMatch(/eni_pool_receives_total\{outcome="error"\} [1-9]/);

    await source.stop();
    expect((await get('/healthz')).status).toBe(503);
    expect((await get('/readyz')).status).toBe(503);
  });

  it('stays on AWS_ENDPOINT_URL when the queue URL names the real service', async () => {
    harness = await SqsHarness.start();
    const h = harness;
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: h.sim.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    try {
      const sqs = createSqsClient(1);
      const source = h.source({
        sqs,
        queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/eni-pool-events',
      });
      const settled: string[] = [];
      source.on('message_settled', ({ result }) => settled.push(result));
      source.start();
      h.sim.sqs.sendMessageTo(QUEUE, JSON.stringify(testNotification()));
      await until(
        () => settled.length === 1 && h.sim.sqs.messages(QUEUE).length === 0,
        'the message handled through the endpoint',
      );
      expect(settled).toEqual(['handled']);
      await source.stop();
      sqs.destroy();
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
