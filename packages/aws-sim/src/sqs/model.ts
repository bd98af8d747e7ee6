import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_IDENTITY, type QueueSink, type SimIdentity } from '../contracts';
import { SeededRandom } from '../random';
import { QueueNotFoundError, SimConfigurationError, SqsApiError, type SqsErrorCode } from './errors';
import { type MessageAttributeValue, md5OfBody, md5OfMessageAttributes } from './md5';
import {
  applyQueueAttributes,
  DEFAULT_QUEUE_SETTINGS,
  MAX_VISIBILITY_SECONDS,
  type MessageState,
  messageState,
  QUEUE_ATTRIBUTE_NAMES,
  type QueueSettings,
  SimQueue,
  type StoredMessage,
  settingsAsAttributes,
} from './queue';

/** What to do with a DeleteMessage whose receipt handle is from an earlier receive of the message. */
export type StaleReceiptHandlePolicy = 'ignored' | 'honoured';

/** Options of {@link SqsModel}. */
export interface SqsModelOptions {
  /**
   * Account and region in queue URLs and ARNs.
   * @defaultValue `DEFAULT_IDENTITY` (`123456789012`, `us-east-1`)
   */
  readonly identity?: SimIdentity;
  /**
   * Base of queue URLs (`${endpoint}/${account}/${name}`); the simulator sets it once its server listens.
   * @defaultValue `'http://127.0.0.1'`
   */
  readonly endpoint?: string;
  /**
   * How long one SQS "second" lasts in real milliseconds, for visibility timeouts, delays, long polling,
   * retention and the purge cool-down. Tests shrink it (e.g. 50) to exercise expiry quickly.
   * @defaultValue 1000
   */
  readonly msPerSecond?: number;
  /**
   * AWS: "If you use an old ReceiptHandle, the request will succeed, but the message might not be deleted."
   * `'ignored'` answers success and keeps the message (the case consumers must survive); `'honoured'`
   * deletes it.
   * @defaultValue `'ignored'`
   */
  readonly staleReceiptHandles?: StaleReceiptHandlePolicy;
  /**
   * Probability (0–1) that a receive leaves the message visible, so another receive gets it again while the
   * first consumer still works on it — SQS standard queues are at-least-once. Settable at runtime.
   * @defaultValue 0
   */
  readonly duplicateDelivery?: number;
  /** Seed of the `duplicateDelivery` draws. @defaultValue 1 */
  readonly seed?: number;
  /** Clock in epoch milliseconds. @defaultValue `Date.now` */
  readonly now?: () => number;
}

/** A queue's identity. */
export interface QueueRef {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
}

/** Input of {@link SqsModel.sendMessage}. */
export interface SendMessageInput {
  readonly body: string;
  readonly delaySeconds?: number;
  readonly messageAttributes?: Readonly<Record<string, MessageAttributeValue>>;
}

/** What SendMessage answers. */
export interface SentMessage {
  readonly messageId: string;
  readonly md5OfMessageBody: string;
  readonly md5OfMessageAttributes: string | undefined;
}

/** Input of {@link SqsModel.receiveMessages}. */
export interface ReceiveInput {
  /** 1–10. @defaultValue 1 */
  readonly maxNumberOfMessages?: number;
  /** Seconds the received messages stay hidden. @defaultValue the queue's `VisibilityTimeout` */
  readonly visibilityTimeout?: number;
  /** Long-poll seconds (0–20). @defaultValue the queue's `ReceiveMessageWaitTimeSeconds` */
  readonly waitTimeSeconds?: number;
}

/** A received message with everything SQS could report about it. */
export interface ReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly messageAttributes: Readonly<Record<string, MessageAttributeValue>>;
  readonly md5OfMessageAttributes: string | undefined;
  readonly receiveCount: number;
  readonly sentTimestamp: number;
  readonly firstReceiveTimestamp: number;
}

/** A message as {@link SqsModel.messages} shows it, for assertions. */
export interface MessageSnapshot {
  readonly messageId: string;
  readonly body: string;
  readonly state: MessageState;
  readonly receiveCount: number;
  readonly sentAt: number;
}

/** The operations of the SQS JSON API this model serves. */
export const SQS_OPERATIONS = [
  'CreateQueue',
  'DeleteQueue',
  'GetQueueUrl',
  'GetQueueAttributes',
  'SetQueueAttributes',
  'ListQueues',
  'SendMessage',
  'SendMessageBatch',
  'ReceiveMessage',
  'DeleteMessage',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
  'PurgeQueue',
] as const;

export type SqsOperation = (typeof SQS_OPERATIONS)[number];

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
/** Characters SQS accepts in a message body (XML 1.0 characters). */
const INVALID_BODY_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const MAX_ATTRIBUTES = 10;
const ATTRIBUTE_NAME = /^(?!aws\.|amazon\.)(?!\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9_.-]{1,256}$/i;

/**
 * An in-memory Amazon SQS (standard queues): messages with visibility timeouts, redelivery, receive counts,
 * long polling, dead-letter redrive, retention and purge. `handleSqsJson` exposes it on the JSON wire;
 * tests can also drive it directly.
 *
 * Modelled: the operations in {@link SQS_OPERATIONS}; queue attributes `VisibilityTimeout`,
 * `MessageRetentionPeriod`, `ReceiveMessageWaitTimeSeconds`, `DelaySeconds`, `MaximumMessageSize`,
 * `RedrivePolicy` (others such as `Policy` or KMS settings are stored and echoed only); message attributes
 * with their MD5; the 12-hour visibility ceiling; one purge per 60 s; at-least-once duplicates on demand.
 * Not modelled: FIFO queues, message system attributes (`AWSTraceHeader`), permissions and tagging
 * operations, `OverLimit` at 120,000 in-flight messages, short-poll sampling (a short poll sees every
 * visible message), `QueueDeletedRecently`, and message move tasks.
 *
 * @example
 * ```ts
 * const sqs = new SqsModel({ msPerSecond: 50 });
 * const { url } = sqs.createQueue('events', { VisibilityTimeout: '2' });
 * sqs.sendMessageTo(url, '{"hello":"world"}');
 * const [message] = await sqs.receiveMessages(url, { waitTimeSeconds: 1 });
 * ```
 */
export class SqsModel implements QueueSink {
  readonly identity: SimIdentity;
  readonly msPerSecond: number;
  staleReceiptHandles: StaleReceiptHandlePolicy;
  private base: string;
  private duplicateProbability = 0;
  private readonly random: SeededRandom;
  private readonly now: () => number;
  private readonly queues = new Map<string, SimQueue>();
  private readonly sleepers = new Set<() => void>();
  private readonly injected: { operation: SqsOperation | '*'; code: SqsErrorCode; remaining: number }[] = [];
  private closed = false;

  constructor(options: SqsModelOptions = {}) {
    this.identity = options.identity ?? DEFAULT_IDENTITY;
    this.base = normaliseEndpoint(options.endpoint ?? 'http://127.0.0.1');
    const msPerSecond = options.msPerSecond ?? 1000;
    if (!Number.isFinite(msPerSecond) || msPerSecond <= 0) {
      throw new SimConfigurationError(
        `msPerSecond must be a positive number, got ${msPerSecond}`,
        'msPerSecond',
      );
    }
    this.msPerSecond = msPerSecond;
    this.staleReceiptHandles = options.staleReceiptHandles ?? 'ignored';
    this.now = options.now ?? Date.now;
    this.random = new SeededRandom(options.seed ?? 1);
    this.duplicateDelivery = options.duplicateDelivery ?? 0;
  }

  /** Probability that a received message stays visible and is delivered again (see the option). */
  get duplicateDelivery(): number {
    return this.duplicateProbability;
  }

  set duplicateDelivery(value: number) {
    if (!(value >= 0 && value <= 1)) {
      throw new SimConfigurationError(
        `duplicateDelivery must be between 0 and 1, got ${value}`,
        'duplicateDelivery',
      );
    }
    this.duplicateProbability = value;
  }

  /** Base URL of queue URLs; set by the simulator once it knows its port. */
  get endpoint(): string {
    return this.base;
  }

  set endpoint(value: string) {
    this.base = normaliseEndpoint(value);
  }

  /** Creates a queue, or returns the existing one when the attributes agree (as SQS does). */
  createQueue(
    name: string,
    attributes: Readonly<Record<string, string>> = {},
    tags: Readonly<Record<string, string>> = {},
  ): QueueRef {
    if (name.endsWith('.fifo')) {
      throw new SqsApiError('UnsupportedOperation', 'FIFO queues are not modelled by this simulator.');
    }
    if (!QUEUE_NAME.test(name)) {
      throw new SqsApiError(
        'InvalidParameterValue',
        'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    }
    const settings = applyQueueAttributes(
      DEFAULT_QUEUE_SETTINGS,
      attributes,
      (arn) => this.byArn(arn) !== undefined,
    );
    const existing = this.queues.get(name);
    if (existing) {
      const wanted = settingsAsAttributes(settings);
      const have = settingsAsAttributes(existing.settings);
      const differs = Object.keys(attributes).some((key) => wanted[key] !== have[key]);
      if (differs) {
        throw new SqsApiError(
          'QueueNameExists',
          'A queue already exists with the same name and a different value for attribute(s).',
        );
      }
      return this.ref(existing);
    }
    const queue = new SimQueue(name, this.arnOf(name), settings, this.now(), tags);
    this.queues.set(name, queue);
    return this.ref(queue);
  }

  deleteQueue(queue: string): void {
    const found = this.resolve(queue);
    this.queues.delete(found.name);
    found.notify();
  }

  /** The queue's URL, ARN and name. Accepts a URL, an ARN or a name. */
  queue(queue: string): QueueRef {
    return this.ref(this.resolve(queue));
  }

  /** The queue's current settings (seconds and bytes, as SQS counts them). */
  settingsOf(queue: string): QueueSettings {
    return this.resolve(queue).settings;
  }

  getQueueUrl(name: string, ownerAccount?: string): string {
    if (ownerAccount !== undefined && ownerAccount !== this.identity.account)
      throw new QueueNotFoundError(name);
    const found = this.queues.get(name);
    if (!found) throw new QueueNotFoundError(name);
    return this.urlOf(name);
  }

  /** Queue URLs in name order, optionally by prefix, one page of `maxResults` at a time. */
  listQueues(options: { prefix?: string; maxResults?: number; nextToken?: string } = {}): {
    urls: string[];
    nextToken: string | undefined;
  } {
    const { prefix = '', maxResults, nextToken } = options;
    if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000)) {
      throw new SqsApiError(
        'InvalidParameterValue',
        `Value ${maxResults} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.`,
      );
    }
    const names = [...this.queues.keys()].filter((name) => name.startsWith(prefix)).sort();
    let start = 0;
    if (nextToken !== undefined) {
      const after = Buffer.from(nextToken, 'base64url').toString('utf8');
      if (!after) throw new SqsApiError('InvalidParameterValue', 'Invalid NextToken value.');
      start = names.findIndex((name) => name > after);
      if (start < 0) start = names.length;
    }
    // Without MaxResults SQS answers up to 1000 queues and no token.
    const limit = maxResults ?? 1000;
    const page = names.slice(start, start + limit);
    const more = maxResults !== undefined && start + limit < names.length;
    const last = page.at(-1);
    return {
      urls: page.map((name) => this.urlOf(name)),
      nextToken: more && last ? Buffer.from(last, 'utf8').toString('base64url') : undefined,
    };
  }

  /** Attributes by name; `All` (or no names) returns every attribute. */
  getQueueAttributes(queue: string, names: readonly string[] = ['All']): Record<string, string> {
    const found = this.resolve(queue);
    const now = this.now();
    found.expire(now, this.msPerSecond);
    const counts = found.counts(now);
    const all: Record<string, string> = {
      QueueArn: found.arn,
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts['in-flight']),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: String(Math.floor(found.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(found.lastModifiedAt / 1000)),
      ...settingsAsAttributes(found.settings),
    };
    if (names.length === 0 || names.includes('All')) return all;
    const out: Record<string, string> = {};
    for (const name of names) {
      if (!QUEUE_ATTRIBUTE_NAMES.has(name))
        throw new SqsApiError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      const value = all[name];
      if (value !== undefined) out[name] = value;
    }
    return out;
  }

  setQueueAttributes(queue: string, attributes: Readonly<Record<string, string>>): void {
    const found = this.resolve(queue);
    found.settings = applyQueueAttributes(found.settings, attributes, (arn) => this.byArn(arn) !== undefined);
    found.lastModifiedAt = this.now();
    // A shorter wait or a removed delay can make messages receivable for waiting polls.
    found.notify();
  }

  sendMessage(queue: string, input: SendMessageInput): SentMessage {
    const found = this.resolve(queue);
    const { body } = input;
    if (body.length === 0) {
      throw new SqsApiError('MissingParameter', 'The request must contain the parameter MessageBody.');
    }
    if (INVALID_BODY_CHARACTER.test(body)) {
      throw new SqsApiError(
        'InvalidMessageContents',
        'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
      );
    }
    const attributes = input.messageAttributes ?? {};
    validateMessageAttributes(attributes);
    const size = Buffer.byteLength(body, 'utf8') + attributesSize(attributes);
    if (size > found.settings.maximumMessageSize) {
      throw new SqsApiError(
        'InvalidParameterValue',
        `One or more parameters are invalid. Reason: Message must be shorter than ${found.settings.maximumMessageSize} bytes.`,
      );
    }
    const delaySeconds = input.delaySeconds ?? found.settings.delaySeconds;
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > 900) {
      throw new SqsApiError(
        'InvalidParameterValue',
        `Value ${delaySeconds} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.`,
      );
    }
    const now = this.now();
    const hasAttributes = Object.keys(attributes).length > 0;
    const message: StoredMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5OfBody(body),
      messageAttributes: attributes,
      md5OfMessageAttributes: hasAttributes ? md5OfMessageAttributes(attributes) : undefined,
      sentAt: now,
      visibleAt: now + delaySeconds * this.msPerSecond,
      receiveCount: 0,
      firstReceivedAt: undefined,
      lastReceivedAt: undefined,
      receiptHandle: undefined,
    };
    found.messages.set(message.messageId, message);
    found.notify();
    return {
      messageId: message.messageId,
      md5OfMessageBody: message.md5OfBody,
      md5OfMessageAttributes: message.md5OfMessageAttributes,
    };
  }

  /**
   * `QueueSink`: delivers `body` to a queue given by URL, ARN or name — how Auto Scaling notifications and
   * event-bus rule targets reach queues. Throws {@link QueueNotFoundError} if there is no such queue.
   */
  sendMessageTo(queue: string, body: string): void {
    this.sendMessage(queue, { body });
  }

  /**
   * Receives up to `maxNumberOfMessages` visible messages, long-polling up to `waitTimeSeconds` when none
   * is visible. A message received `maxReceiveCount` times already moves to the dead-letter queue instead.
   */
  async receiveMessages(queue: string, input: ReceiveInput = {}): Promise<ReceivedMessage[]> {
    const found = this.resolve(queue);
    const max = input.maxNumberOfMessages ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      throw new SqsApiError(
        'InvalidParameterValue',
        `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      );
    }
    const visibility = input.visibilityTimeout ?? found.settings.visibilityTimeout;
    if (!Number.isInteger(visibility) || visibility < 0 || visibility > MAX_VISIBILITY_SECONDS) {
      throw new SqsApiError(
        'InvalidParameterValue',
        `Value ${visibility} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.`,
      );
    }
    const wait = input.waitTimeSeconds ?? found.settings.receiveMessageWaitTimeSeconds;
    if (!Number.isInteger(wait) || wait < 0 || wait > 20) {
      throw new SqsApiError(
        'InvalidParameterValue',
        `Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`,
      );
    }
    const deadline = this.now() + wait * this.msPerSecond;
    for (;;) {
      if (this.closed || this.queues.get(found.name) !== found) return [];
      const received = this.take(found, max, visibility);
      if (received.length > 0) return received;
      const now = this.now();
      if (now >= deadline) return [];
      const wakeAt = Math.min(deadline, found.nextVisibleAt(now) ?? deadline);
      await this.sleep(found, wakeAt - now);
    }
  }

  /** Deletes the message behind `receiptHandle` (see `staleReceiptHandles` for superseded handles). */
  deleteMessage(queue: string, receiptHandle: string): void {
    const found = this.resolve(queue);
    const message = this.messageOf(found, receiptHandle);
    if (!message) return; // already deleted (or moved): SQS answers success
    if (message.receiptHandle !== receiptHandle && this.staleReceiptHandles === 'ignored') return;
    found.messages.delete(message.messageId);
  }

  /** Sets a received message's remaining invisibility, counted from now. */
  changeMessageVisibility(queue: string, receiptHandle: string, visibilityTimeout: number): void {
    const found = this.resolve(queue);
    if (
      !Number.isInteger(visibilityTimeout) ||
      visibilityTimeout < 0 ||
      visibilityTimeout > MAX_VISIBILITY_SECONDS
    ) {
      throw new SqsApiError(
        'InvalidParameterValue',
        `Value ${visibilityTimeout} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`,
      );
    }
    const message = this.messageOf(found, receiptHandle);
    const now = this.now();
    if (!message) {
      // What SQS answers for a deleted message's handle (observed), rather than MessageNotInflight.
      throw new SqsApiError(
        'InvalidParameterValue',
        `Value ${receiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      );
    }
    if (message.receiptHandle !== receiptHandle || messageState(message, now) !== 'in-flight') {
      throw new SqsApiError(
        'MessageNotInflight',
        'Message does not exist or is not available for visibility timeout change.',
      );
    }
    const newVisibleAt = now + visibilityTimeout * this.msPerSecond;
    if (newVisibleAt > (message.lastReceivedAt ?? now) + MAX_VISIBILITY_SECONDS * this.msPerSecond) {
      throw new SqsApiError(
        'InvalidParameterValue',
        `Value ${visibilityTimeout} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]`,
      );
    }
    message.visibleAt = newVisibleAt;
    if (visibilityTimeout === 0) found.notify();
  }

  /** Deletes every message; SQS allows one purge per queue per 60 seconds. */
  purgeQueue(queue: string): void {
    const found = this.resolve(queue);
    const now = this.now();
    if (found.lastPurgeAt !== undefined && now - found.lastPurgeAt < 60 * this.msPerSecond) {
      throw new SqsApiError(
        'PurgeQueueInProgress',
        `Only one PurgeQueue operation on ${found.name} is allowed every 60 seconds.`,
      );
    }
    found.lastPurgeAt = now;
    found.messages.clear();
  }

  /** The queue's messages in send order, with their state now. For assertions, not part of the API. */
  messages(queue: string): MessageSnapshot[] {
    const found = this.resolve(queue);
    const now = this.now();
    found.expire(now, this.msPerSecond);
    return [...found.messages.values()].map((message) => ({
      messageId: message.messageId,
      body: message.body,
      state: messageState(message, now),
      receiveCount: message.receiveCount,
      sentAt: message.sentAt,
    }));
  }

  /** Names of all queues. */
  queueNames(): string[] {
    return [...this.queues.keys()];
  }

  /**
   * Makes the next `times` calls of `operation` (or of any operation, `'*'`) over the JSON API fail with
   * `code` before touching any state — for testing consumers' error paths.
   *
   * @example
   * ```ts
   * sqs.failNext('ReceiveMessage', 'RequestThrottled', 2);
   * ```
   */
  failNext(operation: SqsOperation | '*', code: SqsErrorCode, times = 1): void {
    if (!Number.isInteger(times) || times < 1) {
      throw new SimConfigurationError(`times must be a positive integer, got ${times}`, 'times');
    }
    this.injected.push({ operation, code, remaining: times });
  }

  /** Used by the wire handler: the injected failure for this call, if one is armed. */
  takeInjectedFailure(operation: SqsOperation): SqsApiError | undefined {
    const index = this.injected.findIndex(
      (entry) => entry.operation === operation || entry.operation === '*',
    );
    const entry = this.injected[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.injected.splice(index, 1);
    return new SqsApiError(entry.code, `Injected failure: ${entry.code}`);
  }

  /** Ends every pending long poll (answered empty) and refuses new waits. Idempotent. */
  close(): void {
    this.closed = true;
    for (const wake of [...this.sleepers]) wake();
  }

  private take(queue: SimQueue, max: number, visibilitySeconds: number): ReceivedMessage[] {
    const now = this.now();
    queue.expire(now, this.msPerSecond);
    const redrive = queue.settings.redrivePolicy;
    const deadLetter = redrive ? this.byArn(redrive.deadLetterTargetArn) : undefined;
    const received: ReceivedMessage[] = [];
    for (const message of queue.messages.values()) {
      if (received.length >= max) break;
      if (message.visibleAt > now) continue;
      if (redrive && deadLetter && deadLetter !== queue && message.receiveCount >= redrive.maxReceiveCount) {
        queue.messages.delete(message.messageId);
        message.visibleAt = now;
        message.receiptHandle = undefined;
        deadLetter.messages.set(message.messageId, message);
        deadLetter.notify();
        continue;
      }
      const handle = `AQEB${randomBytes(64).toString('base64')}`;
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.lastReceivedAt = now;
      const duplicated = this.duplicateProbability > 0 && this.random.next() < this.duplicateProbability;
      message.visibleAt = duplicated ? now : now + visibilitySeconds * this.msPerSecond;
      message.receiptHandle = handle;
      queue.handles.set(handle, message.messageId);
      received.push({
        messageId: message.messageId,
        receiptHandle: handle,
        body: message.body,
        md5OfBody: message.md5OfBody,
        messageAttributes: message.messageAttributes,
        md5OfMessageAttributes: message.md5OfMessageAttributes,
        receiveCount: message.receiveCount,
        sentTimestamp: message.sentAt,
        firstReceiveTimestamp: message.firstReceivedAt,
      });
    }
    return received;
  }

  private messageOf(queue: SimQueue, receiptHandle: string): StoredMessage | undefined {
    const messageId = queue.handles.get(receiptHandle);
    if (messageId === undefined) {
      throw new SqsApiError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`,
      );
    }
    return queue.messages.get(messageId);
  }

  private sleep(queue: SimQueue, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        removeWaiter();
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, ms));
      // A pending long poll must not keep the process alive on its own.
      timer.unref();
      const removeWaiter = queue.onChange(wake);
      this.sleepers.add(wake);
    });
  }

  private resolve(queue: string): SimQueue {
    let name = queue;
    if (queue.startsWith('arn:')) {
      const found = this.byArn(queue);
      if (!found) throw new QueueNotFoundError(queue);
      return found;
    }
    if (/^https?:\/\//.test(queue)) {
      let path: string[];
      try {
        path = new URL(queue).pathname.split('/').filter(Boolean);
      } catch {
        throw new SqsApiError('InvalidAddress', `The address ${queue} is not valid for this endpoint.`);
      }
      const [account, queueName] = path;
      if (path.length !== 2 || account !== this.identity.account || !queueName)
        throw new QueueNotFoundError(queue);
      name = queueName;
    }
    const found = this.queues.get(name);
    if (!found) throw new QueueNotFoundError(queue);
    return found;
  }

  private byArn(arn: string): SimQueue | undefined {
    const prefix = `arn:aws:sqs:${this.identity.region}:${this.identity.account}:`;
    if (!arn.startsWith(prefix)) return undefined;
    return this.queues.get(arn.slice(prefix.length));
  }

  private ref(queue: SimQueue): QueueRef {
    return { name: queue.name, url: this.urlOf(queue.name), arn: queue.arn };
  }

  private urlOf(name: string): string {
    return `${this.base}/${this.identity.account}/${name}`;
  }

  private arnOf(name: string): string {
    return `arn:aws:sqs:${this.identity.region}:${this.identity.account}:${name}`;
  }
}

function normaliseEndpoint(endpoint: string): string {
  return endpoint.replace(/\/+$/, '');
}

function validateMessageAttributes(attributes: Readonly<Record<string, MessageAttributeValue>>): void {
  const names = Object.keys(attributes);
  if (names.length > MAX_ATTRIBUTES) {
    throw new SqsApiError(
      'InvalidParameterValue',
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`,
    );
  }
  for (const name of names) {
    const value = attributes[name];
    if (!ATTRIBUTE_NAME.test(name)) {
      throw new SqsApiError('InvalidParameterValue', `Message attribute name '${name}' is invalid.`);
    }
    const type = value?.DataType ?? '';
    const base = type.split('.')[0];
    if (base !== 'String' && base !== 'Number' && base !== 'Binary') {
      throw new SqsApiError(
        'InvalidParameterValue',
        `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    }
    const present = base === 'Binary' ? value?.BinaryValue : value?.StringValue;
    if (present === undefined || present === '') {
      throw new SqsApiError(
        'InvalidParameterValue',
        `The message attribute '${name}' must contain a non-empty value of type '${base}'.`,
      );
    }
    if (base === 'Number' && !Number.isFinite(Number(present))) {
      throw new SqsApiError(
        'InvalidParameterValue',
        `Can't cast the value of message (user) attribute '${name}' to a number.`,
      );
    }
  }
}

function attributesSize(attributes: Readonly<Record<string, MessageAttributeValue>>): number {
  let size = 0;
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType, 'utf8');
    size +=
      value.BinaryValue !== undefined
        ? Buffer.from(value.BinaryValue, 'base64').length
        : Buffer.byteLength(value.StringValue ?? '', 'utf8');
  }
  return size;
}
