import type { EniPoolError } from './errors';
import type { PlanAction, PoolScope, Unsatisfied } from './model';

/** Payload of `action_started`: an action of a plan, about to call EC2. */
export interface ActionEvent {
  /** The plan action concerned. */
  readonly action: PlanAction;
  /** Attempts the EC2 call took, counting the first; absent on `action_started`. */
  readonly attempt?: number;
}

/** Payload of `action_succeeded`: the attach is `attached`, or the detach has settled. */
export interface ActionSucceededEvent extends ActionEvent {
  /** The new attachment, for an attach. */
  readonly attachmentId?: string;
  /** From the first call to the end of the wait, in milliseconds. */
  readonly durationMs: number;
}

/** Payload of `action_failed` and `action_conflicted`. */
export interface ActionFailedEvent extends ActionEvent {
  /** What went wrong: usually an `AwsCallError` or `WaitTimeoutError`; `AttachConflictError` for a conflict. */
  readonly error: EniPoolError;
  /** From the first call to the failure, in milliseconds. */
  readonly durationMs: number;
}

/** Payload of `reconcile_finished`. */
export interface ReconcileFinishedEvent {
  /** The pools the reconcile covered. */
  readonly scope: PoolScope;
  /** Times the state was read and planned; a round whose plan is empty ends the reconcile. */
  readonly rounds: number;
  /** `true` when the last plan had nothing left to do. */
  readonly converged: boolean;
  /** Elapsed time of the whole reconcile, in milliseconds. */
  readonly durationMs: number;
}

/**
 * Every fact eni-pool emits, keyed by snake_case event name. Listener exceptions are caught and logged;
 * they never break a reconcile. `Executor` and `EniPoolManager` are typed emitters of these events.
 *
 * @example
 * ```ts
 * manager.on('action_failed', ({ action, error, attempt }) => {
 *   logger.warn(error.message, { action: action.id, attempt, code: error instanceof AwsCallError ? error.code : undefined });
 * });
 * manager.on('instance_unsatisfied', ({ instanceId, reason, detail }) => metrics.add(reason, 1));
 * ```
 */
export interface EniPoolEvents {
  /** An action is about to make its first EC2 call. */
  action_started: [ActionEvent];
  /** An action finished, including its wait for the interface to settle. */
  action_succeeded: [ActionSucceededEvent];
  /** An action failed for good (retries exhausted, a client error, or a wait that timed out). */
  action_failed: [ActionFailedEvent];
  /** Another worker took the interface first; the manager re-reads and re-plans. */
  action_conflicted: [ActionFailedEvent];
  /** A running pool member gets no interface; the payload says why. */
  instance_unsatisfied: [Unsatisfied];
  /** A round begins: the state is about to be read and planned. */
  reconcile_started: [
    {
      /** The pools the reconcile covers. */
      readonly scope: PoolScope;
      /** 1-based round number. */
      readonly round: number;
    },
  ];
  /** A reconcile ended, converged or not. */
  reconcile_finished: [ReconcileFinishedEvent];
  /** Two workers raced and an instance ended up with two interfaces of its pool; one was released. */
  duplicate_released: [
    {
      /** The instance that held two interfaces of its pool. */
      readonly instanceId: string;
      /** The interface taken back from it. */
      readonly networkInterfaceId: string;
      /** The pool name. */
      readonly pool: string;
    },
  ];
}
