/** How an AWS error should be handled; the single place where AWS error codes are interpreted. */
export type AwsErrorClass =
  | 'throttling'
  | 'server'
  | 'in-use'
  | 'incorrect-state'
  | 'not-found'
  | 'already-detached'
  | 'lifecycle-action-over'
  | 'client';

export function classifyAwsError(_error: unknown): AwsErrorClass {
  throw new Error('not implemented yet');
}
