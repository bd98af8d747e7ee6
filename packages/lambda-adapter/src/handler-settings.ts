import { ConfigurationError, DEFAULT_POOL_TAG_KEY, defaultLogger, type Logger } from '@eni-pool/core';
import { DEFAULT_HOOK_NAME_PREFIX } from '@eni-pool/lifecycle-hook-adapter';
import { fromPowertools } from './powertools-logger';
import type { HandlerOptions } from './types';

/** A handler's options, checked and with their defaults filled in. */
export interface HandlerSettings {
  readonly deadlineMarginMs: number;
  readonly poolTagKey: string;
  readonly hookNamePrefix: string;
  readonly logger: Logger;
  readonly detectTerminating: boolean;
}

/**
 * Checks a handler's options and fills in their defaults. The pool tag key comes from the options or the
 * given manager, which must agree when both name one.
 *
 * @throws ConfigurationError naming the setting (`deadlineMarginMs`, `poolTagKey`, `detectTerminating`).
 */
export function resolveHandlerSettings(options: HandlerOptions): HandlerSettings {
  const deadlineMarginMs = options.deadlineMarginMs ?? 5_000;
  if (!Number.isInteger(deadlineMarginMs) || deadlineMarginMs < 0) {
    throw new ConfigurationError(
      `deadlineMarginMs must be a non-negative integer, got ${deadlineMarginMs}`,
      'deadlineMarginMs',
    );
  }
  const poolTagKey = resolvePoolTagKey(options);
  const hookNamePrefix = options.hookNamePrefix ?? DEFAULT_HOOK_NAME_PREFIX;
  const logger = options.logger ?? (options.powertools ? fromPowertools(options.powertools) : defaultLogger);
  if (options.detectTerminating !== undefined && typeof options.detectTerminating !== 'boolean') {
    throw new ConfigurationError(
      `detectTerminating must be true or false, got ${String(options.detectTerminating)}`,
      'detectTerminating',
    );
  }
  return {
    deadlineMarginMs,
    poolTagKey,
    hookNamePrefix,
    logger,
    detectTerminating: options.detectTerminating ?? true,
  };
}

function resolvePoolTagKey(options: HandlerOptions): string {
  const managerTagKey = (options.manager as { poolTagKey?: string } | undefined)?.poolTagKey;
  if (
    options.poolTagKey !== undefined &&
    managerTagKey !== undefined &&
    options.poolTagKey !== managerTagKey
  ) {
    throw new ConfigurationError(
      `poolTagKey '${options.poolTagKey}' differs from the manager's planner.poolTagKey '${managerTagKey}'`,
      'poolTagKey',
    );
  }
  return options.poolTagKey ?? managerTagKey ?? DEFAULT_POOL_TAG_KEY;
}
