import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Logger, ReconcileResult } from '@eni-pool/core';

/** The CloudWatch namespace eni-pool publishes to. */
export const METRICS_NAMESPACE = 'EniPool';

/** The one dimension of every eni-pool metric. */
export const POOL_DIMENSION = 'Pool';

/** One pool's figures after a reconcile, as published to CloudWatch. */
export interface PoolMetrics {
  readonly pool: string;
  /** Pool interfaces that are `available`. */
  readonly FreeInterfaces: number;
  /** Pool interfaces attached to a running member. */
  readonly AttachedInterfaces: number;
  /** Running members without an interface, for any reason (exhausted, wrong subnet, limits, …). */
  readonly UnsatisfiedInstances: number;
  /** Attaches that lost a race to another worker. */
  readonly Conflicts: number;
  /** Attach and detach calls that succeeded. */
  readonly Actions: number;
  /** Attach and detach calls that failed for good. */
  readonly FailedActions: number;
}

/** The metric names, in publishing order. */
export const POOL_METRIC_NAMES = [
  'FreeInterfaces',
  'AttachedInterfaces',
  'UnsatisfiedInstances',
  'Conflicts',
  'Actions',
  'FailedActions',
] as const satisfies readonly (keyof PoolMetrics)[];

/**
 * Per-pool figures of a reconcile: state from the last round's summary, action counts from every
 * round's outcomes. Pools are sorted by name.
 *
 * @example
 * ```ts
 * const result = await manager.reconcile({ kind: 'all' });
 * for (const m of poolMetricsOf(result)) console.log(m.pool, m.UnsatisfiedInstances);
 * ```
 */
export function poolMetricsOf(result: ReconcileResult): PoolMetrics[] {
  const byPool = new Map<string, { Conflicts: number; Actions: number; FailedActions: number }>();
  const counts = (pool: string) => {
    let entry = byPool.get(pool);
    if (entry === undefined) {
      entry = { Conflicts: 0, Actions: 0, FailedActions: 0 };
      byPool.set(pool, entry);
    }
    return entry;
  };
  for (const outcome of result.outcomes) {
    const entry = counts(outcome.action.pool);
    if (outcome.status === 'succeeded') entry.Actions += 1;
    else if (outcome.status === 'conflict') entry.Conflicts += 1;
    else if (outcome.status === 'failed') entry.FailedActions += 1;
  }
  const unsatisfied = new Map<string, number>();
  for (const entry of result.unsatisfied) unsatisfied.set(entry.pool, (unsatisfied.get(entry.pool) ?? 0) + 1);

  const pools = new Set<string>([...result.pools.map((summary) => summary.pool), ...byPool.keys()]);
  return [...pools].sort().map((pool) => {
    const summary = result.pools.find((candidate) => candidate.pool === pool);
    const actions = byPool.get(pool) ?? { Conflicts: 0, Actions: 0, FailedActions: 0 };
    return {
      pool,
      FreeInterfaces: summary?.freeInterfaces ?? 0,
      AttachedInterfaces: summary?.attached ?? 0,
      UnsatisfiedInstances: unsatisfied.get(pool) ?? summary?.unsatisfied ?? 0,
      ...actions,
    };
  });
}

/** Where pool figures go; {@link createEmfPublisher} writes CloudWatch EMF through Powertools. */
export interface PoolMetricsPublisher {
  publish(metrics: readonly PoolMetrics[]): void;
}

/**
 * Publishes each pool's figures as one CloudWatch EMF line (namespace `EniPool`, dimension `Pool` only:
 * Powertools' default `service` dimension is dropped so alarms can address a pool by name alone).
 *
 * @example
 * ```ts
 * const publisher = createEmfPublisher();
 * publisher.publish(poolMetricsOf(result));
 * ```
 */
export function createEmfPublisher(
  metrics: Metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'eni-pool' }),
): PoolMetricsPublisher {
  metrics.clearDefaultDimensions();
  return {
    publish(poolMetrics) {
      for (const entry of poolMetrics) {
        metrics.addDimension(POOL_DIMENSION, entry.pool);
        for (const name of POOL_METRIC_NAMES) metrics.addMetric(name, MetricUnit.Count, entry[name]);
        // Flushing per pool keeps one dimension value per EMF line.
        metrics.publishStoredMetrics();
      }
    },
  };
}

/** Publishes the per-pool figures of each reconcile, when metrics are on. */
export function publishMetrics(
  results: readonly ReconcileResult[],
  runtime: { readonly metrics: PoolMetricsPublisher | false; readonly logger: Logger },
): void {
  if (runtime.metrics === false) return;
  for (const result of results) {
    try {
      runtime.metrics.publish(poolMetricsOf(result));
    } catch (error) {
      // Metrics are an observation; losing one must not fail (and so retry) a reconcile that worked.
      runtime.logger.warn('publishing pool metrics failed', { error });
    }
  }
}
