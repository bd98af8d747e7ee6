import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { AwsSim } from '@eni-pool/aws-sim';
import type { EniPoolManager, Logger } from '@eni-pool/core';
import { type CallCounts, callsBetween, countCalls, type StepCalls } from './calls';
import { check, DemoCheckError } from './check';
import { wireEniPool } from './eni-pool';
import { deliverEvents, type Invocations } from './invocations';
import { type ActionRecord, narrateActions } from './narration';
import { narrator, type Print, printerOf } from './print';
import type { DemoOptions } from './run-demo';
import { RULES, type Timings, timingsOf } from './scenario';
import { type SqsAdapterProcess, startSqsAdapterProcess } from './sqs-adapter-process';

/** The simulator with eni-pool wired to its bus, narrated, and what every step of the story needs. */
export interface Stage {
  readonly sim: AwsSim;
  readonly timings: Timings;
  readonly print: Print;
  readonly startedAt: number;
  /** With --sqs, the separate process that runs eni-pool; the Lambda handler runs in process otherwise. */
  readonly adapter: SqsAdapterProcess | undefined;
  readonly actions: ActionRecord;
  readonly invocations: Invocations;
  /** Warnings and errors eni-pool logged in process. */
  readonly warnings: readonly string[];
  /** Calls eni-pool made during each step so far. */
  readonly calls: readonly StepCalls[];
  /** Waits for `predicate`, within a step's bound. */
  waitFor(what: string, predicate: () => boolean): Promise<void>;
  /** Events cause calls that cause events: waits until the bus, the handler and EC2 are all quiet. */
  settle(): Promise<void>;
  /** Runs one step of the story under its title, counts its calls and checks EC2's invariants after it. */
  step(title: string, body: () => Promise<void>): Promise<void>;
  /** Stops the separate process, the clients and the simulator. */
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts a fresh simulator and wires eni-pool to it, in process or (with --sqs) as a separate process. */
export async function openStage(options: DemoOptions): Promise<Stage> {
  const timings = timingsOf(options.fast ?? false);
  const print = printerOf(options);
  const startedAt = Date.now();
  const narrate = narrator(print, startedAt);
  const sim = await AwsSim.start({ seed: 42, delays: timings.delays });
  const ec2 = new EC2Client(sim.clientConfig());
  const autoScaling = new AutoScalingClient(sim.clientConfig());
  const warnings: string[] = [];
  const keep: Logger['warn'] = (message, context) => {
    warnings.push(`${message} ${JSON.stringify(context ?? {})}`);
  };
  const logger: Logger = { debug() {}, info() {}, warn: keep, error: keep };
  let adapter: SqsAdapterProcess | undefined;
  const close = async () => {
    await adapter?.stop();
    ec2.destroy();
    autoScaling.destroy();
    await sim.stop();
  };

  try {
    const { manager, lifecycle, handler } = wireEniPool({ ec2, autoScaling, logger, timings });
    // --sqs: the rules deliver into a queue that eni-pool-sqs, a separate process, drains instead.
    adapter = options.sqs
      ? await startSqsAdapterProcess(sim, RULES, { fast: timings.fast, timeoutMs: timings.stepTimeoutMs })
      : undefined;
    // What the narration listens to: the manager, or the calls the separate process made.
    const listened = (adapter?.actions ?? manager) as Pick<EniPoolManager, 'on'>;
    const actions = narrateActions(listened, lifecycle, sim, narrate);
    const invocations = deliverEvents(sim, handler, adapter === undefined, narrate);

    const waitFor = (what: string, predicate: () => boolean) =>
      sim.world.waitFor(what, predicate, {
        timeoutMs: timings.stepTimeoutMs,
        intervalMs: timings.waitIntervalMs,
      });
    const settle = async () => {
      for (let round = 0; round < 50; round++) {
        await sim.events.idle(timings.stepTimeoutMs);
        await sim.world.waitForSettled({ timeoutMs: timings.stepTimeoutMs });
        await sleep(timings.settlePauseMs);
        const quiet = sim.events.pendingDeliveries === 0 && invocations.inFlight() === 0;
        if (quiet && (adapter?.idle() ?? true)) return;
      }
      throw new DemoCheckError('the simulator settles', 'still busy after 50 rounds');
    };
    const calls: StepCalls[] = [];
    const step = async (title: string, body: () => Promise<void>) => {
      print('');
      print(title);
      const before: CallCounts = countCalls(sim);
      await body();
      calls.push({ step: title.replace(/^\d\. /, ''), counts: callsBetween(before, countCalls(sim)) });
      const broken = sim.world.invariants();
      check(broken.length === 0, 'EC2 invariants hold', () => broken.join('; '));
      print('  ok: EC2 invariants hold');
    };

    return {
      sim,
      timings,
      print,
      startedAt,
      adapter,
      actions,
      invocations,
      warnings,
      calls,
      waitFor,
      settle,
      step,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
