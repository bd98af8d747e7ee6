import type { LifecycleActionTrigger, Trigger } from '@eni-pool/core';
import { isOwnHook } from '@eni-pool/lifecycle-hook-adapter';
import { logReconciled, reconciled } from './reconciled';
import type { HandlerRuntime } from './runtime';
import type { IgnoredResult, InvocationResult, LifecycleActionHandler, TriggerKind } from './types';

/**
 * Acknowledges a lifecycle action that this function does not complete: another owner's hook (debug,
 * it is none of eni-pool's business), or eni-pool's own while lifecycle hooks are disabled (a warning,
 * since the hook then times out with its default result). Either way no AWS call is made.
 */
export function unhandledLifecycleAction(trigger: LifecycleActionTrigger, runtime: HandlerRuntime): string {
  const context = {
    instanceId: trigger.instanceId,
    transition: trigger.transition,
    autoScalingGroupName: trigger.autoScalingGroupName,
    lifecycleHookName: trigger.lifecycleHookName,
  };
  if (!isOwnHook(trigger.lifecycleHookName, runtime.hookNamePrefix)) {
    runtime.logger.debug("lifecycle action of a hook that is not eni-pool's; ignored", context);
    return "lifecycle hook is not eni-pool's";
  }
  runtime.logger.warn('lifecycle action acknowledged but not handled: lifecycle hooks are disabled', context);
  return 'lifecycle hooks are disabled';
}

/** The handler that completes this lifecycle action here, or undefined when it is left alone. */
export function lifecycleHandlerFor(
  trigger: LifecycleActionTrigger,
  runtime: HandlerRuntime,
): LifecycleActionHandler | undefined {
  if (runtime.lifecycle === false || !isOwnHook(trigger.lifecycleHookName, runtime.hookNamePrefix)) {
    return undefined;
  }
  return runtime.lifecycle;
}

function ignored(trigger: TriggerKind, reason: string, runtime: HandlerRuntime): IgnoredResult {
  runtime.logger.info('event acknowledged; nothing to do', { trigger, reason });
  return { status: 'ignored', trigger, reason };
}

/**
 * Runs one trigger to completion. Throws only for real failures (AWS errors, exhausted retries), so the
 * event is retried or lands in the on-failure destination.
 */
export async function runTrigger(
  trigger: Trigger,
  runtime: HandlerRuntime,
  signal?: AbortSignal,
): Promise<InvocationResult> {
  const options = signal ? { signal } : {};
  switch (trigger.kind) {
    case 'instance-state-change': {
      if (trigger.state === 'pending') {
        return ignored(
          trigger.kind,
          `instance ${trigger.instanceId} is pending; it is served once running`,
          runtime,
        );
      }
      const handled = await runtime.manager.handle(trigger, options);
      // The reconcile lines name the instance the event was about.
      if (handled.reconcile)
        return logReconciled(
          reconciled(trigger.kind, [handled.reconcile], runtime),
          runtime,
          trigger.instanceId,
        );
      if (handled.reconcile === undefined) {
        return ignored(
          trigger.kind,
          handled.skipped ?? `instance ${trigger.instanceId} needs nothing`,
          runtime,
        );
      }
      return logReconciled(reconciled(trigger.kind, [handled.reconcile], runtime), runtime);
    }
    case 'scheduled-sync': {
      const result = await runtime.manager.reconcile({ kind: 'all' }, options);
      return logReconciled(reconciled(trigger.kind, [result], runtime), runtime);
    }
    case 'lifecycle-action':
      return runLifecycleAction(trigger, runtime, signal);
    case 'test-notification':
      return ignored(trigger.kind, 'Auto Scaling test notification', runtime);
  }
}

async function runLifecycleAction(
  trigger: LifecycleActionTrigger,
  runtime: HandlerRuntime,
  signal: AbortSignal | undefined,
): Promise<InvocationResult> {
  const lifecycle = lifecycleHandlerFor(trigger, runtime);
  if (lifecycle === undefined) {
    return { status: 'ignored', trigger: trigger.kind, reason: unhandledLifecycleAction(trigger, runtime) };
  }
  const result = await lifecycle.handle(trigger, signal);
  runtime.logger.info('lifecycle action handled', {
    instanceId: trigger.instanceId,
    transition: trigger.transition,
  });
  return {
    status: 'lifecycle-handled',
    trigger: trigger.kind,
    instanceId: trigger.instanceId,
    transition: trigger.transition,
    result,
  };
}
