import { afterEach, describe, expect, it, vi } from 'vitest';
import { EniPoolManager, type EniPoolManagerOptions, silentLogger } from '../../src/index';
import { FakeEc2 } from '../../src/testing';
import { fakeClock } from '../helpers/ec2-mock';
import { running } from '../helpers/triggers';

/** `count` running members of pool `web` (`i-0` launched first) and as many free interfaces. */
function burstWorld(count: number): { ec2: FakeEc2; ids: string[] } {
  const ec2 = new FakeEc2({ pause: async () => {} });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const instanceId = `i-${i}`;
    ids.push(instanceId);
    ec2.addInstance({
      instanceId,
      pool: 'web',
      launchTime: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(),
    });
    ec2.addInterface({ networkInterfaceId: `eni-${String(i).padStart(2, '0')}`, pool: 'web' });
  }
  return { ec2, ids };
}

const START = Date.UTC(2026, 11, 1);

/** A manager on the (faked) timers and `Date`, so that concurrent waits take turns as in real time. */
function timedManager(ec2: FakeEc2, pacing: EniPoolManagerOptions['attachPacing']) {
  return new EniPoolManager({
    ec2,
    logger: silentLogger,
    attachPacing: pacing,
    executor: {
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      now: () => Date.now(),
      wait: { initialDelayMs: 0 },
    },
  });
}

function pacedManager(
  ec2: FakeEc2,
  clock: ReturnType<typeof fakeClock>,
  pacing: EniPoolManagerOptions['attachPacing'],
) {
  return new EniPoolManager({
    ec2,
    logger: silentLogger,
    attachPacing: pacing,
    executor: { sleep: clock.sleep, now: clock.now, wait: { initialDelayMs: 0 } },
  });
}

const served = (ec2: FakeEc2, ids: readonly string[]) =>
  ids.filter((id) => ec2.poolInterfacesOf(id).length > 0);

describe('attach pacing on the event path', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds an attach back until the bucket has a token for every waiting member ahead of it', async () => {
    const { ec2, ids } = burstWorld(3);
    const clock = fakeClock(Date.UTC(2026, 11, 1));
    // The youngest of three waiting members, with a bucket of 1 and 1 per second: 2 tokens short.
    const result = await pacedManager(ec2, clock, { capacity: 1, refillPerSecond: 1 }).handle(running('i-2'));

    expect(result.reconcile?.converged).toBe(true);
    expect(served(ec2, ids)).toEqual(['i-2']);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(2_000);
  });

  it('attaches at once without pacing, or for the first waiting member in plan order', async () => {
    const unpaced = burstWorld(3);
    const clockA = fakeClock(Date.UTC(2026, 11, 1));
    await pacedManager(unpaced.ec2, clockA, false).handle(running('i-2'));
    expect(clockA.sleeps).toEqual([]);

    const oldest = burstWorld(3);
    const clockB = fakeClock(Date.UTC(2026, 11, 1));
    await pacedManager(oldest.ec2, clockB, { capacity: 1, refillPerSecond: 1 }).handle(running('i-0'));
    expect(clockB.sleeps).toEqual([]);
    expect(served(oldest.ec2, oldest.ids)).toEqual(['i-0']);
  });

  it('bounds the wait by maxDelayMs', async () => {
    const { ec2 } = burstWorld(30);
    const clock = fakeClock(Date.UTC(2026, 11, 1));
    await pacedManager(ec2, clock, { capacity: 1, refillPerSecond: 1, maxDelayMs: 3_000 }).handle(
      running('i-29'),
    );
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(3_000);
    expect(ec2.poolInterfacesOf('i-29')).toHaveLength(1);
  });

  it('does not hold a shared manager back for members waiting in its own queue', async () => {
    vi.useFakeTimers({ now: START });
    const { ec2, ids } = burstWorld(20);
    const attachedAt = recordAttachTimes(ec2, Date.now);
    const manager = timedManager(ec2, { capacity: 2, refillPerSecond: 1 });
    // The youngest member's event first; the others arrive while its reconcile waits for its turn.
    const first = manager.handle(running('i-19'));
    await vi.advanceTimersByTimeAsync(100);
    const rest = ids.slice(0, 19).map((id) => manager.handle(running(id)));
    await vi.runAllTimersAsync();
    await Promise.all([first, ...rest]);

    expect(served(ec2, ids)).toEqual(ids);
    // i-19 is 12th in plan order (by id): counting the 11 queued ahead of it would hold it back 10 s; it
    // waits only until they are queued. They follow, one per token: 20 attaches, 2 at once, then 1 a
    // second (give or take the token of i-19, whose attach time EC2 gives to the second).
    expect(attachedAt.get('i-19')).toBeLessThanOrEqual(START + 250);
    const times = [...attachedAt.values()].sort((a, b) => a - b);
    expect(times.at(-1)).toBeGreaterThanOrEqual(START + 17_000);
    expect(times.at(-1)).toBeLessThanOrEqual(START + 18_500);
  });

  it('paces each attach of several targets by its own rank, as separate workers would be', async () => {
    vi.useFakeTimers({ now: START });
    const { ec2, ids } = burstWorld(5);
    const attachedAt = recordAttachTimes(ec2, Date.now);
    // One invocation for a batch of five launches (an SQS batch), with a bucket of 2 and 1 per second.
    const reconcile = timedManager(ec2, { capacity: 2, refillPerSecond: 1 }).reconcileInstances(ids);
    await vi.runAllTimersAsync();
    const result = await reconcile;

    expect(result?.converged).toBe(true);
    expect(served(ec2, ids)).toEqual(ids);
    expect(ids.map((id) => (attachedAt.get(id) ?? 0) - START)).toEqual([0, 0, 1_000, 2_000, 3_000]);
  });

  it('paces many attaches of one round without a listener-leak warning', async () => {
    vi.useFakeTimers({ now: START });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const { ec2, ids } = burstWorld(20);
      // Twenty attaches of one round wait for their turns at once, each listening to the round's signal.
      const reconcile = timedManager(ec2, { capacity: 2, refillPerSecond: 1 }).reconcileInstances(ids);
      await vi.runAllTimersAsync();
      await reconcile;
      await new Promise((resolve) => process.nextTick(resolve));

      expect(served(ec2, ids)).toEqual(ids);
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('counts at most maxAhead attaches of other workers ahead, when the workers are bounded', async () => {
    vi.useFakeTimers({ now: START });
    const batch = ['i-15', 'i-16', 'i-17', 'i-18', 'i-19'];
    const unbounded = burstWorld(20);
    const unboundedAt = recordAttachTimes(unbounded.ec2, Date.now);
    const first = timedManager(unbounded.ec2, { capacity: 2, refillPerSecond: 1 }).reconcileInstances(batch);
    await vi.runAllTimersAsync();
    await first;
    // Fifteen members ahead of i-15 in plan order, each as if a worker of its own were about to attach.
    expect((unboundedAt.get('i-15') ?? 0) - START).toBe(14_000);

    const bounded = burstWorld(20);
    const secondAt = Date.now();
    const boundedAt = recordAttachTimes(bounded.ec2, () => Date.now() - secondAt);
    const second = timedManager(bounded.ec2, {
      capacity: 2,
      refillPerSecond: 1,
      maxAhead: 1,
    }).reconcileInstances(batch);
    await vi.runAllTimersAsync();
    await second;
    // One other worker's attach counted ahead of the batch's first, then the batch's own, one per token.
    expect(batch.map((id) => boundedAt.get(id))).toEqual([0, 1_000, 2_000, 3_000, 4_000]);
  });

  it('refuses a maxAhead that is not a non-negative integer', () => {
    const { ec2 } = burstWorld(1);
    for (const maxAhead of [-1, 1.5, Number.NaN]) {
      expect(() => timedManager(ec2, { maxAhead })).toThrow(/attachPacing\.maxAhead/);
    }
  });
});

/** The manager's clock time of each instance's first attach call. */
function recordAttachTimes(ec2: FakeEc2, now: () => number): Map<string, number> {
  const at = new Map<string, number>();
  const attach = ec2.attachNetworkInterface.bind(ec2);
  ec2.attachNetworkInterface = (input) => {
    if (!at.has(input.instanceId)) at.set(input.instanceId, now());
    return attach(input);
  };
  return at;
}
