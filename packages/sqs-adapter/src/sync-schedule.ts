import type { Timers } from './options';

/** Options of {@link SyncSchedule}. */
export interface SyncScheduleOptions {
  readonly intervalMs: number;
  /** Fraction of the period each tick is moved by, at random, either way. */
  readonly jitter: number;
  readonly timers: Timers;
  readonly random: () => number;
  /** One sync; never called again before the previous call settled. */
  readonly run: () => Promise<void>;
  /** A tick came while the previous sync still ran. */
  readonly skipped: () => void;
}

/**
 * Runs a full sync every period, without a scheduler and without a leader: the first tick comes at a
 * random point of the first period and each later one a period after the previous tick, moved by up to
 * ±`jitter` of a period. Replicas started together therefore spread their syncs over the period instead
 * of all reading EC2 at once, and a tick that finds the previous sync still running is skipped, so syncs
 * of one replica never overlap or queue up.
 */
export class SyncSchedule {
  private timer: unknown;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly options: SyncScheduleOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(this.options.random() * this.options.intervalMs);
  }

  /** Stops ticking; resolves once a sync in progress has settled. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Whether a sync is running now. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  private nextDelay(): number {
    const { intervalMs, jitter, random } = this.options;
    return Math.max(1, Math.round(intervalMs * (1 + jitter * (2 * random() - 1))));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = this.options.timers.setTimeout(() => this.tick(), delayMs);
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped) return;
    this.schedule(this.nextDelay());
    if (this.running !== undefined) {
      this.options.skipped();
      return;
    }
    this.running = this.options
      .run()
      .catch(() => {})
      .finally(() => {
        this.running = undefined;
      });
  }
}
