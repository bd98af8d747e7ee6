import type { Clock } from './clock';

/** Size and refill rate of a `TokenBucket`. */
export interface TokenBucketOptions {
  /** Tokens the bucket holds when full (the burst). */
  readonly capacity: number;
  /** Tokens added per second, up to `capacity`. */
  readonly refillPerSecond: number;
}

/**
 * A client-side token bucket, the model EC2 uses for its own request limits: a full bucket allows a
 * burst of `capacity` calls, then `refillPerSecond` calls per second. Callers are served in order.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: TokenBucketOptions,
    private readonly clock: Clock,
  ) {
    this.tokens = options.capacity;
    this.refilledAt = clock.now();
  }

  /**
   * Resolves when a token was taken; waits (through the clock) for the refill when the bucket is empty.
   * Once `signal` aborts it resolves without a token, and the caller, seeing its signal, makes no call.
   */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.takeNow(signal));
    // A rejected turn (a failing clock) must not block later callers.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsedMs = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(
      this.options.capacity,
      this.tokens + (elapsedMs * this.options.refillPerSecond) / 1000,
    );
    this.refilledAt = now;
  }

  private async takeNow(signal: AbortSignal | undefined): Promise<void> {
    this.refill();
    while (this.tokens < 1) {
      if (signal?.aborted) return;
      const waitMs = Math.ceil(((1 - this.tokens) * 1000) / this.options.refillPerSecond);
      await this.clock.sleep(waitMs, signal);
      if (signal?.aborted) return;
      const before = this.refilledAt;
      this.refill();
      // A clock that does not move while sleeping (a test double) still earns the slept time.
      if (this.refilledAt === before) {
        this.tokens = Math.min(
          this.options.capacity,
          this.tokens + (waitMs * this.options.refillPerSecond) / 1000,
        );
      }
    }
    this.tokens -= 1;
  }
}
