/**
 * `pnpm bench`: runs every `bench/*.bench.ts` script (or those whose name contains one of the arguments),
 * in name order, one at a time, each in a fresh Node process so heap readings do not mix. Each script
 * prints its own table. Scripts run against the workspace sources via bench/tsconfig.json paths.
 *
 *   pnpm bench                   # all
 *   pnpm bench plan              # only plan.bench.ts
 *   pnpm bench economy:burst     # economy.bench.ts with the argument `burst` (after the colon)
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
// `name:args` picks scripts by `name` and hands them `args` (comma-separated scenarios, for one).
const requests = process.argv.slice(2).map((arg) => {
  const colon = arg.indexOf(':');
  return colon < 0
    ? { filter: arg, args: [] }
    : { filter: arg.slice(0, colon), args: [arg.slice(colon + 1)] };
});
const filters = requests.map((r) => r.filter);
const scripts = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
  .sort();
const argsOf = (script: string) => requests.filter((r) => script.includes(r.filter)).flatMap((r) => r.args);

if (scripts.length === 0) {
  console.error(`no bench/*.bench.ts script matches ${JSON.stringify(filters)}`);
  process.exit(1);
}

const failed: string[] = [];
for (const script of scripts) {
  console.log(`\n=== ${script} (${process.versions.node ? `node ${process.versions.node}` : ''}) ===`);
  const result = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(benchDir, script), ...argsOf(script)],
    {
      stdio: 'inherit',
      env: { ...process.env, TSX_TSCONFIG_PATH: join(benchDir, 'tsconfig.json') },
    },
  );
  if (result.status !== 0) failed.push(`${script} (exit ${result.status ?? result.signal})`);
}

if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
