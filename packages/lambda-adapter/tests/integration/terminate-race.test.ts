import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AwsSim } from '@eni-pool/aws-sim';
import { EniPoolManager, silentLogger } from '@eni-pool/core';
import {
  createAutoScalingLeavingInstances,
  createLifecycleHookHandler,
} from '@eni-pool/lifecycle-hook-adapter';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventBridgeHandler } from '../../src/eventbridge-handler';
import { POOL_TAG, STATE_CHANGE_PATTERN, scheduledEvent } from '../helpers/sim-harness';

const POOL = 'web';
const GROUP = 'web-asg';
/** One simulated Auto Scaling second lasts 40 ms: the hooks' 30 s HeartbeatTimeout is 1.2 s. */
const TIME_SCALE = 40;
const LIFECYCLE_RULE = {
  source: ['aws.autoscaling'],
  'detail-type': ['EC2 Instance-launch Lifecycle Action', 'EC2 Instance-terminate Lifecycle Action'],
};

let sim: AwsSim | undefined;

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

/**
 * The function as the template deploys it, on the simulator: one handler whose state-change, sync and
 * lifecycle paths share one manager, asking Auto Scaling which pool members are terminating.
 */
async function deployment() {
  sim = await AwsSim.start({
    seed: 7,
    delays: { launchMs: 15, stopMs: 15, terminateMs: 15, attachMs: 10, detachMs: 10 },
    autoscaling: { timeScale: TIME_SCALE },
  });
  const { subnetIds } = sim.world.createNetwork({ azs: 2 });
  sim.world.createPool({ name: POOL, subnets: subnetIds });
  const ec2 = new EC2Client(sim.clientConfig());
  const autoScaling = new AutoScalingClient(sim.clientConfig());
  // The SDKs' lazily loaded parts, first: a cold start could outlast a time-scaled HeartbeatTimeout.
  await ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 5 }));
  await autoScaling.send(new DescribeAutoScalingGroupsCommand({}));
  /** One function container: its own manager, shared by its state-change, sync and lifecycle paths. */
  const container = (leaving = true) => {
    const manager = new EniPoolManager({
      ec2,
      logger: silentLogger,
      ...(leaving
        ? { leaving: createAutoScalingLeavingInstances({ autoScaling, logger: silentLogger }) }
        : {}),
      executor: {
        wait: { initialDelayMs: 5, maxDelayMs: 20, timeoutMs: 2_000 },
        retry: { baseDelayMs: 5 },
        rateLimit: { capacity: 1000, refillPerSecond: 1000 },
      },
    });
    const lifecycle = createLifecycleHookHandler({
      manager,
      ec2,
      autoScaling,
      logger: silentLogger,
      launchBudgetMs: 3_000,
      terminateBudgetMs: 2_000,
      heartbeatIntervalMs: 100,
      poll: { initialDelayMs: 10, maxDelayMs: 40 },
      retry: { baseDelayMs: 5, maxDelayMs: 50 },
    });
    return { manager, handler: createEventBridgeHandler({ manager, ec2, logger: silentLogger, lifecycle }) };
  };
  return { sim, container, subnetIds };
}

type Container = ReturnType<Awaited<ReturnType<typeof deployment>>['container']>;

/**
 * Runs `replacements` replacements of a two-instance group with both hooks: the state-change and
 * lifecycle rules invoke the function, and the scheduled sync is fired at the worst moments — as each
 * terminate action starts, and right after each detach, while the predecessor is still running in
 * `Terminating:Wait`. `lifecycleTo` takes the lifecycle events, `othersTo` the state changes and syncs.
 */
async function replaceRacing(
  d: Awaited<ReturnType<typeof deployment>>,
  replacements: number,
  lifecycleTo: Container,
  othersTo: Container,
) {
  const { sim, subnetIds } = d;
  const failures: unknown[] = [];
  const syncs: Promise<unknown>[] = [];
  const invoke = (container: Container) => async (event: unknown) => {
    try {
      await container.handler(event);
    } catch (error) {
      failures.push(error);
      throw error;
    }
  };
  const sync = () => syncs.push(invoke(othersTo)(scheduledEvent()).catch(() => undefined));
  sim.events.subscribe(STATE_CHANGE_PATTERN, invoke(othersTo), 'state-change-rule');
  sim.events.subscribe(
    LIFECYCLE_RULE,
    (event) => {
      if ((event.detail as { LifecycleTransition?: string }).LifecycleTransition?.endsWith('TERMINATING')) {
        sync();
      }
      return invoke(lifecycleTo)(event);
    },
    'lifecycle-rule',
  );
  for (const { manager } of new Set([lifecycleTo, othersTo])) {
    manager.on('action_succeeded', ({ action }) => {
      if (action.kind === 'detach') sync();
    });
  }
  sim.autoscaling.createGroup({
    name: GROUP,
    minSize: 0,
    maxSize: 4,
    desiredCapacity: 2,
    subnetIds,
    tags: [{ key: POOL_TAG, value: POOL, propagateAtLaunch: true }],
    lifecycleHooks: [
      {
        name: 'eni-pool-launch',
        transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
        heartbeatTimeout: 30,
        defaultResult: 'ABANDON',
      },
      {
        name: 'eni-pool-terminate',
        transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
        heartbeatTimeout: 30,
        defaultResult: 'CONTINUE',
      },
    ],
  });
  const inService = () => sim.autoscaling.inServiceInstanceIds(GROUP);
  const settled = async () => {
    await sim.world.waitFor(
      'two instances in service and no open lifecycle action',
      () => inService().length === 2 && sim.autoscaling.activeActions().length === 0,
      { timeoutMs: 15_000, intervalMs: 5 },
    );
    await sim.events.idle(15_000);
    await Promise.all(syncs);
    await sim.world.waitForSettled({ timeoutMs: 10_000 });
  };
  await settled();

  const terminationStarted = new Map<string, number>();
  for (let replaced = 0; replaced < replacements; ) {
    for (const instanceId of inService()) {
      terminationStarted.set(instanceId, Date.now());
      sim.autoscaling.terminateInstanceInGroup(instanceId, false);
      replaced++;
    }
    await settled();
  }

  const attaches = sim.calls.log.filter((call) => call.action === 'AttachNetworkInterface');
  const poolInterfaces = new Set(
    sim.world
      .interfaces()
      .filter((eni) => eni.tags[POOL_TAG] === POOL)
      .map((eni) => eni.networkInterfaceId),
  );
  const completions = sim.autoscaling.completions.map((c) => ({
    ...c,
    held: (c.attachmentsAtCompletion as readonly { networkInterfaceId: string; status: string }[]).filter(
      (a) => poolInterfaces.has(a.networkInterfaceId),
    ),
  }));
  return {
    failures,
    syncs: syncs.length,
    attaches,
    attached: attaches.filter((call) => call.outcome === 'ok').length,
    /** Attach calls naming an instance after its termination started. */
    toLeaving: attaches.filter((call) =>
      [...terminationStarted].some(
        ([instanceId, at]) => call.at >= at && call.params.includes(`InstanceId=${instanceId}`),
      ),
    ),
    launches: completions.filter((c) => c.transition === 'autoscaling:EC2_INSTANCE_LAUNCHING'),
    terminations: completions.filter((c) => c.transition === 'autoscaling:EC2_INSTANCE_TERMINATING'),
  };
}

describe('the function on the simulator: replacements with every path racing', () => {
  it('never attaches an interface to an instance whose termination has started, and wastes no attach on a conflict', async () => {
    const d = await deployment();
    const fn = d.container();
    const replacements = 24;

    const run = await replaceRacing(d, replacements, fn, fn);

    expect(run.toLeaving).toEqual([]);
    expect(run.syncs).toBeGreaterThanOrEqual(2 * replacements);
    expect(run.terminations).toHaveLength(replacements);
    expect(run.launches).toHaveLength(replacements + 2);
    // Every launch continued with its interface attached; every termination after letting go of it.
    expect(run.launches.filter((c) => c.result !== 'CONTINUE' || c.held[0]?.status !== 'attached')).toEqual(
      [],
    );
    expect(run.terminations.filter((c) => c.result !== 'CONTINUE' || c.held.length > 0)).toEqual([]);
    // One attach call per attach: the paths of the function never planned the same one twice.
    expect(run.attached).toBe(replacements + 2);
    expect(run.attaches).toHaveLength(run.attached);
    expect(run.failures).toEqual([]);
    expect(d.sim.world.invariants()).toEqual([]);
  }, 90_000);

  it('keeps a sync in another container from handing an address back, through Auto Scaling alone', async () => {
    const d = await deployment();
    const replacements = 20;

    // Two containers: one completes lifecycle actions, the other (which never saw the release) syncs.
    const run = await replaceRacing(d, replacements, d.container(), d.container());

    expect(run.toLeaving).toEqual([]);
    expect(run.terminations).toHaveLength(replacements);
    expect(run.launches.filter((c) => c.result !== 'CONTINUE' || c.held[0]?.status !== 'attached')).toEqual(
      [],
    );
    expect(run.failures).toEqual([]);
    expect(d.sim.calls.count('DescribeAutoScalingGroups')).toBeGreaterThan(0);
    expect(d.sim.world.invariants()).toEqual([]);
  }, 90_000);
});
