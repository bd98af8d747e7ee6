import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { EniPoolCdkError } from './errors';

/**
 * Where the package keeps the function's deployment package: `lambda/eni-pool-lambda.zip`, built from
 * `@eni-pool/lambda-adapter` when this package is built, and shipped with it.
 */
export const BUNDLED_LAMBDA_ZIP = fileURLToPath(new URL('../lambda/eni-pool-lambda.zip', import.meta.url));

/**
 * The eni-pool function's code as shipped with this package (the minified bundle with the AWS SDK inside,
 * handler `index.handler`).
 *
 * @throws EniPoolCdkError when the zip is missing (a source checkout that was not built).
 * @example
 * ```ts
 * new EniPool(this, 'EniPool', { code: bundledCode() }); // the same as leaving `code` out
 * ```
 */
export function bundledCode(): Code {
  if (!existsSync(BUNDLED_LAMBDA_ZIP)) {
    throw new EniPoolCdkError(
      `the eni-pool function bundle is missing at ${BUNDLED_LAMBDA_ZIP}; build @eni-pool/cdk (pnpm build) or pass 'code'`,
    );
  }
  return Code.fromAsset(BUNDLED_LAMBDA_ZIP);
}
