import { type AwsSim, SeededRandom } from '@eni-pool/aws-sim';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createWorker,
  Dispatcher,
  FUNCTION_PATTERNS,
  InvariantMonitor,
  POOL_TAG,
  report,
  settleWorld,
  startSim,
  syncEvent,
  unserved,
  type Worker,
  type WorkerKind,
} from './harness';

const POOL = 'rel-faults';
const GROUP = 'rel-faults-asg';
const WORKERS = 8;
/** Events delivered (after the bus dropped its share) before the driver stops. */
const EVENTS = 150;
const PER_SUBNET = 4;
const MAX_DESIRED = 6;
/** Fault rates: 10 % of the calls of every EC2 and Auto Scaling action fail, half 5xx, half throttling. */
const EC2_FAULTS = [
  { action: '*', rate: 0.04, code: 'InternalError' },
  { action: '*', rate: 0.04, code: 'RequestLimitExceeded' },
  // A lost response: the change is made and the caller is told it failed.
  { action: '*', rate: 0.02, code: 'InternalError', phase: 'after' as const },
];
const AUTOSCALING_FAULTS = [
  { action: '*', rate: 0.05, code: 'InternalFailure' },
  { action: '*', rate: 0.05, code: 'Throttling' },
];
const FAULT_CODES = new Set(['InternalError', 'RequestLimitExceeded', 'InternalFailure', 'Throttling']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Launch CONTINUEs sent through the API while the instance had no attached pool interface. */
function continuesWithoutInterface(sim: AwsSim): string[] {
  const pool = new Set(sim.world.poolInterfaces(POOL).map((e) => e.networkInterfaceId));
  return sim.autoscaling.completions
    .filter((c) => c.how === 'api' && c.result === 'CONTINUE' && c.transition.endsWith('LAUNCHING'))
    .filter(
      (c) =>
        !c.attachmentsAtCompletion.some((a) => {
          const attachment = a as { networkInterfaceId: string; status: string };
          return pool.has(attachment.networkInterfaceId) && attachment.status === 'attached';
        }),
    )
    .map((c) => c.instanceId);
}

describe('an Auto Scaling pool under faults', { timeout: 90_000 }, () => {
  let sim: AwsSim | undefined;
  let workers: Worker[] = [];
  afterEach(async () => {
    for (const worker of workers) worker.destroy();
    workers = [];
    await sim?.stop();
    sim = undefined;
  });

  it('converges after at most two syncs with 10 % faults on every action, describe lag and 10 % dropped events', async () => {
    sim = await startSim({
      seed: 21,
      describeLagMs: 20,
      events: { drop: 0.1, duplicate: 0.05, seed: 21 },
      // One simulated second lasts 10 ms: a 300 s heartbeat timeout runs out in 3 s.
      autoscaling: { timeScale: 10 },
    });
    const world = sim;
    const rng = new SeededRandom(21);
    const { subnetIds } = sim.world.createNetwork({ azs: 2 });
    sim.world.createPool({ name: POOL, subnets: subnetIds, perSubnet: PER_SUBNET });

    const kinds: WorkerKind[] = ['eventbridge', 'sqs', 'lambda', 'eventbridge'];
    workers = Array.from({ length: WORKERS }, (_, n) =>
      createWorker(world, {
        name: `w${n}`,
        kind: kinds[n % kinds.length]!,
        autoScaling: true,
        seed: 2100 + n,
      }),
    );
    const dispatcher = new Dispatcher(workers);
    const unsubscribe = [
      sim.events.subscribe(FUNCTION_PATTERNS.stateChanges, (event) => dispatcher.push(event)),
      sim.events.subscribe(FUNCTION_PATTERNS.lifecycleActions, (event) => dispatcher.push(event)),
    ];
    for (const fault of EC2_FAULTS) sim.world.injectFault(fault);
    for (const fault of AUTOSCALING_FAULTS) sim.autoscaling.injectFault(fault);
    const monitor = new InvariantMonitor(sim, POOL).start();
    const running = dispatcher.run();

    sim.autoscaling.createGroup({
      name: GROUP,
      minSize: 2,
      maxSize: MAX_DESIRED,
      desiredCapacity: 4,
      subnetIds,
      tags: [{ key: POOL_TAG, value: POOL, propagateAtLaunch: true }],
      lifecycleHooks: [
        {
          name: 'eni-pool-launch',
          transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
          heartbeatTimeout: 300,
          defaultResult: 'ABANDON',
        },
        {
          name: 'eni-pool-terminate',
          transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
          heartbeatTimeout: 300,
          defaultResult: 'CONTINUE',
        },
      ],
    });

    const ops: Record<string, number> = { scale: 0, replace: 0 };
    let desired = 4;
    try {
      for (let step = 0; step < 400 && dispatcher.delivered + dispatcher.pending < EVENTS; step++) {
        const group = sim.autoscaling.describeGroup(GROUP)!;
        const inService = group.instances.filter((i) => i.lifecycleState === 'InService');
        if (rng.next() < 0.5) {
          desired = Math.max(2, Math.min(MAX_DESIRED, desired + (rng.next() < 0.5 ? -1 : 1)));
          sim.autoscaling.setDesiredCapacity(GROUP, desired);
          ops.scale!++;
        } else if (inService.length > 0) {
          const victim = inService[Math.floor(rng.next() * inService.length)]!;
          sim.autoscaling.terminateInstanceInGroup(victim.instanceId, false);
          ops.replace!++;
        }
        await sleep(60 + Math.floor(rng.next() * 120));
      }

      // Let every lifecycle action finish (completed, or timed out where its event was dropped) and every
      // replacement of an abandoned launch run its course.
      await sim.world.waitFor(
        'the group to settle',
        () => {
          const group = world.autoscaling.describeGroup(GROUP)!;
          return (
            world.autoscaling.activeActions().length === 0 &&
            group.instances.length === group.desiredCapacity &&
            group.instances.every((i) => i.lifecycleState === 'InService')
          );
        },
        { timeoutMs: 40_000 },
      );
      await settleWorld(sim);
      await sim.events.idle(20_000);
      await dispatcher.idle();
      await settleWorld(sim);
      const events = dispatcher.delivered;
      const unservedBeforeSync = unserved(sim, POOL);

      // The scheduled sync, with the faults still in force, until the pool is right.
      // At least one sync runs, so the sync path is exercised under faults even when the events sufficed.
      let syncs = 0;
      let left = unservedBeforeSync;
      const syncRounds: number[] = [];
      do {
        syncs++;
        // EventBridge workers, whose results show the sync's rounds.
        const syncWorker = workers.filter((w) => w.kind === 'eventbridge')[syncs - 1]!;
        const { results, errors } = await syncWorker.invoke([syncEvent(syncs)]);
        for (const result of results) if (result.status === 'reconciled') syncRounds.push(result.rounds);
        if (errors.length > 0) syncRounds.push(-1);
        await settleWorld(sim);
        // Describes lag behind: what the sync did must be visible before it is judged.
        await sleep(40);
        left = unserved(sim, POOL);
      } while (left.length > 0 && syncs < 2);
      monitor.stop();
      const earlyContinues = continuesWithoutInterface(sim);
      report('faults', {
        workers: WORKERS,
        events,
        dropped: sim.events.dropped.length,
        ops,
        errorsAnswered: Object.fromEntries(monitor.errorsAnswered),
        lifecycleCompletions: sim.autoscaling.completions.length,
        timeouts: sim.autoscaling.completions.filter((c) => c.how === 'timeout').length,
        invocations: dispatcher.invocations,
        reconciles: dispatcher.reconciles,
        maxRounds: dispatcher.maxRounds,
        notConverged: dispatcher.notConverged,
        threw: dispatcher.threw,
        failedRecords: dispatcher.failedRecords,
        unservedBeforeSync: unservedBeforeSync.length,
        syncs,
        syncRounds: syncRounds.join('/'),
        unservedAfterSyncs: left.length,
        earlyContinues: earlyContinues.length,
        samples: monitor.samples,
        violations: monitor.violations,
      });
      if (monitor.violations > 0) console.log(monitor.describe().join('\n'));
      expect(events).toBeGreaterThanOrEqual(EVENTS);
      expect(sim.events.dropped.length).toBeGreaterThan(0);
      for (const code of FAULT_CODES) expect(monitor.errorsAnswered.get(code) ?? 0, code).toBeGreaterThan(0);
      expect(left).toEqual([]);
      expect(syncs).toBeLessThanOrEqual(2);
      expect(earlyContinues).toEqual([]);
      expect(monitor.describe()).toEqual([]);
    } finally {
      monitor.stop();
      for (const off of unsubscribe) off();
      dispatcher.close();
      await running;
    }
  });
});
