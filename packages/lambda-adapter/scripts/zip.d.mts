/** One file of an archive. `mode` is the Unix permission bits. @defaultValue `0o644` */
export interface ZipEntry {
  readonly name: string;
  readonly data: Uint8Array;
  readonly mode?: number;
}

/** Writes a deflate ZIP archive (no ZIP64) with a fixed timestamp: the same entries give the same bytes. */
export function createZip(entries: readonly ZipEntry[]): Buffer;
