/** Where the demo's lines go. */
export type Print = (line: string) => void;

/** Nothing when `quiet`; `write`, or standard output, otherwise. */
export function printerOf(options: { readonly quiet?: boolean; readonly write?: Print }): Print {
  if (options.quiet) return () => {};
  return options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
}

/** Prints a line of narration, behind the seconds since `startedAt`: `   +1.23s  attached …`. */
export function narrator(print: Print, startedAt: number): Print {
  return (line) => {
    const seconds = `+${((Date.now() - startedAt) / 1000).toFixed(2)}s`;
    print(`  ${seconds.padStart(7)}  ${line}`);
  };
}

/** Columns padded to their widest cell. */
export function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
  );
}
