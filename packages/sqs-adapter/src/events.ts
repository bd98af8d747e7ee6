import type { ReconcileResult } from '@eni-pool/core';
import type { MessageResult } from './metrics';

/** One message, as the event source's events name it. */
export interface MessageRef {
  /** The SQS message id. */
  readonly messageId: string;
  /** The event's own id (EventBridge id, SNS message id or Auto Scaling request id), when it has one. */
  readonly eventId?: string;
}

/**
 * The facts an {@link SqsEventSource} emits, keyed by snake_case name. Listener exceptions are caught and
 * logged; they never stop the pollers.
 *
 * @example
 * ```ts
 * source.on('message_rejected', ({ messageId, reason }) => console.warn(messageId, reason));
 * source.on('sync_finished', ({ result }) => console.log(result.converged));
 * ```
 */
export interface SqsEventSourceEvents {
  /** The pollers are running. */
  started: [];
  /** `stop()` has finished: nothing is received or handled any more. */
  stopped: [{ readonly released: number; readonly abortedInFlight: boolean }];
  /** A batch arrived. */
  batch_received: [{ readonly messages: readonly MessageRef[] }];
  /** A message ended: handled and deleted, rejected, failed or released. */
  message_settled: [MessageRef & { readonly result: MessageResult; readonly reason?: string }];
  /** A receive failed (the queue cannot be reached, access denied, throttled after the SDK's retries…). */
  receive_failed: [{ readonly error: unknown; readonly consecutive: number }];
  /** The periodic full sync ran. */
  sync_finished: [{ readonly result: ReconcileResult }];
  /** The periodic full sync failed; the next period tries again. */
  sync_failed: [{ readonly error: unknown }];
  /** A period came while the previous sync still ran: skipped, so syncs never pile up. */
  sync_skipped: [];
}
