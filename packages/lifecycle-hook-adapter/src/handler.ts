import type { EC2Client } from '@aws-sdk/client-ec2';
import {
  createSdkEc2Port,
  defaultLogger,
  type Ec2Port,
  type EniPoolManager,
  type LifecycleActionTrigger,
  type Logger,
  parseEvent,
  type TestNotificationTrigger,
  type Unsatisfied,
  UnsupportedEventError,
} from '@eni-pool/core';
import { EventEmitter } from 'eventemitter3';
import { createAutoScalingClient, LifecycleActions } from './auto-scaling';
import { findInstance, poolInterfacesOf } from './ec2-views';
import { buildManager } from './eni-pool';
import { LifecycleHandlingAbortedError } from './errors';
import type { LifecycleActionRef, LifecycleHookEvents } from './events';
import {
  isOwnHook,
  type LifecycleActionResult,
  type LifecycleHookHandlerOptions,
  type ResolvedSettings,
  resolveSettings,
} from './options';
import { Backoff, describeError, type RetryContext, realSleep, type Sleep } from './timing';
import type { LifecycleOutcome, LifecycleOutcomeReason, LifecycleTrigger } from './types';

/** Thrown inside a run when a heartbeat learns that Auto Scaling no longer has the action. */
class ActionOver extends Error {}

/** Carries a failed `CompleteLifecycleAction` past the wait loops, which retry everything else. */
class CompletionFailed extends Error {
  constructor(readonly error: unknown) {
    super('CompleteLifecycleAction failed');
  }
}

/** Errors that end a run rather than count as one failed poll. */
function endsRun(error: unknown): boolean {
  return (
    error instanceof ActionOver ||
    error instanceof CompletionFailed ||
    error instanceof LifecycleHandlingAbortedError
  );
}

/** Everything known about one action while it is being handled. */
interface Run {
  readonly action: LifecycleActionTrigger;
  readonly kind: 'launch' | 'terminate';
  readonly startedAt: number;
  readonly deadline: number;
  /** Aborts on the caller's signal or when the action turns out to be over. */
  readonly work: AbortController;
  readonly callerSignal: AbortSignal | undefined;
  over: boolean;
  heartbeats: number;
  reconciles: number;
  pool?: string;
  unsatisfied?: Unsatisfied;
  lastError?: string;
}

function isEc2Port(value: Ec2Port | EC2Client): value is Ec2Port {
  return typeof (value as Ec2Port).describeNetworkInterfaces === 'function';
}

function refOf(action: LifecycleActionTrigger): LifecycleActionRef {
  return {
    instanceId: action.instanceId,
    autoScalingGroupName: action.autoScalingGroupName,
    lifecycleHookName: action.lifecycleHookName,
  };
}

/**
 * Completes Auto Scaling lifecycle actions only once the pool interface is really there (launch) or really
 * gone (terminate). Actions of hooks whose name does not start with `hookNamePrefix` are someone else's:
 * ignored, with no AWS call. See {@link createLifecycleHookHandler}.
 *
 * @example
 * ```ts
 * const hooks = new LifecycleHookHandler({ launchBudgetMs: 240_000 });
 * hooks.on('lifecycle_action_completed', (outcome) => log.info(outcome.reason, { ...outcome }));
 * const outcome = await hooks.handle(parseEvent(event) as LifecycleTrigger);
 * ```
 */
export class LifecycleHookHandler extends EventEmitter<LifecycleHookEvents> {
  /** The manager that reconciles pools; listen to it for every attach and detach. */
  readonly manager: EniPoolManager;
  readonly settings: ResolvedSettings;
  private readonly ec2: Ec2Port;
  private readonly actions: LifecycleActions;
  private readonly logger: Logger;
  private readonly sleep: Sleep;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(options: LifecycleHookHandlerOptions = {}) {
    super();
    this.settings = resolveSettings(options);
    this.logger = options.logger ?? defaultLogger;
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;

    const autoScaling = options.autoScaling ?? createAutoScalingClient();
    // Every reconcile of the manager, not only this handler's, then knows which members are leaving.
    this.manager =
      options.manager ??
      buildManager({
        ...(options.ec2 !== undefined ? { ec2: options.ec2 } : {}),
        autoScaling,
        logger: this.logger,
        detectTerminating: this.settings.detectTerminating,
        manager: {
          ...options.managerOptions,
          planner: { ...options.managerOptions?.planner, poolTagKey: this.settings.poolTagKey },
        },
        leavingSource: { retry: this.settings.retry, sleep: this.sleep, random: this.random },
      });
    // The manager's describes share its rate limits and retry budget; an `ec2` given beside a manager wins.
    this.ec2 =
      options.manager !== undefined && options.ec2 !== undefined
        ? isEc2Port(options.ec2)
          ? options.ec2
          : createSdkEc2Port(options.ec2)
        : this.manager.ec2;
    this.actions = new LifecycleActions(autoScaling, this.retryContext());
  }

  /**
   * Parses a message body (EventBridge event, raw or SNS-wrapped Auto Scaling notification, or a JSON
   * string of one) and handles it. Rejects with `UnsupportedEventError` / `InvalidEventError` before any
   * AWS call when the body is not a lifecycle action or test notification.
   *
   * @example
   * ```ts
   * const outcome = await hooks.handleMessage(sqsMessage.Body); // a hook's notification target queue
   * if (outcome.status === 'ignored') log.debug('not our hook', { hook: outcome.lifecycleHookName });
   * ```
   */
  async handleMessage(body: unknown, signal?: AbortSignal): Promise<LifecycleOutcome> {
    const trigger = parseEvent(body);
    if (trigger.kind !== 'lifecycle-action' && trigger.kind !== 'test-notification') {
      throw new UnsupportedEventError(
        `expected an Auto Scaling lifecycle action or test notification, got ${trigger.kind}`,
        trigger.kind,
      );
    }
    return this.handle(trigger, signal);
  }

  /**
   * Handles one lifecycle action and completes it; resolves with what was sent and why. Rejects with
   * `LifecycleHandlingAbortedError` when `signal` aborts first (the action is then left to its
   * `HeartbeatTimeout` / `DefaultResult` or a redelivery), and with `AwsCallError` when
   * `CompleteLifecycleAction` itself keeps failing.
   *
   * @example
   * ```ts
   * const trigger = parseEvent(event);
   * if (trigger.kind === 'lifecycle-action') await hooks.handle(trigger, AbortSignal.timeout(600_000));
   * ```
   */
  async handle(trigger: LifecycleTrigger, signal?: AbortSignal): Promise<LifecycleOutcome> {
    if (trigger.kind === 'test-notification') return this.acknowledgeTest(trigger);
    if (trigger.kind !== 'lifecycle-action') {
      throw new UnsupportedEventError(
        `expected an Auto Scaling lifecycle action or test notification, got ${(trigger as { kind: string }).kind}`,
        (trigger as { kind: string }).kind,
      );
    }
    const action = trigger;
    const kind = action.transition === 'autoscaling:EC2_INSTANCE_LAUNCHING' ? 'launch' : 'terminate';
    if (!isOwnHook(action.lifecycleHookName, this.settings.hookNamePrefix)) {
      return this.ignoreForeign(action, kind);
    }
    const startedAt = this.now();
    const work = new AbortController();
    const onCallerAbort = () => work.abort();
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    if (signal?.aborted) work.abort();
    const run: Run = {
      action,
      kind,
      startedAt,
      deadline:
        startedAt + (kind === 'launch' ? this.settings.launchBudgetMs : this.settings.terminateBudgetMs),
      work,
      callerSignal: signal,
      over: false,
      heartbeats: 0,
      reconciles: 0,
    };
    this.safeEmit('lifecycle_action_received', action);
    this.logger.debug('lifecycle action received', {
      ...refOf(action),
      transition: action.transition,
      origin: action.origin,
      destination: action.destination,
    });

    const heartbeat = this.startHeartbeats(run);
    try {
      if (kind === 'launch') {
        if (action.destination === 'WarmPool' && this.settings.warmPool === 'skip') {
          return await this.complete(run, 'CONTINUE', 'warm-pool');
        }
        return await this.launch(run);
      }
      return await this.terminate(run);
    } catch (error) {
      if (error instanceof ActionOver) return this.finish(run, 'already-over', undefined, 'action-over');
      if (error instanceof CompletionFailed) {
        this.logger.error('could not complete the lifecycle action', {
          ...refOf(action),
          error: describeError(error.error),
        });
        throw error.error;
      }
      throw error;
    } finally {
      await heartbeat.stop();
      signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Launch: running → reconcile → attached → CONTINUE

  private async launch(run: Run): Promise<LifecycleOutcome> {
    const { action } = run;
    const backoff = this.backoff();
    for (;;) {
      this.checkpoint(run);
      try {
        const instance = await findInstance(this.ec2, action.instanceId, this.retryContext(run));
        if (instance) {
          const pool = instance.tags[this.settings.poolTagKey];
          if (!pool) return await this.complete(run, 'CONTINUE', 'unmanaged');
          run.pool = pool;
          if (instance.state === 'running') break;
          if (instance.state !== 'pending') {
            this.logger.warn('instance left before it ran; completing the launch action', {
              ...refOf(action),
              state: instance.state,
            });
            return await this.complete(run, this.settings.resultOnFailure, 'instance-not-running');
          }
        }
      } catch (error) {
        if (endsRun(error)) throw error;
        this.noteError(run, 'describing the instance failed', error);
      }
      if (!(await this.pause(run, backoff))) return this.launchExhausted(run);
    }

    const pool = run.pool as string;
    if (!this.manager.manages(pool)) return this.ignoreForeign(action, run.kind, 'other-pool');
    backoff.reset();
    for (;;) {
      this.checkpoint(run);
      let attaching = false;
      try {
        const held = await poolInterfacesOf(
          this.ec2,
          action.instanceId,
          this.settings.poolTagKey,
          pool,
          this.retryContext(run),
        );
        let attached = held.find((eni) => eni.attachment?.status === 'attached')?.networkInterfaceId;
        attaching = held.some((eni) => eni.attachment?.status === 'attaching');
        // An attach already in flight settles by itself; re-planning now would only see it in transition.
        if (!attached && !attaching) {
          const result = await this.serve(run, { awaitSettled: true });
          run.unsatisfied = result?.unsatisfied.find((entry) => entry.instanceId === action.instanceId);
          // The manager waited for the attach to settle: its outcome is the proof, no describe needed.
          attached = result?.outcomes.find(
            (outcome) =>
              outcome.status === 'succeeded' &&
              outcome.action.kind === 'attach' &&
              outcome.action.instanceId === action.instanceId,
          )?.action.networkInterfaceId;
        }
        if (attached) return await this.complete(run, 'CONTINUE', 'interface-attached', [attached]);
        if (run.unsatisfied) {
          this.logger.debug('instance waits for a pool interface', {
            ...refOf(action),
            pool,
            reason: run.unsatisfied.reason,
            detail: run.unsatisfied.detail,
          });
        }
      } catch (error) {
        if (endsRun(error)) throw error;
        this.noteError(run, 'reconciling the pool failed', error);
      }
      // An attach in flight is about to settle: look again soon, not after the growing backoff.
      if (!(await this.pause(run, backoff, attaching ? this.settings.poll.initialDelayMs : undefined))) {
        return this.launchExhausted(run);
      }
    }
  }

  /**
   * Serves this action's instance through the manager: the pool is planned whole and only this
   * instance's actions are applied (its attach, or its release and the hand-over to a successor), so
   * a burst of launches costs about one attach each. The manager keeps the instances this handler
   * released (and, with `detectTerminating`, those Auto Scaling is terminating) out of it.
   */
  private async serve(run: Run, options: { readonly awaitSettled: boolean; readonly leaving?: string[] }) {
    const result = await this.manager.reconcileInstances([run.action.instanceId], {
      signal: run.work.signal,
      awaitSettled: options.awaitSettled,
      ...(options.leaving ? { leaving: options.leaving } : {}),
    });
    run.reconciles++;
    return result;
  }

  private async launchExhausted(run: Run): Promise<LifecycleOutcome> {
    const waitedMs = this.now() - run.startedAt;
    this.logger.warn('launch budget spent without an attached pool interface', {
      ...refOf(run.action),
      pool: run.pool,
      reason: run.unsatisfied?.reason,
      detail: run.unsatisfied?.detail,
      lastError: run.lastError,
      waitedMs,
      result: this.settings.resultOnFailure,
    });
    this.safeEmit('lifecycle_launch_unsatisfied', {
      ...refOf(run.action),
      pool: run.pool ?? '',
      ...(run.unsatisfied ? { unsatisfied: run.unsatisfied } : {}),
      ...(run.lastError ? { lastError: run.lastError } : {}),
      waitedMs,
    });
    return this.complete(run, this.settings.resultOnFailure, 'budget-exhausted');
  }

  // ---------------------------------------------------------------------------------------------------
  // Terminate: detach → detached → reconcile (successor) → CONTINUE

  private async terminate(run: Run): Promise<LifecycleOutcome> {
    const { action } = run;
    const backoff = this.backoff();
    let held: string[] | undefined;
    let releasedIds: string[] = [];
    for (;;) {
      this.checkpoint(run);
      try {
        const interfaces = await this.attachedPoolInterfaces(run);
        if (held === undefined) {
          if (interfaces.length === 0) {
            const instance = await findInstance(this.ec2, action.instanceId, this.retryContext(run));
            const pool = instance?.tags[this.settings.poolTagKey];
            if (pool && !this.manager.manages(pool))
              return this.ignoreForeign(action, run.kind, 'other-pool');
            if (pool) run.pool = pool;
            return await this.complete(run, 'CONTINUE', pool ? 'nothing-to-release' : 'unmanaged');
          }
          const pools = new Set(interfaces.map((eni) => eni.tags[this.settings.poolTagKey] ?? ''));
          if (![...pools].some((pool) => pool !== '' && this.manager.manages(pool))) {
            return this.ignoreForeign(action, run.kind, 'other-pool');
          }
          held = interfaces.map((eni) => eni.networkInterfaceId);
          run.pool = interfaces[0]?.tags[this.settings.poolTagKey];
          this.manager.markLeaving([action.instanceId], this.settings.leavingTtlMs);
        }
        releasedIds = held.filter((id) => !interfaces.some((eni) => eni.networkInterfaceId === id));
        if (interfaces.length === 0) break;
        // A detach in flight settles by itself; re-planning now would only see it in transition.
        if (interfaces.some((eni) => eni.attachment?.status !== 'detaching')) {
          // Releases the interface, waits until it is free, and hands it to the successor waiting for it.
          await this.serve(run, { awaitSettled: true, leaving: [action.instanceId] });
          const still = await this.attachedPoolInterfaces(run);
          releasedIds = held.filter((id) => !still.some((eni) => eni.networkInterfaceId === id));
          if (still.length === 0) break;
        }
      } catch (error) {
        if (endsRun(error)) throw error;
        this.noteError(run, 'releasing the instance failed', error);
      }
      if (!(await this.pause(run, backoff))) {
        const waitedMs = this.now() - run.startedAt;
        const pending = (held ?? []).filter((id) => !releasedIds.includes(id));
        this.logger.warn('terminate budget spent before the pool interfaces were released; continuing', {
          ...refOf(action),
          pending,
          lastError: run.lastError,
          waitedMs,
        });
        this.safeEmit('lifecycle_release_incomplete', {
          ...refOf(action),
          networkInterfaceIds: pending,
          waitedMs,
        });
        return this.complete(run, 'CONTINUE', 'budget-exhausted', releasedIds);
      }
    }

    const released = held ?? [];
    this.safeEmit('lifecycle_interfaces_released', {
      ...refOf(action),
      networkInterfaceIds: released,
      waitedMs: this.now() - run.startedAt,
    });
    // The release hands the interface over to a successor that was already waiting; one round of the
    // pool serves a successor that was still booting when it was planned, before this instance goes.
    if (run.pool && this.manager.manages(run.pool)) {
      try {
        await this.manager.reconcile({ kind: 'pools', pools: [run.pool] }, { signal: run.work.signal });
        run.reconciles++;
      } catch (error) {
        this.noteError(run, 'reconciling the pool after the release failed', error);
      }
    }
    return this.complete(run, 'CONTINUE', 'interface-released', released);
  }

  /** The pool interfaces still attached (or attaching, detaching) to the action's instance. */
  private async attachedPoolInterfaces(run: Run) {
    const interfaces = await poolInterfacesOf(
      this.ec2,
      run.action.instanceId,
      this.settings.poolTagKey,
      undefined,
      this.retryContext(run),
    );
    return interfaces.filter((eni) => eni.attachment && eni.attachment.status !== 'detached');
  }

  // ---------------------------------------------------------------------------------------------------

  /**
   * Another owner's hook on the same group, or an instance of a pool another deployment manages: nothing
   * is completed, and (for a foreign hook) no AWS call was made.
   */
  private ignoreForeign(
    action: LifecycleActionTrigger,
    kind: 'launch' | 'terminate',
    reason: 'foreign-hook' | 'other-pool' = 'foreign-hook',
  ): LifecycleOutcome {
    this.logger.debug(
      reason === 'foreign-hook'
        ? "lifecycle action of a hook that is not eni-pool's; ignored"
        : 'lifecycle action of an instance in a pool this deployment does not manage; left to its owner',
      { ...refOf(action), hookNamePrefix: this.settings.hookNamePrefix },
    );
    return {
      kind,
      status: 'ignored',
      reason,
      ...refOf(action),
      networkInterfaceIds: [],
      heartbeats: 0,
      reconciles: 0,
      durationMs: 0,
    };
  }

  private acknowledgeTest(trigger: TestNotificationTrigger): LifecycleOutcome {
    this.logger.info('test notification acknowledged', {
      autoScalingGroupName: trigger.autoScalingGroupName,
    });
    this.safeEmit('lifecycle_test_notification', trigger);
    return {
      kind: 'test-notification',
      status: 'acknowledged',
      reason: 'test-notification',
      ...(trigger.autoScalingGroupName ? { autoScalingGroupName: trigger.autoScalingGroupName } : {}),
      networkInterfaceIds: [],
      heartbeats: 0,
      reconciles: 0,
      durationMs: 0,
    };
  }

  private async complete(
    run: Run,
    result: LifecycleActionResult,
    reason: LifecycleOutcomeReason,
    networkInterfaceIds: readonly string[] = [],
  ): Promise<LifecycleOutcome> {
    this.checkpoint(run);
    let status: 'done' | 'over';
    try {
      status = await this.actions.complete(run.action, result);
    } catch (error) {
      throw new CompletionFailed(error);
    }
    return this.finish(
      run,
      status === 'done' ? 'completed' : 'already-over',
      result,
      reason,
      networkInterfaceIds,
    );
  }

  private finish(
    run: Run,
    status: 'completed' | 'already-over',
    result: LifecycleActionResult | undefined,
    reason: LifecycleOutcomeReason,
    networkInterfaceIds: readonly string[] = [],
  ): LifecycleOutcome {
    const outcome: LifecycleOutcome = {
      kind: run.kind,
      status,
      reason,
      ...(result ? { result } : {}),
      ...refOf(run.action),
      ...(run.pool ? { pool: run.pool } : {}),
      networkInterfaceIds,
      ...(run.unsatisfied && reason !== 'interface-attached' ? { unsatisfied: run.unsatisfied } : {}),
      ...(run.lastError && reason === 'budget-exhausted' ? { lastError: run.lastError } : {}),
      heartbeats: run.heartbeats,
      reconciles: run.reconciles,
      durationMs: this.now() - run.startedAt,
    };
    this.logger.info(
      status === 'completed' ? 'lifecycle action completed' : 'lifecycle action was already over',
      { ...outcome, networkInterfaceIds: [...networkInterfaceIds] },
    );
    this.safeEmit('lifecycle_action_completed', outcome);
    return outcome;
  }

  /** Sends heartbeats every `heartbeatIntervalMs` until stopped; learns when the action is over. */
  private startHeartbeats(run: Run): { stop(): Promise<void> } {
    const stopper = new AbortController();
    const loop = (async () => {
      while (!stopper.signal.aborted) {
        await this.sleep(this.settings.heartbeatIntervalMs, stopper.signal);
        if (stopper.signal.aborted) return;
        try {
          const status = await this.actions.heartbeat(run.action, stopper.signal);
          if (stopper.signal.aborted) return;
          if (status === 'over') {
            this.logger.warn('lifecycle action is no longer active; stopping', { ...refOf(run.action) });
            run.over = true;
            run.work.abort();
            return;
          }
          run.heartbeats++;
          this.safeEmit('lifecycle_heartbeat_sent', { ...refOf(run.action), count: run.heartbeats });
        } catch (error) {
          if (stopper.signal.aborted) return;
          this.logger.warn('heartbeat failed', { ...refOf(run.action), error: describeError(error) });
        }
      }
    })();
    return {
      async stop() {
        stopper.abort();
        await loop;
      },
    };
  }

  /** Waits for the next poll (`delayMs`, else the backoff's next delay); false when the budget is spent. */
  private async pause(run: Run, backoff: Backoff, delayMs?: number): Promise<boolean> {
    const remaining = run.deadline - this.now();
    if (remaining <= 0) return false;
    await this.sleep(Math.min(delayMs ?? backoff.next(), remaining), run.work.signal);
    this.checkpoint(run);
    return true;
  }

  private checkpoint(run: Run): void {
    if (run.callerSignal?.aborted) {
      throw new LifecycleHandlingAbortedError(
        `handling of the ${run.kind} action of ${run.action.instanceId} was aborted before completion`,
        run.action.instanceId,
        run.action.lifecycleHookName,
      );
    }
    if (run.over) throw new ActionOver();
  }

  private noteError(run: Run, message: string, error: unknown): void {
    run.lastError = describeError(error);
    this.logger.warn(message, { ...refOf(run.action), error: run.lastError });
  }

  private backoff(): Backoff {
    return new Backoff(this.settings.poll, this.random);
  }

  private retryContext(run?: Run): RetryContext {
    return {
      retry: this.settings.retry,
      sleep: this.sleep,
      random: this.random,
      ...(run ? { signal: run.work.signal } : {}),
    };
  }

  private safeEmit<K extends keyof LifecycleHookEvents>(event: K, ...args: LifecycleHookEvents[K]): void {
    try {
      (this.emit as (name: K, ...rest: LifecycleHookEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      this.logger.error('event listener threw', { event, error: describeError(error) });
    }
  }
}

/**
 * Creates a handler that completes Auto Scaling lifecycle actions only after the pool interface is
 * `attached` (launch) or released (terminate), sending heartbeats while it waits.
 *
 * @example
 * ```ts
 * const hooks = createLifecycleHookHandler({ launchBudgetMs: 240_000, heartbeatIntervalMs: 60_000 });
 * hooks.on('lifecycle_launch_unsatisfied', (e) => console.warn(e.instanceId, e.unsatisfied?.reason));
 * // EventBridge "EC2 Instance-launch Lifecycle Action" events, or a hook's SQS/SNS messages:
 * const outcome = await hooks.handleMessage(event);
 * ```
 */
export function createLifecycleHookHandler(options: LifecycleHookHandlerOptions = {}): LifecycleHookHandler {
  return new LifecycleHookHandler(options);
}
