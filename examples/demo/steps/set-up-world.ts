import { table } from '../print';
import { GROUP, LAUNCH_HOOK, POOL, POOL_TAG, TERMINATE_HOOK } from '../scenario';
import type { Stage } from '../stage';

/** The network and the pool the story runs on. */
export interface World {
  readonly subnetIds: readonly string[];
  /** The fixed addresses of the group's pool. */
  readonly poolAddresses: ReadonlySet<string>;
  /** Instances in the order of their subnets. */
  bySubnet(ids: readonly string[]): string[];
}

/** Setup: a VPC with three subnets in three zones and a pool of one interface per subnet. */
export function setUpWorld({ sim, timings, print, adapter }: Stage): World {
  const { delays } = timings;
  print('eni-pool demo: fixed private addresses for an Auto Scaling group, on the built-in simulator');
  print('');
  print('setup');
  const { vpcId, subnetIds } = sim.world.createNetwork({ azs: 3 });
  const subnetOrder = new Map(subnetIds.map((id, i) => [id, i]));
  const pool = sim.world.createPool({ name: POOL, subnets: subnetIds });
  print(`  simulator  ${sim.endpoint}  region ${sim.identity.region}`);
  print(
    `  delays     attach ${delays.attachMs} ms, detach ${delays.detachMs} ms, instance state changes ${delays.launchMs} ms`,
  );
  print(`  network    ${vpcId}`);
  print(`  pool "${POOL}": one interface per subnet, tagged ${POOL_TAG}=${POOL}`);
  const subnets = new Map(sim.world.subnets().map((s) => [s.subnetId, s]));
  print(
    table([
      ['interface', 'subnet', 'zone', 'cidr', 'fixed address'],
      ...pool.map((e) => [
        e.networkInterfaceId,
        e.subnetId,
        e.availabilityZone,
        subnets.get(e.subnetId)?.cidrBlock ?? '',
        e.privateIpAddress,
      ]),
    ]).join('\n'),
  );
  print(`  group "${GROUP}": 3 instances over the 3 subnets, tag ${POOL_TAG}=${POOL} propagated at launch`);
  print(
    `  hooks      ${LAUNCH_HOOK} (launching, default ABANDON), ${TERMINATE_HOOK} (terminating, default CONTINUE)`,
  );
  print(
    adapter
      ? '  wiring     EventBridge rules → an SQS queue → eni-pool-sqs (a separate process, over HTTP)'
      : '  wiring     EventBridge rules → the Lambda handler (in process): state changes, lifecycle actions, sync',
  );
  print('             one manager for every path, asking Auto Scaling which pool members it is terminating');
  const orderOf = (id: string) => subnetOrder.get(sim.world.instance(id)?.subnetId ?? '') ?? 0;
  return {
    subnetIds,
    poolAddresses: new Set(pool.map((e) => e.privateIpAddress)),
    bySubnet: (ids) => [...ids].sort((a, b) => orderOf(a) - orderOf(b)),
  };
}
