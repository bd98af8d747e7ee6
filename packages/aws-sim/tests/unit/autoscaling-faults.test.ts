import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  RecordLifecycleActionHeartbeatCommand,
} from '@aws-sdk/client-auto-scaling';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsSim } from '../../src/sim';

/** Calls `describe` `n` times and returns the error codes answered (`ok` for a success). */
async function outcomes(client: AutoScalingClient, n: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) {
    try {
      await client.send(new DescribeAutoScalingGroupsCommand({}));
      seen.push('ok');
    } catch (error) {
      seen.push((error as Error).name);
    }
  }
  return seen;
}

describe('Auto Scaling fault injection', () => {
  let sim: AwsSim;
  let client: AutoScalingClient;

  beforeEach(async () => {
    sim = await AwsSim.start({ seed: 7 });
    // One attempt: the SDK must see every injected error, not retry it away.
    client = new AutoScalingClient({ ...sim.clientConfig(), maxAttempts: 1 });
  });
  afterEach(async () => {
    client.destroy();
    await sim.stop();
  });

  it('fails the named action with the code and status asked, as many times as asked', async () => {
    sim.autoscaling.injectFault({ action: 'DescribeAutoScalingGroups', code: 'InternalFailure', times: 2 });
    const error = await client.send(new DescribeAutoScalingGroupsCommand({})).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } });
    expect(await outcomes(client, 2)).toEqual(['InternalFailure', 'ok']);
    expect(sim.calls.count('DescribeAutoScalingGroups', 'InternalFailure')).toBe(2);
  });

  it('answers Throttling with 400 as AWS does, on every action with `*`', async () => {
    sim.autoscaling.injectFault({ action: '*', code: 'Throttling', times: 1 });
    const error = await client
      .send(
        new RecordLifecycleActionHeartbeatCommand({
          AutoScalingGroupName: 'web',
          LifecycleHookName: 'eni-pool',
          InstanceId: 'i-0123456789abcdef0',
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'Throttling', $metadata: { httpStatusCode: 400 } });
  });

  it('draws the rate from the seed: the same sequence on every run, about the rate asked', async () => {
    const remove = sim.autoscaling.injectFault({ action: '*', code: 'Throttling', rate: 0.3 });
    const first = await outcomes(client, 200);
    remove();
    expect(await outcomes(client, 5)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);

    const again = await AwsSim.start({ seed: 7 });
    const other = new AutoScalingClient({ ...again.clientConfig(), maxAttempts: 1 });
    try {
      again.autoscaling.injectFault({ action: '*', code: 'Throttling', rate: 0.3 });
      expect(await outcomes(other, 200)).toEqual(first);
    } finally {
      other.destroy();
      await again.stop();
    }
    const failed = first.filter((o) => o === 'Throttling').length;
    expect(failed).toBeGreaterThan(30);
    expect(failed).toBeLessThan(90);
  });

  it('refuses a rate outside [0, 1] and clears every fault on request', async () => {
    expect(() => sim.autoscaling.injectFault({ action: '*', code: 'Throttling', rate: 1.5 })).toThrow(
      /rate must be in \[0, 1\]/,
    );
    sim.autoscaling.injectFault({ action: '*', code: 'Throttling' });
    sim.autoscaling.clearFaults();
    expect(await outcomes(client, 3)).toEqual(['ok', 'ok', 'ok']);
  });
});
