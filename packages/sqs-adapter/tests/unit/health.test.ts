import type { SQSClient } from '@aws-sdk/client-sqs';
import { silentLogger } from '@eni-pool/core';
import { FakeEc2 } from '@eni-pool/core/testing';
import { describe, expect, it } from 'vitest';
import { createSqsEventSource } from '../../src';

/** An SQS client whose receives never answer until aborted. */
function hangingSqs(): { client: SQSClient; receives: () => number } {
  let receives = 0;
  const client = {
    send: (_command: unknown, options?: { abortSignal?: AbortSignal }) => {
      receives += 1;
      return new Promise((_resolve, reject) => {
        options?.abortSignal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    },
  } as unknown as SQSClient;
  return { client, receives: () => receives };
}

describe('SqsEventSource.health', () => {
  it('is live but not ready before the first receive has answered, and neither once stopped', async () => {
    const { client, receives } = hangingSqs();
    const source = createSqsEventSource({
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/eni-pool-events',
      sqs: client,
      ec2: new FakeEc2(),
      lifecycle: false,
      syncIntervalMs: 0,
      logger: silentLogger,
    });
    expect(source.health()).toMatchObject({ live: false, ready: false });
    source.start();
    await new Promise((resolve) => setImmediate(resolve));
    expect(receives()).toBe(2);
    expect(source.health()).toMatchObject({
      live: true,
      ready: false,
      reason: 'no receive from the queue has finished yet',
    });
    await source.stop();
    expect(source.health()).toMatchObject({ live: false, ready: false });
  });
});
