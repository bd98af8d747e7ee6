/**
 * How `planAssignments` scales: 1k, 10k and 100k instances with as many interfaces, spread over 10 to
 * 1,000 pools, in a realistic mix (most members hold their interface, some wait, some stopped instances
 * still hold one, some interfaces are free and remember their last instance).
 *
 * Growth is (CPU time ratio) / (size ratio) between consecutive sizes: about 1.0 means linear. CPU time
 * is used because wall time swings with whatever else the machine runs.
 */
import os from 'node:os';
import {
  DEFAULT_LAST_INSTANCE_TAG_KEY,
  DEFAULT_POOL_TAG_KEY,
  type InstanceView,
  type InterfaceView,
  type PoolState,
  planAssignments,
} from '@eni-pool/core';
import { formatMb, formatMs, heapOf, printTable, seededRandom, time } from './harness';

const SUBNETS_PER_POOL = 3;

/** `size` instances and `size` interfaces over `pools` pools, from a fixed seed. */
export function buildState(size: number, pools: number, seed = 42): PoolState {
  const random = seededRandom(seed);
  const instances: InstanceView[] = [];
  const interfaces: InterfaceView[] = [];
  const launchBase = Date.parse('2026-11-01T00:00:00.000Z');
  const stopped: string[] = [];
  const pad = (n: number) => n.toString().padStart(7, '0');

  for (let i = 0; i < size; i++) {
    const poolIndex = i % pools;
    const pool = `pool-${poolIndex}`;
    const zone = Math.floor(random() * SUBNETS_PER_POOL);
    const subnetId = `subnet-${poolIndex % 50}-${zone}`;
    const availabilityZone = `eu-west-1${'abc'[zone]}`;
    const instanceId = `i-${pad(i)}`;
    const roll = random();
    // 85% running and holding, 5% running and waiting, 5% stopped but still holding, 5% terminated.
    const state = roll < 0.9 ? 'running' : roll < 0.95 ? 'stopped' : 'terminated';
    const holds = roll < 0.85 || (roll >= 0.9 && roll < 0.95);
    const attachments: InstanceView['attachments'][number][] = [
      { networkInterfaceId: `eni-p${pad(i)}`, deviceIndex: 0, networkCardIndex: 0, status: 'attached' },
    ];
    if (holds) {
      const networkInterfaceId = `eni-${pad(interfaces.length)}`;
      attachments.push({ networkInterfaceId, deviceIndex: 1, networkCardIndex: 0, status: 'attached' });
      interfaces.push({
        networkInterfaceId,
        subnetId,
        availabilityZone,
        status: 'in-use',
        tags: { [DEFAULT_POOL_TAG_KEY]: pool, [DEFAULT_LAST_INSTANCE_TAG_KEY]: instanceId },
        attachment: {
          attachmentId: `eni-attach-${pad(interfaces.length)}`,
          instanceId,
          deviceIndex: 1,
          networkCardIndex: 0,
          status: 'attached',
        },
      });
    }
    if (state === 'stopped') stopped.push(instanceId);
    instances.push({
      instanceId,
      state,
      subnetId,
      availabilityZone,
      launchTime: new Date(launchBase + Math.floor(random() * 86_400_000)).toISOString(),
      instanceType: 'm6i.large',
      maxInterfaces: 3,
      tags: { [DEFAULT_POOL_TAG_KEY]: pool },
      attachments,
    });
  }

  // The rest of the interfaces are free; a third remember a (stopped) instance they served.
  while (interfaces.length < size) {
    const n = interfaces.length;
    const poolIndex = n % pools;
    const zone = Math.floor(random() * SUBNETS_PER_POOL);
    const lastInstance = random() < 0.33 ? stopped[Math.floor(random() * stopped.length)] : undefined;
    interfaces.push({
      networkInterfaceId: `eni-${pad(n)}`,
      subnetId: `subnet-${poolIndex % 50}-${zone}`,
      availabilityZone: `eu-west-1${'abc'[zone]}`,
      status: 'available',
      tags: {
        [DEFAULT_POOL_TAG_KEY]: `pool-${poolIndex}`,
        ...(lastInstance === undefined ? {} : { [DEFAULT_LAST_INSTANCE_TAG_KEY]: lastInstance }),
      },
    });
  }
  return { instances, interfaces };
}

interface Row {
  readonly size: number;
  readonly pools: number;
}

function measure(rows: readonly Row[], title: string): void {
  const table: string[][] = [];
  let previous: { size: number; ms: number } | undefined;
  for (const { size, pools } of rows) {
    const state = buildState(size, pools);
    const plan = planAssignments(state);
    const timing = time(() => planAssignments(state), { warmup: 3, runs: size >= 100_000 ? 7 : 11 });
    const heap = heapOf(() => planAssignments(state));
    const attaches = plan.actions.filter((a) => a.kind === 'attach').length;
    const growth =
      previous === undefined || previous.size === size
        ? '-'
        : (timing.medianCpuMs / previous.ms / (size / previous.size)).toFixed(2);
    table.push([
      size.toLocaleString('en-US'),
      pools.toLocaleString('en-US'),
      plan.keep.length.toLocaleString('en-US'),
      attaches.toLocaleString('en-US'),
      (plan.actions.length - attaches).toLocaleString('en-US'),
      plan.unsatisfied.length.toLocaleString('en-US'),
      formatMs(timing.medianMs),
      `${formatMs(timing.minMs)}-${formatMs(timing.maxMs)}`,
      formatMs(timing.medianCpuMs),
      formatMb(heap.allocatedBytes),
      formatMb(heap.retainedBytes),
      growth,
    ]);
    previous = { size, ms: timing.medianCpuMs };
  }
  printTable(
    title,
    [
      'instances',
      'pools',
      'keep',
      'attach',
      'detach',
      'unsatisfied',
      'median ms',
      'min-max ms',
      'cpu ms',
      'heap Δ MB',
      'plan MB',
      'growth',
    ],
    table,
  );
}

measure(
  [
    { size: 1_000, pools: 10 },
    { size: 10_000, pools: 100 },
    { size: 100_000, pools: 1_000 },
  ],
  'planAssignments: instances = interfaces, pools = instances / 100 (growth = cpu ratio / size ratio; ≈ 1.0 is linear)',
);
measure(
  [
    { size: 100_000, pools: 10 },
    { size: 100_000, pools: 100 },
    { size: 100_000, pools: 1_000 },
  ],
  'planAssignments: 100k instances and interfaces over 10, 100 and 1,000 pools',
);
console.log(
  `node ${process.versions.node}, ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}; median of timed runs after warm-up, GC forced before each (not timed); cpu = median CPU time per run, all threads; heap Δ = growth across one call before GC, plan MB = retained by the plan.`,
);
