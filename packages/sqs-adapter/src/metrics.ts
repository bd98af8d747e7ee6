import type { ActionEvent, ActionFailedEvent, EniPoolManager } from '@eni-pool/core';
import type { PoolMetrics, PoolMetricsPublisher } from '@eni-pool/lambda-adapter';
import { Counter, Gauge, Registry } from 'prom-client';

/** What became of a message. */
export type MessageResult =
  /** Handled (or needed nothing) and deleted. */
  | 'handled'
  /** Not JSON or not a known event; deleted or left for the dead-letter queue by the `unparseable` policy. */
  | 'rejected'
  /** Its work failed; left in flight, so it is received again (and ends in the dead-letter queue). */
  | 'failed'
  /** Not finished at shutdown; made visible again for another replica. */
  | 'released';

/**
 * The Prometheus metrics of one event source, in a registry of its own (so several sources, or tests, do
 * not share counters):
 *
 * - `eni_pool_pool_free_interfaces`, `eni_pool_pool_attached_interfaces`,
 *   `eni_pool_pool_unsatisfied_instances` (gauges, label `pool`): from the latest reconcile of the pool;
 * - `eni_pool_actions_total` (counter, labels `pool`, `action` = attach | detach, `outcome` =
 *   succeeded | failed | conflict): every attach and detach of the manager, lifecycle paths included;
 * - `eni_pool_messages_total` (counter, label `result`, see {@link MessageResult});
 * - `eni_pool_receives_total` (counter, label `outcome` = ok | error);
 * - `eni_pool_syncs_total` (counter, label `outcome` = ok | failed | skipped);
 * - `eni_pool_batches_in_flight` (gauge).
 */
export class SqsMetrics implements PoolMetricsPublisher {
  readonly registry = new Registry();
  private readonly free = this.gauge('eni_pool_pool_free_interfaces', 'Pool interfaces that are available.');
  private readonly attached = this.gauge(
    'eni_pool_pool_attached_interfaces',
    'Pool interfaces attached to a running member.',
  );
  private readonly unsatisfied = this.gauge(
    'eni_pool_pool_unsatisfied_instances',
    'Running members without an interface, for any reason.',
  );
  private readonly actions = new Counter({
    name: 'eni_pool_actions_total',
    help: 'Attach and detach actions by pool and outcome.',
    labelNames: ['pool', 'action', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly messages = new Counter({
    name: 'eni_pool_messages_total',
    help: 'Messages received, by what became of them.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  private readonly receives = new Counter({
    name: 'eni_pool_receives_total',
    help: 'ReceiveMessage calls by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly syncs = new Counter({
    name: 'eni_pool_syncs_total',
    help: 'Periodic full syncs by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly batchesInFlight = new Gauge({
    name: 'eni_pool_batches_in_flight',
    help: 'Batches being handled.',
    registers: [this.registry],
  });

  constructor() {
    for (const result of ['handled', 'rejected', 'failed', 'released'] as const)
      this.messages.inc({ result }, 0);
    for (const outcome of ['ok', 'error'] as const) this.receives.inc({ outcome }, 0);
    for (const outcome of ['ok', 'failed', 'skipped'] as const) this.syncs.inc({ outcome }, 0);
  }

  private gauge(name: string, help: string): Gauge<'pool'> {
    return new Gauge({ name, help, labelNames: ['pool'] as const, registers: [this.registry] });
  }

  /** Pool figures after a reconcile (the Lambda adapter's `PoolMetricsPublisher`). */
  publish(metrics: readonly PoolMetrics[]): void {
    for (const pool of metrics) {
      this.free.set({ pool: pool.pool }, pool.FreeInterfaces);
      this.attached.set({ pool: pool.pool }, pool.AttachedInterfaces);
      this.unsatisfied.set({ pool: pool.pool }, pool.UnsatisfiedInstances);
    }
  }

  /** Counts every action outcome of `manager`; returns the function that stops counting. */
  countActions(manager: EniPoolManager): () => void {
    const count = (outcome: string) => (event: ActionEvent | ActionFailedEvent) =>
      this.actions.inc({ pool: event.action.pool, action: event.action.kind, outcome });
    const succeeded = count('succeeded');
    const failed = count('failed');
    const conflicted = count('conflict');
    manager.on('action_succeeded', succeeded);
    manager.on('action_failed', failed);
    manager.on('action_conflicted', conflicted);
    return () => {
      manager.off('action_succeeded', succeeded);
      manager.off('action_failed', failed);
      manager.off('action_conflicted', conflicted);
    };
  }

  message(result: MessageResult, count = 1): void {
    if (count > 0) this.messages.inc({ result }, count);
  }

  receive(outcome: 'ok' | 'error'): void {
    this.receives.inc({ outcome });
  }

  sync(outcome: 'ok' | 'failed' | 'skipped'): void {
    this.syncs.inc({ outcome });
  }

  /** The text exposition format. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }
}
