import type { Metafile } from 'esbuild';

export interface BundleSizes {
  /** Bytes of `index.mjs`. */
  readonly raw: number;
  /** Bytes of `index.mjs` gzipped at level 9. */
  readonly gzip: number;
  /** Bytes of `eni-pool-lambda.zip`. */
  readonly zip: number;
}

/** Builds `dist-lambda/` (bundle, source map, zip, local-code template) and returns what it wrote. */
export function packageLambda(options?: { readonly quiet?: boolean }): Promise<{
  readonly outDir: string;
  readonly sizes: BundleSizes;
  readonly metafile: Metafile;
}>;

/** The template with `Code` pointing at the zip beside it and the S3 code parameters removed. */
export function localCodeTemplate(template: string): string;
