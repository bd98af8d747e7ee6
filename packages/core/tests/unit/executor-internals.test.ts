import { describe, expect, it } from 'vitest';
import { AwsCallError } from '../../src/errors';
import { backoffDelay, withRetry } from '../../src/internal/retry';
import { TokenBucket } from '../../src/internal/token-bucket';
import { awsError } from '../../src/testing';
import { fakeClock, throttled } from '../helpers/ec2-mock';

const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

describe('TokenBucket', () => {
  it('allows a burst of its capacity, then one call per refill interval', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 2 }, clock);
    const takenAt: number[] = [];

    for (let n = 0; n < 6; n++) {
      await bucket.take();
      takenAt.push(clock.now());
    }

    expect(takenAt).toEqual([0, 0, 0, 500, 1000, 1500]);
  });

  it('refills while idle, but never beyond its capacity', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1 }, clock);
    await bucket.take();
    await bucket.take();
    clock.advance(60_000);
    const takenAt: number[] = [];

    for (let n = 0; n < 3; n++) {
      await bucket.take();
      takenAt.push(clock.now());
    }

    expect(takenAt).toEqual([60_000, 60_000, 61_000]);
  });

  it('serves concurrent callers in the order they asked', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 10 }, clock);
    const order: number[] = [];

    await Promise.all([1, 2, 3, 4].map((n) => bucket.take().then(() => order.push(n))));

    expect(order).toEqual([1, 2, 3, 4]);
    expect(clock.sleeps).toEqual([100, 100, 100]);
  });

  it('earns the slept time even with a clock that does not move', async () => {
    const slept: number[] = [];
    const bucket = new TokenBucket(
      { capacity: 1, refillPerSecond: 4 },
      { now: () => 0, sleep: async (ms) => void slept.push(ms) },
    );

    await bucket.take();
    await bucket.take();
    await bucket.take();

    expect(slept).toEqual([250, 250]);
  });
});

describe('backoffDelay', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };

  it('grows exponentially and is capped', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(policy, attempt, () => 0.999999))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
  });

  it('draws the full jitter from zero', () => {
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(200);
  });
});

describe('withRetry', () => {
  const context = (clock = fakeClock()) => ({
    operation: 'DescribeNetworkInterfaces',
    policy: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 },
    clock,
    random: () => 1,
    logger: quietLogger,
  });

  it('returns the value and the attempts it took', async () => {
    let calls = 0;
    const result = await withRetry(context(), async () => {
      calls++;
      if (calls < 3) throw throttled();
      return 'ok';
    });

    expect(result).toEqual({ value: 'ok', attempts: 3 });
  });

  it('wraps a client error in an AwsCallError with the original as cause, after one attempt', async () => {
    const original = awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.');

    const error = await withRetry(context(), async () => {
      throw original;
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).toMatchObject({
      code: 'UnauthorizedOperation',
      attempts: 1,
      operation: 'DescribeNetworkInterfaces',
    });
    expect((error as AwsCallError).cause).toBe(original);
  });

  it('takes a rate-limit token before every attempt', async () => {
    let tokens = 0;
    await withRetry({ ...context(), beforeAttempt: async () => void tokens++ }, async (attempt) => {
      if (attempt === 1) throw throttled();
      return 'ok';
    });

    expect(tokens).toBe(2);
  });
});
