import { EniPoolError } from '@eni-pool/core';

/**
 * The caller's `AbortSignal` fired while an action was in progress; the action was left uncompleted
 * (Auto Scaling then applies the hook's `DefaultResult` at its timeout, or a redelivery retries it).
 *
 * @example
 * ```ts
 * try {
 *   await hooks.handle(trigger, deadline.signal);
 * } catch (error) {
 *   if (error instanceof LifecycleHandlingAbortedError) log.warn('left to the hook timeout', { instance: error.instanceId });
 * }
 * ```
 */
export class LifecycleHandlingAbortedError extends EniPoolError {
  constructor(
    message: string,
    readonly instanceId: string,
    readonly lifecycleHookName: string,
  ) {
    super(message);
  }
}
