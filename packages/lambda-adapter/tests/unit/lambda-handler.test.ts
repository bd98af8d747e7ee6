import {
  FakeEc2,
  instanceStateChangeEvent,
  scheduledEvent,
  sqsEvent,
  sqsRecord,
} from '@eni-pool/core/testing';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLambdaHandler, isSqsEvent } from '../../src/lambda-handler';
import { createPowertoolsLogger, fromPowertools } from '../../src/powertools-logger';
import { FakeManager, recordingLogger } from '../helpers/fakes';
import { instanceId } from '../helpers/ids';

describe('isSqsEvent', () => {
  it('recognises an SQS batch and nothing else', () => {
    expect(isSqsEvent(sqsEvent(sqsRecord(scheduledEvent())))).toBe(true);
    expect(isSqsEvent(scheduledEvent())).toBe(false);
    expect(isSqsEvent({ Records: [] })).toBe(false);
    expect(isSqsEvent({ Records: [{ eventSource: 'aws:sns' }] })).toBe(false);
    expect(isSqsEvent(null)).toBe(false);
  });
});

describe('createLambdaHandler', () => {
  it('answers SQS batches with batchItemFailures and EventBridge events with a result', async () => {
    const id = instanceId(1);
    const manager = new FakeManager({ members: { [id]: 'web' } });
    const ec2 = new FakeEc2();
    ec2.addInstance({ instanceId: id, pool: 'web' });
    const handler = createLambdaHandler({
      manager,
      ec2,
      logger: recordingLogger(),
    });
    expect(
      await handler(
        sqsEvent(
          sqsRecord(instanceStateChangeEvent({ instanceId: id, state: 'running' }), { messageId: 'm-1' }),
          sqsRecord('junk', { messageId: 'm-2' }),
        ),
      ),
    ).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm-2' }],
    });
    expect(await handler(instanceStateChangeEvent({ instanceId: id, state: 'stopped' }))).toMatchObject({
      status: 'reconciled',
      pools: ['web'],
    });
    expect(manager.reconciled).toEqual([
      { kind: 'pools', pools: ['web'] },
      { kind: 'pools', pools: ['web'] },
    ]);
  });
});

describe('fromPowertools', () => {
  it('passes the message and the context object through at the same level', () => {
    const powertools = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const logger = fromPowertools(powertools);
    logger.info('reconciled', { pool: 'web' });
    logger.error('failed');
    expect(powertools.info).toHaveBeenCalledWith('reconciled', { pool: 'web' });
    expect(powertools.error).toHaveBeenCalledWith('failed');
    expect(powertools.warn).not.toHaveBeenCalled();
  });
});

describe('structured logs', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes JSON lines that carry the Lambda context and the handler’s fields', async () => {
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const powertools = createPowertoolsLogger('info');
    const handler = createLambdaHandler({ manager: new FakeManager(), ec2: new FakeEc2(), powertools });
    const context = {
      functionName: 'eni-pool',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:eni-pool',
      memoryLimitInMB: '256',
      awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      logGroupName: '/aws/lambda/eni-pool',
      logStreamName: '2026/11/27/[$LATEST]abc',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => 60_000,
    } as unknown as Context;
    const sync = scheduledEvent() as { id: string };
    await handler(sync, context);
    await handler({ hello: 'world' }, context);
    vi.restoreAllMocks();

    const entries = lines
      .flatMap((line) => line.split('\n'))
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(entries).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'pools reconciled',
        service: 'eni-pool',
        function_name: 'eni-pool',
        function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
        trigger: 'scheduled-sync',
        pools: ['web'],
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({ level: 'WARN', error: 'UnsupportedEventError', function_name: 'eni-pool' }),
    );
    // Every line of an invocation carries its event's id, and only that invocation's lines do.
    const synced = entries.filter((entry) => entry.trigger === 'scheduled-sync');
    expect(synced.length).toBeGreaterThan(0);
    for (const entry of synced) expect(entry.correlation_id).toBe(sync.id);
    const rejected = entries.filter((entry) => entry.error === 'UnsupportedEventError');
    for (const entry of rejected) expect(entry.correlation_id).toBeUndefined();
  });
});
