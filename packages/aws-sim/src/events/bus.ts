import {
  DEFAULT_IDENTITY,
  type EventBridgeEvent,
  type EventSink,
  type QueueSink,
  type SimIdentity,
} from '../contracts';
import { SeededRandom } from '../random';
import { scheduledEvent } from './envelope';
import { EventBusConfigurationError, EventBusIdleTimeoutError } from './errors';
import { type EventPattern, matchesPattern, normalisePattern } from './pattern';

/**
 * How unreliable delivery is. EventBridge is best-effort, unordered and at-least-once; these knobs make
 * that happen on demand, reproducibly for a given seed.
 */
export interface EventBusKnobs {
  /** Probability (0–1) that a delivery to a target happens twice. @defaultValue 0 */
  readonly duplicate: number;
  /** Probability (0–1) that an event is lost before it reaches any target. @defaultValue 0 */
  readonly drop: number;
  /** Delivery delay in ms: fixed, or `[min, max]` drawn uniformly per delivery. @defaultValue 0 */
  readonly delayMs: number | readonly [number, number];
  /**
   * Holds deliveries for this many ms and releases them in shuffled order; 0 keeps publish order
   * (for equal delays). @defaultValue 0
   */
  readonly reorderWindowMs: number;
  /**
   * Extra attempts for a callback that throws, like Lambda's asynchronous-invoke retries (AWS makes 2).
   * @defaultValue 0
   */
  readonly retries: number;
}

/** Options of {@link EventBus}. */
export interface EventBusOptions extends Partial<EventBusKnobs> {
  /** Where rule targets that are queues are delivered; required for {@link EventBus.addRule}. */
  readonly queues?: QueueSink;
  /** Seed of the knobs' random draws. @defaultValue 1 */
  readonly seed?: number;
  /** Account and region of the scheduled events the bus publishes. @defaultValue `DEFAULT_IDENTITY` */
  readonly identity?: SimIdentity;
  /** How many entries each log (`published`, `delivered`, `dropped`, `failures`) keeps. @defaultValue 10000 */
  readonly logLimit?: number;
}

/** A subscriber callback: how a Lambda handler is invoked in tests. May be async; errors are recorded. */
export type EventCallback = (event: EventBridgeEvent) => unknown;

/** A rule whose target is an SQS queue (URL, ARN or name): the event JSON becomes the message body. */
export interface QueueRule {
  readonly name: string;
  readonly pattern: EventPattern;
  readonly queue: string;
}

/** One delivery that happened. */
export interface DeliveryRecord {
  readonly event: EventBridgeEvent;
  /** Subscriber or rule name. */
  readonly target: string;
  readonly kind: 'callback' | 'queue';
  /** Whether this delivery is the extra copy made by the `duplicate` knob. */
  readonly duplicate: boolean;
  /** 1 for the first attempt, more after retries. */
  readonly attempt: number;
  readonly at: number;
}

/** One delivery attempt that failed: the callback threw, or the queue was missing. */
export interface DeliveryFailure {
  readonly event: EventBridgeEvent;
  readonly target: string;
  readonly kind: 'callback' | 'queue';
  readonly attempt: number;
  readonly error: unknown;
}

interface Target {
  readonly name: string;
  readonly kind: 'callback' | 'queue';
  readonly pattern: EventPattern;
  readonly deliver: (event: EventBridgeEvent) => unknown;
  active: boolean;
}

interface Delivery {
  readonly target: Target;
  readonly event: EventBridgeEvent;
  readonly duplicate: boolean;
  attempt: number;
}

const DEFAULT_KNOBS: EventBusKnobs = { duplicate: 0, drop: 0, delayMs: 0, reorderWindowMs: 0, retries: 0 };

/**
 * A simulated EventBridge bus. Publishing is fire-and-forget; matching targets — in-process callbacks and
 * SQS queues — receive the event asynchronously, subject to the knobs. Callback errors are recorded in
 * `failures` and never reach the publisher. `idle()` waits for every pending delivery.
 *
 * Not modelled: the EventBridge API itself (rules are added in code), input transformers, pattern
 * operators other than exact values, `prefix`, `suffix`, `anything-but` and `exists`, archives and replays,
 * and EventBridge's 24-hour retry schedule (`retries` retries at once, after the configured delay).
 *
 * @example
 * ```ts
 * const bus = new EventBus({ queues: sqs, seed: 7, duplicate: 0.1 });
 * bus.subscribe({ source: ['aws.ec2'] }, (event) => handler(event, context));
 * bus.addRule({ name: 'to-queue', pattern: { source: ['aws.autoscaling'] }, queue: 'lifecycle' });
 * bus.publishScheduled();
 * await bus.idle();
 * ```
 */
export class EventBus implements EventSink {
  /** Events given to `publish`, in order. */
  readonly published: EventBridgeEvent[] = [];
  /** Deliveries made, in the order they happened. */
  readonly delivered: DeliveryRecord[] = [];
  /** Events lost by the `drop` knob. */
  readonly dropped: EventBridgeEvent[] = [];
  /** Failed delivery attempts. */
  readonly failures: DeliveryFailure[] = [];

  private knobValues: EventBusKnobs = DEFAULT_KNOBS;
  private random: SeededRandom;
  private readonly queues: QueueSink | undefined;
  private readonly identity: SimIdentity;
  private readonly logLimit: number;
  private readonly targets: Target[] = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private held: Delivery[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private subscriberCount = 0;
  private closed = false;

  constructor(options: EventBusOptions = {}) {
    const { queues, seed = 1, identity = DEFAULT_IDENTITY, logLimit = 10_000, ...knobs } = options;
    this.queues = queues;
    this.identity = identity;
    if (!Number.isInteger(logLimit) || logLimit < 1) {
      throw new EventBusConfigurationError(
        `logLimit must be a positive integer, got ${logLimit}`,
        'logLimit',
      );
    }
    this.logLimit = logLimit;
    this.random = new SeededRandom(seed);
    this.configure(knobs);
  }

  /** The knobs in force. */
  get knobs(): EventBusKnobs {
    return this.knobValues;
  }

  /** Changes some knobs, effective for events published from now on; validates all before applying any. */
  configure(knobs: Partial<EventBusKnobs>): void {
    const next = { ...this.knobValues, ...stripUndefined(knobs) };
    for (const name of ['duplicate', 'drop'] as const) {
      const value = next[name];
      if (!(value >= 0 && value <= 1)) {
        throw new EventBusConfigurationError(
          `${name} must be a probability between 0 and 1, got ${value}`,
          name,
        );
      }
    }
    const [min, max] = typeof next.delayMs === 'number' ? [next.delayMs, next.delayMs] : next.delayMs;
    if (!(min >= 0 && max >= min && Number.isFinite(max))) {
      throw new EventBusConfigurationError(
        `delayMs must be a non-negative number or a [min, max] range with min <= max, got ${JSON.stringify(next.delayMs)}`,
        'delayMs',
      );
    }
    if (!(next.reorderWindowMs >= 0 && Number.isFinite(next.reorderWindowMs))) {
      throw new EventBusConfigurationError(
        `reorderWindowMs must be a non-negative number, got ${next.reorderWindowMs}`,
        'reorderWindowMs',
      );
    }
    if (!Number.isInteger(next.retries) || next.retries < 0) {
      throw new EventBusConfigurationError(
        `retries must be a non-negative integer, got ${next.retries}`,
        'retries',
      );
    }
    this.knobValues = next;
  }

  /** Restarts the knobs' random sequence. */
  reseed(seed: number): void {
    this.random = new SeededRandom(seed);
  }

  /**
   * Calls `callback` with every matching event (a copy per delivery). Returns the unsubscribe function;
   * deliveries still pending for it are skipped.
   */
  subscribe(pattern: EventPattern, callback: EventCallback, name?: string): () => void {
    this.subscriberCount += 1;
    const target: Target = {
      name: name ?? `subscriber-${this.subscriberCount}`,
      kind: 'callback',
      pattern: normalisePattern(pattern),
      deliver: callback,
      active: true,
    };
    this.targets.push(target);
    return () => this.remove(target);
  }

  /** Adds a rule that sends matching events, as JSON, to an SQS queue. Returns the remove function. */
  addRule(rule: QueueRule): () => void {
    const queues = this.queues;
    if (!queues) {
      throw new EventBusConfigurationError('addRule needs the bus to be constructed with `queues`', 'queues');
    }
    if (this.targets.some((target) => target.kind === 'queue' && target.name === rule.name)) {
      throw new EventBusConfigurationError(`a rule named ${rule.name} already exists`, 'name');
    }
    const target: Target = {
      name: rule.name,
      kind: 'queue',
      pattern: normalisePattern(rule.pattern),
      deliver: (event) => queues.sendMessageTo(rule.queue, JSON.stringify(event)),
      active: true,
    };
    this.targets.push(target);
    return () => this.remove(target);
  }

  /** Removes a queue rule by name; returns whether one existed. */
  removeRule(name: string): boolean {
    const target = this.targets.find((candidate) => candidate.kind === 'queue' && candidate.name === name);
    if (target) this.remove(target);
    return target !== undefined;
  }

  /** `EventSink`: accepts an event for asynchronous delivery to every matching target. */
  publish(event: EventBridgeEvent): void {
    if (this.closed) return;
    this.log(this.published, event);
    const { drop, duplicate } = this.knobValues;
    if (drop > 0 && this.random.next() < drop) {
      this.log(this.dropped, event);
      return;
    }
    for (const target of this.targets) {
      if (!target.active || !matchesPattern(target.pattern, event)) continue;
      this.schedule({ target, event, duplicate: false, attempt: 1 });
      if (duplicate > 0 && this.random.next() < duplicate)
        this.schedule({ target, event, duplicate: true, attempt: 1 });
    }
  }

  /** Publishes an EventBridge "Scheduled Event" (the periodic sync tick) and returns it. */
  publishScheduled(ruleArn?: string): EventBridgeEvent {
    const event = scheduledEvent(ruleArn, this.identity);
    this.publish(event);
    return event;
  }

  /** Deliveries scheduled or in progress (async callbacks count until they settle). */
  get pendingDeliveries(): number {
    return this.pending;
  }

  /**
   * Resolves once no delivery is pending, including deliveries caused by callbacks publishing in turn.
   * Rejects with {@link EventBusIdleTimeoutError} after `timeoutMs`.
   */
  idle(timeoutMs = 10_000): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((waiter) => waiter !== done);
        reject(new EventBusIdleTimeoutError(this.pending, timeoutMs));
      }, timeoutMs);
      timer.unref();
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.idleWaiters.push(done);
    });
  }

  /** Cancels pending deliveries, stops accepting events and releases `idle()` waiters. Idempotent. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.held = [];
    this.pending = 0;
    this.settleIdle();
  }

  private remove(target: Target): void {
    target.active = false;
    const index = this.targets.indexOf(target);
    if (index >= 0) this.targets.splice(index, 1);
  }

  private schedule(delivery: Delivery): void {
    this.pending += 1;
    this.later(this.sampleDelay(), () => {
      if (this.knobValues.reorderWindowMs > 0) this.hold(delivery);
      else void this.deliver(delivery);
    });
  }

  private hold(delivery: Delivery): void {
    this.held.push(delivery);
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      const batch = this.random.shuffle(this.held);
      this.held = [];
      for (const held of batch) void this.deliver(held);
    }, this.knobValues.reorderWindowMs);
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const { target, event } = delivery;
    let retry = false;
    try {
      if (!target.active || this.closed) return;
      // Each target gets its own copy, as it would after a trip through the wire.
      await target.deliver(structuredClone(event));
      this.log(this.delivered, {
        event,
        target: target.name,
        kind: target.kind,
        duplicate: delivery.duplicate,
        attempt: delivery.attempt,
        at: Date.now(),
      });
    } catch (error) {
      this.log(this.failures, {
        event,
        target: target.name,
        kind: target.kind,
        attempt: delivery.attempt,
        error,
      });
      retry = target.kind === 'callback' && delivery.attempt <= this.knobValues.retries && !this.closed;
    } finally {
      if (retry) {
        delivery.attempt += 1;
        this.later(this.sampleDelay(), () => void this.deliver(delivery));
      } else if (!this.closed) {
        this.pending -= 1;
        if (this.pending === 0) this.settleIdle();
      }
    }
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  private sampleDelay(): number {
    const { delayMs } = this.knobValues;
    if (typeof delayMs === 'number') return delayMs;
    const [min, max] = delayMs;
    return min + this.random.next() * (max - min);
  }

  private settleIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private log<T>(entries: T[], entry: T): void {
    entries.push(entry);
    if (entries.length > this.logLimit) entries.splice(0, entries.length - this.logLimit);
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
