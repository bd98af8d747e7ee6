import type { LifecycleActionTrigger, Trigger } from '@eni-pool/core';
import type { SQSRecord } from 'aws-lambda';
import { parseOrReject } from '../rejection';
import type { HandlerRuntime } from '../runtime';

/** A lifecycle action of the batch, and the messages that carried it. */
export interface BatchLifecycleAction {
  readonly trigger: LifecycleActionTrigger;
  readonly messageIds: string[];
}

/** A batch's records sorted by what they ask for, each kind de-duplicated. */
export interface SortedBatch {
  /** Messages that are no event eni-pool handles: reported, so the redrive policy parks them. */
  readonly poison: string[];
  /** Messages of scheduled syncs. */
  readonly syncAll: string[];
  /** Instance → the messages of its state changes. */
  readonly stateChanges: Map<string, string[]>;
  /** One entry per lifecycle action (by instance, transition, hook and token). */
  readonly lifecycleActions: Map<string, BatchLifecycleAction>;
}

/** Parses each record of a batch and sorts it by kind; acknowledged kinds (pending, test notifications) are logged. */
export function sortRecords(records: readonly SQSRecord[], runtime: HandlerRuntime): SortedBatch {
  const batch: SortedBatch = {
    poison: [],
    syncAll: [],
    stateChanges: new Map(),
    lifecycleActions: new Map(),
  };
  for (const record of records) {
    const messageId = typeof record?.messageId === 'string' ? record.messageId : undefined;
    if (messageId === undefined || messageId === '') {
      runtime.logger.error('SQS record without a messageId; it cannot be reported', {});
      continue;
    }
    const body = typeof record.body === 'string' ? record.body : undefined;
    const parsed = parseOrReject(body ?? record.body, runtime.logger);
    if ('rejected' in parsed) batch.poison.push(messageId);
    else addTrigger(batch, parsed.trigger, messageId, runtime);
  }
  return batch;
}

function addTrigger(batch: SortedBatch, trigger: Trigger, messageId: string, runtime: HandlerRuntime): void {
  switch (trigger.kind) {
    case 'scheduled-sync':
      batch.syncAll.push(messageId);
      break;
    case 'instance-state-change':
      if (trigger.state === 'pending') {
        runtime.logger.debug('pending instance acknowledged', { messageId, instanceId: trigger.instanceId });
        break;
      }
      batch.stateChanges.set(trigger.instanceId, [
        ...(batch.stateChanges.get(trigger.instanceId) ?? []),
        messageId,
      ]);
      break;
    case 'lifecycle-action': {
      const key = `lifecycle:${trigger.instanceId}:${trigger.transition}:${trigger.lifecycleHookName}:${trigger.lifecycleActionToken ?? ''}`;
      const existing = batch.lifecycleActions.get(key);
      if (existing) existing.messageIds.push(messageId);
      else batch.lifecycleActions.set(key, { trigger, messageIds: [messageId] });
      break;
    }
    case 'test-notification':
      runtime.logger.info('Auto Scaling test notification acknowledged', {
        messageId,
        autoScalingGroupName: trigger.autoScalingGroupName,
      });
      break;
  }
}
