/** Shape of a token bucket: `capacity` burst, refilled at `refillPerSecond`. */
export interface TokenBucketOptions {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

/**
 * A token bucket, as AWS throttles its APIs: each request takes one token; an empty bucket answers
 * "throttled". Refill is continuous, so a caller may spend tokens as they arrive. Each API checks the sizes
 * it accepts before building one (EC2 allows a bucket that never refills; Auto Scaling does not).
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket({ capacity: 40, refillPerSecond: 8 }, () => performance.now());
 * if (!bucket.tryTake()) throw autoScalingErrors.throttling();
 * ```
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly options: TokenBucketOptions,
    private readonly now: () => number,
  ) {
    this.tokens = options.capacity;
    this.last = this.now();
  }

  /** Takes one token; false when the bucket is empty. */
  tryTake(): boolean {
    const now = this.now();
    this.tokens = Math.min(
      this.options.capacity,
      this.tokens + ((now - this.last) / 1000) * this.options.refillPerSecond,
    );
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
