import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqsBatches } from '../economy/sqs-batches';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Batches whose invocations return only when the test says so. */
function held() {
  const returns: (() => void)[] = [];
  const invoked: unknown[][] = [];
  const batches = new SqsBatches((events) => {
    invoked.push(events);
    return new Promise<void>((resolve) => returns.push(resolve));
  });
  return { batches, invoked, returns };
}

describe('SqsBatches (Lambda SQS event source: batches of 10, 5 s window, 5 + 300/min batches at once)', () => {
  it('sends full batches at once and a partial one when its oldest event has waited the window', async () => {
    const { batches, invoked } = held();
    for (let i = 0; i < 25; i++) void batches.push(i);
    expect(invoked.map((events) => events.length)).toEqual([10, 10]);
    expect(invoked[0]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(invoked).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(invoked.map((events) => events.length)).toEqual([10, 10, 5]);
    batches.close();
  });

  it('runs 5 batches at first and one more every 200 ms (300 per minute)', async () => {
    const { batches, invoked } = held();
    for (let i = 0; i < 200; i++) void batches.push(i);
    expect(invoked).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(199);
    expect(invoked).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(1);
    expect(invoked).toHaveLength(6);
    await vi.advanceTimersByTimeAsync(800);
    expect(invoked).toHaveLength(10);
    expect(batches.concurrencyAt(1_000)).toBe(10);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(invoked).toHaveLength(20);
    expect(batches.running).toBe(20);
    batches.close();
  });

  it('starts the next batch when one returns, and resolves each event with its batch', async () => {
    const { batches, invoked, returns } = held();
    const done: number[] = [];
    for (let i = 0; i < 60; i++) void batches.push(i).then(() => done.push(i));
    expect(invoked).toHaveLength(5);
    returns[0]!();
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(invoked).toHaveLength(6);
    expect(invoked[5]).toEqual([50, 51, 52, 53, 54, 55, 56, 57, 58, 59]);
    expect(batches.batches).toEqual([10, 10, 10, 10, 10, 10]);
    batches.close();
  });
});
