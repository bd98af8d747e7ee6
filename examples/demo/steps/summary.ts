import { callTable, simulatorCallCounts } from '../calls';
import { check } from '../check';
import { table } from '../print';
import type { DemoReport } from '../run-demo';
import { POOL, STANDALONE_POOL } from '../scenario';
import type { Stage } from '../stage';
import { checkHoldsOwnSubnetInterface, groupInService } from '../views';
import type { World } from './set-up-world';

/**
 * 5. The addresses kept and who held them, the calls eni-pool made per step, and the run's invariants;
 * with --sqs, the separate process stops cleanly. Returns the report.
 */
export async function summarize(stage: Stage, world: World): Promise<DemoReport> {
  const { sim, print, adapter, actions, invocations, warnings } = stage;
  print('');
  print('5. Summary');
  const members = world.bySubnet(groupInService(sim));
  const kept = members.map((id) => checkHoldsOwnSubnetInterface(sim, id, POOL).privateIpAddress);
  check(
    kept.every((address) => world.poolAddresses.has(address)) &&
      new Set(kept).size === world.poolAddresses.size,
    `the group still answers on the ${POOL} addresses`,
    () => kept.join(', '),
  );
  print(
    `  addresses kept: ${POOL} ${[...world.poolAddresses].join(', ')}, through 1 replacement; ${STANDALONE_POOL} through stop/start`,
  );
  print('');
  print(
    table([
      ['address', 'held by, in order'],
      ...[...actions.holders.entries()]
        .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
        .map(([address, ids]) => [address, ids.join(' → ')]),
    ]).join('\n'),
  );
  print('');
  print('  API calls made by eni-pool (as the simulator counted them)');
  print(callTable(stage.calls).join('\n'));
  print(`  all calls the simulator counted, whole run: ${simulatorCallCounts(sim)}`);
  const invariants = sim.world.invariants();
  check(invariants.length === 0, 'EC2 invariants hold', () => invariants.join('; '));
  check(invocations.errors.length === 0, 'the handler never failed', () =>
    invocations.errors.map(String).join('; '),
  );
  const completions = sim.autoscaling.completions;
  check(
    completions.every((c) => c.result === 'CONTINUE' && c.how === 'api'),
    'every lifecycle action was completed by eni-pool with CONTINUE',
    () => completions.map((c) => `${c.instanceId} ${c.hookName} ${c.result} by ${c.how}`).join('; '),
  );
  print('');
  print(
    `  invariants OK: EC2 invariants hold, ${adapter ? 'eni-pool-sqs drained the queue' : `${invocations.results.length} handler invocations`} without a failure,`,
  );
  print(`  ${completions.length} lifecycle actions completed with CONTINUE`);
  print(
    `  ${actions.conflicts} attaches lost a race to a concurrent invocation and were re-planned (EC2 is the arbiter)`,
  );
  check(actions.reattached.length === 0, 'no attach call named an instance in Terminating:Wait', () =>
    actions.reattached.join('; '),
  );
  print('  no attach call named an instance in Terminating:Wait');
  print(`  ${warnings.length} warnings logged${warnings.length > 0 ? ':' : ''}`);
  for (const warning of warnings.slice(0, 5)) print(`    ${warning}`);
  if (adapter) {
    const code = await adapter.stop();
    check(
      code === 0,
      'eni-pool-sqs stopped on SIGTERM and exited 0',
      () => `exit ${code}: ${adapter.output()}`,
    );
    check(
      adapter.deadLetters() === 0,
      'no message reached the dead-letter queue',
      () => `${adapter.deadLetters()}`,
    );
    print('  eni-pool-sqs stopped on SIGTERM with exit 0; no message reached the dead-letter queue');
  }
  const durationMs = Date.now() - stage.startedAt;
  print(`  done in ${(durationMs / 1000).toFixed(1)} s`);
  return {
    holders: Object.fromEntries(actions.holders),
    calls: stage.calls,
    lifecycleCompletions: completions.length,
    eventsDropped: sim.events.dropped.length,
    reattachedToTerminating: actions.reattached,
    invariants,
    durationMs,
  };
}
