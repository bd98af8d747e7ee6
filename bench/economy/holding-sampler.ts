/**
 * Watches a simulated world for the two facts a burst is judged by: instances holding two or more
 * interfaces of their pool at once, and the moment every member of the pool is served. It reads the model
 * directly (no API call is counted or throttled) on a fixed interval, and once more on `stop()`.
 */
import type { AwsSim } from '@eni-pool/aws-sim';

/** An attachment counts as held from `attaching` to `detaching`: EC2 has bound the interface to the instance. */
const HELD = new Set(['attaching', 'attached']);

export interface HoldingSample {
  /** Members holding exactly one `attached` interface of their pool. */
  readonly served: number;
  /** Instances holding two or more interfaces of their pool (`attaching` or `attached`). */
  readonly doubleHolders: readonly string[];
}

/** One look at the world: which instances are served and which hold more than one pool interface. */
export function sampleHolding(
  sim: AwsSim,
  pool: string,
  members: ReadonlySet<string>,
  tagKey: string,
): HoldingSample {
  const held = new Map<string, number>();
  const attached = new Map<string, number>();
  for (const eni of sim.ec2.snapshot().interfaces) {
    if (eni.tags[tagKey] !== pool || eni.attachment === undefined) continue;
    const { instanceId, status } = eni.attachment;
    if (HELD.has(status)) held.set(instanceId, (held.get(instanceId) ?? 0) + 1);
    if (status === 'attached') attached.set(instanceId, (attached.get(instanceId) ?? 0) + 1);
  }
  let served = 0;
  for (const id of members) if (attached.get(id) === 1 && held.get(id) === 1) served++;
  const doubleHolders = [...held].filter(([, n]) => n > 1).map(([id]) => id);
  return { served, doubleHolders };
}

export interface HoldingReport {
  readonly samples: number;
  /** Distinct instances ever seen holding two or more pool interfaces. */
  readonly doubleHolders: number;
  /** Most instances seen double-holding in one sample. */
  readonly maxDoubleAtOnce: number;
  /** Most members seen served in one sample. */
  readonly maxServed: number;
  /** ms after `start()` when a sample first saw every member served; undefined if none did. */
  readonly allServedAfterMs: number | undefined;
}

export interface HoldingSamplerOptions {
  readonly pool: string;
  readonly tagKey: string;
  /** The members to serve; may grow while sampling (`addMember`). */
  readonly members?: Iterable<string>;
  /** @defaultValue 50 */
  readonly intervalMs?: number;
  /** @defaultValue `performance.now` */
  readonly now?: () => number;
}

/**
 * Samples a pool on an interval until stopped.
 *
 * @example
 * ```ts
 * const sampler = new HoldingSampler(sim, { pool: 'web', tagKey: DEFAULT_POOL_TAG_KEY, members: ids });
 * sampler.start();
 * await sampler.allServed(60_000);
 * const report = sampler.stop(); // report.doubleHolders must be 0
 * ```
 */
export class HoldingSampler {
  private readonly members: Set<string>;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private startedAt = 0;
  private samples = 0;
  private readonly doubles = new Set<string>();
  private maxDoubleAtOnce = 0;
  private maxServed = 0;
  private allServedAt: number | undefined;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly sim: AwsSim,
    private readonly options: HoldingSamplerOptions,
  ) {
    this.members = new Set(options.members ?? []);
    this.intervalMs = options.intervalMs ?? 50;
    this.now = options.now ?? (() => performance.now());
    if (!(this.intervalMs > 0)) throw new RangeError('intervalMs must be > 0');
  }

  addMember(instanceId: string): void {
    this.members.add(instanceId);
  }

  start(): void {
    if (this.timer) return;
    this.startedAt = this.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  /** Takes one sample now; called by the interval, and usable directly. */
  sample(): HoldingSample {
    const result = sampleHolding(this.sim, this.options.pool, this.members, this.options.tagKey);
    this.samples++;
    for (const id of result.doubleHolders) this.doubles.add(id);
    this.maxDoubleAtOnce = Math.max(this.maxDoubleAtOnce, result.doubleHolders.length);
    this.maxServed = Math.max(this.maxServed, result.served);
    if (this.allServedAt === undefined && this.members.size > 0 && result.served === this.members.size) {
      this.allServedAt = this.now();
      for (const wake of this.waiters.splice(0)) wake();
    }
    return result;
  }

  /** Resolves true once a sample sees every member served, false after `timeoutMs`. */
  allServed(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.allServedAt !== undefined) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters = this.waiters.filter((w) => w !== onServed);
        resolve(value);
      };
      const onServed = () => done(true);
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(onServed);
    });
  }

  /** Stops sampling (after one last sample) and reports. */
  stop(): HoldingReport {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.sample();
    }
    return {
      samples: this.samples,
      doubleHolders: this.doubles.size,
      maxDoubleAtOnce: this.maxDoubleAtOnce,
      maxServed: this.maxServed,
      allServedAfterMs: this.allServedAt === undefined ? undefined : this.allServedAt - this.startedAt,
    };
  }
}
