import {
  InvalidEventError,
  type Logger,
  parseEvent,
  type Trigger,
  UnsupportedEventError,
} from '@eni-pool/core';
import type { RejectedResult } from './types';

/** Parses an event; a parse failure of any kind becomes a rejection, since retrying cannot fix it. */
export function parseOrReject(
  input: unknown,
  logger: Logger,
): { readonly trigger: Trigger } | { readonly rejected: RejectedResult } {
  try {
    return { trigger: parseEvent(input) };
  } catch (error) {
    const rejected = rejectionOf(error);
    logger.warn('event rejected; nothing was changed', {
      error: rejected.error,
      reason: rejected.message,
      ...(rejected.field === undefined ? {} : { field: rejected.field }),
      ...(error instanceof UnsupportedEventError && error.seen !== undefined ? { seen: error.seen } : {}),
    });
    return { rejected };
  }
}

function rejectionOf(error: unknown): RejectedResult {
  if (error instanceof InvalidEventError) {
    return { status: 'rejected', error: error.name, message: error.message, field: error.field };
  }
  if (error instanceof UnsupportedEventError) {
    return { status: 'rejected', error: error.name, message: error.message };
  }
  return {
    status: 'rejected',
    error: error instanceof Error ? error.name : 'Error',
    message: error instanceof Error ? error.message : String(error),
  };
}
