/** A claim of the demo that did not hold. */
export class DemoCheckError extends Error {
  constructor(
    readonly claim: string,
    readonly seen: string,
  ) {
    super(`${claim}: ${seen}`);
    this.name = 'DemoCheckError';
  }
}

/** Throws a `DemoCheckError` with what was seen instead when `ok` is false. */
export function check(ok: boolean, claim: string, seen: () => string): void {
  if (!ok) throw new DemoCheckError(claim, seen());
}
