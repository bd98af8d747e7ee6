import { describe, expect, it } from 'vitest';
import { SyncSchedule } from '../../src/sync-schedule';
import { FakeTimers } from '../helpers/fake-timers';

/** A seeded generator, so replicas get different but repeatable offsets. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('SyncSchedule', () => {
  it('never runs two syncs at once, skipping a tick that finds the previous one still running', async () => {
    const timers = new FakeTimers();
    let running = 0;
    let overlaps = 0;
    let runs = 0;
    let skipped = 0;
    const finishers: (() => void)[] = [];
    const schedule = new SyncSchedule({
      intervalMs: 1_000,
      jitter: 0,
      timers,
      random: () => 0,
      run: () => {
        runs += 1;
        running += 1;
        if (running > 1) overlaps += 1;
        return new Promise<void>((resolve) =>
          finishers.push(() => {
            running -= 1;
            resolve();
          }),
        );
      },
      skipped: () => {
        skipped += 1;
      },
    });
    schedule.start();
    await timers.advance(1); // the first tick, at offset 0
    expect(runs).toBe(1);
    // The sync hangs for three more periods: each tick is skipped, none queues up behind it.
    await timers.advance(3_000);
    expect(runs).toBe(1);
    expect(skipped).toBe(3);
    finishers.shift()!();
    await timers.advance(1_000);
    expect(runs).toBe(2);
    expect(overlaps).toBe(0);
    finishers.shift()!();
    await schedule.stop();
    await timers.advance(10_000);
    expect(runs).toBe(2);
  });

  it('spreads the syncs of replicas started together over the period', async () => {
    const timers = new FakeTimers();
    const firstRuns: number[] = [];
    const schedules = [1, 2, 3].map(
      (seed) =>
        new SyncSchedule({
          intervalMs: 300_000,
          jitter: 0.1,
          timers,
          random: seeded(seed),
          run: async () => {
            if (firstRuns.length < 3) firstRuns.push(timers.now());
          },
          skipped: () => {},
        }),
    );
    for (const schedule of schedules) schedule.start();
    await timers.advance(300_000);
    expect(firstRuns).toHaveLength(3);
    const sorted = [...firstRuns].sort((a, b) => a - b);
    // Not all at once: the replicas' first syncs are at least a few seconds apart.
    expect(sorted[2]! - sorted[0]!).toBeGreaterThan(10_000);
    for (const schedule of schedules) await schedule.stop();
  });

  it('keeps every later period within the jitter of the interval', async () => {
    const timers = new FakeTimers();
    const at: number[] = [];
    const schedule = new SyncSchedule({
      intervalMs: 10_000,
      jitter: 0.1,
      timers,
      random: seeded(7),
      run: async () => {
        at.push(timers.now());
      },
      skipped: () => {},
    });
    schedule.start();
    await timers.advance(200_000);
    await schedule.stop();
    const gaps = at.slice(1).map((time, i) => time - at[i]!);
    expect(gaps.length).toBeGreaterThan(10);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(9_000);
      expect(gap).toBeLessThanOrEqual(11_000);
    }
  });
});
