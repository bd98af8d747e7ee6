import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEmfPublisher, poolMetricsOf } from '../../src/metrics';
import { attachOutcome, poolSummary, reconcileResult } from '../helpers/fakes';

describe('poolMetricsOf', () => {
  it('counts actions, conflicts, failures and unsatisfied instances per pool', () => {
    const result = reconcileResult(
      { kind: 'all' },
      {
        pools: [
          poolSummary('web', { freeInterfaces: 0, attached: 3 }),
          poolSummary('db', { freeInterfaces: 2, attached: 1 }),
        ],
        outcomes: [
          attachOutcome('web', 'succeeded', 1),
          attachOutcome('web', 'conflict', 2),
          attachOutcome('web', 'succeeded', 3),
          attachOutcome('db', 'failed', 4),
          attachOutcome('db', 'skipped', 5),
        ],
        unsatisfied: [
          { pool: 'web', instanceId: 'i-9', reason: 'pool-exhausted', detail: 'no free interface' },
          { pool: 'web', instanceId: 'i-8', reason: 'pool-exhausted', detail: 'no free interface' },
        ],
      },
    );
    expect(poolMetricsOf(result)).toEqual([
      {
        pool: 'db',
        FreeInterfaces: 2,
        AttachedInterfaces: 1,
        UnsatisfiedInstances: 0,
        Conflicts: 0,
        Actions: 0,
        FailedActions: 1,
      },
      {
        pool: 'web',
        FreeInterfaces: 0,
        AttachedInterfaces: 3,
        UnsatisfiedInstances: 2,
        Conflicts: 1,
        Actions: 2,
        FailedActions: 0,
      },
    ]);
  });
});

describe('createEmfPublisher', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes one EMF line per pool in namespace EniPool with the Pool dimension only', () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const publisher = createEmfPublisher(new Metrics({ namespace: 'EniPool', serviceName: 'eni-pool' }));
    publisher.publish(
      poolMetricsOf(
        reconcileResult(
          { kind: 'pools', pools: ['web', 'db'] },
          { outcomes: [attachOutcome('web', 'succeeded')] },
        ),
      ),
    );
    const entries = lines.map((line) => JSON.parse(line));
    expect(entries).toHaveLength(2);
    expect(entries.map((entry) => entry.Pool)).toEqual(['db', 'web']);
    for (const entry of entries) {
      const [directive] = entry._aws.CloudWatchMetrics;
      expect(directive.Namespace).toBe('EniPool');
      expect(directive.Dimensions).toEqual([['Pool']]);
      expect(directive.Metrics.map((metric: { Name: string }) => metric.Name)).toEqual([
        'FreeInterfaces',
        'AttachedInterfaces',
        'UnsatisfiedInstances',
        'Conflicts',
        'Actions',
        'FailedActions',
      ]);
      expect(entry.service).toBeUndefined();
    }
    expect(entries[1].Actions).toBe(1);
  });
});
