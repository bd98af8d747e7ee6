/** Base class of the errors the CLI raises itself; `exitCode` is what the process exits with. */
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

/** The command line cannot be run as written: unknown command or flag, missing or bad value. Exit 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}
