import { defineConfig } from 'tsup';

export default defineConfig({
  // `bin.ts` is the executable (its shebang is kept); `index.ts` the programmatic entry.
  entry: ['src/index.ts', 'src/bin.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node22',
});
