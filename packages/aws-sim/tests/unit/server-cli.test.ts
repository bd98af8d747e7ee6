import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

function run(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = '';
  const proc = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  proc.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  child = proc;
  return { child: proc, output: () => output, exited };
}

async function until(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('aws-sim CLI', () => {
  it('serves a seeded demo world, prints the endpoint hint, and exits cleanly on SIGTERM', async () => {
    const proc = run(['--seed-demo']);
    await until(() => proc.output().includes('export AWS_ENDPOINT_URL='), 'the endpoint hint');
    const endpoint = /export AWS_ENDPOINT_URL=(\S+)/.exec(proc.output())![1]!;
    const ec2 = new EC2Client({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const out = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'tag:network-interface-manager-pool', Values: ['demo'] }],
      }),
    );
    expect(new Set(out.NetworkInterfaces!.map((e) => e.AvailabilityZone))).toEqual(
      new Set(['us-east-1a', 'us-east-1b', 'us-east-1c']),
    );
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toContain('SIGTERM, shutting down');
  }, 30_000);

  it('refuses a bad --port with exit code 2 and the usage', async () => {
    const proc = run(['--port', 'eighty']);
    expect(await proc.exited).toBe(2);
    expect(proc.output()).toContain('--port must be an integer');
  }, 30_000);
});
