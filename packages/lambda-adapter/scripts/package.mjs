// Builds the deployable Lambda artifact:
//   dist-lambda/index.mjs            one minified, tree-shaken ESM bundle (AWS SDK and Powertools included)
//   dist-lambda/index.mjs.map        its source map (kept out of the zip; use it to read stack traces)
//   dist-lambda/eni-pool-lambda.zip  index.mjs, ready for `aws lambda update-function-code` or CloudFormation
//   dist-lambda/eni-pool.yaml        the CloudFormation template with `Code` as a local path, for
//                                    `aws cloudformation package`
// The workspace packages are bundled from their sources, so no prior build is needed.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { createZip } from './zip.mjs';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = resolve(packageDir, '..');
const defaultOutDir = resolve(packageDir, 'dist-lambda');

const workspaceSource = (name) => resolve(packagesDir, name, 'src/index.ts');

export async function packageLambda({
  quiet = false,
  outDir = defaultOutDir,
  externalSdk = false,
  readableNames = false,
} = {}) {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    absWorkingDir: packageDir,
    entryPoints: { index: 'src/lambda.ts' },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    minify: !readableNames,
    // For comparison only (the bench): whitespace and syntax minified, identifiers left as written.
    ...(readableNames ? { minifyWhitespace: true, minifySyntax: true, minifyIdentifiers: false } : {}),
    // Errors are named after their class (`this.name = new.target.name`); keep those names readable.
    keepNames: true,
    treeShaking: true,
    platform: 'node',
    // Prefer the ES module builds: the SDK's CommonJS builds are single files that cannot be tree-shaken.
    mainFields: ['module', 'main'],
    target: 'node22',
    format: 'esm',
    sourcemap: 'linked',
    // Some CommonJS dependencies require() Node built-ins; ESM has no `require`, so provide one.
    banner: {
      js: "import{createRequire as __eniPoolRequire}from'node:module';const require=__eniPoolRequire(import.meta.url);",
    },
    alias: {
      '@eni-pool/core': workspaceSource('core'),
      '@eni-pool/lifecycle-hook-adapter': workspaceSource('lifecycle-hook-adapter'),
    },
    // For comparison only (the bench): leave the SDK to the runtime's copy instead of bundling it.
    ...(externalSdk ? { external: ['@aws-sdk/*', '@smithy/*'] } : {}),
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const bundle = await readFile(resolve(outDir, 'index.mjs'));
  const zip = createZip([{ name: 'index.mjs', data: bundle }]);
  await writeFile(resolve(outDir, 'eni-pool-lambda.zip'), zip);

  const template = await readFile(resolve(packageDir, 'cloudformation/eni-pool.yaml'), 'utf8');
  await writeFile(resolve(outDir, 'eni-pool.yaml'), localCodeTemplate(template));

  const sizes = { raw: bundle.length, gzip: gzipSync(bundle, { level: 9 }).length, zip: zip.length };
  if (!quiet) {
    const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
    process.stdout.write(
      `${relative(process.cwd(), resolve(outDir, 'index.mjs'))}: ${kb(sizes.raw)} (gzip ${kb(sizes.gzip)}, zip ${kb(sizes.zip)}), ${Object.keys(result.metafile.inputs).length} modules\n`,
    );
  }
  return { outDir, sizes, metafile: result.metafile };
}

/**
 * The template takes its code from the `CodeS3Bucket`/`CodeS3Key` parameters. `aws cloudformation package`
 * only uploads a `Code` that is a plain local path, so this copy points `Code` at the zip beside it and drops
 * the two parameters.
 */
export function localCodeTemplate(template) {
  const code = /^( +)Code:\n\1 {2}S3Bucket: !Ref CodeS3Bucket\n\1 {2}S3Key: !Ref CodeS3Key\n/m;
  const parameters = /^ *# >>> code-location-parameters.*\n[\s\S]*?^ *# <<< code-location-parameters\n/m;
  if (!code.test(template) || !parameters.test(template)) {
    throw new Error('cloudformation/eni-pool.yaml: the code location block or its parameters were not found');
  }
  return template
    .replace(code, (_match, indent) => `${indent}Code: ./eni-pool-lambda.zip\n`)
    .replace(parameters, '');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await packageLambda();
}
