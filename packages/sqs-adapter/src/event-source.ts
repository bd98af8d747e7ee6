import { setMaxListeners } from 'node:events';
import { ChangeMessageVisibilityBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { type Logger, parseEvent, type ReconcileFinishedEvent, type Trigger } from '@eni-pool/core';
import { poolMetricsOf, processBatch } from '@eni-pool/lambda-adapter';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { EventEmitter } from 'eventemitter3';
import { Consumer } from 'sqs-consumer';
import type { MessageRef, SqsEventSourceEvents } from './events';
import { type MessageResult, SqsMetrics } from './metrics';
import {
  type ResolvedSqsOptions,
  realTimers,
  resolveSqsOptions,
  type SqsEventSourceOptions,
  type Timers,
} from './options';
import { buildRuntime, type SqsRuntime } from './runtime';
import { createSqsClient, gateReceives } from './sqs-client';
import { SyncSchedule } from './sync-schedule';

/** After the shutdown bound, aborted batches get this long to return before `stop()` gives up on them. */
const ABORT_GRACE_MS = 5_000;
/** Longest pause between failed receives. */
const MAX_RECEIVE_BACKOFF_MS = 30_000;

/** What `health()` reports. */
export interface SqsEventSourceHealth {
  /** Started and not stopped. */
  readonly live: boolean;
  /** Live, the last receive succeeded, and the pollers made progress within `stallTimeoutMs`. */
  readonly ready: boolean;
  /** Why it is not ready, when it is not. */
  readonly reason?: string;
  readonly batchesInFlight: number;
  readonly consecutiveReceiveFailures: number;
}

/** One poller: a consumer and the batch it is handling. */
interface Lane {
  readonly consumer: Consumer;
  /** Receives of this poller that failed in a row: its own backoff. */
  failures: number;
  /** Messages of the current batch to make visible again once the consumer has finished with it. */
  release: Message[];
  /** Event ids of the current batch's messages, and which of them were rejected (deleted, not handled). */
  readonly eventIds: Map<string, string | undefined>;
  readonly rejected: Set<string>;
  /** Settles when the current batch is fully done (deleted, released). */
  done?: { promise: Promise<void>; resolve: () => void };
}

/** The event's own id: its envelope's, whichever field carries it for this kind. */
function eventIdOf(trigger: Trigger): string | undefined {
  return trigger.kind === 'lifecycle-action' || trigger.kind === 'test-notification'
    ? trigger.from.id
    : trigger.origin.id;
}

function refOf(message: Message, eventId?: string): MessageRef {
  return { messageId: message.MessageId ?? '', ...(eventId ? { eventId } : {}) };
}

/** A logger that adds `fields` to every line. */
function withFields(logger: Logger, fields: Record<string, unknown>): Logger {
  return {
    debug: (message, context) => logger.debug(message, { ...fields, ...context }),
    info: (message, context) => logger.info(message, { ...fields, ...context }),
    warn: (message, context) => logger.warn(message, { ...fields, ...context }),
    error: (message, context) => logger.error(message, { ...fields, ...context }),
  };
}

function recordOf(message: Message): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? '',
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: '',
    awsRegion: '',
  };
}

/**
 * Drains an SQS queue of eni-pool events in a long-running process. See {@link createSqsEventSource}.
 */
export class SqsEventSource extends EventEmitter<SqsEventSourceEvents> {
  readonly settings: ResolvedSqsOptions;
  readonly metrics = new SqsMetrics();
  /** The manager, lifecycle handler and batch runtime this source acts through. */
  readonly runtime: SqsRuntime;
  private readonly logger: Logger;
  private readonly sqs: SQSClient;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly sync: SyncSchedule | undefined;
  private lanes: Lane[] = [];
  private readonly receives = manyListeners(new AbortController());
  private readonly work = manyListeners(new AbortController());
  private state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  private stopping: Promise<void> | undefined;
  private consecutiveFailures = 0;
  private receivedOnce = false;
  private lastProgressAt = 0;
  private inFlight = 0;
  private stopCounting: () => void = () => {};

  constructor(options: SqsEventSourceOptions) {
    super();
    this.settings = resolveSqsOptions(options);
    this.runtime = buildRuntime(options, this.settings);
    this.logger = this.runtime.logger;
    this.sqs = options.sqs ?? createSqsClient(this.settings.waitTimeSeconds);
    this.timers = options.timers ?? realTimers;
    this.random = options.random ?? Math.random;
    this.sync =
      this.settings.syncIntervalMs === 0
        ? undefined
        : new SyncSchedule({
            intervalMs: this.settings.syncIntervalMs,
            jitter: this.settings.syncJitter,
            timers: this.timers,
            random: this.random,
            run: () => this.syncNow(),
            skipped: () => {
              this.metrics.sync('skipped');
              this.logger.info('sync skipped: the previous one still runs', {});
              this.safeEmit('sync_skipped');
            },
          });
  }

  /** Starts the pollers and the periodic sync. Calling it again while running does nothing. */
  start(): void {
    if (this.state === 'running') return;
    if (this.state !== 'idle') throw new Error('a stopped SqsEventSource cannot be started again');
    this.state = 'running';
    this.lastProgressAt = this.timers.now();
    const stopCountingActions = this.metrics.countActions(this.runtime.manager);
    // One line per reconcile, whichever path ran it (batch, lifecycle action, sync).
    const onReconciled = (event: ReconcileFinishedEvent) =>
      this.logger.info(event.converged ? 'pools reconciled' : 'pools reconciled without converging', {
        ...event,
      });
    this.runtime.manager.on('reconcile_finished', onReconciled);
    this.stopCounting = () => {
      stopCountingActions();
      this.runtime.manager.off('reconcile_finished', onReconciled);
    };
    for (let i = 0; i < this.settings.concurrency; i++) this.lanes.push(this.createLane());
    for (const lane of this.lanes) lane.consumer.start();
    this.sync?.start();
    this.logger.info('polling the queue', {
      queueUrl: this.settings.queueUrl,
      concurrency: this.settings.concurrency,
      pools: this.settings.pools,
      syncIntervalMs: this.settings.syncIntervalMs,
    });
    this.safeEmit('started');
  }

  /**
   * Stops receiving at once, then waits up to `shutdownTimeoutMs` for the batches in flight. Batches still
   * running then are aborted (no new EC2 or Auto Scaling call starts) and their unfinished messages are made
   * visible again (visibility 0) for another replica. Only messages whose work succeeded are deleted.
   * Resolves when everything has settled, at most `shutdownTimeoutMs` + 5 s after the call.
   */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.state === 'idle') {
      this.state = 'stopped';
      this.stopping = Promise.resolve();
      return this.stopping;
    }
    this.state = 'stopping';
    this.stopping = this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.logger.info('stopping: no new receives; finishing the batches in flight', {
      inFlight: this.inFlight,
      boundMs: this.settings.shutdownTimeoutMs,
    });
    for (const lane of this.lanes) lane.consumer.stop();
    this.receives.abort();
    const settled = async () => {
      const sync = this.sync?.stop();
      // A receive that answered just before the abort may still start its batch: look again after a turn.
      for (;;) {
        await Promise.all(this.lanes.map((lane) => lane.done?.promise));
        await new Promise((resolve) => setImmediate(resolve));
        if (this.lanes.every((lane) => lane.done === undefined)) break;
      }
      await sync;
    };
    let finished = await this.within(settled(), this.settings.shutdownTimeoutMs);
    const abortedInFlight = !finished;
    if (!finished) {
      this.logger.warn('shutdown bound reached: aborting the batches in flight', { inFlight: this.inFlight });
      this.work.abort(new Error('the event source is stopping'));
      finished = await this.within(settled(), ABORT_GRACE_MS);
      if (!finished) {
        this.logger.error(
          'batches did not return after being aborted; their messages come back after the visibility timeout',
          {
            inFlight: this.inFlight,
          },
        );
      }
    }
    this.work.abort(new Error('the event source has stopped'));
    this.stopCounting();
    this.state = 'stopped';
    const released = this.releasedCount;
    this.logger.info('stopped', { released, abortedInFlight });
    this.safeEmit('stopped', { released, abortedInFlight });
  }

  private releasedCount = 0;

  /** Liveness and readiness, as `/healthz` and `/readyz` report them. */
  health(): SqsEventSourceHealth {
    const base = { batchesInFlight: this.inFlight, consecutiveReceiveFailures: this.consecutiveFailures };
    if (this.state !== 'running') {
      return {
        ...base,
        live: this.state === 'stopping',
        ready: false,
        reason: `event source is ${this.state}`,
      };
    }
    if (!this.receivedOnce && this.consecutiveFailures === 0) {
      return { ...base, live: true, ready: false, reason: 'no receive from the queue has finished yet' };
    }
    if (this.consecutiveFailures > 0) {
      return { ...base, live: true, ready: false, reason: 'the last receive from the queue failed' };
    }
    const idleMs = this.timers.now() - this.lastProgressAt;
    if (this.inFlight === 0 && idleMs > this.settings.stallTimeoutMs) {
      return { ...base, live: true, ready: false, reason: `no receive finished for ${idleMs} ms` };
    }
    return { ...base, live: true, ready: true };
  }

  /** Runs the full sync of this process's pools now (the periodic sync calls this). */
  async syncNow(): Promise<void> {
    try {
      const result = await this.runtime.manager.reconcile(
        { kind: 'all' },
        {
          signal: this.work.signal,
        },
      );
      this.metrics.publish(poolMetricsOf(result));
      this.metrics.sync('ok');
      this.logger.info('sync finished', {
        pools: result.pools.map((summary) => summary.pool),
        converged: result.converged,
        actions: result.outcomes.length,
        unsatisfied: result.unsatisfied.length,
      });
      this.safeEmit('sync_finished', { result });
    } catch (error) {
      this.metrics.sync('failed');
      this.logger.warn('sync failed; the next period tries again', { error });
      this.safeEmit('sync_failed', { error });
      throw error;
    }
  }

  private async within(promise: Promise<unknown>, ms: number): Promise<boolean> {
    let timer: unknown;
    const timeout = new Promise<false>((resolve) => {
      timer = this.timers.setTimeout(() => resolve(false), ms);
    });
    try {
      return await Promise.race([promise.then(() => true), timeout]);
    } finally {
      this.timers.clearTimeout(timer);
    }
  }

  private createLane(): Lane {
    const lane: Lane = {
      failures: 0,
      release: [],
      eventIds: new Map(),
      rejected: new Set(),
      consumer: undefined as unknown as Consumer,
    };
    // Each poller reports its own receives: the backoff is per poller, readiness follows the latest one.
    const sqs = gateReceives(this.sqs, this.receives.signal, {
      succeeded: () => {
        this.receivedOnce = true;
        lane.failures = 0;
        this.consecutiveFailures = 0;
        this.lastProgressAt = this.timers.now();
        this.metrics.receive('ok');
      },
      failed: (error) => {
        lane.failures += 1;
        this.consecutiveFailures += 1;
        this.metrics.receive('error');
        this.logger.warn('receiving from the queue failed', {
          queueUrl: this.settings.queueUrl,
          consecutive: this.consecutiveFailures,
          error,
        });
        this.safeEmit('receive_failed', { error, consecutive: this.consecutiveFailures });
      },
    });
    const consumer = Consumer.create({
      queueUrl: this.settings.queueUrl,
      sqs,
      batchSize: this.settings.batchSize,
      waitTimeSeconds: this.settings.waitTimeSeconds,
      visibilityTimeout: this.settings.visibilityTimeoutSeconds,
      heartbeatInterval: this.settings.heartbeatIntervalSeconds,
      messageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      strictReturn: true,
      preReceiveMessageCallback: () => this.receiveBackoff(lane),
      // One backoff for every failed receive, the poller's own: no fixed pause of sqs-consumer's on top.
      authenticationErrorTimeout: 0,
      handleMessageBatch: (messages) => this.handleBatch(lane, messages),
    });
    (lane as { consumer: Consumer }).consumer = consumer;
    consumer.on('message_processed', (message) => {
      const messageId = message.MessageId ?? '';
      // A rejected message deleted by the `unparseable` policy was counted when it was rejected.
      if (lane.rejected.has(messageId)) return;
      this.metrics.message('handled');
      this.safeEmit('message_settled', {
        ...refOf(message, lane.eventIds.get(messageId)),
        result: 'handled',
      });
    });
    consumer.on('error', (error, messages) => {
      // Receive failures are reported by the gate; these are deletes and visibility changes.
      if (messages === undefined || this.receives.signal.aborted) return;
      this.logger.warn('a delete or visibility change failed; the message comes back and is handled again', {
        error,
      });
    });
    consumer.on('response_processed', () => void this.finishBatch(lane));
    return lane;
  }

  /** After a failed receive, waits (1 s, 2 s, … 30 s, jittered) before the next; ends early on stop. */
  private async receiveBackoff(lane: Lane): Promise<void> {
    if (lane.failures === 0) return;
    const ceiling = Math.min(MAX_RECEIVE_BACKOFF_MS, 1_000 * 2 ** (lane.failures - 1));
    const ms = Math.round(ceiling * (0.5 + this.random() / 2));
    await this.within(
      new Promise<void>((resolve) =>
        this.receives.signal.addEventListener('abort', () => resolve(), { once: true }),
      ),
      ms,
    );
    if (this.receives.signal.aborted) throw new Error('the event source is stopping');
  }

  private settle(message: Message, result: MessageResult, eventId?: string, reason?: string): void {
    if (result !== 'handled') this.metrics.message(result);
    this.safeEmit('message_settled', { ...refOf(message, eventId), result, ...(reason ? { reason } : {}) });
  }

  /** Handles one batch; returns the messages to delete. */
  private async handleBatch(lane: Lane, messages: Message[]): Promise<Message[]> {
    let resolve: () => void = () => {};
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    lane.done = { promise, resolve };
    lane.release = [];
    this.inFlight += 1;
    this.metrics.batchesInFlight.inc();
    try {
      return await this.handleMessages(lane, messages);
    } finally {
      this.inFlight -= 1;
      this.metrics.batchesInFlight.dec();
      this.lastProgressAt = this.timers.now();
    }
  }

  private async handleMessages(lane: Lane, messages: Message[]): Promise<Message[]> {
    const eventIds = lane.eventIds;
    eventIds.clear();
    lane.rejected.clear();
    const acked: Message[] = [];
    const known: Message[] = [];
    for (const message of messages) {
      const messageId = message.MessageId ?? '';
      try {
        const trigger = parseEvent(message.Body ?? '');
        eventIds.set(messageId, eventIdOf(trigger));
        known.push(message);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const deleted = this.settings.unparseable === 'delete';
        this.logger.warn(
          deleted
            ? 'message is not an event eni-pool knows; deleted'
            : 'message is not an event eni-pool knows; left for the dead-letter queue',
          {
            messageId,
            error: error instanceof Error ? error.name : 'Error',
            reason,
            receiveCount: message.Attributes?.ApproximateReceiveCount,
          },
        );
        this.settle(message, 'rejected', undefined, reason);
        lane.rejected.add(messageId);
        if (deleted) acked.push(message);
      }
    }
    const refs = messages.map((message) => refOf(message, eventIds.get(message.MessageId ?? '')));
    this.safeEmit('batch_received', { messages: refs });
    if (known.length === 0) return acked;

    const logger = withFields(this.logger, {
      messageIds: known.map((message) => message.MessageId),
      eventIds: known.map((message) => eventIds.get(message.MessageId ?? '') ?? null),
    });
    const event: SQSEvent = { Records: known.map(recordOf) };
    let failed: Set<string>;
    try {
      const response = await processBatch(
        event,
        this.runtime.forBatch(logger, this.metrics),
        this.settings.reconcileConcurrency,
        this.work.signal,
      );
      failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    } catch (error) {
      logger.error('batch failed; its messages are received again', { error });
      failed = new Set(known.map((message) => message.MessageId ?? ''));
    }
    const stopping = this.work.signal.aborted;
    for (const message of known) {
      const messageId = message.MessageId ?? '';
      const eventId = eventIds.get(messageId);
      if (!failed.has(messageId)) {
        acked.push(message);
        continue;
      }
      if (stopping) {
        lane.release.push(message);
        continue;
      }
      this.logger.warn('message failed; it is received again after its visibility timeout', {
        messageId,
        eventId,
        receiveCount: message.Attributes?.ApproximateReceiveCount,
      });
      this.settle(message, 'failed', eventId);
    }
    return acked;
  }

  /** Once the consumer has deleted a batch's messages and stopped its heartbeat: release the rest. */
  private async finishBatch(lane: Lane): Promise<void> {
    const release = lane.release;
    lane.release = [];
    try {
      if (release.length > 0) await this.releaseMessages(release);
    } finally {
      lane.done?.resolve();
      lane.done = undefined;
    }
  }

  private async releaseMessages(messages: Message[]): Promise<void> {
    try {
      const output = await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.settings.queueUrl,
          Entries: messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle ?? '',
            VisibilityTimeout: 0,
          })),
        }),
      );
      const failedIds = new Set((output.Failed ?? []).map((entry) => entry.Id));
      messages.forEach((message, index) => {
        if (failedIds.has(String(index))) {
          this.logger.warn(
            'could not make an unfinished message visible again; it returns after its visibility timeout',
            {
              messageId: message.MessageId,
            },
          );
          return;
        }
        this.releasedCount += 1;
        this.settle(message, 'released');
      });
    } catch (error) {
      this.logger.warn(
        'could not make unfinished messages visible again; they return after their visibility timeout',
        {
          messageIds: messages.map((message) => message.MessageId),
          error,
        },
      );
    }
  }

  private safeEmit<K extends keyof SqsEventSourceEvents>(
    name: K,
    ...args: EventEmitter.ArgumentMap<SqsEventSourceEvents>[K]
  ): void {
    try {
      (this.emit as (name: K, ...rest: unknown[]) => boolean)(name, ...args);
    } catch (error) {
      this.logger.warn('an event listener threw; ignored', { event: name, error });
    }
  }
}

/**
 * Creates the SQS poller that runs eni-pool as a long-running service. It long-polls the queue with
 * `concurrency` pollers, hands each batch to the same batch processing as the Lambda's SQS handler (one
 * reconcile per pool per batch, lifecycle actions completed only after the interface is attached or
 * released), extends visibility while a batch is handled, deletes only what succeeded, runs the full
 * sync itself every `syncIntervalMs`, and stops gracefully.
 *
 * @example
 * ```ts
 * import { createSqsEventSource } from '@eni-pool/sqs-adapter';
 *
 * const source = createSqsEventSource({ queueUrl: process.env.ENI_POOL_QUEUE_URL! });
 * source.on('message_settled', ({ messageId, result }) => console.log(messageId, result));
 * source.start();
 * process.once('SIGTERM', () => void source.stop());
 * ```
 */
export function createSqsEventSource(options: SqsEventSourceOptions): SqsEventSource {
  return new SqsEventSource(options);
}

/**
 * Every poller's receive, or every message in flight, listens to these signals: many listeners at once
 * is the design, not a leak, so Node is not to warn about it.
 */
function manyListeners(controller: AbortController): AbortController {
  setMaxListeners(0, controller.signal);
  return controller;
}
