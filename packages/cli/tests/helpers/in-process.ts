import { PassThrough, Writable } from 'node:stream';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import type { AwsSim } from '@eni-pool/aws-sim';
import { runCli } from '../../src/cli';

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

export interface InProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the CLI in this process against the simulator (over HTTP, with the real SDK clients), with
 * streams that say whether they are terminals and `answers` typed on stdin.
 */
export async function runInProcess(
  sim: AwsSim,
  args: readonly string[],
  options: { readonly tty?: boolean; readonly answers?: string; readonly env?: Record<string, string> } = {},
): Promise<InProcessResult> {
  const tty = options.tty ?? false;
  const stdout = new Capture(tty);
  const stderr = new Capture(tty);
  const stdin = Object.assign(new PassThrough(), { isTTY: tty });
  if (options.answers !== undefined) stdin.end(options.answers);
  const config = { ...sim.clientConfig(), maxAttempts: 2 };
  const code = await runCli(
    args,
    { stdout, stderr, stdin, env: options.env ?? {} },
    {
      ec2: new EC2Client(config),
      autoScaling: new AutoScalingClient(config),
    },
  );
  return { code, stdout: stdout.text, stderr: stderr.text };
}
