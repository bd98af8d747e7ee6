import { mutatingCalls } from '../calls';
import { check } from '../check';
import { POOL_TAG, STANDALONE_POOL } from '../scenario';
import type { Stage } from '../stage';
import { checkHoldsOwnSubnetInterface, holdsPoolAddress, instanceRows, poolInterfacesOf } from '../views';
import type { World } from './set-up-world';

/**
 * 4. The bus drops every event while a stand-alone instance stops and a new one launches: nothing changes
 * until the scheduled sync moves the stopped instance's address to the running one.
 */
export async function repairLostEvents(
  stage: Stage,
  world: World,
  standalone: readonly [string, string],
): Promise<void> {
  const { sim, print, adapter } = stage;
  await stage.step('4. Events are lost: the scheduled sync repairs what they missed', async () => {
    const [, holder] = standalone;
    const eni = poolInterfacesOf(sim, holder, STANDALONE_POOL)[0]!;
    sim.events.configure({ drop: 1 });
    const droppedBefore = sim.events.dropped.length;
    const mutatingBefore = mutatingCalls(sim);
    print('  the bus now drops every event');
    print(
      `  stopping ${holder} (its interface stays attached while it is stopped) and launching a new member`,
    );
    sim.world.stopInstances([holder]);
    const [newcomer] = sim.world.launchInstances({
      subnetId: world.subnetIds[0]!,
      tags: { [POOL_TAG]: STANDALONE_POOL },
    }) as [string];
    await stage.waitFor(
      'the stop and the launch to finish',
      () =>
        sim.world.instance(holder)?.state === 'stopped' && sim.world.instance(newcomer)?.state === 'running',
    );
    await stage.settle();
    const lost = sim.events.dropped.length - droppedBefore;
    check(lost > 0, 'events were dropped', () => 'none were');
    check(
      mutatingCalls(sim) === mutatingBefore,
      'nothing was changed while events were lost',
      () => `${mutatingCalls(sim) - mutatingBefore} mutating calls`,
    );
    check(
      poolInterfacesOf(sim, holder, STANDALONE_POOL).length === 1 &&
        poolInterfacesOf(sim, newcomer, STANDALONE_POOL).length === 0,
      'before the sync, the stopped instance still holds the address and the new one has none',
      () => 'the state changed without events',
    );
    print(`  ${lost} events lost; before the sync:`);
    print(instanceRows(sim, [holder, newcomer], STANDALONE_POOL));

    sim.events.configure({ drop: 0 });
    print('  the sync rule fires (every 5 minutes in the template; on cue here)');
    sim.events.publishScheduled();
    await stage.waitFor(`${newcomer} to hold an address`, () =>
      holdsPoolAddress(sim, newcomer, STANDALONE_POOL),
    );
    await stage.settle();
    print(instanceRows(sim, [holder, newcomer], STANDALONE_POOL));
    const taken = checkHoldsOwnSubnetInterface(sim, newcomer, STANDALONE_POOL);
    check(
      taken.networkInterfaceId === eni.networkInterfaceId &&
        poolInterfacesOf(sim, holder, STANDALONE_POOL).length === 0,
      `the sync moved ${eni.privateIpAddress} from the stopped ${holder} to the running ${newcomer}`,
      () => `${newcomer} holds ${taken.networkInterfaceId}`,
    );
    const sync = adapter ? adapter.lastSync() : stage.invocations.results.at(-1);
    check(
      sync?.status === 'reconciled' && sync.trigger === 'scheduled-sync' && sync.converged,
      'the scheduled sync converged',
      () => JSON.stringify(sync),
    );
    print('  ok: the sync released the stopped instance’s address and gave it to the running member');
  });
}
