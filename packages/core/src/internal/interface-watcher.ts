import { AttachmentLostError, OperationAbortedError, WaitTimeoutError } from '../errors';
import type { Logger } from '../logger';
import type { InterfaceView } from '../model';
import type { Clock } from './clock';
import type { Ec2Calls } from './ec2-calls';

/** What one poll says about the interface waited on. */
export type WatchVerdict = 'settled' | 'waiting' | { readonly lost: string };

/** Bounds and pace of one wait. */
export interface WatchPace {
  /** Delay before the first poll, and between polls for the first 5 s. */
  readonly initialDelayMs: number;
  /** Longest delay between polls; the delay doubles every 5 s of waiting up to this. */
  readonly maxDelayMs: number;
  /** Bound of the wait; then `WaitTimeoutError`. */
  readonly timeoutMs: number;
}

interface Watch {
  readonly networkInterfaceId: string;
  readonly expected: string;
  readonly check: (eni: InterfaceView | undefined) => WatchVerdict;
  readonly pace: WatchPace;
  readonly startedAt: number;
  readonly signal: AbortSignal | undefined;
  dueAt: number;
  polls: number;
  lastSeen: string | undefined;
  resolve(eni: InterfaceView | undefined): void;
  reject(error: unknown): void;
  cleanup(): void;
}

/** Filter values per describe (EC2 accepts up to 200 per filter). */
const IDS_PER_POLL = 200;
/** Watches due within this much of the earliest one are polled with it, in the same describe. */
const BATCH_WINDOW_MS = 100;

/** How an interface reads in a wait's messages. */
export function describeInterface(eni: InterfaceView | undefined): string {
  if (!eni) return 'not found';
  if (!eni.attachment) return eni.status;
  return `${eni.status}, attachment ${eni.attachment.attachmentId} to ${eni.attachment.instanceId} ${eni.attachment.status}`;
}

/**
 * Waits for interfaces to settle, with every wait of the process polled together: one
 * `DescribeNetworkInterfaces` (by `network-interface-id`) per tick for all interfaces due, however many
 * actions are waiting. A wait ends when its check says `settled`, fails with `AttachmentLostError` as soon
 * as the check says what it waits for is gone, with `WaitTimeoutError` at its bound, and with
 * `OperationAbortedError` when its signal aborts.
 */
export class InterfaceWatcher {
  private readonly watches = new Set<Watch>();
  private running = false;
  private wake: AbortController | undefined;
  /**
   * Time slept that the clock did not show (a test double that does not move): added to the clock, so
   * bounds and paces hold with any clock.
   */
  private skew = 0;

  constructor(
    private readonly calls: Ec2Calls,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  wait(
    networkInterfaceId: string,
    expected: string,
    check: (eni: InterfaceView | undefined) => WatchVerdict,
    pace: WatchPace,
    signal?: AbortSignal,
  ): Promise<InterfaceView | undefined> {
    if (signal?.aborted) {
      return Promise.reject(
        new OperationAbortedError(`wait for ${networkInterfaceId} ${expected} was aborted`, 'wait'),
      );
    }
    return new Promise((resolve, reject) => {
      const now = this.now();
      const watch: Watch = {
        networkInterfaceId,
        expected,
        check,
        pace,
        startedAt: now,
        signal,
        dueAt: now + pace.initialDelayMs,
        polls: 0,
        lastSeen: undefined,
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      const onAbort = () =>
        this.finish(watch, () =>
          reject(new OperationAbortedError(`wait for ${networkInterfaceId} ${expected} was aborted`, 'wait')),
        );
      signal?.addEventListener('abort', onAbort, { once: true });
      this.watches.add(watch);
      this.wake?.abort();
      if (!this.running) void this.loop();
    });
  }

  private finish(watch: Watch, settle: () => void): void {
    if (!this.watches.delete(watch)) return;
    watch.cleanup();
    settle();
  }

  private now(): number {
    return this.clock.now() + this.skew;
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.watches.size > 0) {
        const firstDue = Math.min(...[...this.watches].map((watch) => watch.dueAt));
        const pause = firstDue - this.now();
        if (pause > 0) {
          this.wake = new AbortController();
          const before = this.clock.now();
          await this.clock.sleep(pause, this.wake.signal);
          const woken = this.wake.signal.aborted;
          this.wake = undefined;
          if (!woken) this.skew += Math.max(0, pause - (this.clock.now() - before));
          if (woken) continue;
        }
        const now = this.now();
        const horizon = Math.max(now, firstDue) + BATCH_WINDOW_MS;
        const due = [...this.watches].filter((watch) => watch.dueAt <= horizon);
        await this.poll(due);
      }
    } finally {
      this.running = false;
    }
  }

  private async poll(due: readonly Watch[]): Promise<void> {
    const ids = [...new Set(due.map((watch) => watch.networkInterfaceId))].sort();
    const seen = new Map<string, InterfaceView>();
    try {
      for (let start = 0; start < ids.length; start += IDS_PER_POLL) {
        const chunk = ids.slice(start, start + IDS_PER_POLL);
        const found = await this.calls.allPages(
          'DescribeNetworkInterfaces',
          [{ name: 'network-interface-id', values: chunk }],
          { pageSize: 1000, maxPages: 10 },
        );
        for (const eni of found) seen.set(eni.networkInterfaceId, eni);
      }
    } catch (error) {
      this.logger.warn('polling interfaces failed; the waits end with the error', {
        networkInterfaceIds: ids,
        error: error instanceof Error ? error.message : String(error),
      });
      for (const watch of due) this.finish(watch, () => watch.reject(error));
      return;
    }
    for (const watch of due) {
      if (!this.watches.has(watch)) continue;
      const eni = seen.get(watch.networkInterfaceId);
      watch.polls++;
      watch.lastSeen = describeInterface(eni);
      const verdict = watch.check(eni);
      if (verdict === 'settled') {
        this.finish(watch, () => watch.resolve(eni));
        continue;
      }
      if (verdict !== 'waiting') {
        const lost = new AttachmentLostError(
          `${watch.networkInterfaceId} will not become ${watch.expected}: ${verdict.lost}`,
          watch.networkInterfaceId,
          watch.lastSeen,
        );
        this.finish(watch, () => watch.reject(lost));
        continue;
      }
      const waited = this.now() - watch.startedAt;
      const { initialDelayMs, maxDelayMs, timeoutMs } = watch.pace;
      if (waited >= timeoutMs) {
        const timeout = new WaitTimeoutError(
          `${watch.networkInterfaceId} did not become ${watch.expected} within ${timeoutMs} ms (last seen: ${watch.lastSeen}, ${watch.polls} polls)`,
          watch.networkInterfaceId,
          watch.expected,
          watch.lastSeen,
          waited,
        );
        this.finish(watch, () => watch.reject(timeout));
        continue;
      }
      // Fast at first, when most attachments settle, then slower: 1×, 2×, 4× … every 5 s, up to the cap.
      const delay = Math.min(maxDelayMs, Math.max(1, initialDelayMs) * 2 ** Math.floor(waited / 5000));
      watch.dueAt = this.now() + Math.min(delay, Math.max(1, timeoutMs - waited));
    }
  }
}
