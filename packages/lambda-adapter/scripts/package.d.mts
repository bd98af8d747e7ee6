import type { Metafile } from 'esbuild';

export interface BundleSizes {
  /** Bytes of `index.mjs`. */
  readonly raw: number;
  /** Bytes of `index.mjs` gzipped at level 9. */
  readonly gzip: number;
  /** Bytes of `eni-pool-lambda.zip`. */
  readonly zip: number;
}

/**
 * Builds the bundle, its source map, the zip and the local-code template into `outDir` (emptied first)
 * and returns what it wrote.
 */
export function packageLambda(options?: {
  /** No summary line on stdout. @defaultValue `false` */
  readonly quiet?: boolean;
  /** @defaultValue `dist-lambda/` in the package */
  readonly outDir?: string;
  /**
   * Leave `@aws-sdk/*` and `@smithy/*` out of the bundle (to be resolved at run time), for size and
   * start-up comparisons. The deployable artifact bundles them. @defaultValue `false`
   */
  readonly externalSdk?: boolean;
  /**
   * Leave identifiers unminified (whitespace and syntax still minified), for the bench's comparison of
   * readable stack traces without source maps. @defaultValue `false`
   */
  readonly readableNames?: boolean;
}): Promise<{
  readonly outDir: string;
  readonly sizes: BundleSizes;
  readonly metafile: Metafile;
}>;

/** The template with `Code` pointing at the zip beside it and the S3 code parameters removed. */
export function localCodeTemplate(template: string): string;
