/**
 * Base class of the errors the CLI raises itself; `exitCode` is what the process exits with.
 *
 * @example
 * ```ts
 * try { parseCliArgs(argv); } catch (error) { if (error instanceof CliError) process.exitCode = error.exitCode; }
 * ```
 */
export class CliError extends Error {
  constructor(
    message: string,
    /** 1: something to fix or an AWS call failed; 2: the command line was wrong. */
    readonly exitCode: 1 | 2 = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The command line cannot be run as written: unknown command or flag, missing or bad value. Exit 2.
 *
 * @example
 * ```ts
 * expect(() => parseCliArgs(['plan', '--yes'])).toThrow(UsageError);
 * ```
 */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}
