import { randomUUID } from 'node:crypto';
import { DEFAULT_IDENTITY, type EventBridgeEvent, type SimIdentity } from '../contracts';

/** What varies between events; the envelope fields (`version`, `id`, `account`, …) are filled in. */
export interface EventInput {
  readonly source: string;
  readonly detailType: string;
  readonly detail?: Readonly<Record<string, unknown>>;
  readonly resources?: readonly string[];
  /** @defaultValue now */
  readonly time?: Date;
}

/** EventBridge writes `time` to the second, without milliseconds: `2015-10-08T16:53:06Z`. */
export function eventTime(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Builds an EventBridge event envelope as AWS delivers it (`version` "0", a fresh v4 `id`).
 *
 * @example
 * ```ts
 * const event = createEvent({
 *   source: 'aws.ec2',
 *   detailType: 'EC2 Instance State-change Notification',
 *   detail: { 'instance-id': 'i-0abc', state: 'running' },
 *   resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-0abc'],
 * });
 * ```
 */
export function createEvent(input: EventInput, identity: SimIdentity = DEFAULT_IDENTITY): EventBridgeEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': input.detailType,
    source: input.source,
    account: identity.account,
    time: eventTime(input.time),
    region: identity.region,
    resources: [...(input.resources ?? [])],
    detail: { ...(input.detail ?? {}) },
  };
}

/** The rule name the scheduled sync uses when none is given. */
export const DEFAULT_SCHEDULE_RULE = 'eni-pool-sync';

/**
 * An EventBridge "Scheduled Event", field for field as a scheduled rule delivers it: `source`
 * `aws.events`, the rule ARN as the only resource, an empty `detail`.
 *
 * @example
 * ```ts
 * const tick = scheduledEvent(); // resources: ['arn:aws:events:us-east-1:123456789012:rule/eni-pool-sync']
 * ```
 */
export function scheduledEvent(ruleArn?: string, identity: SimIdentity = DEFAULT_IDENTITY): EventBridgeEvent {
  const arn =
    ruleArn ?? `arn:aws:events:${identity.region}:${identity.account}:rule/${DEFAULT_SCHEDULE_RULE}`;
  return createEvent(
    { source: 'aws.events', detailType: 'Scheduled Event', resources: [arn], detail: {} },
    identity,
  );
}
