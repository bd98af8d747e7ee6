/**
 * API economy under load: eni-pool side by side with the original tool's algorithm
 * (bench/baseline/original-tool.ts) on the same simulated worlds, with AWS's EC2 throttling buckets on,
 * EC2 delays close to real ones and events delivered the way EventBridge delivers them. See
 * bench/README.md for what each table means.
 *
 *   pnpm bench economy                     # every scenario (about 7 minutes)
 *   pnpm bench economy:burst               # one scenario: per-event, throttled, burst, handover
 *   pnpm bench economy:burst,handover      # several
 *   npx tsx --tsconfig bench/tsconfig.json bench/economy.bench.ts per-event --quick
 *
 * `--quick` runs smaller grids and bursts, for trying changes. Progress goes to stderr; tables to stdout.
 * The script exits non-zero if a world breaks an EC2 invariant; it never judges the figures themselves.
 */
import { setMaxListeners } from 'node:events';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { AwsSim, type AwsSimOptions, EC2_BUCKETS, type EventBridgeEvent } from '@eni-pool/aws-sim';
import { type BurstContender, BurstThread } from './economy/burst-thread';
import { callsSince, type Ec2Calls, firstCallFloor, markCalls } from './economy/calls';
import { HoldingSampler } from './economy/holding-sampler';
import { SqsBatches } from './economy/sqs-batches';
import { type ContenderName, lambdaWorker, originalWorker, type Worker, workerFor } from './economy/workers';
import {
  buildServedPools,
  createBurstPool,
  EVENT_DELAY_MS,
  INSTANCE_TYPE,
  launchMembers,
  POOL_TAG,
  REALISTIC_DELAYS,
} from './economy/worlds';
import { printTable } from './harness';

const SEED = 11;
const SCENARIOS = ['per-event', 'throttled', 'burst', 'handover'] as const;
type Scenario = (typeof SCENARIOS)[number];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const chosen = args
  .filter((a) => !a.startsWith('--'))
  .flatMap((a) => a.split(','))
  .filter(Boolean);
for (const name of chosen) {
  if (!(SCENARIOS as readonly string[]).includes(name)) {
    console.error(`unknown scenario '${name}'; choose from ${SCENARIOS.join(', ')}`);
    process.exit(2);
  }
}
const runs = (scenario: Scenario) => chosen.length === 0 || chosen.includes(scenario);

const started = performance.now();
const clock = () => {
  const s = Math.round((performance.now() - started) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};
/** Progress on stderr, so the tables on stdout stay clean. */
const progress = (message: string) => process.stderr.write(`[economy ${clock()}] ${message}\n`);

const problems: string[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const secs = (ms: number | undefined) => (ms === undefined ? '—' : (ms / 1000).toFixed(1));
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 || !Number.isFinite(a / b) ? '—' : `${(a / b).toFixed(2)}×`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (part: number, whole: number) => (whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1)} %`);

/** AWS's throttling on; events after the EventBridge delay; the given EC2 delays. */
async function startSim(
  delays: AwsSimOptions['delays'],
  extra: Partial<AwsSimOptions> = {},
): Promise<AwsSim> {
  return AwsSim.start({
    seed: SEED,
    throttling: true,
    delays,
    events: { delayMs: EVENT_DELAY_MS },
    ...extra,
  });
}

function checkInvariants(sim: AwsSim, label: string): void {
  const broken = sim.world.invariants();
  if (broken.length > 0) problems.push(`${label}: EC2 invariants broken: ${broken.slice(0, 3).join('; ')}`);
}

/** Subscribes to EC2 state-change events (all states unless given), as an EventBridge rule would. */
function onStateChange(
  sim: AwsSim,
  deliver: (event: EventBridgeEvent, state: string, instanceId: string) => void,
  states?: readonly string[],
): () => void {
  return sim.events.subscribe(
    { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
    (event) => {
      const detail = event.detail as { state?: string; 'instance-id'?: string };
      if (states && !states.includes(detail.state ?? '')) return;
      deliver(event, detail.state ?? '', detail['instance-id'] ?? '');
    },
  );
}

const callsCell = (c: Ec2Calls) =>
  `${c.total} (${c.describes - (c.pages ?? 0)}+${c.pages ?? '?'}+${c.mutating})`;

// ── 1. calls and time per running event ─────────────────────────────────────────────────────────

interface EventSample {
  readonly calls: Ec2Calls;
  readonly ms: number;
  /** Pool interfaces the instance holds afterwards. */
  readonly held: number;
}

interface CellResult {
  readonly fresh: EventSample;
  readonly duplicate: EventSample;
}

const GRID_CONTENDERS: readonly ContenderName[] = ['original', 'eni-pool', 'eni-pool (Lambda handler)'];

function poolInterfacesHeld(sim: AwsSim, instanceId: string, pool: string): number {
  return sim.world
    .attachmentsOf(instanceId)
    .filter(
      (a) => a.status !== 'detaching' && sim.world.interface(a.networkInterfaceId)?.tags[POOL_TAG] === pool,
    ).length;
}

/**
 * One grid cell: P served pools of N members, built once. For each contender in turn, a new member of the
 * first pool launches and its `running` event goes to a warm worker of that contender; then the same
 * event is delivered again (a duplicate, as EventBridge's at-least-once delivery makes) once the instance
 * holds its interface. Between contenders the new member is terminated at once and untagged, which frees
 * its interfaces and takes it out of every pool filter: each contender meets the same world.
 */
async function gridCell(perPool: number, pools: number): Promise<Map<ContenderName, CellResult>> {
  // Launch does not enter these figures (the event comes once the instance runs): shortened to save time.
  // Up to 100,000 instances: the simulator keeps one snapshot between changes instead of one per describe.
  const sim = await startSim({ ...REALISTIC_DELAYS, launchMs: 500 }, { reuseSnapshots: true });
  const results = new Map<ContenderName, CellResult>();
  try {
    progress(`per-event: N=${perPool} P=${pools}: building ${int(perPool * pools)} served members`);
    const world = await buildServedPools(sim, { pools, perPool });
    const pool = world[0]!;
    for (const contender of GRID_CONTENDERS) {
      progress(`per-event: N=${perPool} P=${pools} ${contender}`);
      const errors: unknown[] = [];
      const worker = workerFor(contender, sim, { onError: (e) => errors.push(e) });
      let resolveEvent: (event: EventBridgeEvent) => void = () => {};
      const running = new Promise<EventBridgeEvent>((resolve) => {
        resolveEvent = resolve;
      });
      const [instanceId] = sim.world.launchInstances({
        subnetId: pool.subnetIds[0]!,
        tags: { [POOL_TAG]: pool.name },
        type: INSTANCE_TYPE,
      });
      const unsubscribe = onStateChange(
        sim,
        (event, _state, id) => {
          if (id === instanceId) resolveEvent(event);
        },
        ['running'],
      );
      try {
        const event = await Promise.race([
          running,
          sleep(30_000).then(() => {
            throw new Error(`no running event for ${instanceId}`);
          }),
        ]);
        const measure = async (): Promise<EventSample> => {
          const mark = markCalls(sim);
          const t0 = performance.now();
          await worker.handle(event);
          const ms = performance.now() - t0;
          return { calls: callsSince(sim, mark), ms, held: poolInterfacesHeld(sim, instanceId!, pool.name) };
        };
        const fresh = await measure();
        await sim.world.waitFor(
          `${instanceId}'s attachments to settle`,
          () => sim.world.attachmentsOf(instanceId!).every((a) => a.status === 'attached'),
          { timeoutMs: 60_000, intervalMs: 20 },
        );
        const duplicate = await measure();
        if (errors.length > 0) problems.push(`${contender} N=${perPool} P=${pools}: ${String(errors[0])}`);
        checkInvariants(sim, `per-event ${contender} N=${perPool} P=${pools}`);
        results.set(contender, { fresh, duplicate });
      } finally {
        unsubscribe();
        worker.close();
      }
      // Back to the world as built: the new member gone from the pool, its interfaces free again.
      const delays = sim.ec2.delays;
      sim.world.delays({ terminateMs: 0 });
      sim.world.untag([instanceId!], [POOL_TAG]);
      sim.world.terminateInstances([instanceId!]);
      await sim.world.waitForState([instanceId!], 'terminated', { timeoutMs: 10_000 });
      sim.world.delays(delays);
    }
    return results;
  } finally {
    await sim.stop();
  }
}

async function perEventScenario(): Promise<void> {
  const sizes = quick ? [3, 100] : [3, 100, 1_000];
  const poolCounts = quick ? [1, 10] : [1, 10, 100];
  const results = new Map<string, Map<ContenderName, CellResult>>();
  for (const perPool of sizes) {
    for (const pools of poolCounts) {
      results.set(`${perPool}|${pools}`, await gridCell(perPool, pools));
    }
  }

  const rows: string[][] = [];
  const timeRows: string[][] = [];
  const dupRows: string[][] = [];
  for (const [key, cell] of results) {
    const [n, p] = key.split('|');
    const base = cell.get('original')!;
    const mine = cell.get('eni-pool')!;
    const lambda = cell.get('eni-pool (Lambda handler)')!;
    rows.push([
      int(Number(n)),
      p!,
      callsCell(base.fresh.calls),
      callsCell(mine.fresh.calls),
      ratio(mine.fresh.calls.total, base.fresh.calls.total),
      callsCell(lambda.fresh.calls),
      ratio(lambda.fresh.calls.total, base.fresh.calls.total),
      `≤ ${base.fresh.calls.total}, pages ≤ 2`,
    ]);
    timeRows.push([
      int(Number(n)),
      p!,
      secs(base.fresh.ms),
      secs(mine.fresh.ms),
      ratio(mine.fresh.ms, base.fresh.ms),
      secs(lambda.fresh.ms),
      ratio(lambda.fresh.ms, base.fresh.ms),
      `≤ ${secs(base.fresh.ms)}`,
    ]);
    const dup = (s: EventSample) => `${s.calls.total} (${s.calls.mutating} mut.), holds ${s.held}`;
    dupRows.push([
      int(Number(n)),
      p!,
      dup(base.duplicate),
      dup(mine.duplicate),
      ratio(mine.duplicate.calls.total, base.duplicate.calls.total),
      dup(lambda.duplicate),
      '≤ 2 calls, 0 mutating, holds 1',
    ]);
  }
  printTable(
    'EC2 calls per `running` event of a new pool member: total (describes + follow-up pages + mutating)',
    ['N/pool', 'pools', 'original', 'eni-pool', 'ratio', 'eni-pool (Lambda handler)', 'ratio', 'bound'],
    rows,
  );
  printTable(
    'Time per `running` event (s, event handed to the worker → worker returns; attach 2 s)',
    ['N/pool', 'pools', 'original', 'eni-pool', 'ratio', 'eni-pool (Lambda handler)', 'ratio', 'bound'],
    timeRows,
  );
  printTable(
    'Duplicate `running` event for a member that already holds its interface: EC2 calls, and pool interfaces it holds after',
    ['N/pool', 'pools', 'original', 'eni-pool', 'ratio', 'eni-pool (Lambda handler)', 'bound'],
    dupRows,
  );
}

// ── 2. one planned attach while EC2 throttles every attach ──────────────────────────────────────

async function throttledScenario(): Promise<void> {
  const rows: string[][] = [];
  const counts = new Map<ContenderName, { attaches: number; total: number; ms: number }>();
  for (const contender of GRID_CONTENDERS) {
    progress(`throttled: ${contender}`);
    const sim = await startSim({ ...REALISTIC_DELAYS, launchMs: 500 });
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Error('bench deadline')), 180_000);
    const worker = workerFor(contender, sim, { signal: deadline.signal });
    try {
      const [pool] = await buildServedPools(sim, { pools: 1, perPool: 3 });
      let resolveEvent: (event: EventBridgeEvent) => void = () => {};
      const running = new Promise<EventBridgeEvent>((resolve) => {
        resolveEvent = resolve;
      });
      const [instanceId] = sim.world.launchInstances({
        subnetId: pool!.subnetIds[0]!,
        tags: { [POOL_TAG]: pool!.name },
        type: INSTANCE_TYPE,
      });
      const unsubscribe = onStateChange(sim, (event, _s, id) => id === instanceId && resolveEvent(event), [
        'running',
      ]);
      const event = await running;
      unsubscribe();
      sim.world.injectFault({ action: 'AttachNetworkInterface', code: 'RequestLimitExceeded', status: 503 });
      const mark = markCalls(sim);
      const t0 = performance.now();
      await worker.handle(event);
      const calls = callsSince(sim, mark);
      counts.set(contender, { attaches: calls.attaches, total: calls.total, ms: performance.now() - t0 });
      checkInvariants(sim, `throttled ${contender}`);
    } finally {
      clearTimeout(timer);
      worker.close();
      await sim.stop();
    }
  }
  const base = counts.get('original')!;
  for (const contender of GRID_CONTENDERS.slice(1)) {
    const mine = counts.get(contender)!;
    rows.push([
      contender,
      int(base.attaches),
      int(mine.attaches),
      ratio(mine.attaches, base.attaches),
      '≤ 5',
      `${int(base.total)} / ${int(mine.total)}`,
      `${secs(base.ms)} / ${secs(mine.ms)}`,
    ]);
  }
  printTable(
    '1 planned attach while EC2 answers every AttachNetworkInterface with RequestLimitExceeded: attach requests made',
    [
      'eni-pool path',
      'original',
      'eni-pool',
      'ratio',
      'bound',
      'all EC2 calls (orig. / eni-pool)',
      's until the event returned',
    ],
    rows,
  );
}

// ── 3. bursts ───────────────────────────────────────────────────────────────────────────────────

const ATTACH_BUCKET = EC2_BUCKETS.mutating!;

/** What AWS's attach bucket allows: the first 50 at once, then 5 per second, plus one attach latency. */
function burstBoundMs(n: number): number {
  return (
    Math.max(0, (n - ATTACH_BUCKET.capacity) / ATTACH_BUCKET.refillPerSecond) * 1000 +
    REALISTIC_DELAYS.attachMs
  );
}

/** Where a burst run stops: 3 × the bound (and at least 30 s), far enough above the target of 1.25×. */
const burstCapMs = (n: number) => Math.max(30_000, 3 * burstBoundMs(n));

/** The template's SQS event source runs at most 5 batches at once (`ScalingConfig.MaximumConcurrency`). */
const TEMPLATE_QUEUE_CONCURRENCY = 5;

const BURST_CONTENDERS: readonly BurstContender[] = [
  'original',
  'eni-pool',
  'eni-pool, one shared manager',
  'eni-pool (Lambda handler), SQS batches',
];

interface BurstResult {
  readonly calls: Ec2Calls;
  readonly report: ReturnType<HoldingSampler['stop']>;
  /** From the first `running` event handed to a worker until every member was first seen served. */
  readonly servedMs: number | undefined;
  readonly capMs: number;
  readonly unfinished: number;
  readonly workerErrors: number;
  /** SQS batches (invocations), for the queue-buffered wiring. */
  readonly batches?: number;
}

async function burst(thread: BurstThread, contender: BurstContender, n: number): Promise<BurstResult> {
  // Launch does not enter these figures (all members start running together): shortened to save time.
  const sim = await startSim({ ...REALISTIC_DELAYS, launchMs: 1_000 });
  const capMs = burstCapMs(n);
  const inFlight = new Set<Promise<void>>();
  thread.begin(contender, sim);
  // The queue-buffered wiring: every event through Lambda's SQS event source, as the template sets it.
  const queue =
    contender === 'eni-pool (Lambda handler), SQS batches'
      ? new SqsBatches((events) => thread.handleBatch(events), { maxConcurrency: TEMPLATE_QUEUE_CONCURRENCY })
      : undefined;
  try {
    const pool = createBurstPool(sim, n);
    const sampler = new HoldingSampler(sim, { pool: pool.name, tagKey: POOL_TAG, intervalMs: 100 });
    let firstEventAt: number | undefined;
    let delivered = 0;
    let members = new Set<string>();
    const unsubscribe = onStateChange(
      sim,
      (event, _state, instanceId) => {
        if (!members.has(instanceId)) return;
        firstEventAt ??= performance.now();
        delivered++;
        const job = (queue ? queue.push(event) : thread.handle(event)).finally(() => inFlight.delete(job));
        inFlight.add(job);
      },
      ['running'],
    );
    const mark = markCalls(sim);
    const samplerStart = performance.now();
    members = new Set(launchMembers(sim, pool, n));
    for (const id of members) sampler.addMember(id);
    sampler.start();
    await sim.world.waitFor('the first running event', () => firstEventAt !== undefined, {
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    const lastProgress = { at: performance.now() };
    const ticker = setInterval(() => {
      const s = sampler.sample();
      if (performance.now() - lastProgress.at > 15_000) {
        lastProgress.at = performance.now();
        progress(
          `burst: N=${n} ${contender}: ${s.served}/${n} served, ${int(sim.calls.count('AttachNetworkInterface'))} attach calls so far`,
        );
      }
    }, 1_000);
    // Until every member is served, or every event was handled, no worker is left and no attach is still
    // settling (a worker may return once EC2 accepted its attach), or the cap.
    const idle = () => delivered === n && inFlight.size === 0;
    const settled = () =>
      idle() && !sim.world.interfaces().some((eni) => eni.attachment?.status === 'attaching');
    const watch = new AbortController();
    await Promise.race([
      sampler.allServed(capMs, watch.signal),
      sim.world
        .waitFor('every worker to return and every attach to settle', settled, {
          timeoutMs: capMs,
          intervalMs: 100,
        })
        .catch(() => undefined),
    ]);
    watch.abort();
    // Workers still busy (confirming, or stuck behind throttling) get until the cap, then are stopped.
    const left = Math.max(5_000, capMs - (performance.now() - firstEventAt!));
    await sim.world
      .waitFor('every worker to return', idle, { timeoutMs: left, intervalMs: 100 })
      .catch(() => undefined);
    const unfinished = inFlight.size;
    thread.abort();
    await Promise.race([Promise.allSettled([...inFlight]), sleep(10_000)]);
    clearInterval(ticker);
    unsubscribe();
    const calls = callsSince(sim, mark);
    const report = sampler.stop();
    checkInvariants(sim, `burst ${contender} N=${n}`);
    const servedMs =
      report.allServedAfterMs === undefined
        ? undefined
        : samplerStart + report.allServedAfterMs - firstEventAt!;
    return {
      calls,
      report,
      servedMs,
      capMs,
      unfinished,
      workerErrors: thread.errors,
      ...(queue ? { batches: queue.batches.length } : {}),
    };
  } finally {
    queue?.close();
    thread.abort();
    await thread.end();
    await sim.stop();
  }
}

/** How the events reach eni-pool in a burst table's contender. */
function burstWiring(contender: BurstContender, n: number, result: BurstResult): string {
  if (contender === 'eni-pool') return `each event to its own worker (${n} managers, ${n} SDK clients)`;
  if (contender === 'eni-pool, one shared manager') return 'every event to one shared manager';
  return `every event through an SQS queue to the function the template deploys with UseQueue=true (batches of ≤ 10, 5 s window, at most 5 batches at once): ${result.batches ?? 0} invocations, each its own worker`;
}

async function burstScenario(): Promise<void> {
  const sizes = quick ? [30] : [30, 200];
  const thread = await BurstThread.start();
  for (const n of sizes) {
    const results = new Map<BurstContender, BurstResult>();
    for (const contender of BURST_CONTENDERS) {
      progress(`burst: N=${n} ${contender} (cap ${secs(burstCapMs(n))} s)`);
      const result = await burst(thread, contender, n);
      results.set(contender, result);
      progress(
        `burst: N=${n} ${contender}: ${result.report.maxServed}/${n} served, ${int(result.calls.attaches)} attach calls, served after ${secs(result.servedMs)} s`,
      );
    }
    const base = results.get('original')!;
    const bound = burstBoundMs(n);
    const served = (r: BurstResult) =>
      r.servedMs !== undefined
        ? secs(r.servedMs)
        : r.unfinished > 0
          ? `> ${secs(r.capMs)} (${r.report.maxServed}/${n} served)`
          : `never (${r.report.maxServed}/${n} served, all returned)`;
    const rows: string[][] = [];
    for (const contender of BURST_CONTENDERS.slice(1)) {
      const mine = results.get(contender)!;
      rows.push(
        [
          'AttachNetworkInterface calls',
          int(base.calls.attaches),
          int(mine.calls.attaches),
          ratio(mine.calls.attaches, base.calls.attaches),
          `≤ ${int(1.25 * n)}`,
        ],
        [
          'throttled / all EC2 calls',
          `${pct(base.calls.throttled, base.calls.total)} of ${int(base.calls.total)}`,
          `${pct(mine.calls.throttled, mine.calls.total)} of ${int(mine.calls.total)}`,
          ratio(mine.calls.throttled / mine.calls.total, base.calls.throttled / base.calls.total),
          '≤ 5 %',
        ],
        ...(contender === 'eni-pool' && firstCallFloor(n) > 0
          ? [
              [
                'throttled that no design avoids',
                '',
                `≥ ${int(firstCallFloor(n))} (first reads beyond the bucket)`,
                '',
                `≤ 5 % needs ≥ ${int(firstCallFloor(n) / 0.05)} calls`,
              ],
            ]
          : []),
        [
          'instances seen holding 2 pool ENIs',
          `${base.report.doubleHolders} (max ${base.report.maxDoubleAtOnce} at once)`,
          `${mine.report.doubleHolders} (max ${mine.report.maxDoubleAtOnce} at once)`,
          '',
          '0',
        ],
        [
          's until all served',
          served(base),
          served(mine),
          ratio(mine.servedMs, base.servedMs),
          `≤ ${secs(1.25 * bound)} (1.25 × ${secs(bound)})`,
        ],
        [
          'served / bound',
          base.servedMs === undefined ? '—' : ratio(base.servedMs, bound),
          mine.servedMs === undefined ? `> ${ratio(mine.capMs, bound)}` : ratio(mine.servedMs, bound),
          '',
          '≤ 1.25×',
        ],
        [
          'workers still busy at the cap / ending in error',
          `${base.unfinished} / ${base.workerErrors}`,
          `${mine.unfinished} / ${mine.workerErrors}`,
          '',
          '',
        ],
      );
      printTable(
        `Burst: ${n} members of one pool launch at once, ${n} free interfaces; ${burstWiring(contender, n, mine)}; original: each event to its own worker`,
        ['figure', 'original', contender, 'ratio', 'bound'],
        rows.splice(0),
      );
    }
  }
  await thread.stop();
}

// ── 4. hand-over ────────────────────────────────────────────────────────────────────────────────

type HandoverContender = 'original' | 'eni-pool (Lambda handler)';

interface HandoverResult {
  readonly ms: number | undefined;
  readonly sameAddress: boolean;
}

/**
 * An Auto Scaling group of one member in one subnet, and a pool of one interface that the member holds.
 * The member is terminated in the group (a replacement launches at once); every event goes to its own
 * worker. Measured: from the terminate until the successor holds the interface, `attached`.
 */
async function handover(
  contender: HandoverContender,
  detachMs: number,
  hooks: boolean,
): Promise<HandoverResult> {
  const sim = await startSim({ ...REALISTIC_DELAYS, launchMs: 0, attachMs: 0 });
  const deadline = new AbortController();
  setMaxListeners(0, deadline.signal);
  const workers: Worker[] = [];
  try {
    const { subnetIds } = sim.world.createNetwork({ azs: 1 });
    const [eni] = sim.world.createPool({ name: 'web', subnets: subnetIds, perSubnet: 1 });
    const group = 'web-asg';
    sim.autoscaling.createGroup({
      name: group,
      minSize: 1,
      maxSize: 2,
      desiredCapacity: 1,
      subnetIds,
      instanceType: INSTANCE_TYPE,
      tags: [{ key: POOL_TAG, value: 'web', propagateAtLaunch: true }],
    });
    await sim.world.waitFor(
      'the first member in service',
      () => sim.autoscaling.inServiceInstanceIds(group).length === 1,
      {
        timeoutMs: 10_000,
      },
    );
    const [leaving] = sim.autoscaling.inServiceInstanceIds(group) as [string];
    await sim.world.waitForState([leaving], 'running');
    sim.ec2.attachNetworkInterface({
      networkInterfaceId: eni!.networkInterfaceId,
      instanceId: leaving,
      deviceIndex: 1,
    });
    await sim.world.waitForSettled();
    await sim.events.idle();
    if (hooks) {
      for (const transition of [
        'autoscaling:EC2_INSTANCE_LAUNCHING',
        'autoscaling:EC2_INSTANCE_TERMINATING',
      ] as const) {
        sim.autoscaling.putLifecycleHook(group, {
          name: transition.endsWith('LAUNCHING') ? 'eni-pool-launch' : 'eni-pool-terminate',
          transition,
          heartbeatTimeout: 300,
          defaultResult: transition.endsWith('LAUNCHING') ? 'ABANDON' : 'CONTINUE',
        });
      }
    }
    sim.world.delays({ ...REALISTIC_DELAYS, detachMs });
    const address = eni!.privateIpAddress;
    const spawn = (event: unknown) => {
      const worker =
        contender === 'original'
          ? originalWorker(sim, { signal: deadline.signal })
          : lambdaWorker(sim, { signal: deadline.signal, lifecycle: hooks });
      workers.push(worker);
      void worker.handle(event);
    };
    const unsubscribe = [
      onStateChange(sim, (event) => spawn(event)),
      sim.events.subscribe(
        {
          source: ['aws.autoscaling'],
          'detail-type': ['EC2 Instance-launch Lifecycle Action', 'EC2 Instance-terminate Lifecycle Action'],
        },
        (event) => {
          // The original has no lifecycle path; its rule matches state changes only.
          if (contender !== 'original') spawn(event);
        },
      ),
    ];
    const t0 = performance.now();
    sim.autoscaling.terminateInstanceInGroup(leaving, false);
    let successorAt: number | undefined;
    let sameAddress = false;
    try {
      await sim.world.waitFor(
        'the successor to hold the interface',
        () => {
          const holder = sim.world.interface(eni!.networkInterfaceId)?.attachment;
          if (holder && holder.instanceId !== leaving && holder.status === 'attached') {
            successorAt ??= performance.now();
            sameAddress = sim.world.interface(eni!.networkInterfaceId)?.privateIpAddress === address;
            return true;
          }
          return false;
        },
        { timeoutMs: 120_000, intervalMs: 10 },
      );
    } catch {
      // Reported as not handed over.
    }
    for (const stop of unsubscribe) stop();
    checkInvariants(sim, `handover ${contender} detach ${detachMs} hooks ${hooks}`);
    return { ms: successorAt === undefined ? undefined : successorAt - t0, sameAddress };
  } finally {
    deadline.abort(new Error('bench deadline'));
    for (const worker of workers) worker.close();
    await sim.stop();
  }
}

async function handoverScenario(): Promise<void> {
  const rows: string[][] = [];
  for (const detachMs of [4_000, 15_000]) {
    for (const hooks of [false, true]) {
      const floor =
        Math.max(REALISTIC_DELAYS.launchMs, EVENT_DELAY_MS + detachMs) + REALISTIC_DELAYS.attachMs;
      progress(`handover: detach ${detachMs / 1000} s, ${hooks ? 'with' : 'without'} hooks`);
      const base = hooks ? undefined : await handover('original', detachMs, hooks);
      const mine = await handover('eni-pool (Lambda handler)', detachMs, hooks);
      const cell = (r: HandoverResult | undefined) =>
        r === undefined
          ? 'n/a (no lifecycle path)'
          : r.ms === undefined
            ? 'not within 120 s'
            : `${secs(r.ms)}${r.sameAddress ? '' : ' (other IP)'}`;
      rows.push([
        `${detachMs / 1000} s`,
        hooks ? 'yes' : 'no',
        cell(base),
        cell(mine),
        ratio(mine.ms, base?.ms),
        secs(floor),
        ratio(base?.ms, floor),
        ratio(mine.ms, floor),
        `≤ ${secs(1.05 * floor)} (1.05×)`,
      ]);
    }
  }
  printTable(
    'Hand-over: a group member is terminated; s until its successor holds the same interface (same IP); floor = max(launch, event + detach) + attach',
    ['detach', 'hooks', 'original', 'eni-pool', 'ratio', 'floor', 'orig./floor', 'eni-pool/floor', 'bound'],
    rows,
  );
}

// ── main ────────────────────────────────────────────────────────────────────────────────────────

console.log(
  `EC2 throttling on (AWS's buckets), attach ${REALISTIC_DELAYS.attachMs / 1000} s, detach 4 / 15 s, launch ${REALISTIC_DELAYS.launchMs / 1000} s (hand-over), event delay ${EVENT_DELAY_MS / 1000} s; eni-pool with default options; original: bench/baseline/original-tool.ts${quick ? '; --quick' : ''}`,
);
if (runs('per-event')) await perEventScenario();
if (runs('throttled')) await throttledScenario();
if (runs('burst')) await burstScenario();
if (runs('handover')) await handoverScenario();
console.log(
  `node ${process.versions.node}, ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}; simulator in-process over HTTP on 127.0.0.1; total ${((performance.now() - started) / 1000).toFixed(0)} s.`,
);
if (problems.length > 0) {
  console.error(`\nproblems:\n- ${problems.join('\n- ')}`);
  process.exitCode = 1;
}
// Aborted workers may leave timers behind (their waits end on their own later); the tables are out.
process.exit();
