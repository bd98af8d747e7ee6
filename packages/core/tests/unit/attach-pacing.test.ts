import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  attachDelayMs,
  attachRank,
  PACING_HISTORY_MS,
  recentAttachTimes,
  tokensLeft,
} from '../../src/internal/attach-pacing';
import type { InstanceView, InterfaceView, PlanAction } from '../../src/model';

const EC2 = { capacity: 50, refillPerSecond: 5 };
const NOW = Date.parse('2026-12-01T12:00:00.000Z');

const attach = (n: number): PlanAction => ({
  kind: 'attach',
  id: `attach:eni-${n}:i-${n}`,
  pool: 'web',
  networkInterfaceId: `eni-${n}`,
  instanceId: `i-${n}`,
  deviceIndex: 1,
  networkCardIndex: 0,
});

describe('tokensLeft', () => {
  it('is the full bucket when nothing was attached lately', () => {
    expect(tokensLeft([], NOW, EC2)).toBe(50);
    expect(tokensLeft([NOW - PACING_HISTORY_MS - 1], NOW, EC2)).toBe(50);
  });

  it('takes one token per attach and gives them back at the refill rate', () => {
    const burst = Array.from({ length: 50 }, () => NOW);
    expect(tokensLeft(burst, NOW, EC2)).toBe(0);
    expect(tokensLeft(burst, NOW + 1_000, EC2)).toBe(5);
    expect(tokensLeft(burst, NOW + 60_000, EC2)).toBe(50);
  });

  it('counts an attach time after now (a clock behind EC2) as made now', () => {
    expect(tokensLeft([NOW + 5_000], NOW, EC2)).toBe(49);
  });

  it('goes below zero when more were made than the bucket allowed', () => {
    expect(
      tokensLeft(
        Array.from({ length: 60 }, () => NOW),
        NOW,
        EC2,
      ),
    ).toBe(-10);
  });

  it('never exceeds the capacity and never counts an attach twice', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 120_000 }), { maxLength: 200 }), (ages) => {
        const times = ages.map((age) => NOW - age);
        const left = tokensLeft(times, NOW, EC2);
        const recent = times.filter((t) => t > NOW - PACING_HISTORY_MS).length;
        expect(left).toBeLessThanOrEqual(EC2.capacity);
        expect(left).toBeGreaterThanOrEqual(EC2.capacity - recent);
      }),
    );
  });
});

describe('attachDelayMs', () => {
  it('lets the first 50 of a burst go at once and spaces the rest at the refill rate', () => {
    expect(attachDelayMs([], NOW, 0, EC2)).toBe(0);
    expect(attachDelayMs([], NOW, 49, EC2)).toBe(0);
    expect(attachDelayMs([], NOW, 50, EC2)).toBe(200);
    expect(attachDelayMs([], NOW, 149, EC2)).toBe(20_000);
  });

  it('counts the attaches already made: a worker that reads later finds the same turn', () => {
    // The member ranked 60 when nothing was attached yet: 11 tokens short, 2.2 s.
    expect(attachDelayMs([], NOW, 60, EC2)).toBe(2_200);
    // Read 1 s later, after the first 50 and the next 5 (one every 200 ms): ranked 5, the same moment.
    const made = [
      ...Array.from({ length: 50 }, () => NOW),
      ...Array.from({ length: 5 }, (_, i) => NOW + 200 * (i + 1)),
    ];
    expect(NOW + 1_000 + attachDelayMs(made, NOW + 1_000, 5, EC2)).toBe(NOW + 2_200);
  });

  it('is monotonic in the rank', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30_000 }), { maxLength: 100 }),
        fc.nat(300),
        (ages, rank) => {
          const times = ages.map((age) => NOW - age);
          expect(attachDelayMs(times, NOW, rank + 1, EC2)).toBeGreaterThanOrEqual(
            attachDelayMs(times, NOW, rank, EC2),
          );
        },
      ),
    );
  });
});

describe('recentAttachTimes', () => {
  const eni = (attachTime: string | undefined, deviceIndex = 1): InterfaceView => ({
    networkInterfaceId: 'eni-1',
    subnetId: 'subnet-a',
    availabilityZone: 'eu-west-1a',
    status: 'in-use',
    tags: {},
    attachment: {
      attachmentId: 'eni-attach-1',
      instanceId: 'i-1',
      deviceIndex,
      networkCardIndex: 0,
      status: 'attached',
      ...(attachTime !== undefined ? { attachTime } : {}),
    },
  });

  it('reads the attach times of secondary attachments, skipping unknown or unreadable ones', () => {
    expect(
      recentAttachTimes(
        [
          eni('2026-12-01T12:00:00.250Z'),
          eni(undefined),
          eni('not a time'),
          eni('2026-12-01T11:00:00.250Z', 0),
        ],
        [],
        NOW,
      ),
    ).toEqual([NOW + 250]);
  });

  it('counts an attach that shows on an instance only (made between the describes) as made when read', () => {
    const free: InterfaceView = {
      networkInterfaceId: 'eni-2',
      subnetId: 'subnet-a',
      availabilityZone: 'eu-west-1a',
      status: 'available',
      tags: {},
    };
    const holder: InstanceView = {
      instanceId: 'i-2',
      state: 'running',
      subnetId: 'subnet-a',
      availabilityZone: 'eu-west-1a',
      launchTime: '2026-12-01T11:00:00.000Z',
      tags: {},
      attachments: [
        { networkInterfaceId: 'eni-prim', deviceIndex: 0, networkCardIndex: 0, status: 'attached' },
        { networkInterfaceId: 'eni-2', deviceIndex: 1, networkCardIndex: 0, status: 'attaching' },
      ],
    };
    expect(recentAttachTimes([free], [holder], NOW + 42)).toEqual([NOW + 42]);
  });

  it('reads a time given to the second as the end of that second', () => {
    expect(recentAttachTimes([eni('2026-12-01T12:00:00Z')], [], NOW)).toEqual([NOW + 999]);
  });
});

describe('attachRank', () => {
  it('is the place of an attach among the planned attaches, in plan order', () => {
    const plan = [attach(1), attach(2), attach(3)];
    expect(attachRank(plan, attach(3))).toBe(2);
    expect(attachRank(plan, attach(2))).toBe(1);
    expect(attachRank(plan, attach(1))).toBe(0);
  });

  it('counts only the attaches ahead that `counts` keeps, and is 0 for one the plan does not hold', () => {
    const plan = [attach(1), attach(2), attach(3)];
    expect(attachRank(plan, attach(3), (ahead) => ahead.id !== attach(1).id)).toBe(1);
    expect(attachRank(plan, attach(4))).toBe(0);
  });
});
