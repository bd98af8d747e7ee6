import type { ReconcileResult } from '@eni-pool/core';
import { publishMetrics } from './metrics';
import type { HandlerRuntime } from './runtime';
import type { ReconciledResult, TriggerKind } from './types';

/** Folds the reconciles one trigger caused into one result, and publishes their metrics. */
export function reconciled(
  trigger: TriggerKind,
  results: readonly ReconcileResult[],
  runtime: HandlerRuntime,
): ReconciledResult {
  publishMetrics(results, runtime);
  const pools = new Set<string>();
  for (const result of results) {
    for (const summary of result.pools) pools.add(summary.pool);
    if (result.scope.kind === 'pools') for (const pool of result.scope.pools) pools.add(pool);
  }
  return {
    status: 'reconciled',
    trigger,
    pools: [...pools].sort(),
    rounds: Math.max(0, ...results.map((result) => result.rounds)),
    converged: results.every((result) => result.converged),
    actions: results.reduce(
      (sum, result) => sum + result.outcomes.filter((outcome) => outcome.status === 'succeeded').length,
      0,
    ),
    unsatisfied: results.reduce((sum, result) => sum + result.unsatisfied.length, 0),
  };
}

/** Logs a reconciled result: info when it converged with nothing unsatisfied, a warning otherwise. */
export function logReconciled(
  result: ReconciledResult,
  runtime: HandlerRuntime,
  instanceId?: string,
): ReconciledResult {
  const message = result.converged ? 'pools reconciled' : 'pools reconciled without converging';
  const context = { ...result, ...(instanceId ? { instanceId } : {}) };
  if (result.converged && result.unsatisfied === 0) runtime.logger.info(message, context);
  else runtime.logger.warn(message, context);
  return result;
}
