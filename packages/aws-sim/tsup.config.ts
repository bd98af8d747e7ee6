import { defineConfig } from 'tsup';

export default defineConfig({
  // `cli` is the `aws-sim` command (bin → dist/cli.js); the library entries (the root and `./testing`)
  // get type declarations.
  entry: { index: 'src/index.ts', testing: 'src/testing.ts', cli: 'src/cli.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', testing: 'src/testing.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node22',
});
