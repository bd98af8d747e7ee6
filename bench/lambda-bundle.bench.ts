/**
 * The deployable Lambda artifact: its size (raw, gzip, zip) and its cold import time, i.e. what a cold
 * start pays to load and initialise the bundle (configuration, SDK clients, Powertools), measured in fresh
 * `node` processes and set beside a bare `node -e ''` so the figure reads against Node's own startup.
 *
 *   pnpm bench lambda-bundle          # or: npx tsx bench/lambda-bundle.bench.ts [runs]
 */
import { spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { packageLambda } from '../packages/lambda-adapter/scripts/package.mjs';
import { formatMs, median, printTable } from './harness';

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

interface ProcessSample {
  /** Spawn to exit, as the parent sees it. */
  readonly wallMs: number;
  /** `import()` of the bundle, measured inside the child. */
  readonly importMs?: number;
  /** The first invocation after the import (a rejected event: no AWS call). */
  readonly firstCallMs?: number;
  /** Reading `.stack` of the first error thrown through the bundle's frames (source-map lookup, if on). */
  readonly errorStackMs?: number;
  /** That stack, for the table's "what a trace shows" column. */
  readonly stack?: string;
}

function runNode(args: readonly string[]): ProcessSample {
  const start = performance.now();
  const child = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    // A Lambda-like environment; silent logs so printing does not count.
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      ENI_POOL_LOG_LEVEL: 'silent',
      ENI_POOL_METRICS: 'disabled',
    },
  });
  const wallMs = performance.now() - start;
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${child.stderr}`);
  const line = child.stdout.split('\n').find((l) => l.startsWith('{'));
  return { wallMs, ...(line ? (JSON.parse(line) as Omit<ProcessSample, 'wallMs'>) : {}) };
}

/**
 * The child's script: import the bundle, invoke it once with an event it rejects, then once with an event
 * whose field getter throws (so the error's stack runs through the bundle's parsing frames), and report the
 * times and that stack.
 */
function importScript(bundlePath: string): string {
  return `
    const t0 = performance.now();
    const { handler } = await import(${JSON.stringify(pathToFileURL(bundlePath).href)});
    const t1 = performance.now();
    await handler({ hello: 'cold start' });
    const t2 = performance.now();
    let probe;
    const event = { version: '0', get source() { probe = new Error('probe'); throw probe; } };
    try { await handler(event); } catch {}
    const t3 = performance.now();
    const stack = probe ? String(probe.stack) : '';
    const t4 = performance.now();
    process.stdout.write(JSON.stringify({ importMs: t1 - t0, firstCallMs: t2 - t1, errorStackMs: t4 - t3, stack }) + '\\n');
  `;
}

/** The first frame of a stack below the probe's own getter: what an operator reads first. */
function firstBundleFrame(stack: string | undefined): string {
  const frames = (stack ?? '').split('\n').filter((line) => line.trim().startsWith('at '));
  const frame = frames.find((line) => !line.includes('get source')) ?? '';
  return frame
    .trim()
    .replace(/^at /, '')
    .replace(/(file:\/\/)?\/\S*\/(dist-lambda|packages)\//, '$2/')
    .slice(0, 70);
}

/**
 * Builds the bundle and, for comparison, three variants, and measures each: the deployed bundle as is; the
 * same with `--enable-source-maps` (what NODE_OPTIONS would turn on) and its map beside it; a build that keeps
 * identifiers readable instead; one that leaves the SDK external.
 */
export default async function lambdaBundleBench(runs = 15) {
  const { outDir, sizes, metafile } = await packageLambda({ quiet: true });
  // Inside the package, so the external SDK resolves from its node_modules as the runtime's copy would.
  const externalDir = join(outDir, 'sdk-external');
  const external = await packageLambda({ quiet: true, outDir: externalDir, externalSdk: true });
  const readableDir = join(outDir, 'readable-names');
  const readable = await packageLambda({ quiet: true, outDir: readableDir, readableNames: true });
  const bundled = importScript(join(outDir, 'index.mjs'));
  const unbundled = importScript(join(externalDir, 'index.mjs'));
  const named = importScript(join(readableDir, 'index.mjs'));
  const mapSize = statSync(join(outDir, 'index.mjs.map')).size;

  const series = {
    baseline: ['-e', ''],
    deployed: ['--input-type=module', '-e', bundled],
    sourceMaps: ['--enable-source-maps', '--input-type=module', '-e', bundled],
    readableNames: ['--input-type=module', '-e', named],
    external: ['--input-type=module', '-e', unbundled],
  } as const;
  const samples = Object.fromEntries(
    Object.keys(series).map((name) => [name, [] as ProcessSample[]]),
  ) as Record<keyof typeof series, ProcessSample[]>;
  // One untimed round each, so the file cache is warm for all.
  for (const args of Object.values(series)) runNode(args);
  for (let i = 0; i < runs; i++) {
    // Interleaved, so drift in machine load hits every series alike.
    for (const [name, args] of Object.entries(series))
      samples[name as keyof typeof series].push(runNode(args));
  }
  rmSync(externalDir, { recursive: true, force: true });
  rmSync(readableDir, { recursive: true, force: true });

  const baselineWall = median(samples.baseline.map((s) => s.wallMs));
  const deployedImport = median(samples.deployed.map((s) => s.importMs ?? Number.NaN));
  const row = (name: string, list: readonly ProcessSample[]) => {
    const wall = median(list.map((s) => s.wallMs));
    const importMs = median(list.map((s) => s.importMs ?? Number.NaN));
    const firstCallMs = median(list.map((s) => s.firstCallMs ?? Number.NaN));
    const errorStackMs = median(list.map((s) => s.errorStackMs ?? Number.NaN));
    return {
      cells: [
        name,
        formatMs(wall),
        formatMs(importMs),
        formatMs(firstCallMs),
        formatMs(errorStackMs),
        (wall / baselineWall).toFixed(2),
        (importMs / deployedImport).toFixed(2),
        firstBundleFrame(list[0]?.stack),
      ],
      wall,
      importMs,
      firstCallMs,
      errorStackMs,
    };
  };
  const deployedRow = row('deployed bundle', samples.deployed);
  const sourceMapsRow = row('same, --enable-source-maps', samples.sourceMaps);
  const readableRow = row('readable names, no map', samples.readableNames);
  const externalRow = row('SDK external', samples.external);
  const modules = Object.keys(metafile.inputs).length;

  printTable(
    'Lambda bundle (dist-lambda/index.mjs: esbuild, minified, ESM, node22, AWS SDK and Powertools bundled)',
    ['bundle', 'raw', 'gzip', 'zip', 'modules'],
    [
      ['deployed (SDK bundled)', kib(sizes.raw), kib(sizes.gzip), kib(sizes.zip), String(modules)],
      ['its source map (index.mjs.map)', kib(mapSize), '-', '-', '-'],
      [
        'comparison: readable names',
        kib(readable.sizes.raw),
        kib(readable.sizes.gzip),
        kib(readable.sizes.zip),
        String(Object.keys(readable.metafile.inputs).length),
      ],
      [
        'comparison: SDK external',
        kib(external.sizes.raw),
        kib(external.sizes.gzip),
        kib(external.sizes.zip),
        String(Object.keys(external.metafile.inputs).length),
      ],
    ],
  );
  printTable(
    `Cold start in fresh node processes (median of ${runs}, interleaved with the baseline)`,
    [
      'process',
      'wall ms',
      'import ms',
      'first call ms',
      'first stack ms',
      'wall / baseline',
      'import / deployed',
      'first frame of a trace',
    ],
    [
      ["node -e ''", formatMs(baselineWall), '-', '-', '-', '1.00', '-', '-'],
      deployedRow.cells,
      sourceMapsRow.cells,
      readableRow.cells,
      externalRow.cells,
    ],
  );
  console.log(
    `node ${process.versions.node}, ${process.platform}/${process.arch}; import ms = import() of the bundle inside the child (module evaluation, configuration, client construction); first call = one rejected event, no AWS call; first stack = reading .stack of an error thrown through the bundle's frames; "SDK external" resolves @aws-sdk/* and @smithy/* from node_modules at run time, like the runtime's copy.`,
  );
  return {
    sizes,
    externalSizes: external.sizes,
    readableSizes: readable.sizes,
    sourceMapBytes: mapSize,
    modules,
    baselineWallMs: baselineWall,
    coldWallMs: deployedRow.wall,
    importMs: deployedRow.importMs,
    firstCallMs: deployedRow.firstCallMs,
    sourceMapsImportMs: sourceMapsRow.importMs,
    sourceMapsErrorStackMs: sourceMapsRow.errorStackMs,
    readableImportMs: readableRow.importMs,
    externalImportMs: externalRow.importMs,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const runs = Number(process.argv[2] ?? 15);
  await lambdaBundleBench(Number.isInteger(runs) && runs > 0 ? runs : 15);
}
