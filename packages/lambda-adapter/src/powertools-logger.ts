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

/** The log key Powertools writes the correlation id under. */
const CORRELATION_KEY = 'correlation_id';

function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' && field !== '' ? field : undefined;
}

/**
 * The id that ties together the log lines of one event: the EventBridge envelope's `id` (the same on every
 * delivery of the event, through a rule or an SQS queue), else an SQS record's `messageId`. For a whole SQS
 * batch there is no one id; ask per record.
 *
 * @example
 * ```ts
 * correlationIdOf({ id: '7bf73129-1428-4cd3-a780-95db273d1602', source: 'aws.ec2' }); // '7bf73129-…'
 * correlationIdOf({ messageId: 'm-1', body: '{"id":"e-1","source":"aws.ec2"}' }); // 'e-1'
 * correlationIdOf({ Records: [] }); // undefined
 * ```
 */
export function correlationIdOf(event: unknown): string | undefined {
  const messageId = stringField(event, 'messageId');
  if (messageId !== undefined) {
    const body = stringField(event, 'body');
    if (body !== undefined) {
      try {
        return stringField(JSON.parse(body), 'id') ?? messageId;
      } catch {
        return messageId;
      }
    }
    return messageId;
  }
  return stringField(event, 'id');
}

/**
 * What a handler does with its logger as an invocation (or one SQS record) starts: the Lambda context
 * (request id, cold start), the event's id as `correlation_id` on every line until the returned function is
 * called, and the event itself at info when `logEvent` is on (`POWERTOOLS_LOGGER_LOG_EVENT`). The returned
 * function removes the correlation id again, since a container serves many invocations.
 *
 * @example
 * ```ts
 * const end = beginEventLog(powertools, event, { context, logEvent: config.logEvent });
 * try {
 *   return await handle(event);
 * } finally {
 *   end();
 * }
 * ```
 */
export function beginEventLog(
  powertools: Pick<PowertoolsLogger, 'addContext' | 'appendKeys' | 'removeKeys' | 'logEventIfEnabled'>,
  event: unknown,
  options: {
    readonly context?: Parameters<PowertoolsLogger['addContext']>[0];
    readonly logEvent?: boolean;
  } = {},
): () => void {
  if (options.context !== undefined) powertools.addContext(options.context);
  const id = correlationIdOf(event);
  if (id !== undefined) powertools.appendKeys({ [CORRELATION_KEY]: id });
  powertools.logEventIfEnabled(event, options.logEvent ?? false);
  return () => {
    if (id !== undefined) powertools.removeKeys([CORRELATION_KEY]);
  };
}
