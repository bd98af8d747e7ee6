import type { EC2Client } from '@aws-sdk/client-ec2';
import { EventEmitter } from 'eventemitter3';
import type { Ec2Port } from './ec2-port';
import type { EniPoolEvents } from './events';
import type { ActionOutcome, ExecutorOptions } from './executor';
import type { Logger } from './logger';
import type { Plan, PlannerOptions, PoolScope, PoolSummary, Unsatisfied } from './model';
import type { Trigger } from './trigger';

export interface EniPoolManagerOptions {
  /** An `Ec2Port`, or an `EC2Client` to wrap. @defaultValue `new EC2Client({})` from the standard SDK configuration */
  readonly ec2?: Ec2Port | EC2Client;
  readonly logger?: Logger;
  readonly planner?: PlannerOptions;
  readonly executor?: Omit<ExecutorOptions, 'ec2' | 'logger'>;
  /** Load → plan → apply rounds before giving up on convergence. @defaultValue `3` */
  readonly maxRounds?: number;
}

export interface ReconcileResult {
  readonly scope: PoolScope;
  readonly rounds: number;
  /** True when the last round's plan had no actions left to do. */
  readonly converged: boolean;
  readonly outcomes: readonly ActionOutcome[];
  readonly unsatisfied: readonly Unsatisfied[];
  readonly pools: readonly PoolSummary[];
  /** The plan of the last round. */
  readonly plan: Plan;
}

export interface HandleResult {
  readonly trigger: Trigger;
  /** Undefined when the trigger needed no reconcile (untagged instance, pending state, test notification). */
  readonly reconcile?: ReconcileResult;
  /** Why nothing was done, when nothing was. */
  readonly skipped?: string;
}

/** Ties load → plan → apply together, re-planning on conflict for a bounded number of rounds. */
export class EniPoolManager extends EventEmitter<EniPoolEvents> {
  constructor(readonly options: EniPoolManagerOptions = {}) {
    super();
  }

  async reconcile(_scope: PoolScope): Promise<ReconcileResult> {
    throw new Error('not implemented yet');
  }

  async handle(_trigger: Trigger): Promise<HandleResult> {
    throw new Error('not implemented yet');
  }
}
