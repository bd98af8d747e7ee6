/**
 * The deployable Lambda artifact: its size (raw, gzip, zip) and its cold import time, i.e. what a cold
 * start pays to load and initialise the bundle (configuration, SDK clients, Powertools), measured in fresh
 * `node` processes and set beside a bare `node -e ''` so the figure reads against Node's own startup.
 *
 *   pnpm bench lambda-bundle          # or: npx tsx bench/lambda-bundle.bench.ts [runs]
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
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

/** The child's script: import the bundle, invoke it once with an event it rejects, report both times. */
function importScript(bundlePath: string): string {
  return `
    const t0 = performance.now();
    const { handler } = await import(${JSON.stringify(pathToFileURL(bundlePath).href)});
    const t1 = performance.now();
    await handler({ hello: 'cold start' });
    const t2 = performance.now();
    process.stdout.write(JSON.stringify({ importMs: t1 - t0, firstCallMs: t2 - t1 }) + '\\n');
  `;
}

/** Builds the bundle (and, for comparison, one that leaves the SDK external) and measures both. */
export default async function lambdaBundleBench(runs = 15) {
  const { outDir, sizes, metafile } = await packageLambda({ quiet: true });
  // Inside the package, so the external SDK resolves from its node_modules as the runtime's copy would.
  const externalDir = join(outDir, 'sdk-external');
  const external = await packageLambda({ quiet: true, outDir: externalDir, externalSdk: true });
  const bundled = importScript(join(outDir, 'index.mjs'));
  const unbundled = importScript(join(externalDir, 'index.mjs'));

  // One untimed round each, so the file cache is warm for all.
  runNode(['-e', '']);
  runNode(['--input-type=module', '-e', bundled]);
  runNode(['--input-type=module', '-e', unbundled]);
  const baseline: ProcessSample[] = [];
  const cold: ProcessSample[] = [];
  const coldExternal: ProcessSample[] = [];
  for (let i = 0; i < runs; i++) {
    // Interleaved, so drift in machine load hits every series alike.
    baseline.push(runNode(['-e', '']));
    cold.push(runNode(['--input-type=module', '-e', bundled]));
    coldExternal.push(runNode(['--input-type=module', '-e', unbundled]));
  }
  rmSync(externalDir, { recursive: true, force: true });

  const baselineWall = median(baseline.map((s) => s.wallMs));
  const row = (name: string, samples: readonly ProcessSample[]) => {
    const wall = median(samples.map((s) => s.wallMs));
    return {
      cells: [
        name,
        formatMs(wall),
        formatMs(median(samples.map((s) => s.importMs ?? Number.NaN))),
        formatMs(median(samples.map((s) => s.firstCallMs ?? Number.NaN))),
        (wall / baselineWall).toFixed(2),
      ],
      wall,
      importMs: median(samples.map((s) => s.importMs ?? Number.NaN)),
      firstCallMs: median(samples.map((s) => s.firstCallMs ?? Number.NaN)),
    };
  };
  const bundledRow = row('import bundle + 1 call', cold);
  const externalRow = row('same, SDK external', coldExternal);
  const modules = Object.keys(metafile.inputs).length;

  printTable(
    'Lambda bundle (dist-lambda/index.mjs: esbuild, minified, ESM, node22, AWS SDK and Powertools bundled)',
    ['bundle', 'raw', 'gzip', 'zip', 'modules'],
    [
      ['deployed (SDK bundled)', kib(sizes.raw), kib(sizes.gzip), kib(sizes.zip), String(modules)],
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
    `Cold import in fresh node processes (median of ${runs}, interleaved with the baseline)`,
    ['process', 'wall ms', 'import ms', 'first call ms', 'wall / baseline'],
    [["node -e ''", formatMs(baselineWall), '-', '-', '1.00'], bundledRow.cells, externalRow.cells],
  );
  console.log(
    `node ${process.versions.node}, ${process.platform}/${process.arch}; import ms = import() of the bundle inside the child (module evaluation, configuration, client construction); first call = one rejected event, no AWS call; "SDK external" resolves @aws-sdk/* and @smithy/* from node_modules at run time, like the runtime's copy.`,
  );
  return {
    sizes,
    externalSizes: external.sizes,
    modules,
    baselineWallMs: baselineWall,
    coldWallMs: bundledRow.wall,
    importMs: bundledRow.importMs,
    firstCallMs: bundledRow.firstCallMs,
    externalImportMs: externalRow.importMs,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const runs = Number(process.argv[2] ?? 15);
  await lambdaBundleBench(Number.isInteger(runs) && runs > 0 ? runs : 15);
}
