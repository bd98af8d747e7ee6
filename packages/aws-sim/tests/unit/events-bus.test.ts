import { afterEach, describe, expect, it } from 'vitest';
import type { EventBridgeEvent } from '../../src/contracts';
import { EventBus, type EventBusOptions } from '../../src/events/bus';
import { createEvent } from '../../src/events/envelope';
import {
  EventBusConfigurationError,
  EventBusIdleTimeoutError,
  InvalidEventPatternError,
} from '../../src/events/errors';
import { QueueNotFoundError } from '../../src/sqs/errors';
import { SqsModel } from '../../src/sqs/model';

const buses: EventBus[] = [];
const models: SqsModel[] = [];

function bus(options: EventBusOptions = {}) {
  const created = new EventBus(options);
  buses.push(created);
  return created;
}

function sqs() {
  const model = new SqsModel({ msPerSecond: 20 });
  models.push(model);
  return model;
}

afterEach(() => {
  for (const b of buses.splice(0)) b.close();
  for (const m of models.splice(0)) m.close();
});

function stateChange(state: string, instanceId = 'i-0abc'): EventBridgeEvent {
  return createEvent({
    source: 'aws.ec2',
    detailType: 'EC2 Instance State-change Notification',
    detail: { 'instance-id': instanceId, state },
    resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`],
  });
}

function numbered(count: number): EventBridgeEvent[] {
  return Array.from({ length: count }, (_, i) => stateChange('running', `i-${String(i).padStart(4, '0')}`));
}

const instanceOf = (event: EventBridgeEvent) => event.detail['instance-id'] as string;

describe('EventBus delivery', () => {
  it('delivers matching events to a subscriber asynchronously, and no others', async () => {
    const b = bus();
    const seen: string[] = [];
    b.subscribe({ detail: { state: ['running'] } }, (event) => {
      seen.push(`${instanceOf(event)}:${event.detail.state}`);
    });
    b.publish(stateChange('running', 'i-1'));
    b.publish(stateChange('stopped', 'i-2'));
    expect(seen).toEqual([]);
    await b.idle();
    expect(seen).toEqual(['i-1:running']);
    expect(b.delivered.map((record) => record.target)).toEqual(['subscriber-1']);
  });

  it('stops delivering to a subscriber once it unsubscribes, including deliveries already queued', async () => {
    const b = bus();
    let calls = 0;
    const unsubscribe = b.subscribe({}, () => {
      calls += 1;
    });
    b.publish(stateChange('running'));
    unsubscribe();
    b.publish(stateChange('running'));
    await b.idle();
    expect(calls).toBe(0);
  });

  it('gives each subscriber its own copy of the event', async () => {
    const b = bus();
    let second: EventBridgeEvent | undefined;
    b.subscribe({}, (event) => {
      (event.detail as Record<string, unknown>).state = 'tampered';
    });
    b.subscribe({}, (event) => {
      second = event;
    });
    b.publish(stateChange('running'));
    await b.idle();
    expect(second?.detail.state).toBe('running');
  });

  it('sends matching events as JSON message bodies to an SQS rule target given by ARN', async () => {
    const model = sqs();
    const { arn, url } = model.createQueue('pool-events');
    const b = bus({ queues: model });
    b.addRule({ name: 'ec2-to-queue', pattern: { source: ['aws.ec2'] }, queue: arn });
    const event = stateChange('stopping');
    b.publish(event);
    b.publish(createEvent({ source: 'aws.autoscaling', detailType: 'EC2 Instance Launch Successful' }));
    await b.idle();
    const received = await model.receiveMessages(url, { maxNumberOfMessages: 10 });
    expect(received.map((message) => JSON.parse(message.body))).toEqual([event]);
    expect(b.delivered).toEqual([expect.objectContaining({ target: 'ec2-to-queue', kind: 'queue' })]);
  });

  it('records a rule whose queue is missing as a failure without disturbing the publisher', async () => {
    const model = sqs();
    const b = bus({ queues: model });
    b.addRule({ name: 'nowhere', pattern: {}, queue: 'deleted-queue' });
    expect(() => b.publish(stateChange('running'))).not.toThrow();
    await b.idle();
    expect(b.failures).toEqual([expect.objectContaining({ target: 'nowhere', kind: 'queue' })]);
    expect(b.failures[0]?.error).toBeInstanceOf(QueueNotFoundError);
  });

  it('refuses rules without a queue sink, duplicate rule names and malformed patterns', () => {
    expect(() => bus().addRule({ name: 'r', pattern: {}, queue: 'q' })).toThrow(EventBusConfigurationError);
    const b = bus({ queues: sqs() });
    b.addRule({ name: 'r', pattern: {}, queue: 'q' });
    expect(() => b.addRule({ name: 'r', pattern: {}, queue: 'q' })).toThrow(EventBusConfigurationError);
    expect(() => b.subscribe({ source: 'aws.ec2' } as never, () => {})).toThrow(InvalidEventPatternError);
    expect(b.removeRule('r')).toBe(true);
    expect(b.removeRule('r')).toBe(false);
  });

  it('records callback errors, sync and async, and still serves the other subscribers', async () => {
    const b = bus();
    const delivered: string[] = [];
    b.subscribe(
      {},
      () => {
        throw new Error('handler crashed');
      },
      'sync-thrower',
    );
    b.subscribe(
      {},
      async () => {
        throw new Error('handler rejected');
      },
      'async-thrower',
    );
    b.subscribe(
      {},
      (event) => {
        delivered.push(instanceOf(event));
      },
      'healthy',
    );
    b.publish(stateChange('running', 'i-9'));
    await b.idle();
    expect(delivered).toEqual(['i-9']);
    expect(b.failures.map((failure) => [failure.target, (failure.error as Error).message])).toEqual([
      ['sync-thrower', 'handler crashed'],
      ['async-thrower', 'handler rejected'],
    ]);
  });

  it('retries a failing callback up to the configured number of extra attempts', async () => {
    const b = bus({ retries: 2 });
    let attempts = 0;
    b.subscribe({}, () => {
      attempts += 1;
      if (attempts < 3) throw new Error(`attempt ${attempts} failed`);
    });
    b.publish(stateChange('running'));
    await b.idle();
    expect(attempts).toBe(3);
    expect(b.failures.map((failure) => failure.attempt)).toEqual([1, 2]);
    expect(b.delivered.map((record) => record.attempt)).toEqual([3]);
  });
});

describe('EventBus idle()', () => {
  it('waits for async callbacks to settle', async () => {
    const b = bus();
    let release: () => void = () => {};
    let finished = false;
    b.subscribe({}, async () => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      finished = true;
    });
    b.publish(stateChange('running'));
    const idle = b.idle();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(finished).toBe(false);
    expect(b.pendingDeliveries).toBe(1);
    release();
    await idle;
    expect(finished).toBe(true);
  });

  it('waits for deliveries caused by callbacks publishing in turn', async () => {
    const b = bus({ delayMs: 2 });
    const seen: string[] = [];
    b.subscribe({ detail: { state: ['pending'] } }, (event) => {
      seen.push('pending');
      b.publish(stateChange('running', instanceOf(event)));
    });
    b.subscribe({ detail: { state: ['running'] } }, () => {
      seen.push('running');
    });
    b.publish(stateChange('pending'));
    await b.idle();
    expect(seen).toEqual(['pending', 'running']);
  });

  it('gives up with a typed error when a delivery never settles', async () => {
    const b = bus();
    b.subscribe({}, () => new Promise(() => {}));
    b.publish(stateChange('running'));
    await expect(b.idle(30)).rejects.toBeInstanceOf(EventBusIdleTimeoutError);
  });

  it('resolves at once after close() cancels what was pending', async () => {
    const b = bus({ delayMs: 60_000 });
    let calls = 0;
    b.subscribe({}, () => {
      calls += 1;
    });
    b.publish(stateChange('running'));
    const idle = b.idle();
    b.close();
    await idle;
    expect(calls).toBe(0);
  });
});

describe('EventBus knobs', () => {
  async function runDrop(seed: number) {
    const b = bus({ seed, drop: 0.3 });
    const seen = new Set<string>();
    b.subscribe({}, (event) => {
      seen.add(instanceOf(event));
    });
    for (const event of numbered(1000)) b.publish(event);
    await b.idle();
    return { seen, dropped: b.dropped.map(instanceOf) };
  }

  it('drops about the configured fraction of events, the same ones for the same seed', async () => {
    const first = await runDrop(42);
    expect(first.dropped.length).toBeGreaterThan(240);
    expect(first.dropped.length).toBeLessThan(360);
    expect(first.seen.size + first.dropped.length).toBe(1000);
    for (const id of first.dropped) expect(first.seen.has(id)).toBe(false);
    const again = await runDrop(42);
    expect(again.dropped).toEqual(first.dropped);
    const other = await runDrop(43);
    expect(other.dropped).not.toEqual(first.dropped);
  });

  it('delivers about the configured fraction of events twice, never losing one', async () => {
    const b = bus({ seed: 7, duplicate: 0.25 });
    const counts = new Map<string, number>();
    b.subscribe({}, (event) => {
      counts.set(instanceOf(event), (counts.get(instanceOf(event)) ?? 0) + 1);
    });
    for (const event of numbered(800)) b.publish(event);
    await b.idle();
    const twice = [...counts.values()].filter((n) => n === 2).length;
    expect(counts.size).toBe(800);
    expect([...counts.values()].every((n) => n === 1 || n === 2)).toBe(true);
    expect(twice).toBeGreaterThan(150);
    expect(twice).toBeLessThan(250);
    expect(b.delivered.filter((record) => record.duplicate)).toHaveLength(twice);
  });

  async function reorderedOrder(seed: number) {
    const b = bus({ seed, reorderWindowMs: 5 });
    const order: string[] = [];
    b.subscribe({}, (event) => {
      order.push(instanceOf(event));
    });
    const events = numbered(50);
    for (const event of events) b.publish(event);
    await b.idle();
    return { order, published: events.map(instanceOf) };
  }

  it('shuffles deliveries within the reorder window, reproducibly for a seed', async () => {
    const first = await reorderedOrder(3);
    expect([...first.order].sort()).toEqual(first.published);
    expect(first.order).not.toEqual(first.published);
    const again = await reorderedOrder(3);
    expect(again.order).toEqual(first.order);
  });

  it('keeps publish order when the knobs are off', async () => {
    const b = bus();
    const order: string[] = [];
    b.subscribe({}, (event) => {
      order.push(instanceOf(event));
    });
    const events = numbered(30);
    for (const event of events) b.publish(event);
    await b.idle();
    expect(order).toEqual(events.map(instanceOf));
  });

  it('delays deliveries within a range and can be reconfigured at runtime', async () => {
    const b = bus({ delayMs: [1, 10], seed: 5 });
    let calls = 0;
    b.subscribe({}, () => {
      calls += 1;
    });
    b.publish(stateChange('running'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(0);
    await b.idle();
    expect(calls).toBe(1);
    b.configure({ delayMs: 0, duplicate: 1 });
    b.publish(stateChange('running'));
    await b.idle();
    expect(calls).toBe(3);
    expect(b.knobs).toMatchObject({ delayMs: 0, duplicate: 1 });
  });

  it.each([
    [{ drop: 1.5 }, 'drop'],
    [{ duplicate: -0.1 }, 'duplicate'],
    [{ delayMs: [10, 5] as const }, 'delayMs'],
    [{ reorderWindowMs: Number.NaN }, 'reorderWindowMs'],
    [{ retries: 1.5 }, 'retries'],
  ])('rejects knob %o and keeps the previous settings', (knobs, setting) => {
    const b = bus({ drop: 0.1 });
    expect(() => b.configure(knobs)).toThrow(EventBusConfigurationError);
    try {
      b.configure(knobs);
    } catch (error) {
      expect((error as EventBusConfigurationError).setting).toBe(setting);
    }
    expect(b.knobs.drop).toBe(0.1);
  });
});

describe('EventBus.publishScheduled', () => {
  it('publishes an EventBridge "Scheduled Event" exactly as a scheduled rule delivers it', async () => {
    const b = bus();
    const seen: EventBridgeEvent[] = [];
    b.subscribe({ source: ['aws.events'], 'detail-type': ['Scheduled Event'] }, (event) => {
      seen.push(event);
    });
    const published = b.publishScheduled('arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule');
    await b.idle();
    expect(seen).toEqual([published]);
    expect(published).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule'],
      detail: {},
    });
  });

  it('names a default sync rule in the bus identity when none is given', () => {
    const b = bus({ identity: { account: '111122223333', region: 'eu-west-1' } });
    expect(b.publishScheduled().resources).toEqual([
      'arn:aws:events:eu-west-1:111122223333:rule/eni-pool-sync',
    ]);
  });
});
