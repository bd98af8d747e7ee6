import type { InstanceView, InterfaceView, PlanAction } from '../model';
import type { TokenBucketOptions } from './token-bucket';

/**
 * Attach pacing across processes. EC2's attach bucket is the account's, shared by every worker that
 * handles one event of a burst; a client-side bucket cannot see the others. What every worker does see
 * is the same pool: the attachments made recently (their `attachTime`) and the attaches still due, in
 * an order every worker computes alike (plan order, or free interface ids). Replaying EC2's bucket
 * over those attachments gives the tokens left now; the attach ranked `r` goes once `r + 1` tokens are
 * there, so the workers of a burst queue up in the order they all computed, and none is throttled by
 * the others.
 */

/** The attach bucket assumed (by default the client-side one, a tenth below EC2's 50 / 5 per second). */
export type AttachPacingBucket = TokenBucketOptions;

/** How far back attach times are replayed; the bucket is taken as full before that. */
export const PACING_HISTORY_MS = 60_000;

/**
 * Tokens left in `bucket` at `nowMs`, after the attaches made at `attachTimesMs`, for a bucket that
 * was full `PACING_HISTORY_MS` before. May be below zero when more were made than it allowed.
 */
export function tokensLeft(
  attachTimesMs: readonly number[],
  nowMs: number,
  bucket: AttachPacingBucket,
): number {
  const from = nowMs - PACING_HISTORY_MS;
  const recent = attachTimesMs
    .filter((at) => at > from)
    .map((at) => Math.min(at, nowMs))
    .sort((a, b) => a - b);
  let tokens = bucket.capacity;
  let at = from;
  for (const attachAt of recent) {
    tokens = Math.min(bucket.capacity, tokens + ((attachAt - at) * bucket.refillPerSecond) / 1000) - 1;
    at = attachAt;
  }
  return Math.min(bucket.capacity, tokens + ((nowMs - at) * bucket.refillPerSecond) / 1000);
}

/**
 * How long the attach ranked `rank` (0 = the first) among the attaches waiting to go out should wait,
 * so that it finds a token: `0` while the bucket holds more than `rank` tokens.
 */
export function attachDelayMs(
  attachTimesMs: readonly number[],
  nowMs: number,
  rank: number,
  bucket: AttachPacingBucket,
): number {
  const missing = rank + 1 - tokensLeft(attachTimesMs, nowMs, bucket);
  return missing <= 0 ? 0 : Math.ceil((missing * 1000) / bucket.refillPerSecond);
}

/**
 * The attach times the pool shows: those of its interfaces' secondary attachments, and `readAtMs` for
 * each attach that shows on an instance only (made between the two describes). EC2 gives times to the
 * second: each is read as the end of its second, so the bucket is never thought fuller than it is.
 */
export function recentAttachTimes(
  interfaces: readonly InterfaceView[],
  instances: readonly InstanceView[],
  readAtMs: number,
): number[] {
  const times: number[] = [];
  const unattached = new Set<string>();
  for (const eni of interfaces) {
    const attachment = eni.attachment;
    if (attachment === undefined || attachment.status === 'detached') {
      unattached.add(eni.networkInterfaceId);
      continue;
    }
    if (attachment.attachTime === undefined || attachment.deviceIndex === 0) continue;
    const ms = Date.parse(attachment.attachTime);
    if (Number.isFinite(ms)) times.push(ms % 1000 === 0 ? ms + 999 : ms);
  }
  for (const instance of instances) {
    for (const attachment of instance.attachments) {
      if (
        attachment.deviceIndex > 0 &&
        attachment.status !== 'detached' &&
        unattached.has(attachment.networkInterfaceId)
      ) {
        times.push(readAtMs);
      }
    }
  }
  return times;
}

/**
 * The rank of `action` among the attaches of the plan, in plan order (by instance id, the same for every
 * worker that reads the same pool): how many attaches come before it, of those `counts` keeps (by default
 * all). 0 when the plan does not hold it.
 */
export function attachRank(
  planned: readonly PlanAction[],
  action: PlanAction,
  counts: (action: PlanAction) => boolean = () => true,
): number {
  let rank = 0;
  for (const candidate of planned) {
    if (candidate.kind !== 'attach') continue;
    if (candidate.id === action.id) return rank;
    if (counts(candidate)) rank++;
  }
  return 0;
}
