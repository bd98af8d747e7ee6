import type { AwsSim } from '@eni-pool/aws-sim';
import type { EniPoolManager } from '@eni-pool/core';
import type { EniPool } from './eni-pool';
import type { Print } from './print';

/** What the narration saw eni-pool do, for the steps' claims and the summary. */
export interface ActionRecord {
  /** Pool address → the instances that held it, in order. */
  readonly holders: Map<string, string[]>;
  /** `interface:instance` → when eni-pool first detached that interface from that instance. */
  readonly detachedAt: Map<string, number>;
  /** Instances in Terminating:Wait, as the steps mark them: EC2 still reports them running. */
  readonly terminating: Set<string>;
  /** Attach calls that named an instance in `terminating`: `address → instance`. */
  readonly reattached: string[];
  /** Attaches that lost a race to a concurrent invocation. */
  readonly conflicts: number;
}

/**
 * Narrates every attach and detach and every completed lifecycle action, and records what the claims need.
 * `actions` is the manager, or, with --sqs, the calls the separate process made.
 */
export function narrateActions(
  actions: Pick<EniPoolManager, 'on'>,
  lifecycle: EniPool['lifecycle'],
  sim: AwsSim,
  narrate: Print,
): ActionRecord {
  const addressOf = (eniId: string) => sim.world.interface(eniId)?.privateIpAddress ?? '?';
  const detached = new Set<string>();
  const record = {
    holders: new Map<string, string[]>(),
    detachedAt: new Map<string, number>(),
    terminating: new Set<string>(),
    reattached: [] as string[],
    conflicts: 0,
  };
  // Every attach call, whatever its outcome: none may name an instance that is being terminated.
  actions.on('action_started', ({ action }) => {
    if (action.kind === 'attach' && record.terminating.has(action.instanceId)) {
      record.reattached.push(`${addressOf(action.networkInterfaceId)} → ${action.instanceId}`);
      narrate(
        `attaching ${action.networkInterfaceId} → ${action.instanceId}, an instance in Terminating:Wait`,
      );
    }
  });
  actions.on('action_succeeded', ({ action }) => {
    if (action.kind === 'attach') {
      const address = addressOf(action.networkInterfaceId);
      record.holders.set(address, [...(record.holders.get(address) ?? []), action.instanceId]);
      narrate(
        `attached  ${action.networkInterfaceId} (${address}) → ${action.instanceId}, device ${action.deviceIndex}`,
      );
    } else {
      // Workers that share no manager may plan the same detach; the second finds it already under way.
      const again = detached.has(action.attachmentId) ? ', again (a concurrent invocation)' : '';
      detached.add(action.attachmentId);
      const key = `${action.networkInterfaceId}:${action.instanceId}`;
      if (!record.detachedAt.has(key)) record.detachedAt.set(key, Date.now());
      narrate(
        `detached  ${action.networkInterfaceId} (${addressOf(action.networkInterfaceId)}) from ${action.instanceId}: ${action.reason}${again}`,
      );
    }
  });
  actions.on('action_conflicted', () => record.conflicts++);
  actions.on('action_failed', ({ action, error }) => narrate(`failed    ${action.id}: ${error.message}`));
  lifecycle.on('lifecycle_action_completed', (o) =>
    narrate(`hook      ${o.instanceId} ${o.lifecycleHookName} → ${o.result ?? '-'} (${o.reason})`),
  );
  return record;
}
