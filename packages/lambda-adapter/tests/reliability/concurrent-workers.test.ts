import { type AwsSim, type EventBridgeEvent, SeededRandom } from '@eni-pool/aws-sim';
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

const POOL = 'rel';
const WORKERS = 16;
const EVENTS = 500;
const SUBNETS = 2;
/** Interfaces per subnet; the driver never keeps more live instances in a subnet than this. */
const PER_SUBNET = 8;
const DEVICE_INDEX_TAG = 'network-interface-manager-device-index';

interface RunFigures {
  readonly events: number;
  readonly ops: Record<string, number>;
  readonly duplicates: number;
  readonly replays: number;
  readonly invocations: number;
  readonly reconciles: number;
  readonly maxRounds: number;
  readonly notConverged: number;
  readonly syncRounds: number;
  readonly threw: number;
  readonly failedRecords: number;
  readonly calls: number;
  readonly attaches: number;
  readonly attachesOk: number;
  readonly detaches: number;
  readonly samples: number;
  readonly violations: readonly string[];
  readonly unservedAfterSync: readonly string[];
  readonly errors: readonly unknown[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * 16 Lambda containers (EventBridge, SQS and combined handlers, each with its own clients and manager)
 * take the state changes of one pool while a seeded driver launches, terminates, stops and starts its
 * instances; the bus duplicates deliveries and the dispatcher replays old events. The world is sampled
 * every few milliseconds throughout.
 */
async function runConcurrentWorkers(
  sim: AwsSim,
  options: {
    readonly seed: number;
    readonly instanceType: string;
    readonly deviceIndexTags?: boolean;
  },
): Promise<RunFigures> {
  const rng = new SeededRandom(options.seed);
  const { subnetIds } = sim.world.createNetwork({ azs: SUBNETS });
  const enis = sim.world.createPool({ name: POOL, subnets: subnetIds, perSubnet: PER_SUBNET });
  if (options.deviceIndexTags) {
    enis.forEach((eni, n) => {
      sim.world.tag([eni.networkInterfaceId], { [DEVICE_INDEX_TAG]: String(1 + (n % 2)) });
    });
  }
  const launch = (subnetId: string, count: number) =>
    sim.world.launchInstances({ subnetId, count, type: options.instanceType, tags: { [POOL_TAG]: POOL } });
  for (const subnetId of subnetIds) launch(subnetId, PER_SUBNET / 2);

  const kinds: WorkerKind[] = ['eventbridge', 'eventbridge', 'sqs', 'lambda'];
  const workers: Worker[] = Array.from({ length: WORKERS }, (_, n) =>
    createWorker(sim, { name: `w${n}`, kind: kinds[n % kinds.length]!, seed: options.seed * 100 + n }),
  );
  const dispatcher = new Dispatcher(workers);
  const history: EventBridgeEvent[] = [];
  let replays = 0;
  const unsubscribe = sim.events.subscribe(FUNCTION_PATTERNS.stateChanges, (event) => {
    dispatcher.push(event);
    history.push(event);
    // A stale replay: an event from well before, delivered again as if late.
    if (history.length > 20 && rng.next() < 0.1) {
      replays++;
      dispatcher.push(history[Math.floor(rng.next() * (history.length - 20))]!);
    }
  });
  const monitor = new InvariantMonitor(sim, POOL).start();
  const running = dispatcher.run();
  const ops: Record<string, number> = { launch: 0, terminate: 0, stop: 0, start: 0 };

  try {
    const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(rng.next() * items.length)];
    for (let step = 0; step < 2_000 && dispatcher.delivered + dispatcher.pending < EVENTS; step++) {
      const instances = sim.world.instances().filter((i) => i.tags[POOL_TAG] === POOL);
      const live = instances.filter((i) => i.state !== 'terminated' && i.state !== 'shutting-down');
      const roll = rng.next();
      if (roll < 0.35) {
        const subnetId = pick(subnetIds)!;
        const room = PER_SUBNET - live.filter((i) => i.subnetId === subnetId).length;
        if (room > 0) {
          launch(subnetId, Math.min(room, 1 + Math.floor(rng.next() * 2)));
          ops.launch!++;
        }
      } else if (roll < 0.6) {
        const victim = pick(live.filter((i) => i.state === 'running' || i.state === 'stopped'));
        if (victim) {
          sim.world.terminateInstances([victim.instanceId]);
          ops.terminate!++;
        }
      } else if (roll < 0.8) {
        const victim = pick(live.filter((i) => i.state === 'running'));
        if (victim) {
          sim.world.stopInstances([victim.instanceId]);
          ops.stop!++;
        }
      } else {
        const sleeper = pick(live.filter((i) => i.state === 'stopped'));
        if (sleeper) {
          sim.world.startInstances([sleeper.instanceId]);
          ops.start!++;
        }
      }
      await sleep(2 + Math.floor(rng.next() * 10));
    }
    // The last transitions still publish events: deliver them all, until nothing moves.
    for (let quiet = 0; quiet < 2; ) {
      const before = dispatcher.delivered;
      await settleWorld(sim);
      await sim.events.idle(20_000);
      await dispatcher.idle();
      quiet = dispatcher.delivered === before && dispatcher.pending === 0 ? quiet + 1 : 0;
    }
    const events = dispatcher.delivered;
    const sync = await workers[0]!.invoke([syncEvent(1)]);
    await settleWorld(sim);
    monitor.stop();
    return {
      events,
      ops,
      duplicates: sim.events.delivered.filter((d) => d.duplicate).length,
      replays,
      invocations: dispatcher.invocations,
      reconciles: dispatcher.reconciles,
      maxRounds: dispatcher.maxRounds,
      notConverged: dispatcher.notConverged,
      syncRounds: sync.results[0]?.status === 'reconciled' ? sync.results[0].rounds : -1,
      threw: dispatcher.threw,
      failedRecords: dispatcher.failedRecords,
      calls: sim.calls.total,
      attaches: sim.calls.count('AttachNetworkInterface'),
      attachesOk: sim.calls.count('AttachNetworkInterface', 'ok'),
      detaches: sim.calls.count('DetachNetworkInterface'),
      samples: monitor.samples,
      violations: monitor.describe(),
      unservedAfterSync: unserved(sim, POOL),
      errors: dispatcher.errors,
    };
  } finally {
    monitor.stop();
    unsubscribe();
    dispatcher.close();
    await running;
    for (const worker of workers) worker.destroy();
  }
}

describe('16 concurrent workers on one pool', { timeout: 120_000 }, () => {
  let sim: AwsSim | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it('never gives an instance two pool interfaces, and serves every running member after one sync', async () => {
    sim = await startSim({ seed: 11, events: { duplicate: 0.1, seed: 11 } });
    const figures = await runConcurrentWorkers(sim, { seed: 11, instanceType: 't3.micro' });
    report('concurrent workers', {
      workers: WORKERS,
      events: figures.events,
      ops: figures.ops,
      duplicates: figures.duplicates,
      replays: figures.replays,
      invocations: figures.invocations,
      reconciles: figures.reconciles,
      maxRounds: figures.maxRounds,
      notConverged: figures.notConverged,
      syncRounds: figures.syncRounds,
      calls: figures.calls,
      attaches: figures.attaches,
      attachesOk: figures.attachesOk,
      detaches: figures.detaches,
      samples: figures.samples,
      threw: figures.threw,
      failedRecords: figures.failedRecords,
      violations: figures.violations.length,
      unservedAfterSync: figures.unservedAfterSync.length,
    });
    if (figures.violations.length > 0) console.log(figures.violations.join('\n'));
    expect(figures.events).toBeGreaterThanOrEqual(EVENTS);
    expect(figures.duplicates).toBeGreaterThan(0);
    expect(figures.replays).toBeGreaterThan(0);
    expect(figures.ops.stop).toBeGreaterThan(0);
    expect(figures.ops.start).toBeGreaterThan(0);
    expect(figures.samples).toBeGreaterThan(100);
    expect(figures.violations).toEqual([]);
    expect(figures.errors).toEqual([]);
    expect(figures.failedRecords).toBe(0);
    expect(figures.unservedAfterSync).toEqual([]);
  });

  // Issue 9, item 7: the two cases below give an instance two pool interfaces for a while, but no longer
  // on every run, so they can be neither `it` (CI would flake) nor `it.fails` (it must fail every time).
  // Run them as the test above with `instanceType: 't3.small'` (and `deviceIndexTags: true`); the sampled
  // `violations` name each instance and for how many samples it held two. Make them `it` when item 7 is
  // settled (0 at every moment, or the documented bound of the duplicate rule).
  //
  // Without tags, on a type with room for two pool interfaces (t3.small) the type's limit no longer
  // arbitrates: a worker that sees index 1 still held by the interface detaching after a stop attaches
  // another at index 2, while a worker that read the world a moment later gives the instance its previous
  // interface back at index 1 (seen in the call log). Before main's one-instance events the first double
  // came after 41–260 events in each of 9 runs; on today's main, 1 instance in 1 of 4 runs of 500 events
  // and none in one run of 1,500.
  it.todo('never gives a t3.small instance two pool interfaces with the lowest free device index');
  // With per-interface device-index tags, EC2's device-index check does not arbitrate between racing
  // workers either. Before main's one-instance events the first double came within 41–303 events; on
  // today's main after 1,435 events in one run of 1,500.
  it.todo('never gives an instance two pool interfaces when interfaces carry device-index tags');
});
