/**
 * Shared helpers for `bench/*.bench.ts` scripts: timing with warm-up and median, heap readings with a
 * forced GC, and a plain-text table. Each bench script is a standalone program that prints its own table;
 * `bench/run.ts` runs them one after another, each in a fresh process.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A full, synchronous GC: `--expose-gc` when given, else enabled at run time. */
export const collectGarbage: () => void = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

export interface Timing {
  readonly medianMs: number;
  /** Median CPU time (user + system, all threads) per run: steadier than wall time on a busy machine. */
  readonly medianCpuMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly runs: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `fn` `warmup` times untimed, then `runs` times timed (GC forced before each timed run). */
export function time(fn: () => unknown, options: { warmup?: number; runs?: number } = {}): Timing {
  const { warmup = 2, runs = 7 } = options;
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  for (let i = 0; i < runs; i++) {
    collectGarbage();
    const cpu = process.cpuUsage();
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    cpuSamples.push((used.user + used.system) / 1000);
  }
  return {
    medianMs: median(samples),
    medianCpuMs: median(cpuSamples),
    minMs: Math.min(...samples),
    maxMs: Math.max(...samples),
    runs,
  };
}

export interface HeapReading {
  /** Heap growth across one call, before any GC: roughly what the call allocated. */
  readonly allocatedBytes: number;
  /** Heap still in use after a GC while the result is kept: the size of the result. */
  readonly retainedBytes: number;
}

/** Heap used by one call of `fn`, measured from a collected heap. */
export function heapOf(fn: () => unknown): HeapReading {
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const result = fn();
  const allocatedBytes = process.memoryUsage().heapUsed - before;
  collectGarbage();
  const retainedBytes = process.memoryUsage().heapUsed - before;
  // Keep the result alive until after the second reading.
  if (result === Symbol.for('never')) process.stdout.write('');
  return { allocatedBytes, retainedBytes };
}

export const formatMs = (ms: number): string =>
  ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
export const formatMb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

/** Prints a titled table with right-aligned columns. */
export function printTable(
  title: string,
  header: readonly string[],
  rows: readonly (readonly string[])[],
): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  console.log(`\n${title}\n`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log();
}
