import { check } from '../check';
import { table } from '../print';
import { GROUP, LAUNCH_HOOK, POOL, POOL_TAG, TERMINATE_HOOK } from '../scenario';
import type { Stage } from '../stage';
import {
  checkHoldsOwnSubnetInterface,
  completionsOf,
  groupInService,
  instanceRows,
  poolAttachmentsAt,
} from '../views';
import type { World } from './set-up-world';

/**
 * 1. The group launches with its hooks; each instance holds its subnet's interface, and Auto Scaling's
 * record shows each launch action completed only once attached. Returns the members, by subnet.
 */
export async function launchGroup(stage: Stage, world: World): Promise<string[]> {
  const { sim, print } = stage;
  let members: string[] = [];
  await stage.step(
    '1. The group launches: each instance gets its subnet’s address before it goes InService',
    async () => {
      sim.autoscaling.createGroup({
        name: GROUP,
        minSize: 3,
        maxSize: 4,
        desiredCapacity: 3,
        subnetIds: [...world.subnetIds],
        tags: [{ key: POOL_TAG, value: POOL, propagateAtLaunch: true }],
        lifecycleHooks: [
          {
            name: LAUNCH_HOOK,
            transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
            heartbeatTimeout: 300,
            defaultResult: 'ABANDON',
          },
          {
            name: TERMINATE_HOOK,
            transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
            heartbeatTimeout: 300,
            defaultResult: 'CONTINUE',
          },
        ],
      });
      await stage.waitFor('three instances InService', () => groupInService(sim).length === 3);
      await stage.settle();
      members = world.bySubnet(groupInService(sim));
      print('');
      print(instanceRows(sim, members, POOL));
      for (const id of members) checkHoldsOwnSubnetInterface(sim, id, POOL);
      print('');
      print(
        '  lifecycle completions (Auto Scaling’s record: the instance’s attachments when CONTINUE arrived)',
      );
      const rows = [['instance', 'hook', 'result', 'by', 'pool interface at completion']];
      for (const id of members) {
        const [completion] = completionsOf(sim, id, LAUNCH_HOOK);
        check(
          completion !== undefined,
          `the launch action of ${id} completed`,
          () => 'no completion recorded',
        );
        const atCompletion = poolAttachmentsAt(sim, completion!, POOL);
        check(
          completion!.result === 'CONTINUE' &&
            completion!.how === 'api' &&
            atCompletion.length === 1 &&
            atCompletion[0]?.status === 'attached',
          `the launch hook of ${id} completed with CONTINUE only once its pool interface was attached`,
          () =>
            `${completion!.result} by ${completion!.how}, pool attachments ${JSON.stringify(atCompletion)}`,
        );
        rows.push([
          id,
          completion!.hookName,
          completion!.result,
          completion!.how === 'api' ? 'CompleteLifecycleAction' : completion!.how,
          atCompletion.map((a) => `${a.networkInterfaceId} device ${a.deviceIndex} ${a.status}`).join(', '),
        ]);
      }
      print(table(rows).join('\n'));
      print(
        '  ok: every instance holds its subnet’s interface; every launch hook completed only once attached',
      );
    },
  );
  return members;
}
