/**
 * End to end on the simulator: how fast eni-pool brings a fleet to "every running pool instance holds
 * an interface of its pool", how many EC2 calls it spends doing so, and how that compares with the
 * original tool's scheduled sync (bench/baseline/original-tool.ts), measured side by side in one run.
 *
 *   pnpm bench reconcile              # or: npx tsx --tsconfig bench/tsconfig.json bench/reconcile.bench.ts [--quick]
 *
 * 1. Mass assignment: N running pool instances (3 subnets, pools of 1–10) and N free pool interfaces;
 *    eni-pool runs one sync (`reconcile({ kind: 'all' })`), the baseline runs its own sync. The simulator throttles EC2 with AWS's per-action buckets. Where N would take minutes at
 *    5 attaches/s, every simulator bucket's refill and eni-pool's client-side bucket are sped up by the
 *    same factor (the `scale` column). That compresses time: call and throttle counts do not depend on
 *    it, but time ratios against a contender bound by round trips rather than by the buckets (the
 *    baseline, which attaches one member after another) do.
 * 2. Baseline: the original tool's timer path (`OriginalTool.sync()`): every pool by its tag, then per
 *    pool and per running member without an interface one filtered describe of free interfaces, an
 *    attach and its status polls, one member after another; 5 SDK attempts per call. Its 1 s poll is
 *    shortened to 25 ms here, as eni-pool's waits are, because the simulated attach takes 20 ms.
 *
 * The event path (one `running` event at a time, duplicates, bursts of launches) is measured at real
 * EC2 delays by economy.bench.ts.
 *
 * Runs are interleaved (the order of contenders rotates each run) and medians are reported; ratios are
 * the median of per-run ratios. Each run gets a fresh simulator and the same world (fixed seed). N=1,000
 * runs once (see the note at the bottom). The simulator runs in this process, so the contenders share
 * the CPU with "EC2"; both sides pay the same.
 * The script exits non-zero if eni-pool leaves any run unconverged or the world breaks an EC2 invariant;
 * it never checks wall-clock numbers.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { EC2Client } from '@aws-sdk/client-ec2';
import { AwsSim, type BucketSpec, EC2_BUCKETS, SeededRandom } from '@eni-pool/aws-sim';
import {
  AwsCallError,
  DEFAULT_POOL_TAG_KEY,
  EniPoolManager,
  type ExecutorOptions,
  silentLogger,
} from '@eni-pool/core';
import { OriginalTool, originalToolClientConfig } from './baseline/original-tool';
import { median, printTable } from './harness';

const POOL_TAG = DEFAULT_POOL_TAG_KEY;
const SEED = 7;
/** Simulated EC2 latencies: small, so the run measures the clients and the rate limits, not sleeping. */
const SIM_DELAYS = { launchMs: 20, stopMs: 20, terminateMs: 20, attachMs: 20, detachMs: 20 } as const;
/** AWS's mutating bucket (AttachNetworkInterface, DetachNetworkInterface): 50 burst, 5/s. */
const ATTACH_BUCKET = EC2_BUCKETS.mutating!;
/** Upper bound of one contender's run; eni-pool stops starting actions after it. */
const RUN_DEADLINE_MS = 90_000;
/** Attachments still settling when a contender returns get this long to finish. */
const SETTLE_MS = 5_000;

const MUTATING_ACTIONS = ['AttachNetworkInterface', 'DetachNetworkInterface', 'CreateTags'] as const;
const THROTTLE_CODES = ['RequestLimitExceeded', 'Throttling', 'RequestThrottled'] as const;

// ── the world ────────────────────────────────────────────────────────────────────────────────────

interface World {
  /** Every pool instance, with its pool and subnet. */
  readonly members: ReadonlyMap<string, { readonly pool: string; readonly subnetId: string }>;
  readonly subnetIds: readonly string[];
  readonly pools: number;
}

/** All of AWS's EC2 buckets with their refill sped up `scale` times (sizes unchanged). */
function scaledBuckets(scale: number): Record<string, BucketSpec> {
  return Object.fromEntries(
    Object.entries(EC2_BUCKETS).map(([name, spec]) => [
      name,
      { capacity: spec.capacity, refillPerSecond: spec.refillPerSecond * scale },
    ]),
  );
}

async function startSim(scale: number): Promise<AwsSim> {
  return AwsSim.start({ seed: SEED, delays: SIM_DELAYS, throttling: { buckets: scaledBuckets(scale) } });
}

/** A silent logger for the SDK client too, so socket-capacity warnings do not land in the table. */
function ec2Client(sim: AwsSim): EC2Client {
  return new EC2Client({ ...sim.clientConfig(), logger: silentLogger });
}

/**
 * `size` running instances in pools of `poolSize` (min–max) members, each member in one of 3 subnets
 * (/20, so 1,000 instances and their interfaces fit), and one free pool interface per member in that
 * member's subnet; `spare` extra free interfaces per pool and subnet. Built through the model API, so
 * no call is counted or throttled. Same seed, same world.
 */
async function buildWorld(
  sim: AwsSim,
  size: number,
  poolSize: { readonly min: number; readonly max: number },
  spare = 0,
): Promise<World> {
  const random = new SeededRandom(SEED * 1_000 + size);
  sim.world.createVpc('10.0.0.0/16');
  const subnetIds = sim.world.createSubnets(
    ['a', 'b', 'c'].map((zone, i) => ({ az: `${sim.identity.region}${zone}`, cidr: `10.0.${i * 16}.0/20` })),
  );
  const members = new Map<string, { pool: string; subnetId: string }>();
  let pools = 0;
  while (members.size < size) {
    const pool = `pool-${pools++}`;
    const span = poolSize.max - poolSize.min + 1;
    const count = Math.min(size - members.size, poolSize.min + Math.floor(random.next() * span));
    const perSubnet = subnetIds.map(() => 0);
    for (let i = 0; i < count; i++) perSubnet[Math.floor(random.next() * subnetIds.length)]!++;
    subnetIds.forEach((subnetId, s) => {
      const n = perSubnet[s]!;
      if (n > 0) {
        for (const id of sim.world.launchInstances({ subnetId, count: n, tags: { [POOL_TAG]: pool } })) {
          members.set(id, { pool, subnetId });
        }
      }
      for (let i = 0; i < n + spare; i++) sim.world.createInterface({ subnetId, tags: { [POOL_TAG]: pool } });
    });
  }
  await sim.world.waitForState([...members.keys()], 'running', { timeoutMs: 30_000 });
  return { members, subnetIds, pools };
}

interface Coverage {
  /** Members holding exactly one attached interface of their pool, in their subnet. */
  readonly served: number;
  /** Members holding more than one interface of their pool, or one from another pool. */
  readonly wrong: number;
}

/** What the world looks like now (model API, no call counted). */
function coverage(sim: AwsSim, members: World['members']): Coverage {
  const held = new Map<string, number>();
  let wrong = 0;
  for (const eni of sim.ec2.snapshot().interfaces) {
    const pool = eni.tags[POOL_TAG];
    const instanceId = eni.attachment?.instanceId;
    if (pool === undefined || instanceId === undefined) continue;
    const member = members.get(instanceId);
    if (!member || member.pool !== pool || member.subnetId !== eni.subnetId) {
      wrong++;
      continue;
    }
    if (eni.attachment?.status === 'attached') held.set(instanceId, (held.get(instanceId) ?? 0) + 1);
  }
  let served = 0;
  for (const count of held.values()) {
    if (count === 1) served++;
    else wrong++;
  }
  return { served, wrong };
}

/**
 * When EC2 first showed every member served, in ms after `startedEpochMs`, read from the simulator's
 * call log rather than by polling the world (a poll walks every interface on the contenders' thread):
 * the last attach or detach that EC2 accepted, plus its simulated duration. Only meaningful once the
 * world is seen fully served; undefined when the log (bounded) no longer holds every call.
 */
function convergedAfter(sim: AwsSim, startedEpochMs: number): number | undefined {
  const log = sim.calls.log;
  if (log.length < sim.calls.total) return undefined;
  let last = startedEpochMs;
  for (const call of log) {
    if (call.outcome !== 'ok') continue;
    if (call.action === 'AttachNetworkInterface') last = Math.max(last, call.at + SIM_DELAYS.attachMs);
    if (call.action === 'DetachNetworkInterface') last = Math.max(last, call.at + SIM_DELAYS.detachMs);
  }
  return last - startedEpochMs;
}

// ── counting calls ───────────────────────────────────────────────────────────────────────────────

interface Calls {
  readonly describe: number;
  readonly attach: number;
  readonly detach: number;
  readonly tags: number;
  readonly total: number;
  readonly throttled: number;
}

function actionsSeen(sim: AwsSim): string[] {
  // The bounded log may drop old entries; the counters never do, so ask them about every known action.
  return [
    ...new Set([
      ...sim.calls.log.map((call) => call.action),
      'DescribeInstances',
      'DescribeNetworkInterfaces',
      ...MUTATING_ACTIONS,
    ]),
  ];
}

function callsOf(sim: AwsSim): Calls {
  const actions = actionsSeen(sim);
  let throttled = 0;
  for (const action of actions) for (const code of THROTTLE_CODES) throttled += sim.calls.count(action, code);
  const describe = actions
    .filter((action) => action.startsWith('Describe'))
    .reduce((sum, action) => sum + sim.calls.count(action), 0);
  return {
    describe,
    attach: sim.calls.count('AttachNetworkInterface'),
    detach: sim.calls.count('DetachNetworkInterface'),
    tags: sim.calls.count('CreateTags'),
    total: sim.calls.total,
    throttled,
  };
}

// ── contenders ───────────────────────────────────────────────────────────────────────────────────

/** eni-pool as configured here: defaults, except the time scale and waits sized to the simulator. */
function enipoolExecutor(scale: number): Omit<ExecutorOptions, 'ec2' | 'logger'> {
  return {
    // The client-side bucket mirrors EC2's mutating bucket, sped up with the simulator's.
    rateLimit: { capacity: ATTACH_BUCKET.capacity, refillPerSecond: ATTACH_BUCKET.refillPerSecond * scale },
    // The first poll comes just after the simulated 20 ms attach (the default 500 ms suits real EC2).
    wait: { initialDelayMs: 25, maxDelayMs: 400 },
  };
}

type ContenderName = 'eni-pool' | 'original sync';
const CONTENDERS: readonly ContenderName[] = ['eni-pool', 'original sync'];
/** The original polls every second; its attach here takes 20 ms, so it polls as eni-pool's first wait does. */
const ORIGINAL_POLL_MS = 25;

interface Sample {
  readonly contender: ContenderName;
  /** Until the contender's call returned. */
  readonly doneMs: number;
  /** Until EC2 first showed every member served; undefined if that never happened. */
  readonly convergedMs: number | undefined;
  readonly served: number;
  readonly wrong: number;
  readonly calls: Calls;
  readonly rounds?: number;
  /** Instances the contender gave up on (baselines), or failed actions (eni-pool). */
  readonly failures: number;
  /** Failures by AWS error code or reason. */
  readonly reasons: Readonly<Record<string, number>>;
  /** eni-pool's own verdict. */
  readonly claimedConverged?: boolean;
  readonly invariants: readonly string[];
}

async function runContender(contender: ContenderName, size: number, scale: number): Promise<Sample> {
  const sim = await startSim(scale);
  const ec2 = ec2Client(sim);
  try {
    const world = await buildWorld(sim, size, { min: 1, max: 10 });
    sim.calls.reset();
    const startedAt = performance.now();
    const startedEpochMs = Date.now();
    let rounds: number | undefined;
    let failures = 0;
    const reasons: Record<string, number> = {};
    const note = (reason: string) => {
      failures++;
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    };
    let claimedConverged: boolean | undefined;
    if (contender === 'eni-pool') {
      const manager = new EniPoolManager({ ec2, logger: silentLogger, executor: enipoolExecutor(scale) });
      const result = await manager.reconcile(
        { kind: 'all' },
        { signal: AbortSignal.timeout(RUN_DEADLINE_MS) },
      );
      rounds = result.rounds;
      claimedConverged = result.converged;
      for (const outcome of result.outcomes) {
        if (outcome.status !== 'failed') continue;
        note(outcome.error instanceof AwsCallError ? outcome.error.code : (outcome.error?.name ?? 'failed'));
      }
    } else {
      // Its own client, with botocore's 5 attempts; its log lines are how it reports failures.
      const originalEc2 = new EC2Client({
        ...sim.clientConfig(),
        logger: silentLogger,
        ...originalToolClientConfig(),
      });
      try {
        const tool = new OriginalTool({
          ec2: originalEc2,
          pollIntervalMs: ORIGINAL_POLL_MS,
          signal: AbortSignal.timeout(RUN_DEADLINE_MS),
          log: (level, message) => {
            if (level !== 'error') return;
            note(
              message.startsWith('No network interfaces')
                ? 'no free interface'
                : (/, (\S+)$/.exec(message)?.[1] ?? 'failed'),
            );
          },
        });
        await tool.sync().catch((error: unknown) => note(error instanceof Error ? error.name : 'failed'));
      } finally {
        originalEc2.destroy();
      }
    }
    const doneMs = performance.now() - startedAt;
    // Let any last attachment settle (bounded) before judging.
    await sim.world.waitForSettled({ timeoutMs: SETTLE_MS, intervalMs: 5 });
    const calls = callsOf(sim);
    const { served, wrong } = coverage(sim, world.members);
    const convergedMs =
      served === world.members.size && wrong === 0 ? convergedAfter(sim, startedEpochMs) : undefined;
    return {
      contender,
      doneMs,
      convergedMs,
      served,
      wrong,
      calls,
      failures,
      reasons,
      invariants: sim.world.invariants(),
      ...(rounds !== undefined ? { rounds } : {}),
      ...(claimedConverged !== undefined ? { claimedConverged } : {}),
    };
  } finally {
    ec2.destroy();
    await sim.stop();
  }
}

// ── reporting helpers ────────────────────────────────────────────────────────────────────────────

const problems: string[] = [];
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (ms: number | undefined) => (ms === undefined ? '—' : (ms / 1000).toFixed(2));
const ratio = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '—' : `${n.toFixed(2)}×`);
const medianOf = (values: readonly number[]) => (values.length === 0 ? undefined : median(values));

/** Checks the claims a run makes; every eni-pool failure is collected and fails the script at the end. */
function check(sample: Sample, size: number, label: string): void {
  if (sample.invariants.length > 0) {
    problems.push(
      `${label} ${sample.contender}: EC2 invariants broken: ${sample.invariants.slice(0, 3).join('; ')}`,
    );
  }
  if (sample.contender !== 'eni-pool') return;
  if (!sample.claimedConverged) problems.push(`${label} eni-pool: reconcile did not report convergence`);
  if (sample.served !== size || sample.wrong !== 0) {
    problems.push(`${label} eni-pool: ${sample.served}/${size} served, ${sample.wrong} wrong`);
  }
  if (sample.convergedMs === undefined) problems.push(`${label} eni-pool: the world never showed all served`);
}

// ── scenario 1 + 2: mass assignment ─────────────────────────────────────────────────────────────

interface SizeSpec {
  readonly size: number;
  /** Refill speed-up of every simulator bucket and of eni-pool's client bucket. */
  readonly scale: number;
  readonly runs: number;
  /** @defaultValue all of them */
  readonly contenders?: readonly ContenderName[];
}

async function massAssignment(specs: readonly SizeSpec[]): Promise<void> {
  const rows: string[][] = [];
  const ratioRows: string[][] = [];
  const reasonLines: string[] = [];
  for (const { size, scale, runs, contenders = CONTENDERS } of specs) {
    const samples = new Map<ContenderName, Sample[]>(contenders.map((c) => [c, []]));
    for (let run = 0; run < runs; run++) {
      // Rotate who goes first, so warm-up and machine drift do not favour one contender.
      const order = contenders.map((_, i) => contenders[(i + run) % contenders.length]!);
      for (const contender of order) {
        const sample = await runContender(contender, size, scale);
        check(sample, size, `N=${size} run ${run + 1}`);
        samples.get(contender)!.push(sample);
      }
    }

    for (const contender of contenders) {
      const list = samples.get(contender)!;
      const converged = list.filter((s) => s.convergedMs !== undefined);
      const calls = (pick: (c: Calls) => number) => int(median(list.map((s) => pick(s.calls))));
      const perServed = median(list.map((s) => (s.served === 0 ? Number.NaN : s.calls.total / s.served)));
      rows.push([
        int(size),
        `${scale}×`,
        contender,
        `${converged.length}/${list.length}`,
        `${int(median(list.map((s) => s.served)))}/${int(size)}`,
        // Time to converge only means something when every run converged.
        converged.length === list.length ? secs(medianOf(converged.map((s) => s.convergedMs!))) : '—',
        secs(median(list.map((s) => s.doneMs))),
        contender === 'eni-pool' ? int(median(list.map((s) => s.rounds ?? 0))) : '-',
        calls((c) => c.describe),
        calls((c) => c.attach),
        calls((c) => c.detach),
        calls((c) => c.tags),
        calls((c) => c.total),
        Number.isNaN(perServed) ? '—' : perServed.toFixed(2),
        calls((c) => c.throttled),
        int(median(list.map((s) => s.failures))),
      ]);
    }

    for (const contender of contenders) {
      const total = new Map<string, number>();
      for (const sample of samples.get(contender)!) {
        for (const [reason, n] of Object.entries(sample.reasons))
          total.set(reason, (total.get(reason) ?? 0) + n);
      }
      if (total.size === 0) continue;
      const list = [...total].sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${reason} ${int(n)}`);
      reasonLines.push(`  N=${int(size)} ${contender}: ${list.join(', ')}`);
    }

    const mine = samples.get('eni-pool')!;
    for (const baseline of contenders.filter((c) => c !== 'eni-pool')) {
      const theirs = samples.get(baseline)!;
      const paired = (pick: (own: Sample, other: Sample) => number | undefined) =>
        medianOf(
          mine
            .map((own, i) => pick(own, theirs[i]!))
            .filter((v): v is number => v !== undefined && Number.isFinite(v)),
        );
      const allConverged = theirs.every((s) => s.convergedMs !== undefined);
      ratioRows.push([
        int(size),
        baseline,
        allConverged ? ratio(paired((a, b) => a.convergedMs! / b.convergedMs!)) : 'baseline did not converge',
        ratio(paired((a, b) => a.doneMs / b.doneMs)),
        ratio(paired((a, b) => a.calls.total / b.calls.total)),
        ratio(paired((a, b) => a.calls.total / a.served / (b.calls.total / b.served))),
        ratio(paired((a, b) => a.calls.attach / b.calls.attach)),
        `${int(median(mine.map((s) => s.calls.throttled)))} vs ${int(median(theirs.map((s) => s.calls.throttled)))}`,
        `${int(median(mine.map((s) => s.served)))} vs ${int(median(theirs.map((s) => s.served)))}`,
      ]);
    }
  }

  printTable(
    'Mass assignment: N running pool instances (pools of 1–10, 3 subnets), N free pool interfaces, EC2 throttling on (median of runs)',
    [
      'N',
      'scale',
      'contender',
      'conv',
      'served',
      'all attached s',
      'done s',
      'rounds',
      'describe',
      'attach',
      'detach',
      'tags',
      'calls',
      'calls/served',
      'throttled',
      'failed',
    ],
    rows,
  );
  console.log(
    "How to read: conv = runs that ended with every instance holding one interface of its pool; all attached = from start until EC2 completed the last attach (only when every run converged); done = until the contender's call returned; calls = every request the simulator answered, throttled ones included; throttled = RequestLimitExceeded answers; failed = instances a baseline gave up on, or failed eni-pool actions. scale = refill speed-up of every simulator bucket and of eni-pool's client-side bucket (the same factor), which compresses time; call and throttle counts do not depend on it, times against the round-trip-bound baseline do.",
  );

  if (reasonLines.length > 0) {
    console.log(`Failures by error code, all runs summed:\n${reasonLines.join('\n')}`);
  }

  printTable(
    'eni-pool / baseline, same world, same run (median of per-run ratios; < 1 means eni-pool spends less)',
    [
      'N',
      'baseline',
      'all attached',
      'done',
      'calls',
      'calls/served',
      'attach calls',
      'throttled (eni-pool vs baseline)',
      'served (eni-pool vs baseline)',
    ],
    ratioRows,
  );
}

// ── main ─────────────────────────────────────────────────────────────────────────────────────────

// `--quick`: a smoke run of the same code (small sizes, fewer runs), for trying changes.
// At 1,000 there is one run: the baseline serves one member after another, round trip by round trip.
const quick = process.argv.includes('--quick');
const started = performance.now();
await massAssignment(
  quick
    ? [
        { size: 50, scale: 1, runs: 2 },
        { size: 200, scale: 4, runs: 1 },
      ]
    : [
        { size: 50, scale: 1, runs: 3 },
        { size: 200, scale: 4, runs: 3 },
        { size: 1_000, scale: 10, runs: 1 },
      ],
);
console.log(
  `node ${process.versions.node}, ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}; simulator in-process over HTTP on 127.0.0.1, attach/detach ${SIM_DELAYS.attachMs} ms; total ${((performance.now() - started) / 1000).toFixed(0)} s.`,
);
if (problems.length > 0) {
  console.error(`\neni-pool did not hold its claims:\n- ${problems.join('\n- ')}`);
  process.exitCode = 1;
}
