/** One API call as the simulator saw it. */
export interface CallRecord {
  readonly service: 'ec2' | 'autoscaling' | 'sqs' | 'unknown';
  readonly action: string;
  /** Milliseconds since the epoch, when the request arrived. */
  readonly at: number;
  /** A short summary of the request parameters, for debugging. */
  readonly params: string;
  /** `ok`, or the AWS error code answered. */
  readonly outcome: string;
  readonly status: number;
}

/**
 * Per-action call counters and a bounded call log, so tests can assert on what a client did.
 *
 * @example
 * ```ts
 * expect(sim.calls.count('AttachNetworkInterface')).toBe(3);
 * expect(sim.calls.throttled('DescribeInstances')).toBeGreaterThan(0);
 * ```
 */
export class CallLog {
  private records: CallRecord[] = [];
  private readonly counts = new Map<string, number>();
  private readonly outcomes = new Map<string, number>();

  constructor(private readonly limit = 10_000) {}

  record(entry: CallRecord): void {
    this.counts.set(entry.action, (this.counts.get(entry.action) ?? 0) + 1);
    const key = `${entry.action}|${entry.outcome}`;
    this.outcomes.set(key, (this.outcomes.get(key) ?? 0) + 1);
    this.records.push(entry);
    if (this.records.length > this.limit) this.records.splice(0, this.records.length - this.limit);
  }

  /** Calls made to `action` (all outcomes), or with the given outcome (`ok` or an error code). */
  count(action: string, outcome?: string): number {
    return outcome === undefined
      ? (this.counts.get(action) ?? 0)
      : (this.outcomes.get(`${action}|${outcome}`) ?? 0);
  }

  /** Calls answered with a throttling error, for one action or all. */
  throttled(action?: string): number {
    return this.records.filter(
      (r) =>
        (action === undefined || r.action === action) &&
        (r.outcome === 'RequestLimitExceeded' ||
          r.outcome === 'Throttling' ||
          r.outcome === 'RequestThrottled'),
    ).length;
  }

  /** The most recent calls, oldest first (at most the configured limit). */
  get log(): readonly CallRecord[] {
    return this.records;
  }

  /** Total calls counted since the last reset. */
  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  reset(): void {
    this.records = [];
    this.counts.clear();
    this.outcomes.clear();
  }
}
