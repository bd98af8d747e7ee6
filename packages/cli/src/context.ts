import type { CliArgs } from './args';
import type { PoolContext } from './pools';
import type { Style } from './render';
import type { Report } from './report';

/** What a command runs with. */
export interface CommandContext {
  readonly args: CliArgs;
  readonly aws: PoolContext;
  /** The region the clients resolved. */
  readonly region: string;
  /** Styles stdout text (plain unless stdout is a terminal). */
  readonly style: Style;
  /** Whether `sync` reports each action as it goes: on a terminal, or with `--progress`. */
  readonly showProgress: boolean;
  /** Progress and questions go to stderr, so stdout stays the result. */
  readonly progress: (line: string) => void;
  /** Asks a yes/no question on the terminal; `undefined` when there is no terminal to ask on. */
  readonly confirm: ((question: string) => Promise<boolean>) | undefined;
  readonly signal?: AbortSignal;
}

/** What a command produced: the `--json` document, the text lines, and the exit code. */
export interface CommandResult<R extends Report = Report> {
  readonly report: R;
  readonly text: readonly string[];
  readonly exitCode: 0 | 1;
}
