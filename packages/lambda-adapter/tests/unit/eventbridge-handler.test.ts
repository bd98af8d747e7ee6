import type { LifecycleActionTrigger } from '@eni-pool/core';
import {
  FakeEc2,
  instanceStateChangeEvent,
  lifecycleActionEvent,
  scheduledEvent,
  TERMINATING,
  testNotification,
} from '@eni-pool/core/testing';
import { describe, expect, it } from 'vitest';
import { createEventBridgeHandler } from '../../src/eventbridge-handler';
import type { PoolMetrics } from '../../src/metrics';
import { attachOutcome, FakeManager, reconcileResult, recordingLogger } from '../helpers/fakes';
import { instanceId } from '../helpers/ids';

const I1 = instanceId(1);
const I7 = instanceId(7);
const UNTAGGED = instanceId(0xdead);

function setup(options: { members?: Record<string, string>; fail?: Error } = {}) {
  const manager = new FakeManager({
    members: options.members ?? { [I1]: 'web' },
    fail: () => options.fail,
  });
  const logger = recordingLogger();
  const published: PoolMetrics[][] = [];
  const ec2 = new FakeEc2();
  const handler = createEventBridgeHandler({
    manager,
    logger,
    ec2,
    metrics: { publish: (metrics) => published.push([...metrics]) },
  });
  return { manager, logger, published, handler, ec2 };
}

describe('createEventBridgeHandler', () => {
  it.each(['running', 'stopping', 'stopped', 'shutting-down', 'terminated'])(
    'reconciles the pool of an instance that is %s',
    async (state) => {
      const { handler, manager } = setup();
      const result = await handler(instanceStateChangeEvent({ instanceId: I1, state }));
      expect(result).toMatchObject({
        status: 'reconciled',
        trigger: 'instance-state-change',
        pools: ['web'],
      });
      expect(manager.handled).toHaveLength(1);
      expect(manager.handled[0]).toMatchObject({ kind: 'instance-state-change', instanceId: I1, state });
    },
  );

  it('acknowledges a pending instance without asking the manager', async () => {
    const { handler, manager } = setup();
    const result = await handler(instanceStateChangeEvent({ instanceId: I1, state: 'pending' }));
    expect(result).toMatchObject({ status: 'ignored', trigger: 'instance-state-change' });
    expect(manager.handled).toHaveLength(0);
    expect(manager.reconciled).toHaveLength(0);
  });

  it('treats an instance without the pool tag as a logged no-op, not an error', async () => {
    const { handler, logger } = setup({ members: {} });
    const result = await handler(instanceStateChangeEvent({ instanceId: UNTAGGED, state: 'running' }));
    expect(result).toMatchObject({ status: 'ignored', reason: expect.stringContaining(UNTAGGED) });
    expect(logger.entries.some((entry) => entry.level === 'error')).toBe(false);
    expect(logger.entries.some((entry) => entry.message.includes('nothing to do'))).toBe(true);
  });

  it('syncs every pool on a scheduled event', async () => {
    const { handler, manager } = setup();
    const result = await handler(scheduledEvent());
    expect(manager.reconciled).toEqual([{ kind: 'all' }]);
    expect(result).toMatchObject({ status: 'reconciled', trigger: 'scheduled-sync' });
  });

  it('publishes per-pool metrics after a reconcile', async () => {
    const manager = new FakeManager({
      result: (scope) =>
        reconcileResult(scope, {
          outcomes: [attachOutcome('web', 'succeeded', 1), attachOutcome('web', 'conflict', 2)],
        }),
    });
    const published: PoolMetrics[][] = [];
    const handler = createEventBridgeHandler({
      manager,
      logger: recordingLogger(),
      metrics: { publish: (metrics) => published.push([...metrics]) },
    });
    const result = await handler(scheduledEvent());
    expect(result).toMatchObject({ actions: 1 });
    expect(published).toEqual([[expect.objectContaining({ pool: 'web', Actions: 1, Conflicts: 1 })]]);
  });

  it('acknowledges a lifecycle action with a warning when no lifecycle handler is configured', async () => {
    const { handler, logger, manager } = setup();
    const result = await handler(lifecycleActionEvent({ instanceId: I1 }));
    expect(result).toMatchObject({ status: 'ignored', trigger: 'lifecycle-action' });
    expect(logger.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', context: expect.objectContaining({ instanceId: I1 }) }),
    );
    expect(manager.handled).toHaveLength(0);
  });

  it('hands a lifecycle action to the lifecycle handler when one is configured', async () => {
    const seen: LifecycleActionTrigger[] = [];
    const handler = createEventBridgeHandler({
      manager: new FakeManager(),
      logger: recordingLogger(),
      lifecycle: {
        handle: async (trigger) => {
          seen.push(trigger);
          return { status: 'completed', result: 'CONTINUE' };
        },
      },
    });
    const result = await handler(lifecycleActionEvent({ instanceId: I7, transition: TERMINATING }));
    expect(seen).toEqual([
      expect.objectContaining({ instanceId: I7, transition: 'autoscaling:EC2_INSTANCE_TERMINATING' }),
    ]);
    expect(result).toEqual({
      status: 'lifecycle-handled',
      trigger: 'lifecycle-action',
      instanceId: I7,
      transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      result: { status: 'completed', result: 'CONTINUE' },
    });
  });

  it('acknowledges an Auto Scaling test notification', async () => {
    const { handler, manager } = setup();
    expect(await handler(testNotification())).toMatchObject({
      status: 'ignored',
      trigger: 'test-notification',
    });
    expect(manager.reconciled).toHaveLength(0);
  });

  it.each([
    [
      'an unknown detail-type',
      { ...scheduledEvent(), 'detail-type': 'EC2 Spot Instance Interruption Warning' },
    ],
    ['a string that is not JSON', '{not json'],
    ['null', null],
    ['a number', 42],
    ['an array', [instanceStateChangeEvent({ instanceId: I1, state: 'running' })]],
  ])('returns a rejection for %s, with no call to the manager or EC2', async (_name, input) => {
    const { handler, manager, ec2, logger } = setup();
    const result = await handler(input);
    expect(result).toMatchObject({ status: 'rejected', error: expect.stringMatching(/EventError$/) });
    expect(manager.handled).toHaveLength(0);
    expect(manager.reconciled).toHaveLength(0);
    expect(ec2.calls).toEqual([]);
    expect(logger.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('rejected') }),
    );
  });

  it('names the offending field when a known event is malformed', async () => {
    const { handler } = setup();
    const event = instanceStateChangeEvent({ instanceId: I1, state: 'running' });
    const result = await handler({ ...event, detail: { state: 'running' } });
    expect(result).toMatchObject({
      status: 'rejected',
      error: 'InvalidEventError',
      field: expect.stringContaining('instance-id'),
    });
  });

  it('throws a real failure so Lambda retries the event', async () => {
    const failure = Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' });
    const { handler, logger } = setup({ fail: failure });
    await expect(handler(instanceStateChangeEvent({ instanceId: I1, state: 'running' }))).rejects.toBe(
      failure,
    );
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'error' }));
  });

  describe('near the function timeout', () => {
    const context = (remainingMs: number) =>
      ({ getRemainingTimeInMillis: () => remainingMs }) as unknown as import('aws-lambda').Context;

    it('signals the manager to stop before Lambda would kill the invocation', async () => {
      let seen: AbortSignal | undefined;
      const manager = new FakeManager();
      manager.reconcile = async (scope, options) => {
        seen = options?.signal;
        // Work that only ends when told to (bounded, so a broken deadline fails the test instead of hanging).
        await new Promise<void>((resolve) => {
          const bound = setTimeout(resolve, 2_000);
          options?.signal?.addEventListener('abort', () => {
            clearTimeout(bound);
            resolve();
          });
        });
        return reconcileResult(scope, { converged: false });
      };
      const handler = createEventBridgeHandler({ manager, logger: recordingLogger(), deadlineMarginMs: 20 });
      const result = await handler(scheduledEvent(), context(60));
      expect(seen?.aborted).toBe(true);
      expect(result).toMatchObject({ status: 'reconciled', converged: false });
    });

    it('passes no signal when invoked without a Lambda context', async () => {
      let seen: unknown = 'not called';
      const manager = new FakeManager();
      manager.reconcile = async (scope, options) => {
        seen = options?.signal;
        return reconcileResult(scope);
      };
      await createEventBridgeHandler({ manager, logger: recordingLogger() })(scheduledEvent());
      expect(seen).toBeUndefined();
    });

    it('rejects a negative margin at construction', () => {
      expect(() => createEventBridgeHandler({ manager: new FakeManager(), deadlineMarginMs: -1 })).toThrow(
        /deadlineMarginMs/,
      );
    });
  });
});
