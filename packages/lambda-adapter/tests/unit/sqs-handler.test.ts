import type { LifecycleActionTrigger } from '@eni-pool/core';
import {
  FakeEc2,
  instanceStateChangeEvent,
  lifecycleActionEvent,
  scheduledEvent,
  sqsEvent,
  sqsRecord,
  TERMINATING,
  testNotification,
} from '@eni-pool/core/testing';
import { describe, expect, it } from 'vitest';
import { createSqsHandler } from '../../src/sqs-handler';
import { FakeManager, recordingLogger } from '../helpers/fakes';
import { instanceId } from '../helpers/ids';

const [A1, A2, A3, B1, LOOSE, FORMER] = [1, 2, 3, 4, 5, 6].map(instanceId) as [
  string,
  string,
  string,
  string,
  string,
  string,
];

/** Pool `a` has three instances, pool `b` one; LOOSE is untagged; FORMER lost its tag but holds a `b` interface. */
function world() {
  const ec2 = new FakeEc2();
  for (const instanceId of [A1, A2, A3]) ec2.addInstance({ instanceId, pool: 'a' });
  ec2.addInstance({ instanceId: B1, pool: 'b' });
  ec2.addInstance({ instanceId: LOOSE });
  // Its tag is gone, but EC2 still lists the pool interface it holds among its interfaces.
  ec2.addInstance({ instanceId: FORMER });
  ec2.addInterface({ networkInterfaceId: 'eni-b1', pool: 'b', attachedTo: FORMER });
  return ec2;
}

describe('createSqsHandler', () => {
  it('reconciles each affected pool once per batch, however many records name it', async () => {
    const ec2 = world();
    const manager = new FakeManager({ poolsFrom: ec2 });
    const handler = createSqsHandler({ manager, ec2, logger: recordingLogger() });
    const response = await handler(
      sqsEvent(
        sqsRecord(instanceStateChangeEvent({ instanceId: A1, state: 'running' })),
        sqsRecord(instanceStateChangeEvent({ instanceId: A2, state: 'terminated' })),
        sqsRecord(instanceStateChangeEvent({ instanceId: A1, state: 'running' })),
        sqsRecord(instanceStateChangeEvent({ instanceId: A3, state: 'stopped' })),
        sqsRecord(instanceStateChangeEvent({ instanceId: B1, state: 'running' })),
      ),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(manager.reconciled).toEqual([
      { kind: 'pools', pools: ['a'] },
      { kind: 'pools', pools: ['b'] },
    ]);
    // One describe of the batch's instances by id: their own tags name their pools.
    expect(ec2.calls.map((call) => call.operation)).toEqual(['DescribeInstances']);
    expect(ec2.callsOf('DescribeInstances')[0]?.input.filters[0]?.name).toBe('instance-id');
  });

  it('reports exactly the poison record as failed', async () => {
    const manager = new FakeManager();
    const handler = createSqsHandler({ manager, ec2: world(), logger: recordingLogger() });
    const response = await handler(
      sqsEvent(
        sqsRecord(instanceStateChangeEvent({ instanceId: A1, state: 'running' }), { messageId: 'good-1' }),
        sqsRecord('this is not an event', { messageId: 'poison' }),
        sqsRecord(scheduledEvent(), { messageId: 'good-2' }),
      ),
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'poison' }] });
    expect(manager.reconciled).toEqual([{ kind: 'all' }]);
  });

  it.each([
    ['unknown JSON', JSON.stringify({ hello: 'world' })],
    ['an empty body', ''],
    [
      'a truncated event',
      JSON.stringify(instanceStateChangeEvent({ instanceId: A1, state: 'running' })).slice(0, 40),
    ],
    [
      'a malformed state change',
      JSON.stringify({
        ...instanceStateChangeEvent({ instanceId: A1, state: 'running' }),
        detail: { state: 'running' },
      }),
    ],
  ])('fails %s without any AWS call', async (_name, body) => {
    const ec2 = world();
    const manager = new FakeManager({ poolsFrom: ec2 });
    const handler = createSqsHandler({ manager, ec2, logger: recordingLogger() });
    const response = await handler(sqsEvent(sqsRecord(body, { messageId: 'bad' })));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    expect(manager.reconciled).toHaveLength(0);
    expect(ec2.calls).toEqual([]);
  });

  it('lets a scheduled sync in the batch cover its state changes', async () => {
    const ec2 = world();
    const manager = new FakeManager({ poolsFrom: ec2 });
    const handler = createSqsHandler({ manager, ec2, logger: recordingLogger() });
    await handler(
      sqsEvent(
        sqsRecord(instanceStateChangeEvent({ instanceId: A1, state: 'running' })),
        sqsRecord(scheduledEvent()),
        sqsRecord(scheduledEvent()),
      ),
    );
    expect(manager.reconciled).toEqual([{ kind: 'all' }]);
    expect(ec2.calls).toEqual([]);
  });

  it('fails only the records behind a failed reconcile', async () => {
    const ec2 = world();
    const manager = new FakeManager({
      poolsFrom: ec2,
      fail: (scope) =>
        scope.kind === 'pools' && scope.pools.includes('b')
          ? Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' })
          : undefined,
    });
    const handler = createSqsHandler({ manager, ec2, logger: recordingLogger() });
    const response = await handler(
      sqsEvent(
        sqsRecord(instanceStateChangeEvent({ instanceId: A1, state: 'running' }), { messageId: 'a-1' }),
        sqsRecord(instanceStateChangeEvent({ instanceId: B1, state: 'running' }), { messageId: 'b-1' }),
        sqsRecord(instanceStateChangeEvent({ instanceId: FORMER, state: 'running' }), { messageId: 'b-2' }),
      ),
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'b-1' }, { itemIdentifier: 'b-2' }] });
  });

  it('fails every state change when their pools cannot be read', async () => {
    const ec2 = world();
    const unavailable = Object.assign(new Error('We currently do not have sufficient capacity'), {
      name: 'Unavailable',
    });
    ec2.failAlways('DescribeInstances', unavailable);
    ec2.failAlways('DescribeNetworkInterfaces', unavailable);
    const handler = createSqsHandler({
      manager: new FakeManager({ poolsFrom: ec2 }),
      ec2,
      logger: recordingLogger(),
    });
    const response = await handler(
      sqsEvent(
        sqsRecord(instanceStateChangeEvent({ instanceId: A1, state: 'running' }), { messageId: 'x' }),
        sqsRecord(testNotification(), { messageId: 'test' }),
      ),
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'x' }] });
  });

  it('acknowledges untagged instances, pending states and test notifications without reconciling', async () => {
    const manager = new FakeManager();
    const handler = createSqsHandler({ manager, ec2: world(), logger: recordingLogger() });
    const response = await handler(
      sqsEvent(
        sqsRecord(instanceStateChangeEvent({ instanceId: LOOSE, state: 'running' })),
        sqsRecord(instanceStateChangeEvent({ instanceId: A1, state: 'pending' })),
        sqsRecord(testNotification()),
      ),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(manager.reconciled).toHaveLength(0);
  });

  it('finds the pool of an instance whose tag is gone through the interface it still holds', async () => {
    const ec2 = world();
    const manager = new FakeManager({ poolsFrom: ec2 });
    const handler = createSqsHandler({ manager, ec2, logger: recordingLogger() });
    await handler(sqsEvent(sqsRecord(instanceStateChangeEvent({ instanceId: FORMER, state: 'stopped' }))));
    expect(manager.reconciled).toEqual([{ kind: 'pools', pools: ['b'] }]);
  });

  it('hands each lifecycle action to the lifecycle handler once, including SNS-wrapped notifications', async () => {
    const seen: LifecycleActionTrigger[] = [];
    const handler = createSqsHandler({
      manager: new FakeManager(),
      ec2: world(),
      logger: recordingLogger(),
      lifecycle: {
        handle: async (trigger) => {
          seen.push(trigger);
        },
      },
    });
    const launch = lifecycleActionEvent({ instanceId: A1 });
    const raw = {
      ...launch.detail,
      Service: 'AWS Auto Scaling',
      AccountId: '123456789012',
      RequestId: 'r-1',
      Time: launch.time,
    };
    const sns = {
      Type: 'Notification',
      MessageId: '6a1f4b52-5e43-5fd4-9a4a-1c7f9b3e2d10',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:eni-pool',
      Subject: 'Auto Scaling: Lifecycle action',
      Message: JSON.stringify(lifecycleActionEvent({ instanceId: A2, transition: TERMINATING }).detail),
      Timestamp: launch.time,
    };
    const response = await handler(
      sqsEvent(
        sqsRecord(launch, { messageId: 'eb' }),
        sqsRecord(raw, { messageId: 'raw' }),
        sqsRecord(launch, { messageId: 'dup' }),
        sqsRecord(sns, { messageId: 'sns' }),
      ),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(seen.map((trigger) => [trigger.instanceId, trigger.transition])).toEqual([
      [A1, 'autoscaling:EC2_INSTANCE_LAUNCHING'],
      [A2, 'autoscaling:EC2_INSTANCE_TERMINATING'],
    ]);
  });

  it('fails a lifecycle record whose handler throws, and only that one', async () => {
    const handler = createSqsHandler({
      manager: new FakeManager(),
      ec2: world(),
      logger: recordingLogger(),
      lifecycle: {
        handle: async (trigger) => {
          if (trigger.instanceId === A2) throw new Error('Rate exceeded');
        },
      },
    });
    const response = await handler(
      sqsEvent(
        sqsRecord(lifecycleActionEvent({ instanceId: A1 }), { messageId: 'ok' }),
        sqsRecord(lifecycleActionEvent({ instanceId: A2 }), { messageId: 'throttled' }),
      ),
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'throttled' }] });
  });

  it('keeps at most `concurrency` reconciles in flight', async () => {
    const ec2 = new FakeEc2();
    for (let n = 0; n < 10; n++) ec2.addInstance({ instanceId: instanceId(100 + n), pool: `pool-${n}` });
    const manager = new FakeManager({ delayMs: 5, poolsFrom: ec2 });
    const handler = createSqsHandler({ manager, ec2, logger: recordingLogger(), concurrency: 3 });
    const records = Array.from({ length: 10 }, (_, n) =>
      sqsRecord(instanceStateChangeEvent({ instanceId: instanceId(100 + n), state: 'running' })),
    );
    expect(await handler(sqsEvent(...records))).toEqual({ batchItemFailures: [] });
    expect(manager.reconciled).toHaveLength(10);
    expect(manager.maxInFlight).toBe(3);
  });

  it('rejects a concurrency outside 1–32 at construction', () => {
    expect(() => createSqsHandler({ manager: new FakeManager(), concurrency: 0 })).toThrow(/concurrency/);
    expect(() => createSqsHandler({ manager: new FakeManager(), concurrency: 1.5 })).toThrow(/concurrency/);
  });

  it('returns no failures for an event that is not an SQS batch', async () => {
    const handler = createSqsHandler({ manager: new FakeManager(), ec2: world(), logger: recordingLogger() });
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input
    expect(await handler({ nope: true } as any)).toEqual({ batchItemFailures: [] });
  });

  it('hands each reconcile the invocation deadline', async () => {
    const signals: (AbortSignal | undefined)[] = [];
    const ec2 = world();
    const manager = new FakeManager({ poolsFrom: ec2 });
    const reconcile = manager.reconcile.bind(manager);
    manager.reconcile = async (scope, options) => {
      signals.push(options?.signal);
      return reconcile(scope, options);
    };
    const handler = createSqsHandler({ manager, ec2, logger: recordingLogger() });
    const context = { getRemainingTimeInMillis: () => 60_000 } as unknown as import('aws-lambda').Context;
    await handler(
      sqsEvent(
        sqsRecord(instanceStateChangeEvent({ instanceId: A1, state: 'running' })),
        sqsRecord(instanceStateChangeEvent({ instanceId: B1, state: 'running' })),
      ),
      context,
    );
    expect(signals).toHaveLength(2);
    for (const signal of signals) {
      expect(signal).toBeInstanceOf(AbortSignal);
      expect(signal?.aborted).toBe(false);
    }
  });

  it('runs lifecycle actions beside the reconciles, not behind them', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const handler = createSqsHandler({
      manager: new FakeManager({ delayMs: 5 }),
      ec2: world(),
      logger: recordingLogger(),
      concurrency: 1,
      lifecycle: {
        handle: async () => {
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight -= 1;
        },
      },
    });
    const launches = [11, 12, 13, 14, 15].map((n) =>
      sqsRecord(lifecycleActionEvent({ instanceId: instanceId(n) })),
    );
    const response = await handler(
      sqsEvent(sqsRecord(instanceStateChangeEvent({ instanceId: A1, state: 'running' })), ...launches),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(maxInFlight).toBe(5);
  });

  it('reads the pool tag the manager plans with', async () => {
    const ec2 = new FakeEc2();
    ec2.addInstance({ instanceId: A1, tags: { 'team-pool': 'a' } });
    const manager = new FakeManager({ poolsFrom: ec2, poolTagKey: 'team-pool' });
    await createSqsHandler({ manager, ec2, logger: recordingLogger() })(
      sqsEvent(sqsRecord(instanceStateChangeEvent({ instanceId: A1, state: 'running' }))),
    );
    expect(manager.reconciled).toEqual([{ kind: 'pools', pools: ['a'] }]);
    expect(() => createSqsHandler({ manager, poolTagKey: 'other' })).toThrow(/differs from the manager/);
  });
});
