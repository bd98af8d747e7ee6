import type { AwsSim, InterfaceSnapshot } from '@eni-pool/aws-sim';
import { check } from './check';
import { table } from './print';
import { GROUP, POOL_TAG } from './scenario';

// What the simulator shows: instances, their pool interfaces, Auto Scaling's records.

/** The interfaces of `pool` attached (or attaching) to an instance. */
export function poolInterfacesOf(sim: AwsSim, instanceId: string, pool: string): InterfaceSnapshot[] {
  return sim.world
    .interfaces()
    .filter((e) => e.tags[POOL_TAG] === pool && e.attachment?.instanceId === instanceId);
}

/** The instance holds an attached interface of `pool`. */
export function holdsPoolAddress(sim: AwsSim, instanceId: string, pool: string): boolean {
  return poolInterfacesOf(sim, instanceId, pool)[0]?.attachment?.status === 'attached';
}

/** The group's InService members. */
export function groupInService(sim: AwsSim): string[] {
  return sim.autoscaling.inServiceInstanceIds(GROUP);
}

/** Checks that an instance holds exactly one attached interface of `pool`, from its own subnet, and returns it. */
export function checkHoldsOwnSubnetInterface(
  sim: AwsSim,
  instanceId: string,
  pool: string,
): InterfaceSnapshot {
  const held = poolInterfacesOf(sim, instanceId, pool);
  const subnetId = sim.world.instance(instanceId)?.subnetId;
  check(
    held.length === 1 && held[0]?.attachment?.status === 'attached' && held[0].subnetId === subnetId,
    `${instanceId} holds exactly one attached ${pool} interface from its subnet ${subnetId}`,
    () =>
      `it holds ${held.map((e) => `${e.networkInterfaceId} ${e.subnetId} ${e.status}`).join(', ') || 'none'}`,
  );
  return held[0]!;
}

/** A table of instances, their state and place, and the `pool` interface each holds. */
export function instanceRows(sim: AwsSim, ids: readonly string[], pool: string): string {
  return table([
    ['instance', 'state', 'subnet', 'zone', 'pool interface', 'address'],
    ...ids.map((id) => {
      const instance = sim.world.instance(id);
      const [eni] = poolInterfacesOf(sim, id, pool);
      return [
        id,
        instance?.state ?? 'gone',
        instance?.subnetId ?? '',
        instance?.availabilityZone ?? '',
        eni?.networkInterfaceId ?? '—',
        eni?.privateIpAddress ?? '—',
      ];
    }),
  ]).join('\n');
}

type Completion = AwsSim['autoscaling']['completions'][number];

/** Auto Scaling's record of the lifecycle actions of one instance and hook that were completed. */
export function completionsOf(sim: AwsSim, instanceId: string, hook: string): Completion[] {
  return sim.autoscaling.completions.filter((c) => c.instanceId === instanceId && c.hookName === hook);
}

/** The pool interfaces an instance had, and their attachment status, when its action completed. */
export function poolAttachmentsAt(
  sim: AwsSim,
  completion: { readonly attachmentsAtCompletion: readonly unknown[] },
  pool: string,
) {
  return completion.attachmentsAtCompletion
    .map((a) => a as { networkInterfaceId: string; status: string; deviceIndex: number })
    .filter((a) => sim.world.interface(a.networkInterfaceId)?.tags[POOL_TAG] === pool);
}
