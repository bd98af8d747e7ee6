import { defineConfig } from 'tsup';

export default defineConfig({
  // `lambda` is the ready handler (`@eni-pool/lambda-adapter/handler`), configured from the environment on import.
  entry: ['src/index.ts', 'src/lambda.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node22',
});
