import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node22',
  // `import.meta.url` locates the shipped bundle in both builds.
  shims: true,
  external: ['aws-cdk-lib', 'constructs'],
});
