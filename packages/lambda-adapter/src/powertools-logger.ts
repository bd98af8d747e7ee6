import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Logger, LogLevel } from '@eni-pool/core';

const powertoolsLevel = {
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  silent: 'SILENT',
} as const satisfies Record<LogLevel, string>;

/**
 * The part of Powertools' `Logger` that eni-pool writes through. Any Powertools logger (or child
 * logger) fits.
 */
export type PowertoolsLike = Pick<PowertoolsLogger, 'debug' | 'info' | 'warn' | 'error'>;

/**
 * Adapts a Powertools logger to core's `Logger` shape: the message stays the message and the context
 * object becomes top-level keys of the JSON entry, next to the Lambda context Powertools adds.
 *
 * @example
 * ```ts
 * const powertools = new Logger({ serviceName: 'eni-pool' });
 * const manager = new EniPoolManager({ logger: fromPowertools(powertools) });
 * ```
 */
export function fromPowertools(powertools: PowertoolsLike): Logger {
  const at =
    (level: keyof PowertoolsLike) =>
    (message: string, context?: Record<string, unknown>): void => {
      if (context === undefined) powertools[level](message);
      else powertools[level](message, context);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * A Powertools logger for the function: structured JSON on stdout, service `eni-pool`, at `level`.
 *
 * @example
 * ```ts
 * const powertools = createPowertoolsLogger('info');
 * powertools.addContext(context); // adds function name, request id, cold start
 * ```
 */
export function createPowertoolsLogger(level: LogLevel, serviceName = 'eni-pool'): PowertoolsLogger {
  return new PowertoolsLogger({ serviceName, logLevel: powertoolsLevel[level] });
}
