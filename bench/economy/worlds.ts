/**
 * Worlds for the economy bench, built through the simulator's model API so that building costs no
 * counted or throttled call: pools whose members already hold their interface, with a few free ones.
 */

import type { Ec2Delays } from '@eni-pool/aws-sim';
import { type AwsSim, DEFAULT_POOL_TAG_KEY } from '@eni-pool/aws-sim';

export const POOL_TAG = DEFAULT_POOL_TAG_KEY;
/** Three interfaces per instance (primary, pool, and one more), so a second pool attach is possible. */
export const INSTANCE_TYPE = 'm5.large';

/** The delays the bench runs at, close to what EC2 shows: attach ≈ 2 s, detach 4–15 s, launch ≈ 8 s. */
export const REALISTIC_DELAYS: Ec2Delays = {
  launchMs: 8_000,
  stopMs: 10_000,
  terminateMs: 30_000,
  attachMs: 2_000,
  detachMs: 4_000,
};
/** EventBridge delivery delay of state-change and lifecycle events. */
export const EVENT_DELAY_MS = 500;

export interface PoolWorld {
  readonly name: string;
  /** One subnet per zone, in the pool's own VPC. */
  readonly subnetIds: readonly string[];
  /** Running members, each holding one interface of the pool in its subnet. */
  readonly members: readonly string[];
}

export interface ServedPoolsSpec {
  readonly pools: number;
  readonly perPool: number;
  /** Free interfaces per pool and subnet, beyond one per member. @defaultValue 2 */
  readonly sparePerSubnet?: number;
  /** @defaultValue 3 */
  readonly zones?: number;
}

/**
 * `pools` pools of `perPool` running members each, spread over the zones, every member holding one
 * interface of its pool at device index 1, plus `sparePerSubnet` free interfaces per subnet. Each pool
 * has its own VPC (a /16 holds one 1,000-member pool comfortably; a region's VPCs would hold far more
 * pools, which changes nothing for calls filtered by pool). Leaves the simulator's delays as they were.
 */
export async function buildServedPools(sim: AwsSim, spec: ServedPoolsSpec): Promise<PoolWorld[]> {
  const zones = spec.zones ?? 3;
  const spare = spec.sparePerSubnet ?? 2;
  const delays = sim.ec2.delays;
  sim.world.delays({ launchMs: 0, attachMs: 0 });
  const pools: PoolWorld[] = [];
  const pendingAttach: { networkInterfaceId: string; instanceId: string }[] = [];
  try {
    for (let p = 0; p < spec.pools; p++) {
      const name = `pool-${p}`;
      const vpcId = sim.world.createVpc('10.0.0.0/16');
      const subnetIds = sim.world.createSubnets(
        Array.from({ length: zones }, (_, z) => ({
          az: `${sim.identity.region}${'abcdef'[z]}`,
          cidr: `10.0.${z * 16}.0/20`,
          vpcId,
        })),
      );
      const members: string[] = [];
      subnetIds.forEach((subnetId, z) => {
        const count = Math.floor(spec.perPool / zones) + (z < spec.perPool % zones ? 1 : 0);
        const ids =
          count === 0
            ? []
            : sim.world.launchInstances({ subnetId, count, tags: { [POOL_TAG]: name }, type: INSTANCE_TYPE });
        members.push(...ids);
        for (let i = 0; i < count + spare; i++) {
          const eni = sim.world.createInterface({ subnetId, tags: { [POOL_TAG]: name } });
          const instanceId = ids[i];
          if (instanceId !== undefined) {
            // Launched with a zero delay: running on the next tick. Attach once it is.
            pendingAttach.push({ networkInterfaceId: eni.networkInterfaceId, instanceId });
          }
        }
      });
      pools.push({ name, subnetIds, members });
    }
    await sim.world.waitForState(
      pools.flatMap((p) => p.members),
      'running',
      { timeoutMs: 120_000, intervalMs: 20 },
    );
    for (const attach of pendingAttach) sim.ec2.attachNetworkInterface({ ...attach, deviceIndex: 1 });
    await sim.world.waitForSettled({ timeoutMs: 120_000, intervalMs: 20 });
    // Served long ago, as a steady pool is: the set-up's attaches take nothing from the attach bucket.
    sim.world.backdateAttachments(3_600_000);
  } finally {
    sim.world.delays(delays);
  }
  return pools;
}

/**
 * `count` instances of one pool launched at once over its subnets, with `count` free interfaces of the
 * pool matching them subnet by subnet: exactly one for each.
 */
export function createBurstPool(
  sim: AwsSim,
  count: number,
  zones = 3,
): { readonly name: string; readonly subnetIds: readonly string[] } {
  const name = 'burst';
  const vpcId = sim.world.createVpc('10.0.0.0/16');
  const subnetIds = sim.world.createSubnets(
    Array.from({ length: zones }, (_, z) => ({
      az: `${sim.identity.region}${'abcdef'[z]}`,
      cidr: `10.0.${z * 16}.0/20`,
      vpcId,
    })),
  );
  subnetIds.forEach((subnetId, z) => {
    const n = Math.floor(count / zones) + (z < count % zones ? 1 : 0);
    for (let i = 0; i < n; i++) sim.world.createInterface({ subnetId, tags: { [POOL_TAG]: name } });
  });
  return { name, subnetIds };
}

/** Launches `count` members of the pool over its subnets, the same split as {@link createBurstPool}. */
export function launchMembers(
  sim: AwsSim,
  pool: { readonly name: string; readonly subnetIds: readonly string[] },
  count: number,
): string[] {
  const ids: string[] = [];
  pool.subnetIds.forEach((subnetId, z) => {
    const zones = pool.subnetIds.length;
    const n = Math.floor(count / zones) + (z < count % zones ? 1 : 0);
    if (n > 0) {
      ids.push(
        ...sim.world.launchInstances({
          subnetId,
          count: n,
          tags: { [POOL_TAG]: pool.name },
          type: INSTANCE_TYPE,
        }),
      );
    }
  });
  return ids;
}
