import { fileURLToPath } from 'node:url';

const src = (pkg: string, entry = 'index') =>
  fileURLToPath(new URL(`./packages/${pkg}/src/${entry}.ts`, import.meta.url));

/**
 * Tests run against the sources of sibling packages, so no build is needed between edits. A subpath comes
 * before its package, since the first alias that matches wins.
 */
export const workspaceAliases = {
  '@eni-pool/core/testing': src('core', 'testing/index'),
  '@eni-pool/core': src('core'),
  '@eni-pool/aws-sim/testing': src('aws-sim', 'testing'),
  '@eni-pool/aws-sim': src('aws-sim'),
  '@eni-pool/lifecycle-hook-adapter': src('lifecycle-hook-adapter'),
  '@eni-pool/lambda-adapter': src('lambda-adapter'),
  '@eni-pool/sqs-adapter': src('sqs-adapter'),
  '@eni-pool/cli': src('cli'),
};
