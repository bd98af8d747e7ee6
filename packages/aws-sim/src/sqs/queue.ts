import { SqsApiError } from './errors';
import type { MessageAttributeValue } from './md5';

/** `RedrivePolicy`: where a message goes after it was received `maxReceiveCount` times without a delete. */
export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

/** A queue's settings, in the units SQS uses (seconds, bytes). */
export interface QueueSettings {
  readonly visibilityTimeout: number;
  readonly messageRetentionPeriod: number;
  readonly receiveMessageWaitTimeSeconds: number;
  readonly delaySeconds: number;
  readonly maximumMessageSize: number;
  readonly redrivePolicy: RedrivePolicy | undefined;
  /** Attributes accepted and echoed back but without behaviour here (`Policy`, KMS and SSE settings). */
  readonly opaque: Readonly<Record<string, string>>;
}

export const DEFAULT_QUEUE_SETTINGS: QueueSettings = {
  visibilityTimeout: 30,
  messageRetentionPeriod: 345_600,
  receiveMessageWaitTimeSeconds: 0,
  delaySeconds: 0,
  maximumMessageSize: 262_144,
  redrivePolicy: undefined,
  opaque: {},
};

/** Longest a message can stay invisible after one receive, extensions included (12 hours). */
export const MAX_VISIBILITY_SECONDS = 43_200;

const NUMERIC_ATTRIBUTES = {
  VisibilityTimeout: { key: 'visibilityTimeout', min: 0, max: MAX_VISIBILITY_SECONDS },
  MessageRetentionPeriod: { key: 'messageRetentionPeriod', min: 60, max: 1_209_600 },
  ReceiveMessageWaitTimeSeconds: { key: 'receiveMessageWaitTimeSeconds', min: 0, max: 20 },
  DelaySeconds: { key: 'delaySeconds', min: 0, max: 900 },
  MaximumMessageSize: { key: 'maximumMessageSize', min: 1024, max: 1_048_576 },
} as const;

const OPAQUE_ATTRIBUTES = new Set([
  'Policy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'RedriveAllowPolicy',
]);

const FIFO_ATTRIBUTES = new Set([
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

/** Every attribute name GetQueueAttributes accepts for a standard queue here. */
export const QUEUE_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set([
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'RedrivePolicy',
  ...Object.keys(NUMERIC_ATTRIBUTES),
  ...OPAQUE_ATTRIBUTES,
]);

/**
 * Applies `Attributes` from CreateQueue/SetQueueAttributes to `current`, validating every value first, so a
 * bad attribute leaves the queue unchanged. `deadLetterExists` checks a redrive target ARN.
 */
export function applyQueueAttributes(
  current: QueueSettings,
  attributes: Readonly<Record<string, string>>,
  deadLetterExists: (arn: string) => boolean,
): QueueSettings {
  const opaque: Record<string, string> = { ...current.opaque };
  const next: { -readonly [K in keyof QueueSettings]: QueueSettings[K] } = { ...current, opaque };
  for (const [name, raw] of Object.entries(attributes)) {
    if (name in NUMERIC_ATTRIBUTES) {
      const spec = NUMERIC_ATTRIBUTES[name as keyof typeof NUMERIC_ATTRIBUTES];
      const value = Number(raw);
      if (!/^\d+$/.test(raw.trim()) || value < spec.min || value > spec.max) {
        throw new SqsApiError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
      }
      next[spec.key] = value;
    } else if (name === 'RedrivePolicy') {
      next.redrivePolicy = parseRedrivePolicy(raw, deadLetterExists);
    } else if (OPAQUE_ATTRIBUTES.has(name)) {
      opaque[name] = raw;
    } else if (FIFO_ATTRIBUTES.has(name)) {
      throw new SqsApiError(
        'UnsupportedOperation',
        `${name}: FIFO queues are not modelled by this simulator.`,
      );
    } else {
      throw new SqsApiError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
  }
  return next;
}

function parseRedrivePolicy(
  raw: string,
  deadLetterExists: (arn: string) => boolean,
): RedrivePolicy | undefined {
  if (raw.trim() === '') return undefined;
  const invalid = (reason: string) =>
    new SqsApiError(
      'InvalidParameterValue',
      `Value ${raw} for parameter RedrivePolicy is invalid. Reason: ${reason}`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid('Redrive policy is not a valid JSON map.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('Redrive policy is not a valid JSON map.');
  }
  const { deadLetterTargetArn, maxReceiveCount } = parsed as Record<string, unknown>;
  if (typeof deadLetterTargetArn !== 'string' || deadLetterTargetArn === '') {
    throw invalid('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  }
  const count = typeof maxReceiveCount === 'string' ? Number(maxReceiveCount) : maxReceiveCount;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1000) {
    throw invalid('Invalid value for maxReceiveCount: must be an integer from 1 to 1000.');
  }
  if (!deadLetterExists(deadLetterTargetArn)) throw invalid('Dead letter target does not exist.');
  return { deadLetterTargetArn, maxReceiveCount: count };
}

/** The settable attributes of `settings` in SQS's string form. */
export function settingsAsAttributes(settings: QueueSettings): Record<string, string> {
  const out: Record<string, string> = {
    VisibilityTimeout: String(settings.visibilityTimeout),
    MessageRetentionPeriod: String(settings.messageRetentionPeriod),
    ReceiveMessageWaitTimeSeconds: String(settings.receiveMessageWaitTimeSeconds),
    DelaySeconds: String(settings.delaySeconds),
    MaximumMessageSize: String(settings.maximumMessageSize),
    ...settings.opaque,
  };
  if (settings.redrivePolicy) out.RedrivePolicy = JSON.stringify(settings.redrivePolicy);
  return out;
}

/** One message as the queue stores it. Times are epoch milliseconds. */
export interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly messageAttributes: Readonly<Record<string, MessageAttributeValue>>;
  readonly md5OfMessageAttributes: string | undefined;
  /** When it was first sent; kept when the message moves to a dead-letter queue. */
  readonly sentAt: number;
  /** Until when it is delayed (never received) or in flight (received); visible from then on. */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt: number | undefined;
  lastReceivedAt: number | undefined;
  /** The handle of the most recent receive. */
  receiptHandle: string | undefined;
}

/** Where a message stands at a given moment. */
export type MessageState = 'visible' | 'delayed' | 'in-flight';

export function messageState(message: StoredMessage, now: number): MessageState {
  if (message.visibleAt <= now) return 'visible';
  return message.receiveCount === 0 ? 'delayed' : 'in-flight';
}

/** A standard queue: its settings, its messages (in send order) and the receipt handles it issued. */
export class SimQueue {
  settings: QueueSettings;
  lastModifiedAt: number;
  lastPurgeAt: number | undefined;
  readonly messages = new Map<string, StoredMessage>();
  /** Every receipt handle issued, to tell a stale or deleted message's handle from an invalid one. */
  readonly handles = new Map<string, string>();
  readonly tags: Record<string, string>;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly name: string,
    readonly arn: string,
    settings: QueueSettings,
    readonly createdAt: number,
    tags: Readonly<Record<string, string>> = {},
  ) {
    this.settings = settings;
    this.lastModifiedAt = createdAt;
    this.tags = { ...tags };
  }

  /** Registers a callback for the next change that may make a message receivable; returns a remover. */
  onChange(waiter: () => void): () => void {
    this.waiters.add(waiter);
    return () => this.waiters.delete(waiter);
  }

  /** Wakes every long poll waiting on this queue. */
  notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) waiter();
  }

  /** Drops messages older than the retention period. */
  expire(now: number, msPerSecond: number): void {
    const oldest = now - this.settings.messageRetentionPeriod * msPerSecond;
    for (const [id, message] of this.messages) {
      if (message.sentAt < oldest) this.messages.delete(id);
    }
  }

  counts(now: number): Record<MessageState, number> {
    const counts: Record<MessageState, number> = { visible: 0, delayed: 0, 'in-flight': 0 };
    for (const message of this.messages.values()) counts[messageState(message, now)] += 1;
    return counts;
  }

  /** The earliest moment after `now` at which a hidden message becomes visible, if any. */
  nextVisibleAt(now: number): number | undefined {
    let next: number | undefined;
    for (const message of this.messages.values()) {
      if (message.visibleAt > now && (next === undefined || message.visibleAt < next))
        next = message.visibleAt;
    }
    return next;
  }
}
