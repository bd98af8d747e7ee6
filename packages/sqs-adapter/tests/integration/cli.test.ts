import { afterEach, describe, expect, it } from 'vitest';
import { type CliProcess, runCli } from '../helpers/cli-process';
import { GROUP_NAME, QUEUE, SqsHarness } from '../helpers/sim-harness';
import { until } from '../helpers/until';

let harness: SqsHarness | undefined;
let cli: CliProcess | undefined;
afterEach(async () => {
  if (cli && cli.child.exitCode === null) cli.child.kill('SIGKILL');
  cli = undefined;
  await harness?.stop();
  harness = undefined;
});

function simEnv(h: SqsHarness, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: h.sim.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    ENI_POOL_QUEUE_URL: h.queueUrl,
    ENI_POOL_HEALTH_PORT: '0',
    ENI_POOL_SQS_WAIT_TIME_SECONDS: '1',
    ENI_POOL_LOG_LEVEL: 'info',
    ...extra,
  };
}

describe('the eni-pool-sqs CLI', { timeout: 90_000 }, () => {
  it('fails at start with a message naming a bad flag or variable, without touching AWS', async () => {
    harness = await SqsHarness.start();
    const h = harness;
    cli = runCli(['--batch-size', '11'], simEnv(h));
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toContain('--batch-size (ENI_POOL_SQS_BATCH_SIZE)');
    cli = runCli([], simEnv(h, { ENI_POOL_SQS_UNPARSEABLE: 'keep' }));
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toContain('ENI_POOL_SQS_UNPARSEABLE must be one of delete, retain');
    cli = runCli([], simEnv(h, { ENI_POOL_QUEUE_URL: '' }));
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toContain('ENI_POOL_QUEUE_URL');
    expect(h.sim.calls.log).toEqual([]);
  });

  it('on SIGTERM in the middle of a batch, deletes what it handled, makes the rest visible again and exits 0', async () => {
    // Real-time Auto Scaling: the launch that waits for an interface must not time out during the test.
    harness = await SqsHarness.start({ subnets: 1, perSubnet: 1, sim: { autoscaling: { timeScale: 1000 } } });
    const h = harness;
    cli = runCli([], simEnv(h, { ENI_POOL_SHUTDOWN_TIMEOUT_MS: '1000', ENI_POOL_SYNC_INTERVAL_MS: '0' }));
    await until(() => cli!.logs().some((line) => line.message === 'polling the queue'), 'the CLI polling');

    // Two launches, one interface: one launch completes, the other waits for an interface that never frees.
    h.createGroup({ desiredCapacity: 2 });
    await until(
      () => h.completions().some((c) => c.transition === 'autoscaling:EC2_INSTANCE_LAUNCHING'),
      'the first launch completed',
    );
    await until(
      () =>
        h.sim.sqs.messages(QUEUE).some((m) => m.state === 'in-flight' && m.body.includes('Lifecycle Action')),
      'the waiting launch in flight',
    );
    cli.child.kill('SIGTERM');
    const code = await cli.exited;
    expect(code).toBe(0);

    // Nothing in flight is left: each message was handled and deleted, or made visible again.
    const left = h.sim.sqs.messages(QUEUE);
    expect(left.filter((m) => m.state === 'in-flight')).toEqual([]);
    const released = left.filter((m) => m.body.includes('EC2 Instance-launch Lifecycle Action'));
    expect(released).toHaveLength(1);
    expect(released[0]?.state).toBe('visible');
    // The waiting launch was not completed: its message goes to the next replica.
    const launches = h.completions().filter((c) => c.transition === 'autoscaling:EC2_INSTANCE_LAUNCHING');
    expect(launches).toHaveLength(1);
    expect(h.sim.autoscaling.activeActions().map((a) => a.groupName)).toEqual([GROUP_NAME]);
    const stopped = cli.logs().find((line) => line.message === 'stopped');
    expect(stopped).toMatchObject({ released: 1, abortedInFlight: true });
    // Every line about a batch names its messages.
    const batchLines = cli.logs().filter((line) => line.message === 'SQS batch processed');
    expect(batchLines.length).toBeGreaterThan(0);
    for (const line of batchLines) expect(line.messageIds).toEqual(expect.any(Array));
  });
});
