/**
 * Lambda's SQS event source mapping, as the template wires it (batches of up to 10, a 5 s batching
 * window, a maximum concurrency) and as AWS documents its scaling: at first 5 batches at once, then up
 * to 300 more per minute, up to that maximum.
 * Events pushed here wait in the "queue" until a batch is due (10 waiting, or the oldest has waited the
 * window) and a batch may start (fewer batches running than the mapping's concurrency allows by now).
 */

export interface SqsBatchesOptions {
  /** @defaultValue 10 */
  readonly batchSize?: number;
  /** @defaultValue 5000 */
  readonly windowMs?: number;
  /** Batches at once when messages first arrive. @defaultValue 5 */
  readonly initialConcurrency?: number;
  /** How fast the mapping adds concurrent batches after that. @defaultValue 300 */
  readonly scaleUpPerMinute?: number;
  /** @defaultValue 1000 */
  readonly maxConcurrency?: number;
  /** @defaultValue `Date.now` */
  readonly now?: () => number;
}

interface Waiting {
  readonly event: unknown;
  readonly at: number;
  readonly done: () => void;
}

export class SqsBatches {
  private readonly batchSize: number;
  private readonly windowMs: number;
  private readonly initialConcurrency: number;
  private readonly scaleUpPerMinute: number;
  private readonly maxConcurrency: number;
  private readonly now: () => number;
  private readonly waiting: Waiting[] = [];
  private firstAt: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Batches handed to `invoke` that have not returned. */
  running = 0;
  /** Sizes of the batches started, in order. */
  readonly batches: number[] = [];

  constructor(
    private readonly invoke: (events: unknown[]) => Promise<void>,
    options: SqsBatchesOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 10;
    this.windowMs = options.windowMs ?? 5_000;
    this.initialConcurrency = options.initialConcurrency ?? 5;
    this.scaleUpPerMinute = options.scaleUpPerMinute ?? 300;
    this.maxConcurrency = options.maxConcurrency ?? 1_000;
    this.now = options.now ?? Date.now;
  }

  /** Queues one event; resolves once the invocation of the batch it went out in returned. */
  push(event: unknown): Promise<void> {
    const at = this.now();
    this.firstAt ??= at;
    return new Promise((done) => {
      this.waiting.push({ event, at, done });
      this.pump();
    });
  }

  /** Concurrent batches the mapping allows at `at`. */
  concurrencyAt(at: number): number {
    if (this.firstAt === undefined) return this.initialConcurrency;
    const added = Math.floor(((at - this.firstAt) * this.scaleUpPerMinute) / 60_000);
    return Math.min(this.maxConcurrency, this.initialConcurrency + added);
  }

  /** Stops the timer; events still waiting are never invoked. */
  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pump(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.now();
    while (this.waiting.length > 0 && this.running < this.concurrencyAt(now)) {
      const oldest = this.waiting[0]!;
      if (this.waiting.length < this.batchSize && now - oldest.at < this.windowMs) break;
      const batch = this.waiting.splice(0, this.batchSize);
      this.running++;
      this.batches.push(batch.length);
      void this.invoke(batch.map((item) => item.event)).finally(() => {
        this.running--;
        for (const item of batch) item.done();
        this.pump();
      });
    }
    if (this.waiting.length === 0) return;
    // Wake when a batch is due (10 waiting, or the oldest has waited the window) and may start (a slot
    // is free, or the mapping has scaled up by one); a batch that returns or an event that arrives wakes
    // it sooner.
    const dueAt = this.waiting.length >= this.batchSize ? now : this.waiting[0]!.at + this.windowMs;
    const slotAt = this.running < this.concurrencyAt(now) ? now : this.nextScaleUpAt(now);
    const wakeAt = Math.max(dueAt, slotAt);
    if (Number.isFinite(wakeAt)) this.timer = setTimeout(() => this.pump(), Math.max(0, wakeAt - now));
  }

  /** When the mapping next allows one batch more. */
  private nextScaleUpAt(now: number): number {
    const allowed = this.concurrencyAt(now);
    if (this.firstAt === undefined || allowed >= this.maxConcurrency) return Number.POSITIVE_INFINITY;
    const steps = allowed - this.initialConcurrency + 1;
    return this.firstAt + Math.ceil((steps * 60_000) / this.scaleUpPerMinute);
  }
}
