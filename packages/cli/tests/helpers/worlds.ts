import { AwsSim } from '@eni-pool/aws-sim';

export const TAG = 'network-interface-manager-pool';
export const POOL = 'web';
export const GROUP = 'web-asg';

/** Mutating EC2 calls: a read-only command must make none of them. */
export const MUTATING_EC2 = [
  'AttachNetworkInterface',
  'DetachNetworkInterface',
  'CreateTags',
  'DeleteTags',
  'CreateNetworkInterface',
  'DeleteNetworkInterface',
  'RunInstances',
  'StopInstances',
  'StartInstances',
  'TerminateInstances',
];

/** Mutating Auto Scaling calls. */
export const MUTATING_AUTO_SCALING = [
  'CompleteLifecycleAction',
  'RecordLifecycleActionHeartbeat',
  'PutLifecycleHook',
  'CreateOrUpdateTags',
  'UpdateAutoScalingGroup',
  'SetDesiredCapacity',
  'TerminateInstanceInAutoScalingGroup',
];

export function mutatingCalls(sim: AwsSim): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const action of [...MUTATING_EC2, ...MUTATING_AUTO_SCALING]) {
    const n = sim.calls.count(action);
    if (n > 0) counts[action] = n;
  }
  return counts;
}

export interface WorldSpec {
  /** Pool interfaces per subnet, one entry per subnet. @defaultValue [1, 1] */
  readonly perSubnet?: readonly number[];
  /** Extra subnets the group launches in that get no pool interface. @defaultValue 0 */
  readonly bareSubnets?: number;
  readonly desired?: number;
  /** @defaultValue the total of perSubnet */
  readonly maxSize?: number;
  /** The group's pool tag: propagated (default), not propagated, or absent. */
  readonly groupTag?: 'propagated' | 'not-propagated' | 'absent';
  /** eni-pool's lifecycle hooks on the group. @defaultValue 'shipped' */
  readonly hooks?: 'shipped' | 'none' | 'launch-continue';
}

export interface World {
  readonly sim: AwsSim;
  readonly subnetIds: readonly string[];
  readonly interfaceIds: readonly string[];
  readonly members: readonly string[];
}

/**
 * A simulator with a pool `web` and an Auto Scaling group `web-asg` whose running instances carry the
 * pool tag (unless the spec says otherwise), and eni-pool's two lifecycle hooks as shipped.
 */
export async function startWorld(spec: WorldSpec = {}): Promise<World> {
  const sim = await AwsSim.start({
    delays: { launchMs: 10, stopMs: 10, terminateMs: 10, attachMs: 10, detachMs: 10 },
  });
  const perSubnet = spec.perSubnet ?? [1, 1];
  const { subnetIds } = sim.world.createNetwork({ azs: perSubnet.length + (spec.bareSubnets ?? 0) });
  const interfaceIds: string[] = [];
  perSubnet.forEach((count, i) => {
    if (count > 0) {
      for (const eni of sim.world.createPool({ name: POOL, subnets: [subnetIds[i]!], perSubnet: count })) {
        interfaceIds.push(eni.networkInterfaceId);
      }
    }
  });
  const total = perSubnet.reduce((a, b) => a + b, 0);
  const desired = spec.desired ?? perSubnet.length;
  const groupTag = spec.groupTag ?? 'propagated';
  sim.autoscaling.createGroup({
    name: GROUP,
    minSize: 0,
    maxSize: spec.maxSize ?? Math.max(total, desired),
    desiredCapacity: desired,
    subnetIds,
    tags:
      groupTag === 'absent' ? [] : [{ key: TAG, value: POOL, propagateAtLaunch: groupTag === 'propagated' }],
  });
  await sim.world.waitFor(
    'the group in service',
    () =>
      sim.autoscaling.inServiceInstanceIds(GROUP).length === desired &&
      sim.autoscaling.inServiceInstanceIds(GROUP).every((id) => sim.world.instance(id)?.state === 'running'),
    { timeoutMs: 20_000 },
  );
  const hooks = spec.hooks ?? 'shipped';
  if (hooks !== 'none') {
    sim.autoscaling.putLifecycleHook(GROUP, {
      name: 'eni-pool-launch',
      transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
      heartbeatTimeout: 300,
      defaultResult: hooks === 'launch-continue' ? 'CONTINUE' : 'ABANDON',
    });
    sim.autoscaling.putLifecycleHook(GROUP, {
      name: 'eni-pool-terminate',
      transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      heartbeatTimeout: 180,
      defaultResult: 'CONTINUE',
    });
  }
  sim.calls.reset();
  return { sim, subnetIds, interfaceIds, members: sim.autoscaling.inServiceInstanceIds(GROUP) };
}
