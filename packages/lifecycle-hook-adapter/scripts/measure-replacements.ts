/**
 * Measures lifecycle-hook handling on the simulator: a group of 4 instances over 2 subnets with 4 pool
 * interfaces, replaced 2 at a time, N times. Prints how long launch and terminate actions stayed open
 * (from the action's start to CompleteLifecycleAction, in the simulator's record) and the API calls made.
 *
 *   npx -y pnpm@12.4.2 build && npx tsx packages/lifecycle-hook-adapter/scripts/measure-replacements.ts [N]
 *
 * Simulated EC2 delays: launch/terminate 15 ms, attach/detach 10 ms; one process runs the simulator, the
 * SDK clients and the handler, so the figures include their CPU time.
 */
import { SimHarness } from '../tests/helpers/sim-harness';

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function summary(values: readonly number[]) {
  return {
    actions: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    max: Math.max(...values),
  };
}

async function main(replacements: number): Promise<void> {
  const h = await SimHarness.start({ subnets: 2, perSubnet: 2 });
  try {
    h.createGroup({ desiredCapacity: 4 });
    await h.settled(4);
    const initial = h.completions().length;
    const startedAt = Date.now();
    let replaced = 0;
    while (replaced < replacements) {
      const batch = h.inService().slice(0, 2);
      for (const instanceId of batch) h.sim.autoscaling.terminateInstanceInGroup(instanceId, false);
      replaced += batch.length;
      await h.settled(4, undefined, 60_000);
    }
    const wallMs = Date.now() - startedAt;
    const completions = h.completions().slice(initial);
    const open = (transition: string) =>
      completions
        .filter((c) => c.transition === transition)
        .map((c) => c.completedAt.getTime() - c.startedAt.getTime());
    const launches = completions.filter((c) => c.transition === 'autoscaling:EC2_INSTANCE_LAUNCHING');
    const attachedAtContinue = launches.filter(
      (c) => c.result === 'CONTINUE' && c.poolAttachments.some((a) => a.status === 'attached'),
    ).length;
    const calls = Object.fromEntries(
      [
        'AttachNetworkInterface',
        'DetachNetworkInterface',
        'DescribeInstances',
        'DescribeNetworkInterfaces',
        'CompleteLifecycleAction',
        'RecordLifecycleActionHeartbeat',
        'DescribeAutoScalingGroups',
      ].map((action) => [action, h.sim.calls.count(action)]),
    );
    console.log(
      JSON.stringify(
        {
          replacements: replaced,
          wallMs,
          launchOpenMs: summary(open('autoscaling:EC2_INSTANCE_LAUNCHING')),
          terminateOpenMs: summary(open('autoscaling:EC2_INSTANCE_TERMINATING')),
          continuedWithInterfaceAttached: `${attachedAtContinue}/${launches.length}`,
          calls,
        },
        null,
        2,
      ),
    );
  } finally {
    await h.stop();
  }
}

await main(Number(process.argv[2] ?? 52));
