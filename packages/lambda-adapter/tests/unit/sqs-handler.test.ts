import type { LifecycleActionTrigger } from '@eni-pool/core';
import { describe, expect, it } from 'vitest';
import { createSqsHandler } from '../../src/sqs-handler';
import {
  instanceId,
  lifecycleAction,
  scheduled,
  sqsEvent,
  sqsRecord,
  stateChange,
  testNotification,
} from '../helpers/events';
import { FakeEc2, FakeManager, instance, poolInterface, recordingLogger, TAG } from '../helpers/fakes';

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
  return new FakeEc2(
    [
      instance(A1, { [TAG]: 'a' }),
      instance(A2, { [TAG]: 'a' }),
      instance(A3, { [TAG]: 'a' }),
      instance(B1, { [TAG]: 'b' }),
      instance(LOOSE),
      // Its tag is gone, but EC2 still lists the pool interface it holds among its interfaces.
      {
        ...instance(FORMER),
        attachments: [
          { networkInterfaceId: 'eni-b1', deviceIndex: 1, networkCardIndex: 0, status: 'attached' },
        ],
      },
    ],
    [poolInterface('eni-b1', 'b', FORMER)],
  );
}

describe('createSqsHandler', () => {
  it('reconciles each affected pool once per batch, however many records name it', async () => {
    const ec2 = world();
    const manager = new FakeManager({ poolsFrom: ec2 });
    const handler = createSqsHandler({ manager, ec2, logger: recordingLogger() });
    const response = await handler(
      sqsEvent(
        sqsRecord(stateChange(A1, 'running')),
        sqsRecord(stateChange(A2, 'terminated')),
        sqsRecord(stateChange(A1, 'running')),
        sqsRecord(stateChange(A3, 'stopped')),
        sqsRecord(stateChange(B1, 'running')),
      ),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(manager.reconciled).toEqual([
      { kind: 'pools', pools: ['a'] },
      { kind: 'pools', pools: ['b'] },
    ]);
    // One describe of the batch's instances by id: their own tags name their pools.
    expect(ec2.describes.map((d) => d.operation)).toEqual(['DescribeInstances']);
    expect(ec2.describes[0]?.filters[0]?.name).toBe('instance-id');
  });

  it('reports exactly the poison record as failed', async () => {
    const manager = new FakeManager();
    const handler = createSqsHandler({ manager, ec2: world(), logger: recordingLogger() });
    const response = await handler(
      sqsEvent(
        sqsRecord(stateChange(A1, 'running'), 'good-1'),
        sqsRecord('this is not an event', 'poison'),
        sqsRecord(scheduled(), 'good-2'),
      ),
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'poison' }] });
    expect(manager.reconciled).toEqual([{ kind: 'all' }]);
  });

  it.each([
    ['unknown JSON', JSON.stringify({ hello: 'world' })],
    ['an empty body', ''],
    ['a truncated event', JSON.stringify(stateChange(A1, 'running')).slice(0, 40)],
    [
      'a malformed state change',
      JSON.stringify({ ...stateChange(A1, 'running'), detail: { state: 'running' } }),
    ],
  ])('fails %s without any AWS call', async (_name, body) => {
    const ec2 = world();
    const manager = new FakeManager({ poolsFrom: ec2 });
    const handler = createSqsHandler({ manager, ec2, logger: recordingLogger() });
    const response = await handler(sqsEvent(sqsRecord(body, 'bad')));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    expect(manager.reconciled).toHaveLength(0);
    expect(ec2.describes).toHaveLength(0);
    expect(ec2.mutations).toBe(0);
  });

  it('lets a scheduled sync in the batch cover its state changes', async () => {
    const ec2 = world();
    const manager = new FakeManager({ poolsFrom: ec2 });
    const handler = createSqsHandler({ manager, ec2, logger: recordingLogger() });
    await handler(
      sqsEvent(sqsRecord(stateChange(A1, 'running')), sqsRecord(scheduled()), sqsRecord(scheduled())),
    );
    expect(manager.reconciled).toEqual([{ kind: 'all' }]);
    expect(ec2.describes).toHaveLength(0);
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
        sqsRecord(stateChange(A1, 'running'), 'a-1'),
        sqsRecord(stateChange(B1, 'running'), 'b-1'),
        sqsRecord(stateChange(FORMER, 'running'), 'b-2'),
      ),
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'b-1' }, { itemIdentifier: 'b-2' }] });
  });

  it('fails every state change when their pools cannot be read', async () => {
    const ec2 = world();
    ec2.failDescribe = Object.assign(new Error('We currently do not have sufficient capacity'), {
      name: 'Unavailable',
    });
    const handler = createSqsHandler({
      manager: new FakeManager({ poolsFrom: ec2 }),
      ec2,
      logger: recordingLogger(),
    });
    const response = await handler(
      sqsEvent(sqsRecord(stateChange(A1, 'running'), 'x'), sqsRecord(testNotification(), 'test')),
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'x' }] });
  });

  it('acknowledges untagged instances, pending states and test notifications without reconciling', async () => {
    const manager = new FakeManager();
    const handler = createSqsHandler({ manager, ec2: world(), logger: recordingLogger() });
    const response = await handler(
      sqsEvent(
        sqsRecord(stateChange(LOOSE, 'running')),
        sqsRecord(stateChange(A1, 'pending')),
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
    await handler(sqsEvent(sqsRecord(stateChange(FORMER, 'stopped'))));
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
    const launch = lifecycleAction(A1);
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
      Message: JSON.stringify(lifecycleAction(A2, 'terminate').detail),
      Timestamp: launch.time,
    };
    const response = await handler(
      sqsEvent(
        sqsRecord(launch, 'eb'),
        sqsRecord(raw, 'raw'),
        sqsRecord(launch, 'dup'),
        sqsRecord(sns, 'sns'),
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
      sqsEvent(sqsRecord(lifecycleAction(A1), 'ok'), sqsRecord(lifecycleAction(A2), 'throttled')),
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'throttled' }] });
  });

  it('keeps at most `concurrency` reconciles in flight', async () => {
    const ec2 = new FakeEc2(
      Array.from({ length: 10 }, (_, n) => instance(instanceId(100 + n), { [TAG]: `pool-${n}` })),
    );
    const manager = new FakeManager({ delayMs: 5, poolsFrom: ec2 });
    const handler = createSqsHandler({ manager, ec2, logger: recordingLogger(), concurrency: 3 });
    const records = Array.from({ length: 10 }, (_, n) =>
      sqsRecord(stateChange(instanceId(100 + n), 'running')),
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
      sqsEvent(sqsRecord(stateChange(A1, 'running')), sqsRecord(stateChange(B1, 'running'))),
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
    const launches = [11, 12, 13, 14, 15].map((n) => sqsRecord(lifecycleAction(instanceId(n))));
    const response = await handler(sqsEvent(sqsRecord(stateChange(A1, 'running')), ...launches));
    expect(response).toEqual({ batchItemFailures: [] });
    expect(maxInFlight).toBe(5);
  });

  it('reads the pool tag the manager plans with', async () => {
    const ec2 = new FakeEc2([instance(A1, { 'team-pool': 'a' })]);
    const manager = new FakeManager({ poolsFrom: ec2, poolTagKey: 'team-pool' });
    await createSqsHandler({ manager, ec2, logger: recordingLogger() })(
      sqsEvent(sqsRecord(stateChange(A1, 'running'))),
    );
    expect(manager.reconciled).toEqual([{ kind: 'pools', pools: ['a'] }]);
    expect(() => createSqsHandler({ manager, poolTagKey: 'other' })).toThrow(/differs from the manager/);
  });
});
