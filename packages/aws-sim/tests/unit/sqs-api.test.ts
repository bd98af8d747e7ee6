import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { type SqsHarness, startSqsHarness } from '../helpers/sqs-http';

/** One simulated SQS second lasts this many milliseconds in these tests. */
const SECOND = 20;

const harnesses: SqsHarness[] = [];

async function harness(
  options: Parameters<typeof startSqsHarness>[0] = {},
  tamper?: Parameters<typeof startSqsHarness>[1],
) {
  const started = await startSqsHarness({ msPerSecond: SECOND, ...options }, tamper);
  harnesses.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

async function queueWith(h: SqsHarness, name = 'work', attributes: Record<string, string> = {}) {
  const { QueueUrl } = await h.client.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  return QueueUrl!;
}

async function send(h: SqsHarness, url: string, ...bodies: string[]) {
  for (const body of bodies)
    await h.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
}

function receive(
  h: SqsHarness,
  url: string,
  extra: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {},
) {
  return h.client.send(new ReceiveMessageCommand({ QueueUrl: url, ...extra }));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SQS queues over the JSON protocol', () => {
  it('answers queue URLs that point at the simulator, under the account and queue name', async () => {
    const h = await harness();
    const url = await queueWith(h, 'eni-pool-events');
    expect(url).toBe(`${h.endpoint}/123456789012/eni-pool-events`);
    const { QueueUrl } = await h.client.send(new GetQueueUrlCommand({ QueueName: 'eni-pool-events' }));
    expect(QueueUrl).toBe(url);
  });

  it('returns the existing queue for a repeated create with the same attributes', async () => {
    const h = await harness();
    const first = await queueWith(h, 'work', { VisibilityTimeout: '5' });
    await send(h, first, 'kept');
    const second = await queueWith(h, 'work', { VisibilityTimeout: '5' });
    expect(second).toBe(first);
    expect(h.model.messages(first)).toHaveLength(1);
  });

  it('refuses to re-create a queue with different attributes (QueueNameExists)', async () => {
    const h = await harness();
    await queueWith(h, 'work', { VisibilityTimeout: '5' });
    await expect(queueWith(h, 'work', { VisibilityTimeout: '6' })).rejects.toMatchObject({
      name: 'QueueNameExists',
    });
  });

  it('names a missing queue QueueDoesNotExist, as the SDK does against AWS', async () => {
    const h = await harness();
    const error = await h.client.send(new GetQueueUrlCommand({ QueueName: 'nope' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'QueueDoesNotExist', $metadata: { httpStatusCode: 400 } });
    await expect(
      h.client.send(
        new SendMessageCommand({ QueueUrl: `${h.endpoint}/123456789012/nope`, MessageBody: 'x' }),
      ),
    ).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });

  it('rejects invalid queue names and FIFO queues before creating anything', async () => {
    const h = await harness();
    await expect(queueWith(h, 'has space')).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(queueWith(h, 'orders.fifo')).rejects.toMatchObject({ name: 'UnsupportedOperation' });
    expect(h.model.queueNames()).toEqual([]);
  });

  it('reports ARN, settings and message counts in GetQueueAttributes', async () => {
    const h = await harness();
    const url = await queueWith(h, 'work', { VisibilityTimeout: '100' });
    await send(h, url, 'a', 'b', 'c');
    await receive(h, url);
    const { Attributes } = await h.client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    expect(Attributes).toMatchObject({
      QueueArn: 'arn:aws:sqs:us-east-1:123456789012:work',
      VisibilityTimeout: '100',
      MessageRetentionPeriod: '345600',
      ApproximateNumberOfMessages: '2',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
    const some = await h.client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    expect(some.Attributes).toEqual({ QueueArn: 'arn:aws:sqs:us-east-1:123456789012:work' });
  });

  it('validates SetQueueAttributes values and names, leaving the queue unchanged on error', async () => {
    const h = await harness();
    const url = await queueWith(h);
    await expect(
      h.client.send(
        new SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: { DelaySeconds: '1', VisibilityTimeout: '43201' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidAttributeValue' });
    await expect(
      h.client.send(
        new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Colour: 'blue' } as never }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidAttributeName' });
    expect(h.model.getQueueAttributes(url, ['DelaySeconds'])).toEqual({ DelaySeconds: '0' });
  });

  it('lists queues by prefix, a page at a time', async () => {
    const h = await harness();
    for (const name of ['pool-a', 'pool-b', 'pool-c', 'other']) await queueWith(h, name);
    const first = await h.client.send(new ListQueuesCommand({ QueueNamePrefix: 'pool-', MaxResults: 2 }));
    expect(first.QueueUrls?.map((u) => u.split('/').at(-1))).toEqual(['pool-a', 'pool-b']);
    const second = await h.client.send(
      new ListQueuesCommand({ QueueNamePrefix: 'pool-', MaxResults: 2, NextToken: first.NextToken }),
    );
    expect(second.QueueUrls?.map((u) => u.split('/').at(-1))).toEqual(['pool-c']);
    expect(second.NextToken).toBeUndefined();
  });
});

describe('SQS send', () => {
  it('answers the body MD5 the SDK checks, and the message comes back intact', async () => {
    const h = await harness();
    const url = await queueWith(h);
    const body = '{"detail":{"instance-id":"i-0abc","state":"running"},"note":"héllo ✓"}';
    const sent = await h.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    const { Messages } = await receive(h, url);
    expect(Messages?.[0]).toMatchObject({ MessageId: sent.MessageId, Body: body });
  });

  it('is caught by the SDK when the MD5 of a body is wrong', async () => {
    const h = await harness({}, (response, target) =>
      target.endsWith('.SendMessage')
        ? {
            ...response,
            body: response.body.replace(/"MD5OfMessageBody":"[0-9a-f]+"/, '"MD5OfMessageBody":"00"'),
          }
        : response,
    );
    const url = await queueWith(h);
    await expect(h.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }))).rejects.toThrow(
      /InvalidChecksumError/,
    );
  });

  it('sends a batch and reports a bad entry in Failed while the others are queued', async () => {
    const h = await harness();
    const url = await queueWith(h);
    const result = await h.client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'one', MessageBody: 'first' },
          { Id: 'bad', MessageBody: 'bell \u0007 character' },
          { Id: 'three', MessageBody: 'third' },
        ],
      }),
    );
    expect(result.Successful?.map((entry) => entry.Id)).toEqual(['one', 'three']);
    expect(result.Failed).toEqual([
      expect.objectContaining({ Id: 'bad', Code: 'InvalidMessageContents', SenderFault: true }),
    ]);
    expect(h.model.messages(url).map((m) => m.body)).toEqual(['first', 'third']);
  });

  it('rejects whole batches that are empty, too large or have repeated ids', async () => {
    const h = await harness();
    const url = await queueWith(h);
    const entries = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ Id: `m${i}`, MessageBody: `body ${i}` }));
    await expect(
      h.client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })),
    ).rejects.toMatchObject({
      name: 'EmptyBatchRequest',
    });
    await expect(
      h.client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries(11) })),
    ).rejects.toMatchObject({ name: 'TooManyEntriesInBatchRequest' });
    await expect(
      h.client.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'same', MessageBody: 'a' },
            { Id: 'same', MessageBody: 'b' },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
    await expect(
      h.client.send(
        new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'no spaces', MessageBody: 'a' }] }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidBatchEntryId' });
    expect(h.model.messages(url)).toEqual([]);
  });

  it('carries message attributes with the MD5 SQS computes for them', async () => {
    const h = await harness();
    const url = await queueWith(h);
    const sent = await h.client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'My Message',
        MessageAttributes: { Attr1: { DataType: 'String', StringValue: 'Attr1' } },
      }),
    );
    // Reference digest for this attribute set, as published by other SQS implementations' tests.
    expect(sent.MD5OfMessageAttributes).toBe('90f34a800b9d242c1b32320e4a3ed630');
    const { Messages } = await receive(h, url, { MessageAttributeNames: ['All'] });
    expect(Messages?.[0]?.MessageAttributes).toEqual({ Attr1: { DataType: 'String', StringValue: 'Attr1' } });
    expect(Messages?.[0]?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
  });

  it('holds a delayed message back until its delay has passed', async () => {
    const h = await harness();
    const url = await queueWith(h);
    await h.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 2 }));
    expect((await receive(h, url)).Messages).toBeUndefined();
    expect(h.model.messages(url)[0]?.state).toBe('delayed');
    const { Messages } = await receive(h, url, { WaitTimeSeconds: 20 });
    expect(Messages?.[0]?.Body).toBe('later');
  });
});

describe('SQS receive', () => {
  it('returns early from a long poll when a message arrives', { timeout: 10_000 }, async () => {
    const h = await harness({ msPerSecond: 1000 });
    const url = await queueWith(h);
    const polling = receive(h, url, { WaitTimeSeconds: 20 });
    await pause(50);
    await send(h, url, 'wake up');
    const { Messages } = await polling;
    expect(Messages?.map((m) => m.Body)).toEqual(['wake up']);
  });

  it('answers an empty receive once the long poll wait is over', async () => {
    const h = await harness();
    const url = await queueWith(h);
    const { Messages } = await receive(h, url, { WaitTimeSeconds: 2 });
    expect(Messages).toBeUndefined();
  });

  it('uses the queue ReceiveMessageWaitTimeSeconds when the call gives no wait', {
    timeout: 10_000,
  }, async () => {
    const h = await harness({ msPerSecond: 1000 });
    const url = await queueWith(h, 'work', { ReceiveMessageWaitTimeSeconds: '20' });
    const polling = receive(h, url);
    await pause(50);
    await send(h, url, 'long-polled by default');
    expect((await polling).Messages?.[0]?.Body).toBe('long-polled by default');
  });

  it('returns at most MaxNumberOfMessages and rejects values outside 1–10', async () => {
    const h = await harness();
    const url = await queueWith(h);
    await send(h, url, ...Array.from({ length: 12 }, (_, i) => `m${i}`));
    expect((await receive(h, url)).Messages).toHaveLength(1);
    expect((await receive(h, url, { MaxNumberOfMessages: 10 })).Messages).toHaveLength(10);
    for (const bad of [0, 11]) {
      const error = await receive(h, url, { MaxNumberOfMessages: bad }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'InvalidParameterValue' });
      expect((error as Error).message).toMatch(/MaxNumberOfMessages/);
    }
    await expect(receive(h, url, { WaitTimeSeconds: 21 })).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
  });

  it('hides a received message for the visibility timeout, then redelivers it with a higher receive count', async () => {
    const h = await harness();
    const url = await queueWith(h, 'work', { VisibilityTimeout: '2' });
    await send(h, url, 'retry me');
    const first = await receive(h, url, { MessageSystemAttributeNames: ['All'] });
    expect(first.Messages?.[0]?.Attributes).toMatchObject({ ApproximateReceiveCount: '1' });
    expect((await receive(h, url)).Messages).toBeUndefined();
    const second = await receive(h, url, {
      WaitTimeSeconds: 20,
      // The deprecated parameter: typed as queue attribute names, but SQS reads message attribute names.
      AttributeNames: ['ApproximateReceiveCount' as never],
    });
    const redelivered = second.Messages?.[0];
    expect(redelivered?.MessageId).toBe(first.Messages?.[0]?.MessageId);
    expect(redelivered?.ReceiptHandle).not.toBe(first.Messages?.[0]?.ReceiptHandle);
    expect(redelivered?.Attributes).toEqual({ ApproximateReceiveCount: '2' });
  });

  it('reports SentTimestamp and ApproximateFirstReceiveTimestamp that stay put across receives', async () => {
    const h = await harness();
    const url = await queueWith(h);
    const before = Date.now();
    await send(h, url, 'stamped');
    const names = ['SentTimestamp', 'ApproximateFirstReceiveTimestamp', 'SenderId'] as const;
    const first = await receive(h, url, { MessageSystemAttributeNames: [...names], VisibilityTimeout: 0 });
    const second = await receive(h, url, { MessageSystemAttributeNames: [...names] });
    const a = first.Messages?.[0]?.Attributes ?? {};
    const b = second.Messages?.[0]?.Attributes ?? {};
    expect(Number(a.SentTimestamp)).toBeGreaterThanOrEqual(before);
    expect(b.SentTimestamp).toBe(a.SentTimestamp);
    expect(b.ApproximateFirstReceiveTimestamp).toBe(a.ApproximateFirstReceiveTimestamp);
    expect(a.SenderId).toBe('123456789012');
  });

  it('lets a receive override the queue visibility timeout', async () => {
    const h = await harness();
    const url = await queueWith(h, 'work', { VisibilityTimeout: '43200' });
    await send(h, url, 'quick');
    await receive(h, url, { VisibilityTimeout: 1 });
    const { Messages } = await receive(h, url, { WaitTimeSeconds: 20 });
    expect(Messages?.[0]?.Body).toBe('quick');
  });

  it('is caught by the SDK when a received body does not match its MD5', async () => {
    const h = await harness({}, (response, target) =>
      target.endsWith('.ReceiveMessage')
        ? { ...response, body: response.body.replace(/"MD5OfBody":"[0-9a-f]+"/, '"MD5OfBody":"00"') }
        : response,
    );
    const url = await queueWith(h);
    await send(h, url, 'x');
    await expect(receive(h, url)).rejects.toThrow(/Invalid MD5 checksum/);
  });
});

describe('SQS delete and visibility changes', () => {
  it('deletes a message with its current receipt handle', async () => {
    const h = await harness();
    const url = await queueWith(h, 'work', { VisibilityTimeout: '1' });
    await send(h, url, 'done');
    const [message] = (await receive(h, url)).Messages ?? [];
    await h.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message?.ReceiptHandle }));
    expect(h.model.messages(url)).toEqual([]);
    // Deleting again with the same handle is success, as in SQS.
    await h.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message?.ReceiptHandle }));
  });

  it('names an unknown receipt handle ReceiptHandleIsInvalid', async () => {
    const h = await harness();
    const url = await queueWith(h);
    const error = await h.client
      .send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'not-a-handle' }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ReceiptHandleIsInvalid', $metadata: { httpStatusCode: 404 } });
  });

  it('answers success for a superseded receipt handle but keeps the message', async () => {
    const h = await harness();
    const url = await queueWith(h);
    await send(h, url, 'slow consumer');
    const stale = (await receive(h, url, { VisibilityTimeout: 0 })).Messages?.[0]?.ReceiptHandle;
    const current = (await receive(h, url, { VisibilityTimeout: 30 })).Messages?.[0]?.ReceiptHandle;
    await h.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: stale }));
    expect(h.model.messages(url)).toHaveLength(1);
    await h.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: current }));
    expect(h.model.messages(url)).toHaveLength(0);
  });

  it('deletes in batches and reports bad handles per entry', async () => {
    const h = await harness();
    const url = await queueWith(h);
    await send(h, url, 'a', 'b');
    const messages = (await receive(h, url, { MaxNumberOfMessages: 10 })).Messages ?? [];
    const result = await h.client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', ReceiptHandle: messages[0]?.ReceiptHandle },
          { Id: 'bogus', ReceiptHandle: 'garbage' },
          { Id: 'b', ReceiptHandle: messages[1]?.ReceiptHandle },
        ],
      }),
    );
    expect(result.Successful?.map((entry) => entry.Id)).toEqual(['a', 'b']);
    expect(result.Failed).toEqual([expect.objectContaining({ Id: 'bogus', Code: 'ReceiptHandleIsInvalid' })]);
    expect(h.model.messages(url)).toEqual([]);
  });

  it('makes a message visible again at once with ChangeMessageVisibility 0', async () => {
    const h = await harness();
    const url = await queueWith(h, 'work', { VisibilityTimeout: '43200' });
    await send(h, url, 'give back');
    const handle = (await receive(h, url)).Messages?.[0]?.ReceiptHandle;
    await h.client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 0 }),
    );
    expect((await receive(h, url)).Messages?.[0]?.Body).toBe('give back');
  });

  it('extends visibility so the message stays hidden past the original timeout', async () => {
    const h = await harness();
    const url = await queueWith(h, 'work', { VisibilityTimeout: '1' });
    await send(h, url, 'long job');
    const handle = (await receive(h, url)).Messages?.[0]?.ReceiptHandle;
    await h.client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 600 }),
    );
    await pause(3 * SECOND);
    expect((await receive(h, url)).Messages).toBeUndefined();
    expect(h.model.messages(url)[0]?.state).toBe('in-flight');
  });

  it('refuses visibility changes for messages that are not in flight', async () => {
    const h = await harness();
    const url = await queueWith(h);
    await send(h, url, 'm');
    const stale = (await receive(h, url, { VisibilityTimeout: 0 })).Messages?.[0]?.ReceiptHandle;
    await expect(
      h.client.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: stale, VisibilityTimeout: 5 }),
      ),
    ).rejects.toMatchObject({ name: 'MessageNotInflight' });
    await expect(
      h.client.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: 'junk', VisibilityTimeout: 5 }),
      ),
    ).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid' });
    const current = (await receive(h, url)).Messages?.[0]?.ReceiptHandle;
    await expect(
      h.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: current,
          VisibilityTimeout: 43_201,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('changes visibility in batches with per-entry failures', async () => {
    const h = await harness();
    const url = await queueWith(h, 'work', { VisibilityTimeout: '600' });
    await send(h, url, 'a', 'b');
    const messages = (await receive(h, url, { MaxNumberOfMessages: 2 })).Messages ?? [];
    await h.client.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: messages[1]?.ReceiptHandle }),
    );
    const result = await h.client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'live', ReceiptHandle: messages[0]?.ReceiptHandle, VisibilityTimeout: 0 },
          { Id: 'deleted', ReceiptHandle: messages[1]?.ReceiptHandle, VisibilityTimeout: 0 },
          { Id: 'junk', ReceiptHandle: 'junk', VisibilityTimeout: 0 },
        ],
      }),
    );
    expect(result.Successful?.map((entry) => entry.Id)).toEqual(['live']);
    expect(result.Failed?.map((entry) => [entry.Id, entry.Code])).toEqual([
      ['deleted', 'InvalidParameterValue'],
      ['junk', 'ReceiptHandleIsInvalid'],
    ]);
    expect(h.model.messages(url)[0]?.state).toBe('visible');
  });
});

describe('SQS dead-letter redrive and purge', () => {
  it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
    const h = await harness();
    const dlq = await queueWith(h, 'work-dlq');
    const url = await queueWith(h, 'work', {
      VisibilityTimeout: '0',
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:work-dlq',
        maxReceiveCount: 2,
      }),
    });
    await send(h, url, 'poison');
    const sentId = h.model.messages(url)[0]?.messageId;
    expect((await receive(h, url)).Messages).toHaveLength(1);
    expect((await receive(h, url)).Messages).toHaveLength(1);
    expect((await receive(h, url)).Messages).toBeUndefined();
    expect(h.model.messages(url)).toEqual([]);
    const { Messages } = await receive(h, dlq, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    expect(Messages?.[0]).toMatchObject({ MessageId: sentId, Body: 'poison' });
  });

  it('rejects a redrive policy whose dead-letter queue does not exist', async () => {
    const h = await harness();
    const url = await queueWith(h);
    await expect(
      h.client.send(
        new SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: {
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:gone',
              maxReceiveCount: 3,
            }),
          },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('purges visible and in-flight messages, once per 60 seconds', async () => {
    const h = await harness({ msPerSecond: 1000 });
    const url = await queueWith(h);
    await send(h, url, 'a', 'b', 'c');
    await receive(h, url);
    await h.client.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(h.model.messages(url)).toEqual([]);
    await expect(h.client.send(new PurgeQueueCommand({ QueueUrl: url }))).rejects.toMatchObject({
      name: 'PurgeQueueInProgress',
      $metadata: { httpStatusCode: 403 },
    });
  });
});

describe('SQS fault injection', () => {
  it('fails the next calls of an operation with the chosen code, then recovers', async () => {
    const h = await harness();
    const url = await queueWith(h);
    h.model.failNext('SendMessage', 'QueueDoesNotExist');
    await expect(send(h, url, 'x')).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    await send(h, url, 'y');
    expect(h.model.messages(url).map((m) => m.body)).toEqual(['y']);
  });

  it('lets the SDK retry injected throttling on its own', async () => {
    const h = await harness();
    const url = await queueWith(h);
    const retrying = new SQSClient({ ...h.clientConfig, maxAttempts: 3 });
    h.model.failNext('ReceiveMessage', 'RequestThrottled', 1);
    await send(h, url, 'after throttle');
    const { Messages, $metadata } = await retrying.send(new ReceiveMessageCommand({ QueueUrl: url }));
    retrying.destroy();
    expect(Messages?.[0]?.Body).toBe('after throttle');
    expect($metadata.attempts).toBe(2);
  });
});
