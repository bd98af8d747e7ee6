import { AwsSim, DEFAULT_POOL_TAG_KEY, type EventBridgeEvent } from '@eni-pool/aws-sim';
import { createSimClients, STATE_CHANGE_PATTERN } from '@eni-pool/aws-sim/testing';
import { EniPoolManager, silentLogger } from '@eni-pool/core';
import { createLambdaHandler, type LambdaHandler } from '../../src/lambda-handler';

export const POOL_TAG = DEFAULT_POOL_TAG_KEY;

/** The calls that change EC2 or Auto Scaling state. */
export const MUTATING = [
  'AttachNetworkInterface',
  'DetachNetworkInterface',
  'CreateTags',
  'CompleteLifecycleAction',
];

/** The state-change pattern of the template's rule. */
export { STATE_CHANGE_PATTERN };

export interface Harness {
  readonly sim: AwsSim;
  readonly handler: LambdaHandler;
  /** Every handler failure seen through the bus. */
  readonly failures: unknown[];
  mutatingCalls(): number;
  /** Instance → its pool interfaces (attached or attaching). */
  poolInterfacesOf(instanceId: string, pool?: string): string[];
  /** Waits until the bus has delivered everything and no attachment is in transition. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A simulator, an event bus wired like the CloudFormation rules (state changes → the handler), and the
 * Lambda handler running on the real SDK over HTTP with short waits.
 */
export async function startHarness(
  options: {
    readonly seed?: number;
    /** `false`: no rule invokes the handler directly (the SQS-buffered variant wires its own). */
    readonly direct?: boolean;
  } = {},
): Promise<Harness> {
  const sim = await AwsSim.start({
    seed: options.seed ?? 1,
    // One SQS "second" lasts 10 ms, so visibility timeouts and redrives happen within a test.
    sqs: { msPerSecond: 10 },
    delays: { launchMs: 20, stopMs: 20, terminateMs: 20, attachMs: 15, detachMs: 15 },
  });
  const clients = createSimClients(sim);
  const { ec2 } = clients;
  const manager = new EniPoolManager({
    ec2,
    logger: silentLogger,
    executor: {
      wait: { initialDelayMs: 10, maxDelayMs: 50, timeoutMs: 5_000 },
      retry: { baseDelayMs: 10, maxDelayMs: 50 },
    },
  });
  const handler = createLambdaHandler({ manager, ec2, logger: silentLogger });
  const failures: unknown[] = [];
  // The simulator's bus plays EventBridge: the template's state-change rule invokes the function.
  const unsubscribe =
    options.direct === false
      ? () => {}
      : sim.events.subscribe(STATE_CHANGE_PATTERN, async (event) => {
          try {
            await handler(event);
          } catch (error) {
            failures.push(error);
            throw error;
          }
        });

  return {
    sim,
    handler,
    failures,
    mutatingCalls: () => MUTATING.reduce((sum, action) => sum + sim.calls.count(action), 0),
    poolInterfacesOf(instanceId, pool) {
      return sim.world
        .interfaces()
        .filter(
          (e) =>
            e.attachment?.instanceId === instanceId &&
            e.attachment.status !== 'detaching' &&
            (pool === undefined ? POOL_TAG in e.tags : e.tags[POOL_TAG] === pool),
        )
        .map((e) => e.networkInterfaceId);
    },
    async settle() {
      // Events cause calls that cause events: repeat until both the bus and EC2 are quiet.
      for (let i = 0; i < 20; i++) {
        await sim.events.idle(15_000);
        await sim.world.waitForSettled({ timeoutMs: 10_000 });
        await new Promise((resolve) => setTimeout(resolve, 30));
        if (sim.events.pendingDeliveries === 0) return;
      }
    },
    async stop() {
      unsubscribe();
      clients.destroy();
      await sim.stop();
    },
  };
}

/** A "Scheduled Event" like the template's sync rule delivers. */
export function scheduledEvent(): EventBridgeEvent {
  return {
    version: '0',
    id: `sched-${Math.random().toString(16).slice(2)}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/eni-pool-sync'],
    detail: {},
  };
}
