import type { StepCalls } from './calls';
import type { Print } from './print';
import { openStage } from './stage';
import { launchGroup } from './steps/launch-group';
import { repairLostEvents } from './steps/repair-lost-events';
import { replaceInstance } from './steps/replace-instance';
import { setUpWorld } from './steps/set-up-world';
import { stopAndStart } from './steps/stop-and-start';
import { summarize } from './steps/summary';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Print nothing. @defaultValue false */
  readonly quiet?: boolean;
  /** Tiny simulated delays (tens of ms) instead of realistic ones (hundreds). @defaultValue false */
  readonly fast?: boolean;
  /** Where output lines go. @defaultValue `process.stdout` */
  readonly write?: Print;
  /**
   * Run eni-pool as a separate process, the `eni-pool-sqs` CLI draining an SQS queue the rules deliver to,
   * instead of the Lambda handler in process (see sqs-adapter-process.ts). @defaultValue false
   */
  readonly sqs?: boolean;
}

/** What a demo run observed; `runDemo` has already checked it. */
export interface DemoReport {
  /** Pool address → the instances that held it, in order. */
  readonly holders: Readonly<Record<string, readonly string[]>>;
  /** Calls eni-pool made during each step. */
  readonly calls: readonly StepCalls[];
  readonly lifecycleCompletions: number;
  readonly eventsDropped: number;
  /**
   * Attach calls aimed at an instance in Terminating:Wait (EC2 still shows it running). The manager asks
   * Auto Scaling which members are terminating and remembers what the terminate hook released, so the
   * demo checks there are none.
   */
  readonly reattachedToTerminating: readonly string[];
  readonly invariants: readonly string[];
  readonly durationMs: number;
}

/**
 * Runs the whole story on a fresh simulator and returns what happened. Throws `DemoCheckError` when an
 * expected outcome did not happen; every wait is bounded.
 *
 * @example
 * ```ts
 * const report = await runDemo({ quiet: true, fast: true });
 * report.invariants; // []
 * ```
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const stage = await openStage(options);
  try {
    const world = setUpWorld(stage);
    const members = await launchGroup(stage, world);
    await replaceInstance(stage, members);
    const standalone = await stopAndStart(stage, world);
    await repairLostEvents(stage, world, standalone);
    return await summarize(stage, world);
  } finally {
    await stage.close();
  }
}
