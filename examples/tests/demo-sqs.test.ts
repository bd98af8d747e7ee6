import { describe, expect, it } from 'vitest';
import { runDemo } from '../demo';

describe('the demo with --sqs', () => {
  it('tells the same story with eni-pool-sqs as a separate process, and every claim holds', async () => {
    const lines: string[] = [];
    const report = await runDemo({ fast: true, sqs: true, write: (line) => lines.push(line) });
    expect(report.invariants).toEqual([]);
    expect(report.reattachedToTerminating).toEqual([]);
    expect(report.lifecycleCompletions).toBe(5);
    const [launch, replace, , lost] = report.calls;
    expect(launch?.counts.CompleteLifecycleAction).toBe(3);
    expect(replace?.counts.DetachNetworkInterface).toBeGreaterThanOrEqual(1);
    expect(lost?.counts.AttachNetworkInterface).toBe(1);
    expect(lost?.counts.DetachNetworkInterface).toBe(1);
    const output = lines.join('\n');
    expect(output).toContain('an SQS queue → eni-pool-sqs (a separate process, over HTTP)');
    expect(output).toContain('eni-pool-sqs stopped on SIGTERM with exit 0');
  }, 90_000);
});
