import { describe, expect, it, vi } from 'vitest';
import { createLambdaHandler, isSqsEvent } from '../../src/lambda-handler';
import { fromPowertools } from '../../src/powertools-logger';
import { instanceId, scheduled, sqsEvent, sqsRecord, stateChange } from '../helpers/events';
import { FakeEc2, FakeManager, instance, recordingLogger, TAG } from '../helpers/fakes';

describe('isSqsEvent', () => {
  it('recognises an SQS batch and nothing else', () => {
    expect(isSqsEvent(sqsEvent(sqsRecord(scheduled())))).toBe(true);
    expect(isSqsEvent(scheduled())).toBe(false);
    expect(isSqsEvent({ Records: [] })).toBe(false);
    expect(isSqsEvent({ Records: [{ eventSource: 'aws:sns' }] })).toBe(false);
    expect(isSqsEvent(null)).toBe(false);
  });
});

describe('createLambdaHandler', () => {
  it('answers SQS batches with batchItemFailures and EventBridge events with a result', async () => {
    const id = instanceId(1);
    const manager = new FakeManager({ members: { [id]: 'web' } });
    const handler = createLambdaHandler({
      manager,
      ec2: new FakeEc2([instance(id, { [TAG]: 'web' })]),
      logger: recordingLogger(),
    });
    expect(
      await handler(sqsEvent(sqsRecord(stateChange(id, 'running'), 'm-1'), sqsRecord('junk', 'm-2'))),
    ).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm-2' }],
    });
    expect(await handler(stateChange(id, 'stopped'))).toMatchObject({ status: 'reconciled', pools: ['web'] });
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
