import { EventEmitter } from 'eventemitter3';
import type { Ec2Port } from './ec2-port';
import type { EniPoolError } from './errors';
import type { EniPoolEvents } from './events';
import type { Logger } from './logger';
import type { Plan, PlanAction } from './model';

export interface RetryOptions {
  /** Attempts per API call, including the first. @defaultValue `5` */
  readonly maxAttempts?: number;
  /** @defaultValue `200` */
  readonly baseDelayMs?: number;
  /** @defaultValue `5000` */
  readonly maxDelayMs?: number;
}

export interface WaitOptions {
  /** Delay before the first poll. @defaultValue `500` */
  readonly initialDelayMs?: number;
  /** @defaultValue `5000` */
  readonly maxDelayMs?: number;
  /** Bound of one wait; then `WaitTimeoutError`. @defaultValue `120000` */
  readonly timeoutMs?: number;
}

export interface RateLimitOptions {
  /** Burst per mutating action (EC2: 50). @defaultValue `50` */
  readonly capacity?: number;
  /** Sustained calls per second per mutating action (EC2: 5). @defaultValue `5` */
  readonly refillPerSecond?: number;
}

export interface ExecutorOptions {
  readonly ec2: Ec2Port;
  readonly logger?: Logger;
  /** Actions in flight at once. @defaultValue `8` */
  readonly concurrency?: number;
  readonly rateLimit?: RateLimitOptions;
  readonly retry?: RetryOptions;
  readonly wait?: WaitOptions;
  /** Tag written on an interface at attach, naming its instance (stop/start affinity); `false` disables. @defaultValue `'network-interface-manager-last-instance'` */
  readonly lastInstanceTagKey?: string | false;
  /** Injected for tests. @defaultValue real timers */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Injected for tests. @defaultValue `Math.random` */
  readonly random?: () => number;
}

export type ActionStatus = 'succeeded' | 'failed' | 'conflict' | 'skipped';

export interface ActionOutcome {
  readonly action: PlanAction;
  readonly status: ActionStatus;
  readonly attachmentId?: string;
  readonly error?: EniPoolError;
  readonly durationMs: number;
}

export interface ApplyResult {
  readonly outcomes: readonly ActionOutcome[];
  readonly succeeded: number;
  readonly failed: number;
  readonly conflicts: number;
  readonly skipped: number;
}

/** Applies plans to EC2: bounded concurrency, a token bucket, bounded retries and bounded waits. */
export class Executor extends EventEmitter<EniPoolEvents> {
  constructor(readonly options: ExecutorOptions) {
    super();
  }

  async apply(_plan: Plan, _signal?: AbortSignal): Promise<ApplyResult> {
    throw new Error('not implemented yet');
  }
}
