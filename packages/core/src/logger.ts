/** The logger shape eni-pool writes to; Powertools' Logger and `console` both fit. */
export interface Logger {
  /** Detail for troubleshooting. */
  debug(message: string, context?: Record<string, unknown>): void;
  /** What eni-pool did: plans applied, races lost. */
  info(message: string, context?: Record<string, unknown>): void;
  /** Something to look at: a failed or skipped action, a reconcile that did not converge. */
  warn(message: string, context?: Record<string, unknown>): void;
  /** A failure that needs attention. */
  error(message: string, context?: Record<string, unknown>): void;
}

/** The lowest level `createJsonLogger` writes; `silent` writes nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/**
 * A logger that writes one JSON line per entry to stderr, at `level` and above.
 *
 * @example
 * ```ts
 * const logger = createJsonLogger('info');
 * logger.info('reconciled', { pool: 'bastion' });
 * ```
 */
export function createJsonLogger(
  level: LogLevel = 'warn',
  write = (line: string) => process.stderr.write(line),
): Logger {
  const at =
    (entryLevel: Exclude<LogLevel, 'silent'>) => (message: string, context?: Record<string, unknown>) => {
      if (rank[entryLevel] < rank[level]) return;
      write(
        `${JSON.stringify({ level: entryLevel, time: new Date().toISOString(), message, ...context })}\n`,
      );
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** The default for library code: warnings and errors only. */
export const defaultLogger: Logger = createJsonLogger('warn');
