import { existsSync } from 'node:fs';
import { bundleLambda } from '../../scripts/bundle-lambda.mjs';
import { BUNDLED_LAMBDA_ZIP } from '../../src/bundle';

/** The construct deploys the shipped bundle by default; build it once when the package was not built. */
export default async function setup(): Promise<void> {
  if (!existsSync(BUNDLED_LAMBDA_ZIP)) await bundleLambda();
}
