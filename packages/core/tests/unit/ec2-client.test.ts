import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { AwsSim } from '@eni-pool/aws-sim';
import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigurationError,
  createEc2Client,
  DEFAULT_MAX_ATTEMPTS,
  ThrottlingBackoff,
} from '../../src/index';

const THROTTLING_BASE = 1_000;
const SDK_BASE = 50;

/** The waits before retries 1–5 of one call, as the SDK asks for them (base first, then the delay). */
function waits(backoff: ThrottlingBackoff, base: number, retries = 4): number[] {
  return Array.from({ length: retries }, (_, retry) => {
    backoff.setDelayBase(base);
    return backoff.computeNextBackoffDelay(retry);
  });
}

describe('ThrottlingBackoff', () => {
  it('waits 50–100 % of steps doubling from 2 s after a throttle: 15–30 s over 5 attempts', () => {
    const shortest = waits(new ThrottlingBackoff(undefined, () => 0), THROTTLING_BASE);
    const longest = waits(new ThrottlingBackoff(undefined, () => 0.999_999), THROTTLING_BASE);

    expect(shortest).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(longest).toEqual([1_999, 3_999, 7_999, 15_999]);
    expect(shortest.reduce((a, b) => a + b)).toBe(15_000);
  });

  it('caps a step at the SDK maximum of 20 s', () => {
    const backoff = new ThrottlingBackoff(undefined, () => 0);
    backoff.setDelayBase(THROTTLING_BASE);

    expect(backoff.computeNextBackoffDelay(6)).toBe(10_000);
  });

  it("keeps the SDK's full-jitter delays for other retries (5xx, network)", () => {
    const half = waits(new ThrottlingBackoff(undefined, () => 0.5), SDK_BASE);
    const none = waits(new ThrottlingBackoff(undefined, () => 0), SDK_BASE);

    expect(half).toEqual([25, 50, 100, 200]);
    expect(none).toEqual([0, 0, 0, 0]);
  });

  it('starts from the given first delay', () => {
    expect(waits(new ThrottlingBackoff(100, () => 0), THROTTLING_BASE)).toEqual([50, 100, 200, 400]);
  });
});

describe('createEc2Client', () => {
  let sim: AwsSim | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it("uses the adaptive strategy with eni-pool's budget and backoff", async () => {
    const client = createEc2Client({ region: 'eu-west-1' });
    const strategy = await client.config.retryStrategy();

    expect(strategy).toBeInstanceOf(AdaptiveRetryStrategy);
    expect((strategy as { mode?: string }).mode).toBe('adaptive');
    expect(await client.config.maxAttempts()).toBe(DEFAULT_MAX_ATTEMPTS);
    client.destroy();
  });

  it("leaves a retry mode of the caller's own to the SDK", async () => {
    const client = createEc2Client({ region: 'eu-west-1', retryMode: 'standard' });
    const strategy = await client.config.retryStrategy();

    expect(strategy).not.toBeInstanceOf(AdaptiveRetryStrategy);
    expect((strategy as { mode?: string }).mode).toBe('standard');
    client.destroy();
  });

  it('refuses a throttling delay that is not a positive number', () => {
    expect(() => createEc2Client({}, { throttlingDelayMs: 0 })).toThrow(ConfigurationError);
    expect(() => createEc2Client({}, { throttlingDelayMs: Number.NaN })).toThrow(ConfigurationError);
  });

  it('sends a throttled call its budget of attempts, waiting as the backoff says', async () => {
    sim = await AwsSim.start({ seed: 3 });
    sim.world.injectFault({ action: 'DescribeInstances', code: 'RequestLimitExceeded' });
    const asked = vi.spyOn(ThrottlingBackoff.prototype, 'computeNextBackoffDelay');
    // 40 ms steps keep the test short.
    const client = createEc2Client(sim.clientConfig(), { throttlingDelayMs: 40 });

    await expect(client.send(new DescribeInstancesCommand({ MaxResults: 5 }))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
    });

    expect(sim.calls.count('DescribeInstances')).toBe(DEFAULT_MAX_ATTEMPTS);
    const delays = asked.mock.results.map((result) => result.value as number);
    expect(delays).toHaveLength(DEFAULT_MAX_ATTEMPTS - 1);
    delays.forEach((delay, retry) => {
      expect(delay).toBeGreaterThanOrEqual(20 * 2 ** retry);
      expect(delay).toBeLessThan(40 * 2 ** retry);
    });
    asked.mockRestore();
    client.destroy();
    // The adaptive rate limiter adds its own waits after each throttle (about a second each).
  }, 30_000);

  it('honours a number of attempts the caller sets', async () => {
    sim = await AwsSim.start({ seed: 3 });
    sim.world.injectFault({ action: 'DescribeInstances', code: 'RequestLimitExceeded' });
    const client = createEc2Client({ ...sim.clientConfig(), maxAttempts: 2 }, { throttlingDelayMs: 10 });

    await expect(client.send(new DescribeInstancesCommand({ MaxResults: 5 }))).rejects.toThrow();
    expect(sim.calls.count('DescribeInstances')).toBe(2);
    client.destroy();
  }, 30_000);
});
