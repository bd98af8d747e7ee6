import type { AwsSim, EventBridgeEvent } from '@eni-pool/aws-sim';
import type { InvocationResult } from '@eni-pool/lambda-adapter';
import type { EniPool } from './eni-pool';
import type { Print } from './print';
import { RULES, type RuleName } from './scenario';

/** What an event of each rule tells, for the narration. */
const WHAT_HAPPENED: Readonly<Record<RuleName, (event: EventBridgeEvent) => string>> = {
  'state-change-rule': (event) => {
    const detail = event.detail as { 'instance-id'?: string; state?: string };
    return `${detail['instance-id']} is ${detail.state}`;
  },
  'lifecycle-rule': (event) => {
    const detail = event.detail as { EC2InstanceId?: string; LifecycleTransition?: string };
    const what = detail.LifecycleTransition?.endsWith('LAUNCHING') ? 'launch' : 'terminate';
    return `${detail.EC2InstanceId} ${what} lifecycle action`;
  },
  'sync-rule': () => 'scheduled sync',
};

/** The Lambda handler's invocations so far. */
export interface Invocations {
  readonly results: readonly InvocationResult[];
  readonly errors: readonly unknown[];
  /** Invocations still running. */
  inFlight(): number;
}

/**
 * Subscribes the template's rules on the simulator's bus: each matching event is narrated and, as
 * EventBridge invokes the function asynchronously, handed to the handler once. With --sqs (`inProcess`
 * false) the event went to the queue as well, and the callback only narrates it.
 */
export function deliverEvents(
  sim: AwsSim,
  handler: EniPool['handler'],
  inProcess: boolean,
  narrate: Print,
): Invocations {
  const results: InvocationResult[] = [];
  const errors: unknown[] = [];
  let inFlight = 0;
  const invoke = async (event: EventBridgeEvent) => {
    if (!inProcess) return;
    inFlight++;
    try {
      results.push(await handler(event));
    } catch (error) {
      errors.push(error);
      throw error;
    } finally {
      inFlight--;
    }
  };
  for (const rule of RULES) {
    sim.events.subscribe(
      rule.pattern,
      (event) => {
        narrate(`event     ${WHAT_HAPPENED[rule.name](event)}`);
        return invoke(event);
      },
      rule.name,
    );
  }
  return { results, errors, inFlight: () => inFlight };
}
