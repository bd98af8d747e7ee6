import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  beginEventLog,
  correlationIdOf,
  createPowertoolsLogger,
  fromPowertools,
} from '../../src/powertools-logger';

const context = {
  functionName: 'eni-pool',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:eni-pool',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/eni-pool',
  logStreamName: 's',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

describe('correlationIdOf', () => {
  it('takes the EventBridge id, from the event or from the body of the SQS record that carries it', () => {
    expect(correlationIdOf({ id: 'e-1', source: 'aws.ec2' })).toBe('e-1');
    expect(
      correlationIdOf({ messageId: 'm-1', body: JSON.stringify({ id: 'e-2', source: 'aws.ec2' }) }),
    ).toBe('e-2');
  });

  it('falls back to the SQS message id, and gives none for a batch or a non-object', () => {
    expect(correlationIdOf({ messageId: 'm-1', body: '{"LifecycleHookName":"eni-pool-launch"}' })).toBe(
      'm-1',
    );
    expect(correlationIdOf({ messageId: 'm-2', body: 'not json' })).toBe('m-2');
    expect(correlationIdOf({ Records: [{ messageId: 'm-3' }] })).toBeUndefined();
    expect(correlationIdOf(null)).toBeUndefined();
    expect(correlationIdOf({ id: 42 })).toBeUndefined();
  });
});

describe('beginEventLog', () => {
  let lines: Record<string, unknown>[];
  beforeEach(() => {
    lines = [];
    // Powertools writes info to stdout and warnings to stderr.
    const capture = (chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  });
  afterEach(() => vi.restoreAllMocks());

  it('puts the event id on every line until the event is done, then on none', () => {
    const powertools = createPowertoolsLogger('info', 'bastion-addresses');
    const logger = fromPowertools(powertools);
    const end = beginEventLog(powertools, { id: 'e-1', source: 'aws.ec2' }, { context });
    logger.info('reconciled', { pool: 'bastion', instanceId: 'i-1' });
    logger.warn('unsatisfied', { pool: 'bastion' });
    end();
    logger.info('after');
    expect(lines.map((l) => l.correlation_id)).toEqual(['e-1', 'e-1', undefined]);
    expect(lines[0]).toMatchObject({
      service: 'bastion-addresses',
      function_request_id: 'req-1',
      pool: 'bastion',
      instanceId: 'i-1',
    });
  });

  it('logs the incoming event only when logEvent is on', () => {
    const powertools = createPowertoolsLogger('info');
    beginEventLog(powertools, { id: 'e-1' })();
    expect(lines).toEqual([]);
    beginEventLog(powertools, { id: 'e-2', detail: { state: 'running' } }, { logEvent: true })();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      correlation_id: 'e-2',
      event: { id: 'e-2', detail: { state: 'running' } },
    });
  });
});
