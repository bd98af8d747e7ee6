import type { Clock } from '../internal/clock';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
}

/**
 * A clock for tests in which time moves only when everything else waits: whenever the event loop has
 * nothing left but timers of this clock, the earliest fires and `now()` jumps to it. Budgets, heartbeats
 * and backoffs then play out in the same order on an idle laptop and on a loaded CI runner, and a test of
 * a 4-minute budget takes milliseconds.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const handler = createLifecycleHookHandler({ now: clock.now, sleep: clock.sleep });
 * clock.setTimeout(() => ec2.setState(instance, 'running'), 60_000); // a minute later, virtually
 * ```
 */
export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers: Timer[] = [];
  private pumping = false;

  constructor(start = 0) {
    this.time = start;
  }

  readonly now = (): number => this.time;

  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const onAbort = () => {
        this.cancel(timer);
        resolve();
      };
      const timer = this.add(Math.max(0, ms), () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  /** Runs `fire` after `ms` of virtual time; returns a function that cancels it. */
  setTimeout(fire: () => void, ms: number): () => void {
    const timer = this.add(Math.max(0, ms), fire);
    return () => this.cancel(timer);
  }

  /** Timers not fired yet. */
  get pending(): number {
    return this.timers.length;
  }

  private add(ms: number, fire: () => void): Timer {
    const timer = { at: this.time + ms, seq: this.seq++, fire };
    this.timers.push(timer);
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.schedule();
    return timer;
  }

  private cancel(timer: Timer): void {
    const index = this.timers.indexOf(timer);
    if (index >= 0) this.timers.splice(index, 1);
  }

  /** A macrotask runs after every pending promise continuation: only then does time move on. */
  private schedule(): void {
    if (this.pumping) return;
    this.pumping = true;
    setImmediate(() => {
      this.pumping = false;
      const next = this.timers.shift();
      if (next === undefined) return;
      this.time = Math.max(this.time, next.at);
      next.fire();
      if (this.timers.length > 0) this.schedule();
    });
  }
}
