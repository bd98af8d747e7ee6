import { describe, expect, it } from 'vitest';
import { runCustomCode } from '../custom-code';

describe('the custom-code example', () => {
  it('dry-runs the plan, then reconciles it through the decorated port, leaving one member unserved', async () => {
    const lines: string[] = [];
    const result = await runCustomCode((line) => lines.push(line));

    expect(result.dryRun.actions.map((a) => a.kind)).toEqual(['attach', 'attach']);
    expect(result.dryRun.unsatisfied.map((u) => u.reason)).toEqual(['pool-exhausted']);
    expect(result.converged).toBe(true);
    expect(result.attached).toBe(2);
    expect(result.unsatisfied).toHaveLength(1);
    expect(result.calls.get('AttachNetworkInterface')).toBe(2);
    expect(result.calls.get('DetachNetworkInterface')).toBeUndefined();
    expect(lines).toContain('rejected option maxRounds: maxRounds must be a positive integer, got 0');
  }, 30_000);
});
