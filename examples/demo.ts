/**
 * The eni-pool demo: an Auto Scaling group keeps its fixed private addresses while instances come and go,
 * on the built-in simulator, with the real Lambda handler and lifecycle-hook adapter.
 *
 *   npx -y pnpm@12.4.2 install && npx -y pnpm@12.4.2 demo
 *   npx tsx examples/demo.ts --fast      # tiny simulated delays, a few seconds in all
 *   npx tsx examples/demo.ts --sqs       # eni-pool as a separate process: the eni-pool-sqs CLI on a queue
 *
 * The demo checks its own claims: it exits 0 when every expected outcome happened, and 1 with the first
 * claim that did not hold otherwise.
 */
import { pathToFileURL } from 'node:url';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { AwsSim, type InterfaceSnapshot } from '@eni-pool/aws-sim';
import { EniPoolManager, type Logger } from '@eni-pool/core';
import { createEventBridgeHandler, type InvocationResult } from '@eni-pool/lambda-adapter';
import {
  createAutoScalingLeavingInstances,
  createLifecycleHookHandler,
} from '@eni-pool/lifecycle-hook-adapter';
import { type SqsAdapterProcess, startSqsAdapterProcess } from './demo-sqs';

const POOL_TAG = 'network-interface-manager-pool';
const POOL = 'bastion';
const GROUP = 'bastion-asg';
const STANDALONE_POOL = 'admin';
const LAUNCH_HOOK = 'eni-pool-launch';
const TERMINATE_HOOK = 'eni-pool-terminate';

/** The calls eni-pool makes, in the order the summary lists them. */
const ACTIONS = [
  'DescribeInstances',
  'DescribeNetworkInterfaces',
  'AttachNetworkInterface',
  'DetachNetworkInterface',
  'CreateTags',
  'CompleteLifecycleAction',
  'RecordLifecycleActionHeartbeat',
  'DescribeAutoScalingGroups',
] as const;
const SHORT: Record<(typeof ACTIONS)[number], string> = {
  DescribeInstances: 'DescInst',
  DescribeNetworkInterfaces: 'DescEni',
  AttachNetworkInterface: 'Attach',
  DetachNetworkInterface: 'Detach',
  CreateTags: 'Tags',
  CompleteLifecycleAction: 'Complete',
  RecordLifecycleActionHeartbeat: 'Heartbeat',
  DescribeAutoScalingGroups: 'DescAsg',
};
const MUTATING = [
  'AttachNetworkInterface',
  'DetachNetworkInterface',
  'CreateTags',
  'CompleteLifecycleAction',
];

/** The EventBridge rules of the CloudFormation template, as patterns on the simulator's bus. */
const STATE_CHANGE_RULE = {
  source: ['aws.ec2'],
  'detail-type': ['EC2 Instance State-change Notification'],
  detail: { state: ['running', 'stopping', 'stopped', 'shutting-down', 'terminated'] },
};
const LIFECYCLE_RULE = {
  source: ['aws.autoscaling'],
  'detail-type': ['EC2 Instance-launch Lifecycle Action', 'EC2 Instance-terminate Lifecycle Action'],
};
const SYNC_RULE = { source: ['aws.events'], 'detail-type': ['Scheduled Event'] };

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Print nothing. @defaultValue false */
  readonly quiet?: boolean;
  /** Tiny simulated delays (tens of ms) instead of realistic ones (hundreds). @defaultValue false */
  readonly fast?: boolean;
  /** Where output lines go. @defaultValue `process.stdout` */
  readonly write?: (line: string) => void;
  /**
   * Run eni-pool as a separate process, the `eni-pool-sqs` CLI draining an SQS queue the rules deliver to,
   * instead of the Lambda handler in process (see demo-sqs.ts). @defaultValue false
   */
  readonly sqs?: boolean;
}

/** API calls per action, for one step of the demo. */
export type CallCounts = Record<(typeof ACTIONS)[number], number>;

/** What a demo run observed; `runDemo` has already checked it. */
export interface DemoReport {
  /** Pool address → the instances that held it, in order. */
  readonly holders: Readonly<Record<string, readonly string[]>>;
  /** Calls eni-pool made during each step. */
  readonly calls: readonly { readonly step: string; readonly counts: CallCounts }[];
  readonly lifecycleCompletions: number;
  readonly eventsDropped: number;
  /**
   * Attach calls aimed at an instance in Terminating:Wait (EC2 still shows it running). The manager asks
   * Auto Scaling which members are terminating and remembers what the terminate hook released, so the
   * demo checks there are none.
   */
  readonly reattachedToTerminating: readonly string[];
  readonly invariants: readonly string[];
  readonly durationMs: number;
}

/** A claim of the demo that did not hold. */
export class DemoCheckError extends Error {
  constructor(
    readonly claim: string,
    readonly seen: string,
  ) {
    super(`${claim}: ${seen}`);
    this.name = 'DemoCheckError';
  }
}

function check(ok: boolean, claim: string, seen: () => string): void {
  if (!ok) throw new DemoCheckError(claim, seen());
}

/** Columns padded to their widest cell. */
function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
  );
}

/** Every operation the simulator answered, with its count: `Action n, …` by name. */
function simulatorCallCounts(sim: AwsSim): string {
  const perAction = new Map<string, number>();
  for (const call of sim.calls.log) perAction.set(call.action, (perAction.get(call.action) ?? 0) + 1);
  const line = [...perAction.keys()]
    .sort()
    .map((action) => `${action} ${sim.calls.count(action)}`)
    .join(', ');
  return `${line} (${sim.calls.total} in all)`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs the whole story on a fresh simulator and returns what happened. Throws `DemoCheckError` when an
 * expected outcome did not happen; every wait is bounded.
 *
 * @example
 * ```ts
 * const report = await runDemo({ quiet: true, fast: true });
 * report.invariants; // []
 * ```
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const fast = options.fast ?? false;
  const out = options.quiet
    ? () => {}
    : (options.write ?? ((line: string) => process.stdout.write(`${line}\n`)));
  const delays = fast
    ? { launchMs: 25, stopMs: 25, terminateMs: 25, attachMs: 15, detachMs: 15 }
    : { launchMs: 500, stopMs: 500, terminateMs: 500, attachMs: 300, detachMs: 250 };
  /** Bound of each wait for an outcome. */
  const stepTimeoutMs = fast ? 10_000 : 30_000;
  const pollMs = fast ? { initialDelayMs: 5, maxDelayMs: 40 } : { initialDelayMs: 100, maxDelayMs: 400 };

  const startedAt = Date.now();
  const elapsed = () => `+${((Date.now() - startedAt) / 1000).toFixed(2)}s`.padStart(7);
  const sim = await AwsSim.start({ seed: 42, delays });
  const ec2 = new EC2Client(sim.clientConfig());
  const autoScaling = new AutoScalingClient(sim.clientConfig());
  const warnings: string[] = [];
  let adapter: SqsAdapterProcess | undefined;
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (message, context) => warnings.push(`${message} ${JSON.stringify(context ?? {})}`),
    error: (message, context) => warnings.push(`${message} ${JSON.stringify(context ?? {})}`),
  };

  try {
    // ── eni-pool, wired as the CloudFormation template wires it ────────────────────────────────────
    // One manager for every path, built as the deployed handler builds it (`createHandlerFromConfig`):
    // before each plan it asks Auto Scaling which pool members are terminating, so no path hands an
    // address back to an instance in Terminating:Wait. Only the timings are shortened for the demo.
    const manager = new EniPoolManager({
      ec2,
      logger,
      leaving: createAutoScalingLeavingInstances({
        autoScaling,
        logger,
        retry: { baseDelayMs: fast ? 5 : 100, maxDelayMs: fast ? 50 : 1000 },
      }),
      executor: {
        wait: { ...pollMs, timeoutMs: stepTimeoutMs },
        retry: { baseDelayMs: fast ? 5 : 100, maxDelayMs: fast ? 50 : 1000 },
      },
    });
    const lifecycle = createLifecycleHookHandler({
      manager,
      ec2,
      autoScaling,
      logger,
      launchBudgetMs: stepTimeoutMs,
      terminateBudgetMs: stepTimeoutMs,
      heartbeatIntervalMs: 30_000,
      hookHeartbeatTimeoutMs: 300_000,
      poll: pollMs,
      retry: { baseDelayMs: fast ? 5 : 100, maxDelayMs: fast ? 50 : 1000 },
    });
    const handler = createEventBridgeHandler({ manager, ec2, logger, lifecycle });
    // --sqs: the rules deliver into a queue that eni-pool-sqs, a separate process, drains instead.
    adapter = options.sqs
      ? await startSqsAdapterProcess(
          sim,
          [
            { name: 'state-change-rule', pattern: STATE_CHANGE_RULE },
            { name: 'lifecycle-rule', pattern: LIFECYCLE_RULE },
            { name: 'sync-rule', pattern: SYNC_RULE },
          ],
          { fast, timeoutMs: stepTimeoutMs },
        )
      : undefined;
    // What the narration listens to: the manager, or the calls the separate process made.
    const actions = (adapter?.actions ?? manager) as Pick<EniPoolManager, 'on'>;

    const addressOf = (eniId: string) => sim.world.interface(eniId)?.privateIpAddress ?? '?';
    const holders = new Map<string, string[]>();
    const detached = new Set<string>();
    const detachedAt = new Map<string, number>();
    /** Instances in Terminating:Wait: EC2 still reports them running. */
    const terminating = new Set<string>();
    const reattached: string[] = [];
    let conflicts = 0;
    // Every attach call, whatever its outcome: none may name an instance that is being terminated.
    actions.on('action_started', ({ action }) => {
      if (action.kind === 'attach' && terminating.has(action.instanceId)) {
        reattached.push(`${addressOf(action.networkInterfaceId)} → ${action.instanceId}`);
        out(
          `  ${elapsed()}  attaching ${action.networkInterfaceId} → ${action.instanceId}, an instance in Terminating:Wait`,
        );
      }
    });
    actions.on('action_succeeded', ({ action }) => {
      if (action.kind === 'attach') {
        const address = addressOf(action.networkInterfaceId);
        holders.set(address, [...(holders.get(address) ?? []), action.instanceId]);
        out(
          `  ${elapsed()}  attached  ${action.networkInterfaceId} (${address}) → ${action.instanceId}, device ${action.deviceIndex}`,
        );
      } else {
        // Workers that share no manager may plan the same detach; the second finds it already under way.
        const again = detached.has(action.attachmentId) ? ', again (a concurrent invocation)' : '';
        detached.add(action.attachmentId);
        const key = `${action.networkInterfaceId}:${action.instanceId}`;
        if (!detachedAt.has(key)) detachedAt.set(key, Date.now());
        out(
          `  ${elapsed()}  detached  ${action.networkInterfaceId} (${addressOf(action.networkInterfaceId)}) from ${action.instanceId}: ${action.reason}${again}`,
        );
      }
    });
    actions.on('action_conflicted', () => conflicts++);
    actions.on('action_failed', ({ action, error }) =>
      out(`  ${elapsed()}  failed    ${action.id}: ${error.message}`),
    );
    lifecycle.on('lifecycle_action_completed', (o) =>
      out(
        `  ${elapsed()}  hook      ${o.instanceId} ${o.lifecycleHookName} → ${o.result ?? '-'} (${o.reason})`,
      ),
    );

    // EventBridge invokes the function asynchronously: the bus calls the handler once per matching event.
    const results: InvocationResult[] = [];
    const handlerErrors: unknown[] = [];
    let inFlight = 0;
    const invoke = async (event: Parameters<typeof handler>[0]) => {
      if (adapter) return; // the event went to the queue as well; the bus callback only narrates it
      inFlight++;
      try {
        results.push(await handler(event));
      } catch (error) {
        handlerErrors.push(error);
        throw error;
      } finally {
        inFlight--;
      }
    };
    sim.events.subscribe(
      STATE_CHANGE_RULE,
      (event) => {
        const detail = event.detail as { 'instance-id'?: string; state?: string };
        out(`  ${elapsed()}  event     ${detail['instance-id']} is ${detail.state}`);
        return invoke(event);
      },
      'state-change-rule',
    );
    sim.events.subscribe(
      LIFECYCLE_RULE,
      (event) => {
        const detail = event.detail as { EC2InstanceId?: string; LifecycleTransition?: string };
        const what = detail.LifecycleTransition?.endsWith('LAUNCHING') ? 'launch' : 'terminate';
        out(`  ${elapsed()}  event     ${detail.EC2InstanceId} ${what} lifecycle action`);
        return invoke(event);
      },
      'lifecycle-rule',
    );
    sim.events.subscribe(
      SYNC_RULE,
      (event) => {
        out(`  ${elapsed()}  event     scheduled sync`);
        return invoke(event);
      },
      'sync-rule',
    );

    const waitFor = (what: string, predicate: () => boolean) =>
      sim.world.waitFor(what, predicate, { timeoutMs: stepTimeoutMs, intervalMs: fast ? 5 : 25 });
    /** Events cause calls that cause events: waits until the bus, the handler and EC2 are all quiet. */
    const settle = async () => {
      for (let round = 0; round < 50; round++) {
        await sim.events.idle(stepTimeoutMs);
        await sim.world.waitForSettled({ timeoutMs: stepTimeoutMs });
        await sleep(fast ? 20 : 100);
        if (sim.events.pendingDeliveries === 0 && inFlight === 0 && (adapter?.idle() ?? true)) return;
      }
      throw new DemoCheckError('the simulator settles', 'still busy after 50 rounds');
    };

    const counts = (): CallCounts =>
      Object.fromEntries(ACTIONS.map((action) => [action, sim.calls.count(action)])) as CallCounts;
    const callsPerStep: { step: string; counts: CallCounts }[] = [];
    const mutatingCalls = () => MUTATING.reduce((sum, action) => sum + sim.calls.count(action), 0);
    const step = async (title: string, body: () => Promise<void>) => {
      out('');
      out(title);
      const before = counts();
      await body();
      const after = counts();
      callsPerStep.push({
        step: title.replace(/^\d\. /, ''),
        counts: Object.fromEntries(ACTIONS.map((a) => [a, after[a] - before[a]])) as CallCounts,
      });
      const broken = sim.world.invariants();
      check(broken.length === 0, 'EC2 invariants hold', () => broken.join('; '));
      out('  ok: EC2 invariants hold');
    };

    // What the simulator shows: instances, their pool interfaces.
    const poolInterfacesOf = (instanceId: string, pool: string): InterfaceSnapshot[] =>
      sim.world
        .interfaces()
        .filter((e) => e.tags[POOL_TAG] === pool && e.attachment?.instanceId === instanceId);
    const groupInService = () => sim.autoscaling.inServiceInstanceIds(GROUP);
    const subnetOrder = new Map<string, number>();
    const bySubnet = (ids: readonly string[]) =>
      [...ids].sort(
        (a, b) =>
          (subnetOrder.get(sim.world.instance(a)?.subnetId ?? '') ?? 0) -
          (subnetOrder.get(sim.world.instance(b)?.subnetId ?? '') ?? 0),
      );
    const checkHoldsOwnSubnetInterface = (instanceId: string, pool: string) => {
      const held = poolInterfacesOf(instanceId, pool);
      const subnetId = sim.world.instance(instanceId)?.subnetId;
      check(
        held.length === 1 && held[0]?.attachment?.status === 'attached' && held[0].subnetId === subnetId,
        `${instanceId} holds exactly one attached ${pool} interface from its subnet ${subnetId}`,
        () =>
          `it holds ${held.map((e) => `${e.networkInterfaceId} ${e.subnetId} ${e.status}`).join(', ') || 'none'}`,
      );
      return held[0]!;
    };
    const instanceRows = (ids: readonly string[], pool: string) =>
      table([
        ['instance', 'state', 'subnet', 'zone', 'pool interface', 'address'],
        ...ids.map((id) => {
          const instance = sim.world.instance(id);
          const [eni] = poolInterfacesOf(id, pool);
          return [
            id,
            instance?.state ?? 'gone',
            instance?.subnetId ?? '',
            instance?.availabilityZone ?? '',
            eni?.networkInterfaceId ?? '—',
            eni?.privateIpAddress ?? '—',
          ];
        }),
      ]);
    const completionsOf = (instanceId: string, hook: string) =>
      sim.autoscaling.completions.filter((c) => c.instanceId === instanceId && c.hookName === hook);
    /** The pool interfaces an instance had, and their attachment status, when its action completed. */
    const poolAttachmentsAt = (completion: { attachmentsAtCompletion: readonly unknown[] }, pool: string) =>
      completion.attachmentsAtCompletion
        .map((a) => a as { networkInterfaceId: string; status: string; deviceIndex: number })
        .filter((a) => sim.world.interface(a.networkInterfaceId)?.tags[POOL_TAG] === pool);

    // ── setup ──────────────────────────────────────────────────────────────────────────────────────
    out('eni-pool demo: fixed private addresses for an Auto Scaling group, on the built-in simulator');
    out('');
    out('setup');
    const { vpcId, subnetIds } = sim.world.createNetwork({ azs: 3 });
    for (const [i, id] of subnetIds.entries()) subnetOrder.set(id, i);
    const pool = sim.world.createPool({ name: POOL, subnets: subnetIds });
    out(`  simulator  ${sim.endpoint}  region ${sim.identity.region}`);
    out(
      `  delays     attach ${delays.attachMs} ms, detach ${delays.detachMs} ms, instance state changes ${delays.launchMs} ms`,
    );
    out(`  network    ${vpcId}`);
    out(`  pool "${POOL}": one interface per subnet, tagged ${POOL_TAG}=${POOL}`);
    const subnets = new Map(sim.world.subnets().map((s) => [s.subnetId, s]));
    out(
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
    const poolAddresses = new Set(pool.map((e) => e.privateIpAddress));
    out(`  group "${GROUP}": 3 instances over the 3 subnets, tag ${POOL_TAG}=${POOL} propagated at launch`);
    out(
      `  hooks      ${LAUNCH_HOOK} (launching, default ABANDON), ${TERMINATE_HOOK} (terminating, default CONTINUE)`,
    );
    out(
      adapter
        ? '  wiring     EventBridge rules → an SQS queue → eni-pool-sqs (a separate process, over HTTP)'
        : '  wiring     EventBridge rules → the Lambda handler (in process): state changes, lifecycle actions, sync',
    );
    out('             one manager for every path, asking Auto Scaling which pool members it is terminating');

    // ── 1. launch ──────────────────────────────────────────────────────────────────────────────────
    let members: string[] = [];
    await step(
      '1. The group launches: each instance gets its subnet’s address before it goes InService',
      async () => {
        sim.autoscaling.createGroup({
          name: GROUP,
          minSize: 3,
          maxSize: 4,
          desiredCapacity: 3,
          subnetIds,
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
        await waitFor('three instances InService', () => groupInService().length === 3);
        await settle();
        members = bySubnet(groupInService());
        out('');
        out(instanceRows(members, POOL).join('\n'));
        for (const id of members) checkHoldsOwnSubnetInterface(id, POOL);
        out('');
        out(
          '  lifecycle completions (Auto Scaling’s record: the instance’s attachments when CONTINUE arrived)',
        );
        const rows = [['instance', 'hook', 'result', 'by', 'pool interface at completion']];
        for (const id of members) {
          const [completion] = completionsOf(id, LAUNCH_HOOK);
          check(
            completion !== undefined,
            `the launch action of ${id} completed`,
            () => 'no completion recorded',
          );
          const atCompletion = poolAttachmentsAt(completion!, POOL);
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
        out(table(rows).join('\n'));
        out(
          '  ok: every instance holds its subnet’s interface; every launch hook completed only once attached',
        );
      },
    );

    // ── 2. replacement ─────────────────────────────────────────────────────────────────────────────
    await step(
      '2. Auto Scaling replaces an instance: the successor takes over the same address',
      async () => {
        const leaving = members[0]!;
        const eni = poolInterfacesOf(leaving, POOL)[0]!;
        out(`  terminating ${leaving} (holds ${eni.networkInterfaceId}, ${eni.privateIpAddress})`);
        const asked = sim.calls.count('DescribeAutoScalingGroups');
        terminating.add(leaving);
        sim.autoscaling.terminateInstanceInGroup(leaving, false);
        await waitFor(`${leaving} to terminate and a successor to be InService`, () => {
          const inService = groupInService();
          return (
            sim.world.instance(leaving)?.state === 'terminated' &&
            inService.length === 3 &&
            !inService.includes(leaving)
          );
        });
        await settle();
        const successor = groupInService().find((id) => !members.includes(id))!;
        const taken = checkHoldsOwnSubnetInterface(successor, POOL);
        check(
          taken.networkInterfaceId === eni.networkInterfaceId &&
            taken.privateIpAddress === eni.privateIpAddress,
          `the successor ${successor} took over ${eni.privateIpAddress}`,
          () => `it holds ${taken.networkInterfaceId} (${taken.privateIpAddress})`,
        );
        const [released] = completionsOf(leaving, TERMINATE_HOOK);
        const releasedAt = detachedAt.get(`${eni.networkInterfaceId}:${leaving}`);
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
          poolAttachmentsAt(released!, POOL).length === 0,
          `${leaving} held no ${POOL} interface when its terminate action completed`,
          () => JSON.stringify(poolAttachmentsAt(released!, POOL)),
        );
        check(
          reattached.length === 0,
          `no attach call named ${leaving} while Auto Scaling was terminating it`,
          () => reattached.join('; '),
        );
        const [launched] = completionsOf(successor, LAUNCH_HOOK);
        check(
          launched !== undefined && poolAttachmentsAt(launched, POOL)[0]?.status === 'attached',
          `the launch hook of ${successor} completed once attached`,
          () => 'it did not',
        );
        out('');
        out(
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
        members = bySubnet(groupInService());
        out(
          '  ok: the terminate hook released the interface before CONTINUE; the successor got the same address',
        );
        out(
          `  ok: no attach call named ${leaving} while it was terminating: EC2 still showed it running, but the`,
        );
        out(
          `      plans asked Auto Scaling which members it was terminating (${sim.calls.count('DescribeAutoScalingGroups') - asked} DescribeAutoScalingGroups calls in this step)`,
        );
      },
    );

    // ── 3. stop/start ──────────────────────────────────────────────────────────────────────────────
    let standalone: string[] = [];
    await step(
      '3. Stop and start: instances get their own addresses back, whichever starts first',
      async () => {
        out(
          `  Auto Scaling replaces a stopped instance, so this is shown on a second pool, "${STANDALONE_POOL}": two interfaces in`,
        );
        out(`  ${subnetIds[0]} and two instances launched on their own (outside the group).`);
        sim.world.createPool({ name: STANDALONE_POOL, subnets: [subnetIds[0]!], perSubnet: 2 });
        standalone = sim.world.launchInstances({
          subnetId: subnetIds[0]!,
          count: 2,
          tags: { [POOL_TAG]: STANDALONE_POOL },
        });
        await waitFor('both admin instances to hold an address', () =>
          standalone.every(
            (id) => poolInterfacesOf(id, STANDALONE_POOL)[0]?.attachment?.status === 'attached',
          ),
        );
        await settle();
        const own = new Map(
          standalone.map((id) => [id, checkHoldsOwnSubnetInterface(id, STANDALONE_POOL).privateIpAddress]),
        );
        out(instanceRows(standalone, STANDALONE_POOL).join('\n'));

        out('  stopping both');
        sim.world.stopInstances(standalone);
        await waitFor('both admin instances stopped with their interfaces released', () =>
          standalone.every(
            (id) =>
              sim.world.instance(id)?.state === 'stopped' &&
              poolInterfacesOf(id, STANDALONE_POOL).length === 0,
          ),
        );
        await settle();
        const [first, second] = standalone as [string, string];
        out(`  starting ${second} first, while both interfaces are free, then ${first}`);
        for (const id of [second, first]) {
          sim.world.startInstances([id]);
          await waitFor(
            `${id} to hold an address again`,
            () => poolInterfacesOf(id, STANDALONE_POOL)[0]?.attachment?.status === 'attached',
          );
          await settle();
        }
        out(instanceRows(standalone, STANDALONE_POOL).join('\n'));
        for (const id of standalone) {
          const now = checkHoldsOwnSubnetInterface(id, STANDALONE_POOL).privateIpAddress;
          check(now === own.get(id), `${id} got its own address ${own.get(id)} back`, () => `it got ${now}`);
        }
        out('  ok: each instance is back on the address it had (the interface remembers its last instance)');
      },
    );

    // ── 4. lost events ─────────────────────────────────────────────────────────────────────────────
    await step('4. Events are lost: the scheduled sync repairs what they missed', async () => {
      const [, holder] = standalone as [string, string];
      const eni = poolInterfacesOf(holder, STANDALONE_POOL)[0]!;
      sim.events.configure({ drop: 1 });
      const droppedBefore = sim.events.dropped.length;
      const mutatingBefore = mutatingCalls();
      out('  the bus now drops every event');
      out(
        `  stopping ${holder} (its interface stays attached while it is stopped) and launching a new member`,
      );
      sim.world.stopInstances([holder]);
      const [newcomer] = sim.world.launchInstances({
        subnetId: subnetIds[0]!,
        tags: { [POOL_TAG]: STANDALONE_POOL },
      }) as [string];
      await waitFor(
        'the stop and the launch to finish',
        () =>
          sim.world.instance(holder)?.state === 'stopped' &&
          sim.world.instance(newcomer)?.state === 'running',
      );
      await settle();
      const lost = sim.events.dropped.length - droppedBefore;
      check(lost > 0, 'events were dropped', () => 'none were');
      check(
        mutatingCalls() === mutatingBefore,
        'nothing was changed while events were lost',
        () => `${mutatingCalls() - mutatingBefore} mutating calls`,
      );
      check(
        poolInterfacesOf(holder, STANDALONE_POOL).length === 1 &&
          poolInterfacesOf(newcomer, STANDALONE_POOL).length === 0,
        'before the sync, the stopped instance still holds the address and the new one has none',
        () => 'the state changed without events',
      );
      out(`  ${lost} events lost; before the sync:`);
      out(instanceRows([holder, newcomer], STANDALONE_POOL).join('\n'));

      sim.events.configure({ drop: 0 });
      out('  the sync rule fires (every 5 minutes in the template; on cue here)');
      sim.events.publishScheduled();
      await waitFor(
        `${newcomer} to hold an address`,
        () => poolInterfacesOf(newcomer, STANDALONE_POOL)[0]?.attachment?.status === 'attached',
      );
      await settle();
      out(instanceRows([holder, newcomer], STANDALONE_POOL).join('\n'));
      const taken = checkHoldsOwnSubnetInterface(newcomer, STANDALONE_POOL);
      check(
        taken.networkInterfaceId === eni.networkInterfaceId &&
          poolInterfacesOf(holder, STANDALONE_POOL).length === 0,
        `the sync moved ${eni.privateIpAddress} from the stopped ${holder} to the running ${newcomer}`,
        () => `${newcomer} holds ${taken.networkInterfaceId}`,
      );
      const sync = adapter ? adapter.lastSync() : results.at(-1);
      check(
        sync?.status === 'reconciled' && sync.trigger === 'scheduled-sync' && sync.converged,
        'the scheduled sync converged',
        () => JSON.stringify(sync),
      );
      out('  ok: the sync released the stopped instance’s address and gave it to the running member');
    });

    // ── 5. summary ─────────────────────────────────────────────────────────────────────────────────
    out('');
    out('5. Summary');
    members = bySubnet(groupInService());
    const kept = members.map((id) => checkHoldsOwnSubnetInterface(id, POOL).privateIpAddress);
    check(
      kept.every((address) => poolAddresses.has(address)) && new Set(kept).size === poolAddresses.size,
      `the group still answers on the ${POOL} addresses`,
      () => kept.join(', '),
    );
    out(
      `  addresses kept: ${POOL} ${[...poolAddresses].join(', ')}, through 1 replacement; ${STANDALONE_POOL} through stop/start`,
    );
    out('');
    out(
      table([
        ['address', 'held by, in order'],
        ...[...holders.entries()]
          .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
          .map(([address, ids]) => [address, ids.join(' → ')]),
      ]).join('\n'),
    );
    out('');
    out('  API calls made by eni-pool (as the simulator counted them)');
    const totals = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as CallCounts;
    for (const { counts } of callsPerStep) for (const a of ACTIONS) totals[a] += counts[a];
    out(
      table([
        ['step', ...ACTIONS.map((a) => SHORT[a])],
        ...callsPerStep.map(({ step: name, counts: c }) => [
          name.split(':')[0]!.slice(0, 36),
          ...ACTIONS.map((a) => String(c[a])),
        ]),
        ['total', ...ACTIONS.map((a) => String(totals[a]))],
      ]).join('\n'),
    );
    out(`  all calls the simulator counted, whole run: ${simulatorCallCounts(sim)}`);
    const invariants = sim.world.invariants();
    check(invariants.length === 0, 'EC2 invariants hold', () => invariants.join('; '));
    check(handlerErrors.length === 0, 'the handler never failed', () => handlerErrors.map(String).join('; '));
    const completions = sim.autoscaling.completions;
    check(
      completions.every((c) => c.result === 'CONTINUE' && c.how === 'api'),
      'every lifecycle action was completed by eni-pool with CONTINUE',
      () => completions.map((c) => `${c.instanceId} ${c.hookName} ${c.result} by ${c.how}`).join('; '),
    );
    out('');
    out(
      `  invariants OK: EC2 invariants hold, ${adapter ? 'eni-pool-sqs drained the queue' : `${results.length} handler invocations`} without a failure,`,
    );
    out(`  ${completions.length} lifecycle actions completed with CONTINUE`);
    out(
      `  ${conflicts} attaches lost a race to a concurrent invocation and were re-planned (EC2 is the arbiter)`,
    );
    check(reattached.length === 0, 'no attach call named an instance in Terminating:Wait', () =>
      reattached.join('; '),
    );
    out('  no attach call named an instance in Terminating:Wait');
    out(`  ${warnings.length} warnings logged${warnings.length > 0 ? ':' : ''}`);
    for (const warning of warnings.slice(0, 5)) out(`    ${warning}`);
    if (adapter) {
      const code = await adapter.stop();
      check(
        code === 0,
        'eni-pool-sqs stopped on SIGTERM and exited 0',
        () => `exit ${code}: ${adapter!.output()}`,
      );
      check(
        adapter.deadLetters() === 0,
        'no message reached the dead-letter queue',
        () => `${adapter!.deadLetters()}`,
      );
      out('  eni-pool-sqs stopped on SIGTERM with exit 0; no message reached the dead-letter queue');
    }
    const durationMs = Date.now() - startedAt;
    out(`  done in ${(durationMs / 1000).toFixed(1)} s`);
    return {
      holders: Object.fromEntries(holders),
      calls: callsPerStep,
      lifecycleCompletions: completions.length,
      eventsDropped: sim.events.dropped.length,
      reattachedToTerminating: reattached,
      invariants,
      durationMs,
    };
  } finally {
    await adapter?.stop();
    ec2.destroy();
    autoScaling.destroy();
    await sim.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = new Set(process.argv.slice(2));
  try {
    await runDemo({ fast: args.has('--fast'), quiet: args.has('--quiet'), sqs: args.has('--sqs') });
  } catch (error) {
    console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
