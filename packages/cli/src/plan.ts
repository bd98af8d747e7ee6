import type { CommandContext, CommandResult } from './context';
import { type PlanAction, type PlannedPools, type PoolState, planPools, poolScope } from './pools';
import { plural, type Style, table } from './render';
import { JSON_SCHEMA_VERSION, type PlannedAction, type PlanReport } from './report';

/** Each action of the plan with the reason it is there, in words an operator can check. */
export function explainActions(
  actions: readonly PlanAction[],
  state: PoolState,
  leaving: readonly string[],
  tagKey: string,
): PlannedAction[] {
  const instances = new Map(state.instances.map((i) => [i.instanceId, i]));
  const interfaces = new Map(state.interfaces.map((e) => [e.networkInterfaceId, e]));
  const leavingSet = new Set(leaving);
  return actions.map((action): PlannedAction => {
    const instance = instances.get(action.instanceId);
    if (action.kind === 'detach') {
      if (leavingSet.has(action.instanceId)) {
        return {
          ...action,
          reason: 'leaving',
          detail: `${action.instanceId} is being terminated by its Auto Scaling group; its address goes back to the pool`,
        };
      }
      const detail = {
        'instance-not-running': `${action.instanceId} is ${instance?.state ?? 'not running'}`,
        'not-a-member':
          instance?.tags[tagKey] === undefined
            ? `${action.instanceId} does not carry the tag ${tagKey}`
            : `${action.instanceId} is tagged ${tagKey}=${instance.tags[tagKey]}, not ${action.pool}`,
        duplicate: `${action.instanceId} holds two interfaces of pool ${action.pool}; this one goes back`,
        'instance-unknown': `${action.instanceId} is not described any more (gone)`,
        'instance-leaving': `${action.instanceId} is leaving; its address goes to a successor`,
      }[action.reason];
      return { ...action, reason: action.reason, detail };
    }
    const eni = interfaces.get(action.networkInterfaceId);
    const where = `${instance?.subnetId ?? '?'} / ${instance?.availabilityZone ?? '?'}`;
    if (action.after !== undefined) {
      return {
        ...action,
        reason: 'hand-over',
        detail: `${action.instanceId} (running in ${where}) takes ${action.networkInterfaceId} once ${action.after} has finished`,
      };
    }
    return {
      ...action,
      reason: 'member-without-interface',
      detail: `${action.instanceId} (running in ${where}) has no interface of pool ${action.pool}; ${action.networkInterfaceId}${eni?.privateIpAddress ? ` (${eni.privateIpAddress})` : ''} is free`,
    };
  });
}

/** One line per action, for `plan` and the confirmation of `sync`. */
export function actionLines(actions: readonly PlannedAction[], style: Style): string[] {
  if (actions.length === 0) return [];
  return table(
    ['ACTION', 'POOL', 'INTERFACE', 'INSTANCE', 'REASON'],
    actions.map((a) => [
      a.kind === 'attach' ? style.green(`attach@${a.deviceIndex}`) : style.yellow('detach'),
      a.pool,
      a.networkInterfaceId,
      a.instanceId,
      `${a.reason}: ${a.detail}`,
    ]),
  );
}

export function planReport(context: CommandContext, planned: PlannedPools): PlanReport {
  const actions = explainActions(planned.plan.actions, planned.state, planned.leaving, context.args.tagKey);
  const missingPools = missingFrom(context.args.pools, planned.plan.pools);
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    command: 'plan',
    region: context.region,
    tagKey: context.args.tagKey,
    placement: context.args.placement,
    ok: actions.length === 0 && planned.plan.unsatisfied.length === 0 && missingPools.length === 0,
    actions,
    unsatisfied: planned.plan.unsatisfied,
    pools: planned.plan.pools,
    leaving: planned.leaving,
    missingPools,
  };
}

/** The pools asked for that the plan has no summary of: nothing carries their tag. */
export function missingFrom(asked: readonly string[], found: readonly { readonly pool: string }[]): string[] {
  const seen = new Set(found.map((summary) => summary.pool));
  return asked.filter((pool) => !seen.has(pool));
}

/** `eni-pool plan`: what a reconcile would do now, and why. Describes only. */
export async function runPlan(context: CommandContext): Promise<CommandResult<PlanReport>> {
  const planned = await planPools(context.aws, poolScope(context.args.pools));
  const report = planReport(context, planned);
  const { style } = context;
  const text: string[] = [];
  if (report.pools.length === 0) {
    text.push(`No pool found (nothing tagged ${report.tagKey}${poolsClause(context.args.pools)}).`);
  } else if (report.actions.length === 0) {
    text.push(style.green('Nothing to do: every running member holds an interface of its pool.'));
  } else {
    const attaches = report.actions.filter((a) => a.kind === 'attach').length;
    text.push(
      style.bold(
        `A reconcile now would make ${plural(report.actions.length, 'change')}: ${plural(attaches, 'attach', 'attaches')}, ${plural(report.actions.length - attaches, 'detach', 'detaches')}.`,
      ),
      ...actionLines(report.actions, style),
    );
  }
  if (report.pools.length > 0 && report.missingPools.length > 0) {
    text.push(
      style.red(`Not found (nothing tagged ${report.tagKey} with it): ${report.missingPools.join(', ')}`),
    );
  }
  text.push(...unsatisfiedLines(report.unsatisfied, style));
  if (report.leaving.length > 0)
    text.push(`Leaving (Auto Scaling is terminating): ${report.leaving.join(', ')}`);
  if (report.actions.length > 0)
    text.push(style.dim('Run `eni-pool sync` to apply, or let the deployed function do it.'));
  return { report, text, exitCode: report.ok ? 0 : 1 };
}

export function unsatisfiedLines(unsatisfied: PlanReport['unsatisfied'], style: Style): string[] {
  if (unsatisfied.length === 0) return [];
  return [
    style.red(`${plural(unsatisfied.length, 'running member')} cannot be served:`),
    ...table(
      ['POOL', 'INSTANCE', 'REASON'],
      unsatisfied.map((u) => [u.pool, u.instanceId, `${u.reason}: ${u.detail}`]),
    ),
  ];
}

export function poolsClause(pools: readonly string[]): string {
  return pools.length === 0 ? '' : ` with ${pools.map((p) => `"${p}"`).join(', ')}`;
}
