import { check } from '../check';
import { POOL_TAG, STANDALONE_POOL } from '../scenario';
import type { Stage } from '../stage';
import { checkHoldsOwnSubnetInterface, holdsPoolAddress, instanceRows, poolInterfacesOf } from '../views';
import type { World } from './set-up-world';

/**
 * 3. Two stand-alone instances of a second pool are stopped, then started in reverse order, and each gets
 * its own address back. Returns the two instances.
 */
export async function stopAndStart(stage: Stage, world: World): Promise<readonly [string, string]> {
  const { sim, print } = stage;
  const subnetId = world.subnetIds[0]!;
  const holdsAddress = (id: string) => holdsPoolAddress(sim, id, STANDALONE_POOL);
  let standalone: string[] = [];
  await stage.step(
    '3. Stop and start: instances get their own addresses back, whichever starts first',
    async () => {
      print(
        `  Auto Scaling replaces a stopped instance, so this is shown on a second pool, "${STANDALONE_POOL}": two interfaces in`,
      );
      print(`  ${subnetId} and two instances launched on their own (outside the group).`);
      sim.world.createPool({ name: STANDALONE_POOL, subnets: [subnetId], perSubnet: 2 });
      standalone = sim.world.launchInstances({ subnetId, count: 2, tags: { [POOL_TAG]: STANDALONE_POOL } });
      await stage.waitFor('both admin instances to hold an address', () => standalone.every(holdsAddress));
      await stage.settle();
      const own = new Map(
        standalone.map((id) => [id, checkHoldsOwnSubnetInterface(sim, id, STANDALONE_POOL).privateIpAddress]),
      );
      print(instanceRows(sim, standalone, STANDALONE_POOL));

      print('  stopping both');
      sim.world.stopInstances(standalone);
      await stage.waitFor('both admin instances stopped with their interfaces released', () =>
        standalone.every(
          (id) =>
            sim.world.instance(id)?.state === 'stopped' &&
            poolInterfacesOf(sim, id, STANDALONE_POOL).length === 0,
        ),
      );
      await stage.settle();
      const [first, second] = standalone as [string, string];
      print(`  starting ${second} first, while both interfaces are free, then ${first}`);
      for (const id of [second, first]) {
        sim.world.startInstances([id]);
        await stage.waitFor(`${id} to hold an address again`, () => holdsAddress(id));
        await stage.settle();
      }
      print(instanceRows(sim, standalone, STANDALONE_POOL));
      for (const id of standalone) {
        const now = checkHoldsOwnSubnetInterface(sim, id, STANDALONE_POOL).privateIpAddress;
        check(now === own.get(id), `${id} got its own address ${own.get(id)} back`, () => `it got ${now}`);
      }
      print('  ok: each instance is back on the address it had (the interface remembers its last instance)');
    },
  );
  return standalone as [string, string];
}
