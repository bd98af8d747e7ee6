import { afterEach, describe, expect, it } from 'vitest';
import { QueueNotFoundError, SimConfigurationError, SqsApiError } from '../../src/sqs/errors';
import { SqsModel, type SqsModelOptions } from '../../src/sqs/model';

const models: SqsModel[] = [];

function model(options: SqsModelOptions = {}) {
  const created = new SqsModel({ msPerSecond: 20, ...options });
  models.push(created);
  return created;
}

afterEach(() => {
  for (const m of models.splice(0)) m.close();
});

/** A lifecycle notification body as Auto Scaling writes it to an SQS target. */
function lifecycleNotification(instanceId: string) {
  return JSON.stringify({
    Service: 'AWS Auto Scaling',
    Time: '2026-11-27T05:00:00.000Z',
    AccountId: '123456789012',
    LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
    EC2InstanceId: instanceId,
    LifecycleActionToken: 'token-1',
    AutoScalingGroupName: 'pool-asg',
    LifecycleHookName: 'launch',
  });
}

describe('SqsModel as a QueueSink', () => {
  it('accepts a queue by ARN, URL or name', async () => {
    const sqs = model();
    const { arn, url } = sqs.createQueue('lifecycle');
    sqs.sendMessageTo(arn, lifecycleNotification('i-1'));
    sqs.sendMessageTo(url, lifecycleNotification('i-2'));
    sqs.sendMessageTo('lifecycle', lifecycleNotification('i-3'));
    const received = await sqs.receiveMessages(url, { maxNumberOfMessages: 10 });
    expect(received.map((message) => JSON.parse(message.body).EC2InstanceId)).toEqual(['i-1', 'i-2', 'i-3']);
  });

  it('throws QueueNotFoundError for a missing queue or an ARN of another account or region', () => {
    const sqs = model();
    sqs.createQueue('lifecycle');
    expect(() => sqs.sendMessageTo('missing', 'x')).toThrow(QueueNotFoundError);
    expect(() => sqs.sendMessageTo('arn:aws:sqs:us-east-1:999999999999:lifecycle', 'x')).toThrow(
      QueueNotFoundError,
    );
    expect(() => sqs.sendMessageTo('arn:aws:sqs:eu-west-1:123456789012:lifecycle', 'x')).toThrow(
      QueueNotFoundError,
    );
    expect(() => sqs.sendMessageTo('http://127.0.0.1/999999999999/lifecycle', 'x')).toThrow(
      QueueNotFoundError,
    );
  });

  it('rejects an empty body with a typed error and queues nothing', () => {
    const sqs = model();
    sqs.createQueue('q');
    expect(() => sqs.sendMessageTo('q', '')).toThrow(SqsApiError);
    expect(sqs.messages('q')).toEqual([]);
  });
});

describe('SqsModel queue URLs', () => {
  it('builds URLs from the endpoint, which can be set once the server listens', () => {
    const sqs = model({ endpoint: 'http://127.0.0.1' });
    sqs.createQueue('q');
    sqs.endpoint = 'http://127.0.0.1:45678/';
    expect(sqs.queue('q').url).toBe('http://127.0.0.1:45678/123456789012/q');
    expect(sqs.getQueueUrl('q')).toBe('http://127.0.0.1:45678/123456789012/q');
  });

  it('uses the configured identity in URLs and ARNs', () => {
    const sqs = model({ identity: { account: '111122223333', region: 'eu-west-1' } });
    expect(sqs.createQueue('q')).toEqual({
      name: 'q',
      url: 'http://127.0.0.1/111122223333/q',
      arn: 'arn:aws:sqs:eu-west-1:111122223333:q',
    });
  });

  it('rejects a non-positive time scale', () => {
    expect(() => new SqsModel({ msPerSecond: 0 })).toThrow(SimConfigurationError);
  });
});

describe('SqsModel long polling', () => {
  it('wakes a waiting receive when an in-flight message becomes visible again', async () => {
    const sqs = model();
    const { url } = sqs.createQueue('q', { VisibilityTimeout: '2' });
    sqs.sendMessageTo(url, 'again');
    const [first] = await sqs.receiveMessages(url);
    const [second] = await sqs.receiveMessages(url, { waitTimeSeconds: 20 });
    expect(second?.messageId).toBe(first?.messageId);
    expect(second?.receiveCount).toBe(2);
  });

  it('ends pending long polls with no messages when the model closes', { timeout: 10_000 }, async () => {
    const sqs = new SqsModel();
    const { url } = sqs.createQueue('q');
    const polling = sqs.receiveMessages(url, { waitTimeSeconds: 20 });
    sqs.close();
    await expect(polling).resolves.toEqual([]);
  });

  it('ends pending long polls when their queue is deleted', { timeout: 10_000 }, async () => {
    const sqs = model({ msPerSecond: 1000 });
    const { url } = sqs.createQueue('q');
    const polling = sqs.receiveMessages(url, { waitTimeSeconds: 20 });
    sqs.deleteQueue(url);
    await expect(polling).resolves.toEqual([]);
  });

  it('serves concurrent long polls each with different messages', { timeout: 10_000 }, async () => {
    const sqs = model({ msPerSecond: 1000 });
    const { url } = sqs.createQueue('q');
    const polls = [1, 2, 3].map(() => sqs.receiveMessages(url, { waitTimeSeconds: 20 }));
    for (const body of ['a', 'b', 'c']) sqs.sendMessageTo(url, body);
    const results = await Promise.all(polls);
    expect(
      results
        .flat()
        .map((message) => message.body)
        .sort(),
    ).toEqual(['a', 'b', 'c']);
  });
});

describe('SqsModel at-least-once delivery', () => {
  it('hands the same message to two consumers when duplicate delivery strikes', async () => {
    const sqs = model({ duplicateDelivery: 1 });
    const { url } = sqs.createQueue('q', { VisibilityTimeout: '600' });
    sqs.sendMessageTo(url, 'twice');
    const [first] = await sqs.receiveMessages(url);
    sqs.duplicateDelivery = 0;
    const [second] = await sqs.receiveMessages(url);
    expect(second?.messageId).toBe(first?.messageId);
    expect(await sqs.receiveMessages(url)).toEqual([]);
  });

  it('duplicates about the configured fraction of receives, reproducibly for a seed', async () => {
    const duplicatedIds = async (seed: number) => {
      const sqs = model({ duplicateDelivery: 0.2, seed });
      const { url } = sqs.createQueue('q', { VisibilityTimeout: '600' });
      for (let i = 0; i < 300; i += 1) sqs.sendMessageTo(url, `m${i}`);
      const bodies: string[] = [];
      for (;;) {
        const batch = await sqs.receiveMessages(url, { maxNumberOfMessages: 10 });
        if (batch.length === 0) break;
        bodies.push(...batch.map((message) => message.body));
      }
      return bodies.filter((body, index) => bodies.indexOf(body) !== index);
    };
    const first = await duplicatedIds(11);
    expect(new Set(first).size).toBeGreaterThan(30);
    expect(new Set(first).size).toBeLessThan(100);
    expect(await duplicatedIds(11)).toEqual(first);
  });

  it('rejects a duplicate probability outside 0–1', () => {
    expect(() => model({ duplicateDelivery: 2 })).toThrow(SimConfigurationError);
  });
});

describe('SqsModel message lifetime', () => {
  it('drops messages older than the retention period', async () => {
    let now = 1_000_000;
    const sqs = model({ msPerSecond: 1000, now: () => now });
    const { url } = sqs.createQueue('q', { MessageRetentionPeriod: '60' });
    sqs.sendMessageTo(url, 'old');
    now += 59_000;
    expect(sqs.messages(url)).toHaveLength(1);
    now += 2_000;
    expect(sqs.messages(url)).toEqual([]);
    expect(await sqs.receiveMessages(url)).toEqual([]);
  });

  it('keeps the send time and receive count of a message moved to the dead-letter queue', async () => {
    let now = 5_000_000;
    const sqs = model({ msPerSecond: 1000, now: () => now });
    const dlq = sqs.createQueue('dlq');
    const { url } = sqs.createQueue('q', {
      VisibilityTimeout: '0',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: '1' }),
    });
    sqs.sendMessageTo(url, 'poison');
    now += 1_000;
    await sqs.receiveMessages(url);
    expect(await sqs.receiveMessages(url)).toEqual([]);
    const [moved] = await sqs.receiveMessages(dlq.url);
    expect(moved).toMatchObject({ body: 'poison', sentTimestamp: 5_000_000, receiveCount: 2 });
  });

  it('deletes with a superseded receipt handle when configured to honour it', async () => {
    const sqs = model({ staleReceiptHandles: 'honoured' });
    const { url } = sqs.createQueue('q');
    sqs.sendMessageTo(url, 'm');
    const [first] = await sqs.receiveMessages(url, { visibilityTimeout: 0 });
    await sqs.receiveMessages(url);
    sqs.deleteMessage(url, first?.receiptHandle ?? '');
    expect(sqs.messages(url)).toEqual([]);
  });

  it('refuses a visibility extension beyond 12 hours after the receive', async () => {
    let now = 0;
    const sqs = model({ msPerSecond: 1000, now: () => now });
    const { url } = sqs.createQueue('q', { VisibilityTimeout: '43200' });
    sqs.sendMessageTo(url, 'long');
    const [message] = await sqs.receiveMessages(url);
    now += 3_600_000;
    expect(() => sqs.changeMessageVisibility(url, message?.receiptHandle ?? '', 43_200)).toThrow(
      expect.objectContaining({ code: 'InvalidParameterValue' }),
    );
    sqs.changeMessageVisibility(url, message?.receiptHandle ?? '', 39_600);
  });
});
