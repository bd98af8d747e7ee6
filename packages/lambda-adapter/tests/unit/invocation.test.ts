import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { invocationDeadline } from '../../src/invocation';

const context = (remainingMs: number) =>
  ({ getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;

describe('the invocation deadline', () => {
  it('fires the margin before the end, keeping at least half the remaining time', async () => {
    const invocation = invocationDeadline(context(40), 30);
    expect(invocation.signal?.aborted).toBe(false);
    await new Promise((resolve) => invocation.signal?.addEventListener('abort', resolve, { once: true }));
    expect(String(invocation.signal?.reason)).toContain('about to time out');
    invocation.done();
  });

  it('has no signal without a context that tells the remaining time', () => {
    expect(invocationDeadline(undefined, 1_000).signal).toBeUndefined();
    expect(invocationDeadline(context(0), 1_000).signal).toBeUndefined();
  });

  it('takes a listener from every record of a large batch without a listener-leak warning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const invocation = invocationDeadline(context(60_000), 1_000);
      // One listener per record in flight (and per wait of its work): 100 records, as a batch may hold.
      for (let i = 0; i < 100; i++) invocation.signal?.addEventListener('abort', () => {}, { once: true });
      invocation.done();
      await new Promise((resolve) => process.nextTick(resolve));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
