/** Code-unit order: locale-independent and fast, so plans sort the same on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
