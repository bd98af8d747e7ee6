import type { Trigger } from './trigger';

/**
 * Turns an EventBridge event, an Auto Scaling lifecycle notification (raw, or in an SNS envelope) or a
 * JSON string of one into a `Trigger`. Throws `UnsupportedEventError` or `InvalidEventError`.
 */
export function parseEvent(_input: unknown): Trigger {
  throw new Error('not implemented yet');
}
