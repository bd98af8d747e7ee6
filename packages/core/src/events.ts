import type { EniPoolError } from './errors';
import type { PlanAction, PoolScope, Unsatisfied } from './model';

export interface ActionEvent {
  readonly action: PlanAction;
  /** 1-based attempt number of the API call. */
  readonly attempt?: number;
}

export interface ActionSucceededEvent extends ActionEvent {
  readonly attachmentId?: string;
  readonly durationMs: number;
}

export interface ActionFailedEvent extends ActionEvent {
  readonly error: EniPoolError;
  readonly durationMs: number;
}

export interface ReconcileFinishedEvent {
  readonly scope: PoolScope;
  readonly rounds: number;
  readonly converged: boolean;
  readonly durationMs: number;
}

/**
 * Every fact eni-pool emits, keyed by snake_case event name. Listener exceptions are caught and logged;
 * they never break a reconcile.
 */
export interface EniPoolEvents {
  action_started: [ActionEvent];
  action_succeeded: [ActionSucceededEvent];
  action_failed: [ActionFailedEvent];
  /** Another worker took the interface first; the manager re-reads and re-plans. */
  action_conflicted: [ActionFailedEvent];
  instance_unsatisfied: [Unsatisfied];
  reconcile_started: [{ readonly scope: PoolScope; readonly round: number }];
  reconcile_finished: [ReconcileFinishedEvent];
  /** Two workers raced and an instance ended up with two interfaces of its pool; one was released. */
  duplicate_released: [
    { readonly instanceId: string; readonly networkInterfaceId: string; readonly pool: string },
  ];
}
