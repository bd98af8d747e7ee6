/**
 * Using @eni-pool/core from your own code: a dry run of the planner, then a reconcile through
 * `EniPoolManager` with an injected `EC2Client`, a logger of your own, typed events, a decorated `Ec2Port`
 * and typed errors. It starts its own simulator, so it needs no AWS account:
 *
 *   npx tsx examples/custom-code.ts
 *
 * Against AWS, drop the simulator and build the client from the standard configuration:
 * `new EC2Client({})` (region and credentials from the environment, as the AWS CLI reads them).
 */
import { pathToFileURL } from 'node:url';
import { EC2Client } from '@aws-sdk/client-ec2';
import { AwsSim } from '@eni-pool/aws-sim';
import {
  ConfigurationError,
  createJsonLogger,
  createSdkEc2Port,
  type Ec2Port,
  EniPoolManager,
  loadPoolState,
  type Plan,
  planAssignments,
} from '@eni-pool/core';

const POOL_TAG = 'network-interface-manager-pool';

/** An `Ec2Port` that counts the calls it forwards: any object of this shape can stand in for EC2. */
function countingPort(inner: Ec2Port, counts: Map<string, number>): Ec2Port {
  const counted =
    <A, R>(name: string, call: (input: A) => Promise<R>) =>
    (input: A): Promise<R> => {
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return call(input);
    };
  return {
    describeInstances: counted('DescribeInstances', inner.describeInstances.bind(inner)),
    describeNetworkInterfaces: counted(
      'DescribeNetworkInterfaces',
      inner.describeNetworkInterfaces.bind(inner),
    ),
    attachNetworkInterface: counted('AttachNetworkInterface', inner.attachNetworkInterface.bind(inner)),
    detachNetworkInterface: counted('DetachNetworkInterface', inner.detachNetworkInterface.bind(inner)),
    createTags: counted('CreateTags', inner.createTags.bind(inner)),
  };
}

/** One line per planned action and per instance that cannot be served. */
export function describePlan(plan: Plan): string[] {
  const lines = plan.actions.map((action) =>
    action.kind === 'attach'
      ? `attach ${action.networkInterfaceId} → ${action.instanceId} at device ${action.deviceIndex}${action.after ? ` after ${action.after}` : ''}`
      : `detach ${action.networkInterfaceId} from ${action.instanceId} (${action.reason})`,
  );
  for (const u of plan.unsatisfied) lines.push(`cannot serve ${u.instanceId}: ${u.reason} (${u.detail})`);
  for (const p of plan.pools) {
    lines.push(
      `pool ${p.pool}: ${p.interfaces} interfaces (${p.freeInterfaces} free), ${p.runningInstances} running members`,
    );
  }
  return lines;
}

/** What the example observed, for its smoke test. */
export interface CustomCodeResult {
  readonly dryRun: Plan;
  readonly converged: boolean;
  readonly attached: number;
  readonly unsatisfied: readonly string[];
  readonly calls: ReadonlyMap<string, number>;
}

/**
 * Starts a simulator with a pool of two interfaces and three members, prints a dry-run plan, reconciles,
 * and returns what happened. `write` receives the output lines.
 */
export async function runCustomCode(write: (line: string) => void = console.log): Promise<CustomCodeResult> {
  const sim = await AwsSim.start({ delays: { launchMs: 20, attachMs: 20, detachMs: 20 } });
  // Any EC2Client works: the standard configuration against AWS, the simulator's endpoint here.
  const ec2 = new EC2Client(sim.clientConfig());
  try {
    // Two subnets, one pool interface in each; three pool members (two in the first subnet) and one
    // instance without the tag, which eni-pool ignores.
    const { subnetIds } = sim.world.createNetwork({ azs: 2 });
    const [subnetA, subnetB] = subnetIds as [string, string];
    sim.world.createPool({ name: 'bastion', subnets: subnetIds });
    const members = [
      ...sim.world.launchInstances({ subnetId: subnetA, count: 2, tags: { [POOL_TAG]: 'bastion' } }),
      ...sim.world.launchInstances({ subnetId: subnetB, tags: { [POOL_TAG]: 'bastion' } }),
    ];
    const [untagged] = sim.world.launchInstances({ subnetId: subnetB });
    await sim.world.waitForState([...members, untagged!], 'running');

    const calls = new Map<string, number>();
    const port = countingPort(createSdkEc2Port(ec2), calls);

    // 1. Dry run: read the state and plan, without applying anything.
    const state = await loadPoolState(port, { kind: 'pools', pools: ['bastion'] });
    const dryRun = planAssignments(state, { placement: 'subnet' });
    write('dry run (nothing applied):');
    for (const line of describePlan(dryRun)) write(`  ${line}`);

    // 2. Reconcile with a manager. Options are checked at construction: a bad one is a typed error.
    try {
      new EniPoolManager({ ec2: port, maxRounds: 0 });
    } catch (error) {
      if (error instanceof ConfigurationError) write(`rejected option ${error.setting}: ${error.message}`);
      else throw error;
    }
    const manager = new EniPoolManager({
      ec2: port,
      // Info-level JSON lines on stderr; pass Powertools' Logger, pino or console instead if you like.
      logger: createJsonLogger('info'),
      maxRounds: 3,
      executor: { concurrency: 4, wait: { initialDelayMs: 20, maxDelayMs: 100, timeoutMs: 10_000 } },
    });
    // Typed events: the listener's argument types come from EniPoolEvents.
    manager.on('action_succeeded', ({ action, durationMs }) =>
      write(
        `  ${action.kind} ${action.networkInterfaceId} ${action.instanceId} done in ${durationMs.toFixed(0)} ms`,
      ),
    );
    manager.on('instance_unsatisfied', ({ instanceId, reason }) =>
      write(`  unsatisfied: ${instanceId} ${reason}`),
    );
    manager.on('reconcile_finished', ({ rounds, converged }) =>
      write(`  reconcile finished: ${rounds} rounds, converged ${converged}`),
    );

    write('reconcile:');
    const result = await manager.reconcile({ kind: 'pools', pools: ['bastion'] });
    await sim.world.waitForSettled();

    const attached = result.outcomes.filter(
      (o) => o.status === 'succeeded' && o.action.kind === 'attach',
    ).length;
    write(`calls through the port: ${[...calls].map(([name, n]) => `${name} ${n}`).join(', ')}`);
    // The untagged instance got nothing and no call touched it.
    if (sim.world.attachmentsOf(untagged!).length !== 1) throw new Error('the untagged instance was changed');
    return {
      dryRun,
      converged: result.converged,
      attached,
      unsatisfied: result.unsatisfied.map((u) => `${u.instanceId} ${u.reason}`),
      calls,
    };
  } finally {
    ec2.destroy();
    await sim.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runCustomCode();
}
