/**
 * How `planAssignments` scales: 1k, 10k and 100k instances with as many interfaces, spread over 10 to
 * 1,000 pools, in a realistic mix (most members hold their interface, some wait, some stopped instances
 * still hold one, some interfaces are free and remember their last instance).
 *
 * Growth is (CPU time ratio) / (size ratio) between consecutive sizes: about 1.0 means linear. CPU time
 * is used because wall time swings with whatever else the machine runs.
 */
import os from 'node:os';
import { planAssignments } from '@eni-pool/core';
import { buildPoolState } from './fixtures/pool-state';
import { formatMb, formatMs, heapOf, printTable, time } from './harness';

interface Row {
  readonly size: number;
  readonly pools: number;
}

function measure(rows: readonly Row[], title: string): void {
  const table: string[][] = [];
  let previous: { size: number; ms: number } | undefined;
  for (const { size, pools } of rows) {
    const state = buildPoolState(size, pools);
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
