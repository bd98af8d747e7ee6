// Builds the eni-pool function bundle from @eni-pool/lambda-adapter into lambda/eni-pool-lambda.zip, the code
// the EniPool construct deploys by default, shipped in this package's tarball.
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageLambda } from '../../lambda-adapter/scripts/package.mjs';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundleLambda() {
  const outDir = await mkdtemp(join(tmpdir(), 'eni-pool-cdk-bundle-'));
  try {
    await packageLambda({ quiet: true, outDir });
    await mkdir(join(packageDir, 'lambda'), { recursive: true });
    await copyFile(join(outDir, 'eni-pool-lambda.zip'), join(packageDir, 'lambda', 'eni-pool-lambda.zip'));
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundleLambda();
}
