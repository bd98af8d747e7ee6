import { setMaxListeners } from 'node:events';
import type { PoolScope } from '../model';

interface Entry<T> {
  /** `undefined`: every pool. */
  readonly pools: ReadonlySet<string> | undefined;
  readonly key: string;
  readonly work: (signal: AbortSignal) => Promise<T>;
  /** Aborts once every caller sharing the entry has aborted. */
  readonly controller: AbortController;
  /** Callers that may still want the result (a caller without a signal always does). */
  open: number;
  /** Listeners to take off the callers' signals when the run ends. */
  readonly cleanups: (() => void)[];
  started: boolean;
  readonly promise: Promise<T>;
  settle?: { resolve(value: T): void; reject(error: unknown): void };
}

function keyOf(scope: PoolScope): string {
  return scope.kind === 'all' ? '*' : `pools:${[...new Set(scope.pools)].sort().join('\u0000')}`;
}

function overlaps<T>(a: Entry<T>, b: Entry<T>): boolean {
  if (a.pools === undefined || b.pools === undefined) return true;
  for (const pool of a.pools) if (b.pools.has(pool)) return true;
  return false;
}

/**
 * Runs work on pool scopes so that two runs touching the same pool never overlap: a run starts once no
 * earlier run (running or waiting) shares a pool with it, so runs on disjoint pools go in parallel and
 * overlapping ones go first come, first served. A scope is taken whole, never pool by pool, so two
 * scopes cannot each hold part of what the other needs.
 *
 * A request may join a run of the same scope that is still waiting (`share`): the waiting run has not
 * read anything yet, so its result answers the later request just as well.
 *
 * A waiting run whose every caller has aborted starts at once with its signal aborted, so an aborted
 * caller is not held up behind others; work must therefore change nothing once its signal is aborted.
 */
export class ScopeQueue<T> {
  private readonly entries: Entry<T>[] = [];

  /** Runs (or joins) work on `scope`; `signal` aborts the shared run only once every sharer's has. */
  run(
    scope: PoolScope,
    work: (signal: AbortSignal) => Promise<T>,
    options: { readonly signal?: AbortSignal; readonly share: boolean; readonly key?: string },
  ): Promise<T> {
    const key = options.key ?? keyOf(scope);
    const waiting = options.share
      ? this.entries.find((entry) => !entry.started && entry.key === key)
      : undefined;
    const entry = waiting ?? this.enqueue(scope, key, work);
    this.follow(entry, options.signal);
    if (!waiting) this.pump();
    return entry.promise;
  }

  /** Runs started or waiting; for tests and diagnostics. */
  get size(): number {
    return this.entries.length;
  }

  private enqueue(scope: PoolScope, key: string, work: (signal: AbortSignal) => Promise<T>): Entry<T> {
    let settle: Entry<T>['settle'];
    const promise = new Promise<T>((resolve, reject) => {
      settle = { resolve, reject };
    });
    const controller = new AbortController();
    // Every wait of the run listens to its signal (a burst round paces each attach on it): many at
    // once is the design, not a leak, so Node is not to warn about it.
    setMaxListeners(0, controller.signal);
    const entry: Entry<T> = {
      pools: scope.kind === 'all' ? undefined : new Set(scope.pools),
      key,
      work,
      controller,
      open: 0,
      cleanups: [],
      started: false,
      promise,
      ...(settle ? { settle } : {}),
    };
    this.entries.push(entry);
    return entry;
  }

  private follow(entry: Entry<T>, signal: AbortSignal | undefined): void {
    entry.open++;
    if (signal === undefined) return;
    const leave = () => {
      entry.open--;
      if (entry.open > 0) return;
      entry.controller.abort(signal.reason);
      // Nobody waits for its effects any more: it starts at once, aborted, and must change nothing.
      if (!entry.started) {
        entry.started = true;
        void this.start(entry);
      }
    };
    if (signal.aborted) {
      leave();
      return;
    }
    signal.addEventListener('abort', leave, { once: true });
    entry.cleanups.push(() => signal.removeEventListener('abort', leave));
  }

  private pump(): void {
    for (const [index, entry] of this.entries.entries()) {
      if (entry.started) continue;
      if (this.entries.slice(0, index).some((earlier) => overlaps(earlier, entry))) continue;
      entry.started = true;
      void this.start(entry);
    }
  }

  private async start(entry: Entry<T>): Promise<void> {
    try {
      entry.settle?.resolve(await entry.work(entry.controller.signal));
    } catch (error) {
      entry.settle?.reject(error);
    } finally {
      for (const cleanup of entry.cleanups) cleanup();
      this.entries.splice(this.entries.indexOf(entry), 1);
      this.pump();
    }
  }
}
