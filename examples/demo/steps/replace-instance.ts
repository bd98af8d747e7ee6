import { check } from '../check';
import { table } from '../print';
import { LAUNCH_HOOK, POOL, TERMINATE_HOOK } from '../scenario';
import type { Stage } from '../stage';
import {
  checkHoldsOwnSubnetInterface,
  completionsOf,
  groupInService,
  poolAttachmentsAt,
  poolInterfacesOf,
} from '../views';

/**
 * 2. Auto Scaling terminates the first member: its terminate hook releases the interface before CONTINUE,
 * no attach names it while it is in Terminating:Wait, and its successor takes over the same address.
 */
export async function replaceInstance(stage: Stage, members: readonly string[]): Promise<void> {
  const { sim, print, actions } = stage;
  await stage.step(
    '2. Auto Scaling replaces an instance: the successor takes over the same address',
    async () => {
      const leaving = members[0]!;
      const eni = poolInterfacesOf(sim, leaving, POOL)[0]!;
      print(`  terminating ${leaving} (holds ${eni.networkInterfaceId}, ${eni.privateIpAddress})`);
      const asked = sim.calls.count('DescribeAutoScalingGroups');
      actions.terminating.add(leaving);
      sim.autoscaling.terminateInstanceInGroup(leaving, false);
      await stage.waitFor(`${leaving} to terminate and a successor to be InService`, () => {
        const inService = groupInService(sim);
        return (
          sim.world.instance(leaving)?.state === 'terminated' &&
          inService.length === 3 &&
          !inService.includes(leaving)
        );
      });
      await stage.settle();
      const successor = groupInService(sim).find((id) => !members.includes(id))!;
      const taken = checkHoldsOwnSubnetInterface(sim, successor, POOL);
      check(
        taken.networkInterfaceId === eni.networkInterfaceId &&
          taken.privateIpAddress === eni.privateIpAddress,
        `the successor ${successor} took over ${eni.privateIpAddress}`,
        () => `it holds ${taken.networkInterfaceId} (${taken.privateIpAddress})`,
      );
      const [released] = completionsOf(sim, leaving, TERMINATE_HOOK);
      const releasedAt = actions.detachedAt.get(`${eni.networkInterfaceId}:${leaving}`);
      check(
        released !== undefined &&
          released.result === 'CONTINUE' &&
          released.how === 'api' &&
          releasedAt !== undefined &&
          releasedAt <= released.completedAt.getTime(),
        `the terminate hook of ${leaving} completed with CONTINUE only after eni-pool detached its interface`,
        () =>
          released
            ? `${released.result} by ${released.how} at ${released.completedAt.toISOString()}, detach at ${releasedAt === undefined ? 'never' : new Date(releasedAt).toISOString()}`
            : 'no completion recorded',
      );
      check(
        poolAttachmentsAt(sim, released!, POOL).length === 0,
        `${leaving} held no ${POOL} interface when its terminate action completed`,
        () => JSON.stringify(poolAttachmentsAt(sim, released!, POOL)),
      );
      check(
        actions.reattached.length === 0,
        `no attach call named ${leaving} while Auto Scaling was terminating it`,
        () => actions.reattached.join('; '),
      );
      const [launched] = completionsOf(sim, successor, LAUNCH_HOOK);
      check(
        launched !== undefined && poolAttachmentsAt(sim, launched, POOL)[0]?.status === 'attached',
        `the launch hook of ${successor} completed once attached`,
        () => 'it did not',
      );
      print('');
      print(
        table([
          ['old instance', '', 'new instance', 'subnet', 'address'],
          [
            leaving,
            '→',
            successor,
            taken.subnetId,
            `${taken.privateIpAddress} (same interface ${taken.networkInterfaceId})`,
          ],
        ]).join('\n'),
      );
      print(
        '  ok: the terminate hook released the interface before CONTINUE; the successor got the same address',
      );
      print(
        `  ok: no attach call named ${leaving} while it was terminating: EC2 still showed it running, but the`,
      );
      print(
        `      plans asked Auto Scaling which members it was terminating (${sim.calls.count('DescribeAutoScalingGroups') - asked} DescribeAutoScalingGroups calls in this step)`,
      );
    },
  );
}
