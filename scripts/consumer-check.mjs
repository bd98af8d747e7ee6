// Installs the packed packages into a fresh project the way an application would, beside an older AWS SDK
// (the floor of the packages' peer range), and checks what that application gets:
//   - one copy of each AWS SDK client and of @smithy/core (the application's own), not one per package;
//   - every package imports as ESM and as CommonJS;
//   - a consumer file type-checks with module node16 and with bundler resolution;
//   - the CloudFormation templates and the Lambda zip are reachable through the packages' exports.
// It needs the npm registry (npm install), so it is a script of its own, run by .ci/run after the test
// command, rather than part of `pnpm test`: an install takes tens of seconds and depends on the network.
//
//   npx -y pnpm@12.4.2 build && node scripts/consumer-check.mjs [--keep]
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const PACKAGES = ['core', 'aws-sim', 'lifecycle-hook-adapter', 'lambda-adapter', 'cdk'];
/** The floor of the packages' `@aws-sdk/client-*` peer range: an application eight months behind. */
const OLDER_SDK = '3.1000.0';
const TIME_LIMIT_MS = 15 * 60_000;
const started = Date.now();

function run(command, args, cwd, extra = {}) {
  const remaining = TIME_LIMIT_MS - (Date.now() - started);
  if (remaining <= 0) throw new Error('consumer check: out of time');
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: remaining, ...extra });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

function findAll(dir, name, found = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    if (path.endsWith(join('node_modules', name))) found.push(path);
    else if (entry.name !== '.bin') findAll(path, name, found);
  }
  return found;
}

function sizeOf(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? sizeOf(path) : entry.isFile() ? statSync(path).size : 0;
  }
  return total;
}

const failures = [];
let passed = 0;
const check = (ok, message) => {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${message}\n`);
  if (ok) passed += 1;
  else failures.push(message);
};

for (const pkg of PACKAGES) {
  if (!existsSync(join(root, 'packages', pkg, 'dist')))
    throw new Error(`packages/${pkg} is not built: run pnpm build first`);
}

const work = mkdtempSync(join(tmpdir(), 'eni-pool-consumer-'));
try {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  for (const pkg of PACKAGES) {
    run('npx', ['-y', 'pnpm@12.4.2', 'pack', '--pack-destination', tarballs], join(root, 'packages', pkg));
  }
  const files = readdirSync(tarballs);
  const tarball = (pkg) =>
    join(
      tarballs,
      files.find((file) => file.startsWith(`eni-pool-${pkg}-`)),
    );

  const app = join(work, 'app');
  mkdirSync(app);
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const cdkManifest = JSON.parse(readFileSync(join(root, 'packages/cdk/package.json'), 'utf8'));
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'consumer',
        private: true,
        type: 'module',
        dependencies: {
          '@aws-sdk/client-ec2': OLDER_SDK,
          '@aws-sdk/client-auto-scaling': OLDER_SDK,
          'aws-cdk-lib': cdkManifest.devDependencies['aws-cdk-lib'],
          constructs: cdkManifest.devDependencies.constructs,
          ...Object.fromEntries(PACKAGES.map((pkg) => [`@eni-pool/${pkg}`, `file:${tarball(pkg)}`])),
        },
        devDependencies: {
          typescript: rootManifest.devDependencies.typescript,
          '@types/node': rootManifest.devDependencies['@types/node'],
        },
      },
      null,
      2,
    ),
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], app);

  const modules = join(app, 'node_modules');
  for (const name of ['@aws-sdk/client-ec2', '@aws-sdk/client-auto-scaling', '@smithy/core']) {
    const copies = findAll(modules, name);
    const versions = copies.map((dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version);
    check(
      copies.length === 1,
      `${name}: ${copies.length} cop${copies.length === 1 ? 'y' : 'ies'} (${versions.join(', ')})`,
    );
  }
  const ec2Version = JSON.parse(
    readFileSync(join(modules, '@aws-sdk/client-ec2/package.json'), 'utf8'),
  ).version;
  check(
    ec2Version === OLDER_SDK,
    `the application's own @aws-sdk/client-ec2 ${OLDER_SDK} is the one installed (${ec2Version})`,
  );

  const entries = {
    core: 'EniPoolManager',
    'aws-sim': 'AwsSim',
    'lifecycle-hook-adapter': 'createLifecycleHookHandler',
    'lambda-adapter': 'createHandlerFromEnvironment',
    cdk: 'EniPool',
  };
  for (const [pkg, name] of Object.entries(entries)) {
    const esm = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { ${name} } from '@eni-pool/${pkg}'; if (typeof ${name} !== 'function') process.exit(3);`,
      ],
      { cwd: app, encoding: 'utf8' },
    );
    check(
      esm.status === 0,
      `import { ${name} } from '@eni-pool/${pkg}' (ESM)${esm.status ? `: ${esm.stderr.split('\n').slice(0, 3).join(' ')}` : ''}`,
    );
    const cjs = spawnSync(
      process.execPath,
      ['-e', `const m = require('@eni-pool/${pkg}'); if (typeof m.${name} !== 'function') process.exit(3);`],
      { cwd: app, encoding: 'utf8' },
    );
    check(
      cjs.status === 0,
      `require('@eni-pool/${pkg}').${name} (CommonJS)${cjs.status ? `: ${cjs.stderr.split('\n').slice(0, 3).join(' ')}` : ''}`,
    );
  }
  const assets = spawnSync(
    process.execPath,
    [
      '-e',
      `const fs = require('node:fs');
       for (const p of ['@eni-pool/lambda-adapter/cloudformation/eni-pool.yaml', '@eni-pool/lifecycle-hook-adapter/cloudformation/lifecycle-hooks.yaml', '@eni-pool/cdk/lambda/eni-pool-lambda.zip']) {
         if (fs.statSync(require.resolve(p)).size === 0) process.exit(4);
       }`,
    ],
    { cwd: app, encoding: 'utf8' },
  );
  check(
    assets.status === 0,
    `the templates and the Lambda zip resolve through the exports${assets.status ? `: ${assets.stderr}` : ''}`,
  );

  writeFileSync(
    join(app, 'consumer.ts'),
    `import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EniPool, EniPoolInterfaces } from '@eni-pool/cdk';
import { EniPoolManager, planAssignments } from '@eni-pool/core';
import { createLambdaHandler, readLambdaConfig } from '@eni-pool/lambda-adapter';
import { createAutoScalingLeavingInstances, createLifecycleHookHandler } from '@eni-pool/lifecycle-hook-adapter';
import { App, Stack } from 'aws-cdk-lib';

const ec2 = new EC2Client({ region: 'eu-west-1' });
const autoScaling = new AutoScalingClient({ region: 'eu-west-1' });
const manager = new EniPoolManager({ ec2, leaving: createAutoScalingLeavingInstances({ autoScaling }) });
export const lifecycle = createLifecycleHookHandler({ manager, ec2, autoScaling });
export const handler = createLambdaHandler({ manager, ec2 });
export const config = readLambdaConfig({});
export const plan: typeof planAssignments = planAssignments;
const stack = new Stack(new App(), 'Consumer');
export const pool: EniPool = new EniPool(stack, 'EniPool', { poolName: 'bastion' });
export const interfaces: typeof EniPoolInterfaces = EniPoolInterfaces;
`,
  );
  const tsc = join(modules, 'typescript/bin/tsc');
  for (const [module, resolution] of [
    ['node16', 'node16'],
    ['esnext', 'bundler'],
  ]) {
    const typecheck = spawnSync(
      process.execPath,
      [
        tsc,
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        '--target',
        'es2022',
        '--module',
        module,
        '--moduleResolution',
        resolution,
        '--types',
        'node',
        'consumer.ts',
      ],
      { cwd: app, encoding: 'utf8' },
    );
    check(
      typecheck.status === 0,
      `consumer.ts type-checks with module ${module}, moduleResolution ${resolution}${typecheck.status ? `:\n${typecheck.stdout}` : ''}`,
    );
  }
  const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const sdk = sizeOf(join(modules, '@aws-sdk')) + sizeOf(join(modules, '@smithy'));
  const cdk = sizeOf(join(modules, 'aws-cdk-lib'));
  process.stdout.write(
    `node_modules: ${mib(sizeOf(modules))} (@aws-sdk + @smithy ${mib(sdk)}, aws-cdk-lib ${mib(cdk)}); node ${process.version}; ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
} finally {
  if (process.argv.includes('--keep')) process.stdout.write(`kept ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
}
process.stdout.write(`consumer: ${passed} passed, ${failures.length} failed\n`);
process.exit(failures.length === 0 ? 0 : 1);
