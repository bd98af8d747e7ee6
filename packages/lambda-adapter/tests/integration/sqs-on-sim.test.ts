import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, POOL_TAG, STATE_CHANGE_PATTERN, startHarness } from '../helpers/sim-harness';

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

/**
 * One poll of a Lambda SQS event source mapping with `ReportBatchItemFailures`: receive a batch, invoke,
 * delete what did not fail. Returns the response, or undefined when the queue was empty.
 */
async function pollOnce(h: Harness, queue: string): Promise<SQSBatchResponse | undefined> {
  const messages = await h.sim.sqs.receiveMessages(queue, { maxNumberOfMessages: 10, waitTimeSeconds: 0 });
  if (messages.length === 0) return undefined;
  const event: SQSEvent = {
    Records: messages.map((m) => ({
      messageId: m.messageId,
      receiptHandle: m.receiptHandle,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentTimestamp),
        SenderId: 'AIDASIMULATOR',
        ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp),
      },
      messageAttributes: {},
      md5OfBody: m.md5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:123456789012:${queue}`,
      awsRegion: 'us-east-1',
    })),
  };
  const response = (await h.handler(event)) as SQSBatchResponse;
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  for (const m of messages) if (!failed.has(m.messageId)) h.sim.sqs.deleteMessage(queue, m.receiptHandle);
  return response;
}

describe('the SQS-buffered variant on the simulator', { timeout: 60_000 }, () => {
  it('attaches through the queue and parks only the poison message in the dead-letter queue', async () => {
    const h = await start({ direct: false });
    const dlq = h.sim.sqs.createQueue('eni-pool-events-dlq');
    h.sim.sqs.createQueue('eni-pool-events', {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    h.sim.events.addRule({ name: 'state-changes', pattern: STATE_CHANGE_PATTERN, queue: 'eni-pool-events' });
    h.sim.sqs.sendMessageTo('eni-pool-events', '{"this is": "not an event"}');

    const { subnetIds } = h.sim.world.createNetwork({ azs: 2 });
    h.sim.world.createPool({ name: 'web', subnets: subnetIds });
    const instances = subnetIds.flatMap((subnetId) =>
      h.sim.world.launchInstances({ subnetId, tags: { [POOL_TAG]: 'web' } }),
    );
    await h.sim.world.waitForState(instances, 'running', BOUND);
    await h.sim.events.idle(20_000);

    const responses: SQSBatchResponse[] = [];
    for (let i = 0; i < 100 && h.sim.sqs.messages('eni-pool-events').length > 0; i++) {
      const response = await pollOnce(h, 'eni-pool-events');
      if (response) responses.push(response);
      else await new Promise((resolve) => setTimeout(resolve, 15));
    }
    await h.sim.world.waitForSettled(BOUND);

    for (const instanceId of instances) expect(h.poolInterfacesOf(instanceId, 'web')).toHaveLength(1);
    // Every response failed exactly the poison message, and nothing else.
    const failedIds = new Set(responses.flatMap((r) => r.batchItemFailures.map((f) => f.itemIdentifier)));
    expect(failedIds.size).toBe(1);
    const [poison] = h.sim.sqs.messages('eni-pool-events-dlq');
    expect(poison?.body).toBe('{"this is": "not an event"}');
    expect(failedIds.has(poison!.messageId)).toBe(true);
    expect(h.sim.sqs.messages('eni-pool-events')).toEqual([]);
  });
});
