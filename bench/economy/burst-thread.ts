/**
 * The thread the workers of a burst run in. In AWS, EC2 does not run on the workers' CPU: so the
 * simulator, its event delivery and the bench's sampling stay in the main thread, and the workers talk
 * to the simulator over HTTP from here, as they did before. One thread serves every burst of a run, so
 * its code is as warm for each contender as the main thread's would be.
 */
import { Worker as NodeWorker } from 'node:worker_threads';
import type { AwsSim } from '@eni-pool/aws-sim';

export type BurstContender =
  | 'original'
  | 'eni-pool'
  | 'eni-pool, one shared manager'
  | 'eni-pool (Lambda handler), SQS batches';

export type ToThread =
  | { readonly type: 'begin'; readonly contender: BurstContender; readonly clientConfig: unknown }
  | { readonly type: 'event'; readonly id: number; readonly event: unknown }
  | { readonly type: 'batch'; readonly id: number; readonly events: readonly unknown[] }
  | { readonly type: 'abort' }
  | { readonly type: 'end' };

export type FromThread =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly id: number; readonly error?: string }
  | { readonly type: 'ended' };

/** The workers' thread, seen from the main thread. */
export class BurstThread {
  private readonly pending = new Map<number, () => void>();
  private waiting: { readonly type: FromThread['type']; readonly wake: () => void } | undefined;
  private nextId = 0;
  /** Invocations of this run that ended in an error (a Lambda error). */
  errors = 0;

  private constructor(private readonly thread: NodeWorker) {
    thread.on('message', (message: FromThread) => {
      if (message.type === 'done') {
        if (message.error !== undefined) this.errors++;
        this.pending.get(message.id)?.();
        this.pending.delete(message.id);
      } else if (this.waiting?.type === message.type) {
        const { wake } = this.waiting;
        this.waiting = undefined;
        wake();
      }
    });
  }

  /** Starts the thread (its entry registers the TypeScript loader) and waits until it listens. */
  static async start(): Promise<BurstThread> {
    const thread = new NodeWorker(new URL('./burst-thread-entry.mjs', import.meta.url));
    const host = new BurstThread(thread);
    await host.reply('ready', () => {});
    return host;
  }

  /** Begins a run: every event from now on gets a worker of `contender`, pointed at `sim`. */
  begin(contender: BurstContender, sim: AwsSim): void {
    this.errors = 0;
    this.post({ type: 'begin', contender, clientConfig: sim.clientConfig() });
  }

  /** Hands one event to a worker; resolves when its invocation returns. */
  handle(event: unknown): Promise<void> {
    return this.invoke((id) => ({ type: 'event', id, event }));
  }

  /** Hands a batch of events to a worker of its own, as one SQS-triggered invocation. */
  handleBatch(events: readonly unknown[]): Promise<void> {
    return this.invoke((id) => ({ type: 'batch', id, events }));
  }

  /** The bench's deadline: every worker's signal aborts. */
  abort(): void {
    this.post({ type: 'abort' });
  }

  /** Ends a run: the workers' clients are closed. */
  end(): Promise<void> {
    return this.reply('ended', () => this.post({ type: 'end' }));
  }

  async stop(): Promise<void> {
    await this.thread.terminate();
  }

  private invoke(message: (id: number) => ToThread): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.post(message(id));
    });
  }

  private post(message: ToThread): void {
    this.thread.postMessage(message);
  }

  private reply(type: FromThread['type'], send: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the workers' thread did not answer '${type}'`)),
        60_000,
      );
      this.waiting = {
        type,
        wake: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      send();
    });
  }
}
