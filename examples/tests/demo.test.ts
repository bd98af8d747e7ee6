import { describe, expect, it } from 'vitest';
import { runDemo } from '../demo';

describe('the demo', () => {
  it('tells the whole story on the simulator and every one of its claims holds', async () => {
    const lines: string[] = [];
    const report = await runDemo({ fast: true, write: (line) => lines.push(line) });

    expect(report.invariants).toEqual([]);
    expect(report.reattachedToTerminating).toEqual([]);
    // Three launches, one terminate and the successor's launch, all completed by eni-pool.
    expect(report.lifecycleCompletions).toBe(5);
    expect(report.eventsDropped).toBeGreaterThan(0);
    expect(report.calls.map((c) => c.step.split(':')[0])).toEqual([
      'The group launches',
      'Auto Scaling replaces an instance',
      'Stop and start',
      'Events are lost',
    ]);
    const [launch, replace, , lost] = report.calls;
    expect(launch?.counts.CompleteLifecycleAction).toBe(3);
    expect(launch?.counts.AttachNetworkInterface).toBeGreaterThanOrEqual(3);
    expect(replace?.counts.DetachNetworkInterface).toBeGreaterThanOrEqual(1);
    // The sync makes one hand-over: one detach, one attach.
    expect(lost?.counts.AttachNetworkInterface).toBe(1);
    expect(lost?.counts.DetachNetworkInterface).toBe(1);
    // The replaced instance's address went to its successor.
    const handedOver = Object.values(report.holders).filter((ids) => new Set(ids).size > 1);
    expect(handedOver.length).toBeGreaterThanOrEqual(2);
    expect(lines.join('\n')).toContain('5. Summary');
  }, 60_000);

  it('prints nothing when quiet', async () => {
    const lines: string[] = [];
    await runDemo({ fast: true, quiet: true, write: (line) => lines.push(line) });
    expect(lines).toEqual([]);
  }, 60_000);
});
