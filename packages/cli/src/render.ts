/** Text output: aligned tables, and colour only when writing to a terminal. */

/** Colours a string, or leaves it as it is when colour is off. */
export interface Style {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly red: (text: string) => string;
}

const plain = (text: string) => text;
const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

/**
 * Colour on a terminal only, and never with `NO_COLOR` set (https://no-color.org) or `TERM=dumb`;
 * `FORCE_COLOR` (non-empty, not `0`) turns it on anywhere.
 */
export function createStyle(
  isTTY: boolean | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Style {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0';
  const on = forced || (isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb');
  if (!on) return { bold: plain, dim: plain, green: plain, yellow: plain, red: plain };
  return { bold: sgr(1, 22), dim: sgr(2, 22), green: sgr(32, 39), yellow: sgr(33, 39), red: sgr(31, 39) };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: strips the SGR sequences `Style` writes.
const ANSI = /\u001b\[[0-9;]*m/g;

function width(text: string): number {
  return text.replace(ANSI, '').length;
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  indent = '  ',
): string[] {
  const widths = header.map((h, column) =>
    Math.max(width(h), ...rows.map((row) => width(row[column] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    indent +
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell + ' '.repeat(widths[column]! - width(cell)),
      )
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** `1 interface`, `2 interfaces`. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}
