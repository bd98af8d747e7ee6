/**
 * A custom Lambda function built from @eni-pool/lambda-adapter's parts instead of the ready bundle: your own
 * manager options, logger, metrics and lifecycle handling, one handler for EventBridge events and SQS
 * batches. Deploy `handler` like any Node.js function (see lambda-deployment.md).
 *
 * Run it locally against the simulator, with no AWS account:
 *
 *   npx tsx examples/custom-lambda.ts
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { AwsSim } from '@eni-pool/aws-sim';
import { EniPoolManager } from '@eni-pool/core';
import {
  createEmfPublisher,
  createLambdaHandler,
  createPowertoolsLogger,
  fromPowertools,
  type LambdaHandler,
} from '@eni-pool/lambda-adapter';
import {
  createAutoScalingLeavingInstances,
  createLifecycleHookHandler,
} from '@eni-pool/lifecycle-hook-adapter';

const POOL_TAG = 'network-interface-manager-pool';

/**
 * Builds the handler. In a real function this runs once at module scope:
 * `export const handler = buildHandler(new EC2Client({}), new AutoScalingClient({}));`
 */
export function buildHandler(ec2: EC2Client, autoScaling: AutoScalingClient): LambdaHandler {
  // Powertools' Logger: JSON lines with the Lambda context; core's Logger shape on top of it.
  const powertools = createPowertoolsLogger('info');
  const logger = fromPowertools(powertools);
  const manager = new EniPoolManager({
    ec2,
    logger,
    maxRounds: 3,
    planner: { poolTagKey: POOL_TAG, placement: 'availability-zone' },
    executor: { concurrency: 4, wait: { timeoutMs: 30_000 } },
    // Members Auto Scaling is terminating are treated as leaving by every reconcile, so no path hands a
    // freed address back to an instance in Terminating:Wait.
    leaving: createAutoScalingLeavingInstances({ autoScaling, logger }),
  });
  return createLambdaHandler({
    manager,
    ec2,
    logger,
    powertools,
    poolTagKey: POOL_TAG,
    // One CloudWatch EMF line per pool and reconcile: namespace EniPool, dimension Pool.
    metrics: createEmfPublisher(),
    lifecycle: createLifecycleHookHandler({
      manager,
      ec2,
      autoScaling,
      logger,
      poolTagKey: POOL_TAG,
      resultOnFailure: 'ABANDON',
    }),
    concurrency: 4,
  });
}

/** Two instances, two pool interfaces, one scheduled sync: both instances end up with an address. */
async function main(): Promise<void> {
  const sim = await AwsSim.start({ delays: { launchMs: 20, attachMs: 15, detachMs: 15 } });
  const ec2 = new EC2Client(sim.clientConfig());
  const autoScaling = new AutoScalingClient(sim.clientConfig());
  try {
    const { subnetIds } = sim.world.createNetwork({ azs: 2 });
    sim.world.createPool({ name: 'bastion', subnets: subnetIds });
    const instances = subnetIds.flatMap((subnetId) =>
      sim.world.launchInstances({ subnetId, tags: { [POOL_TAG]: 'bastion' } }),
    );
    await sim.world.waitForState(instances, 'running');

    const handler = buildHandler(ec2, autoScaling);
    const result = await handler({
      version: '0',
      id: 'example-sync',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: sim.identity.account,
      time: new Date().toISOString(),
      region: sim.identity.region,
      resources: [`arn:aws:events:${sim.identity.region}:${sim.identity.account}:rule/eni-pool-sync`],
      detail: {},
    });
    await sim.world.waitForSettled();
    console.log('handler result:', JSON.stringify(result));
    for (const instanceId of instances) {
      const held = sim.world
        .attachmentsOf(instanceId)
        .filter((a) => sim.world.interface(a.networkInterfaceId)?.tags[POOL_TAG] === 'bastion');
      console.log(
        instanceId,
        '→',
        held.map((a) => sim.world.interface(a.networkInterfaceId)?.privateIpAddress),
      );
    }
  } finally {
    ec2.destroy();
    await sim.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
