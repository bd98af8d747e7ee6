/**
 * Lifecycle hooks with @eni-pool/lifecycle-hook-adapter: a launch hook that keeps each new instance in
 * Pending:Wait until its pool interface is attached, and a terminate hook that releases the interface of a
 * leaving instance so its successor gets the address before the old instance is gone.
 *
 * Run it locally against the simulator, with no AWS account:
 *
 *   npx tsx examples/lifecycle-hooks.ts
 *
 * In AWS, the same handler runs in a Lambda function fed by an EventBridge rule on
 * "EC2 Instance-launch/terminate Lifecycle Action" (see packages/lifecycle-hook-adapter/cloudformation).
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { AwsSim } from '@eni-pool/aws-sim';
import { createJsonLogger, DEFAULT_POOL_TAG_KEY } from '@eni-pool/core';
import { createLifecycleHookHandler, type LifecycleOutcome } from '@eni-pool/lifecycle-hook-adapter';

const GROUP = 'bastion-asg';
const POOL = 'bastion';

async function main(): Promise<void> {
  // Simulated seconds last 20 ms here, so the hooks' 30 s HeartbeatTimeout is 600 ms.
  const sim = await AwsSim.start({
    delays: { launchMs: 20, terminateMs: 20, attachMs: 15, detachMs: 15 },
    autoscaling: { timeScale: 20 },
  });
  const ec2 = new EC2Client(sim.clientConfig());
  const autoScaling = new AutoScalingClient(sim.clientConfig());
  try {
    const { subnetIds } = sim.world.createNetwork({ azs: 2 });
    sim.world.createPool({ name: POOL, subnets: subnetIds });

    const hooks = createLifecycleHookHandler({
      ec2,
      autoScaling,
      logger: createJsonLogger('warn'),
      // Budgets scaled like the simulator; in AWS keep the defaults (240 s / 120 s / 60 s).
      launchBudgetMs: 3_000,
      terminateBudgetMs: 2_000,
      heartbeatIntervalMs: 100,
      poll: { initialDelayMs: 10, maxDelayMs: 50 },
      managerOptions: { executor: { wait: { initialDelayMs: 5, maxDelayMs: 20 } } },
    });
    hooks.on('lifecycle_launch_unsatisfied', (event) =>
      console.log(`! ${event.instanceId} got no interface: ${event.unsatisfied?.reason ?? event.lastError}`),
    );
    const outcomes: LifecycleOutcome[] = [];
    sim.events.subscribe(
      {
        source: ['aws.autoscaling'],
        'detail-type': ['EC2 Instance-launch Lifecycle Action', 'EC2 Instance-terminate Lifecycle Action'],
      },
      async (event) => {
        const outcome = await hooks.handleMessage(event);
        outcomes.push(outcome);
        console.log(
          `${outcome.kind.padEnd(9)} ${outcome.instanceId} → ${outcome.result} (${outcome.reason}) ${outcome.networkInterfaceIds.join(', ')}`,
        );
      },
    );

    sim.autoscaling.createGroup({
      name: GROUP,
      minSize: 2,
      maxSize: 4,
      desiredCapacity: 2,
      subnetIds,
      tags: [{ key: DEFAULT_POOL_TAG_KEY, value: POOL, propagateAtLaunch: true }],
      lifecycleHooks: [
        {
          name: 'eni-pool-launch',
          transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
          heartbeatTimeout: 30,
          defaultResult: 'ABANDON',
        },
        {
          name: 'eni-pool-terminate',
          transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
          heartbeatTimeout: 30,
          defaultResult: 'CONTINUE',
        },
      ],
    });
    const inService = () => sim.autoscaling.inServiceInstanceIds(GROUP);
    const settled = () =>
      sim.world.waitFor('two instances in service', () => {
        const live = sim.autoscaling.describeGroup(GROUP)?.instances ?? [];
        return live.length === 2 && inService().length === 2 && sim.autoscaling.activeActions().length === 0;
      });
    const addressOf = (instanceId: string) =>
      sim.world
        .attachmentsOf(instanceId)
        .map((a) => sim.world.interface(a.networkInterfaceId))
        .find((eni) => eni?.tags[DEFAULT_POOL_TAG_KEY] === POOL)?.privateIpAddress;

    await settled();
    await sim.events.idle();
    const [leaving] = inService();
    const address = addressOf(leaving!);
    console.log(`\nreplacing ${leaving} (${address})`);
    sim.autoscaling.terminateInstanceInGroup(leaving!, false);
    await settled();
    await sim.events.idle();

    const successor = inService().find((id) => addressOf(id) === address);
    console.log(`\n${address} moved from ${leaving} to ${successor}`);
    for (const completion of sim.autoscaling.completions) {
      // The simulator records what the instance held when the action completed.
      const held = completion.attachmentsAtCompletion as ReturnType<typeof sim.world.attachmentsOf>;
      const pool = held.filter(
        (a) => sim.world.interface(a.networkInterfaceId)?.tags[DEFAULT_POOL_TAG_KEY] === POOL,
      ).length;
      console.log(
        `${completion.transition.replace('autoscaling:EC2_INSTANCE_', '').padEnd(11)} ${completion.instanceId} ${completion.result} by ${completion.how}, pool interfaces at completion: ${pool}`,
      );
    }
  } finally {
    ec2.destroy();
    autoScaling.destroy();
    await sim.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
