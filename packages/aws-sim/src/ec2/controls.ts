import type { SeededRandom } from '../random';
import { TokenBucket, type TokenBucketOptions } from '../token-bucket';
import { AwsSimError, Ec2ApiError, ec2Errors } from './errors';

/** Size and refill rate of one API action's token bucket. */
export type BucketSpec = TokenBucketOptions;

/**
 * EC2's published per-action buckets (request rate limiting). Describe calls made with neither a
 * filter nor pagination draw from a smaller bucket of their own (`<Action>:unfiltered`).
 */
export const EC2_BUCKETS: Readonly<Record<string, BucketSpec>> = {
  describe: { capacity: 100, refillPerSecond: 20 },
  'describe:unfiltered': { capacity: 50, refillPerSecond: 10 },
  mutating: { capacity: 50, refillPerSecond: 5 },
  CreateNetworkInterface: { capacity: 100, refillPerSecond: 5 },
  DeleteNetworkInterface: { capacity: 100, refillPerSecond: 5 },
  CreateTags: { capacity: 100, refillPerSecond: 10 },
  DeleteTags: { capacity: 100, refillPerSecond: 10 },
  TerminateInstances: { capacity: 100, refillPerSecond: 5 },
  RunInstances: { capacity: 5, refillPerSecond: 2 },
};

const UNFILTERED_BUCKET_ACTIONS = new Set(['DescribeInstances', 'DescribeNetworkInterfaces']);

export interface ThrottleOptions {
  /** Bucket sizes by action name, or by `describe`, `describe:unfiltered`, `mutating` for a whole category. */
  readonly buckets?: Readonly<Record<string, BucketSpec>>;
}

/**
 * EC2 request throttling: one token bucket per action (and per describe flavour), as AWS applies them
 * per account and Region. Off until `enable()`.
 */
export class Ec2Throttle {
  private enabled = false;
  private specs: Record<string, BucketSpec> = { ...EC2_BUCKETS };
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly clock: () => number = Date.now) {}

  get isEnabled(): boolean {
    return this.enabled;
  }

  /** Turns throttling on, with AWS's bucket sizes unless overridden; buckets start full. */
  enable(options: ThrottleOptions = {}): void {
    for (const [name, spec] of Object.entries(options.buckets ?? {})) {
      if (!(spec.capacity >= 1) || !(spec.refillPerSecond >= 0)) {
        throw new AwsSimError(`throttle bucket '${name}' needs capacity >= 1 and refillPerSecond >= 0`);
      }
    }
    this.specs = { ...EC2_BUCKETS, ...options.buckets };
    this.buckets.clear();
    this.enabled = true;
  }

  disable(): void {
    this.enabled = false;
    this.buckets.clear();
  }

  /** Takes a token for the call, or throws `RequestLimitExceeded` (HTTP 503). */
  admit(action: string, filteredOrPaginated: boolean): void {
    if (!this.enabled) return;
    const isDescribe = action.startsWith('Describe');
    const unfiltered = isDescribe && UNFILTERED_BUCKET_ACTIONS.has(action) && !filteredOrPaginated;
    const key = unfiltered ? `${action}:unfiltered` : action;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const spec =
        (unfiltered ? (this.specs[key] ?? this.specs['describe:unfiltered']) : this.specs[action]) ??
        (isDescribe ? this.specs.describe : this.specs.mutating)!;
      bucket = new TokenBucket(spec, this.clock);
      this.buckets.set(key, bucket);
    }
    if (!bucket.tryTake()) throw ec2Errors.requestLimitExceeded();
  }
}

/** An injected failure: calls to `action` fail with `code` at the given rate. */
export interface FaultSpec {
  /** An action name, or `*` for every EC2 action. */
  readonly action: string;
  /** Probability in [0, 1] that a matching call fails. @defaultValue 1 */
  readonly rate?: number;
  readonly code: string;
  /** @defaultValue 500 for `InternalError`/`Unavailable`, 503 for `RequestLimitExceeded`, else 400 */
  readonly status?: number;
  readonly message?: string;
  /** Stop after failing this many calls. @defaultValue unlimited */
  readonly times?: number;
  /**
   * `before`: the call fails and nothing changes. `after`: the change is made, then the error is
   * returned (an ambiguous failure, as after a lost response). @defaultValue 'before'
   */
  readonly phase?: 'before' | 'after';
}

/** Injected faults by action and rate, drawn from the simulator's seeded randomness. */
export class FaultInjector {
  private faults: { spec: FaultSpec; left: number }[] = [];

  constructor(private readonly random: SeededRandom) {}

  /** Adds a fault; returns a function that removes it. */
  add(spec: FaultSpec): () => void {
    const rate = spec.rate ?? 1;
    if (!(rate >= 0 && rate <= 1)) throw new AwsSimError(`fault rate must be in [0, 1], got ${spec.rate}`);
    const entry = { spec, left: spec.times ?? Number.POSITIVE_INFINITY };
    this.faults.push(entry);
    return () => {
      this.faults = this.faults.filter((f) => f !== entry);
    };
  }

  clear(): void {
    this.faults = [];
  }

  /** The error to answer for this call in this phase, if a fault fires. */
  draw(action: string, phase: 'before' | 'after'): Ec2ApiError | undefined {
    for (const f of this.faults) {
      if (f.left <= 0) continue;
      if (f.spec.action !== '*' && f.spec.action !== action) continue;
      if ((f.spec.phase ?? 'before') !== phase) continue;
      if (this.random.next() >= (f.spec.rate ?? 1)) continue;
      f.left--;
      const status =
        f.spec.status ??
        (f.spec.code === 'RequestLimitExceeded' ? 503 : /Internal|Unavailable/.test(f.spec.code) ? 500 : 400);
      return new Ec2ApiError(
        f.spec.code,
        f.spec.message ??
          (f.spec.code === 'RequestLimitExceeded'
            ? 'Request limit exceeded.'
            : 'An internal error has occurred'),
        status,
      );
    }
    return undefined;
  }
}
