import { defineConfig } from 'tsup';

export default defineConfig({
  // `cli` is the `eni-pool-sqs` command (bin → dist/cli.js); only the library entry gets type declarations.
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node22',
});
