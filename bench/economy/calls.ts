/**
 * Counting EC2 calls from the simulator's call log (`sim.calls`), the ground truth of every figure: the
 * counters never drop a call; the bounded log is read only where a figure needs request parameters
 * (follow-up pages), and only over short windows that it holds whole.
 */
import { type AwsSim, type BucketSpec, EC2_ACTIONS, EC2_BUCKETS } from '@eni-pool/aws-sim';

/** The error codes the simulator answers a throttled request with. */
export const THROTTLE_CODES = ['RequestLimitExceeded', 'Throttling', 'RequestThrottled'] as const;

/**
 * Throttled answers that no design avoids when `workers` separate workers send their first call at the
 * same instant: EC2 buckets each API on its own, so whichever API that first call is, the requests beyond
 * its bucket are throttled (refill during the instant aside). A `running` event names only the instance,
 * so the first call is a read of it, from the describe bucket (100, then 20 per second).
 */
export function firstCallFloor(workers: number, bucket: BucketSpec = EC2_BUCKETS.describe!): number {
  return Math.max(0, workers - bucket.capacity);
}

/** EC2 requests by kind, throttled ones included. */
export interface Ec2Calls {
  /** Describe* requests, every page and every attempt. */
  readonly describes: number;
  /**
   * Of those, follow-up pages (requests carrying a `NextToken`); undefined when the log no longer holds
   * them all or cut a summary before its token.
   */
  readonly pages: number | undefined;
  /** Every other EC2 request (attach, detach, tags, …). */
  readonly mutating: number;
  readonly attaches: number;
  readonly throttled: number;
  readonly total: number;
}

/** A point in the call log, to count what happened after it. */
export interface CallMark {
  readonly counts: ReadonlyMap<string, number>;
  readonly throttled: number;
  readonly logLength: number;
  readonly logTotal: number;
}

function ec2Counts(sim: AwsSim): Map<string, number> {
  return new Map(EC2_ACTIONS.map((action) => [action, sim.calls.count(action)]));
}

function ec2Throttled(sim: AwsSim): number {
  let n = 0;
  for (const action of EC2_ACTIONS) for (const code of THROTTLE_CODES) n += sim.calls.count(action, code);
  return n;
}

export function markCalls(sim: AwsSim): CallMark {
  return {
    counts: ec2Counts(sim),
    throttled: ec2Throttled(sim),
    logLength: sim.calls.log.length,
    logTotal: sim.calls.total,
  };
}

/** EC2 calls made since `mark`. */
export function callsSince(sim: AwsSim, mark: CallMark): Ec2Calls {
  const now = ec2Counts(sim);
  let describes = 0;
  let mutating = 0;
  for (const [action, count] of now) {
    const delta = count - (mark.counts.get(action) ?? 0);
    if (action.startsWith('Describe')) describes += delta;
    else mutating += delta;
  }
  const attaches =
    (now.get('AttachNetworkInterface') ?? 0) - (mark.counts.get('AttachNetworkInterface') ?? 0);
  // The log is bounded: it holds every call since the mark only if it dropped nothing since then.
  const added = sim.calls.total - mark.logTotal;
  const log = sim.calls.log;
  const complete = log.length - mark.logLength === added;
  const describesLogged = complete
    ? log.slice(mark.logLength).filter((c) => c.service === 'ec2' && c.action.startsWith('Describe'))
    : [];
  const isPage = (params: string) => params.includes('NextToken=');
  // The log keeps a 200-character summary of the parameters: a cut one may hide its NextToken.
  const hidden = describesLogged.some((c) => c.params.endsWith('...') && !isPage(c.params));
  const pages = complete && !hidden ? describesLogged.filter((c) => isPage(c.params)).length : undefined;
  return {
    describes,
    pages,
    mutating,
    attaches,
    throttled: ec2Throttled(sim) - mark.throttled,
    total: describes + mutating,
  };
}
