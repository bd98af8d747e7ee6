import { EniPoolError } from '@eni-pool/core';

/** The caller's `AbortSignal` fired while an action was in progress; the action was left uncompleted. */
export class LifecycleHandlingAbortedError extends EniPoolError {
  constructor(
    message: string,
    readonly instanceId: string,
    readonly lifecycleHookName: string,
  ) {
    super(message);
  }
}
