import type { CommandContext, CommandResult } from './context';
import { UsageError } from './errors';
import { actionLines, planReport, unsatisfiedLines } from './plan';
import { outcomeErrorCode, type PlanAction, planPools, poolScope, syncPools } from './pools';
import { plural } from './render';
import { JSON_SCHEMA_VERSION, type SyncOutcome, type SyncReport } from './report';

function describe(action: PlanAction): string {
  return action.kind === 'attach'
    ? `attach ${action.networkInterfaceId} to ${action.instanceId} at device ${action.deviceIndex}`
    : `detach ${action.networkInterfaceId} from ${action.instanceId}`;
}

/**
 * `eni-pool sync`: reconcile now, as the deployed function would. On a terminal it shows the plan and
 * asks first, unless `--yes`; off a terminal `--yes` is required, so a script never changes attachments
 * by accident.
 */
export async function runSync(context: CommandContext): Promise<CommandResult<SyncReport>> {
  const { args, style } = context;
  const scope = poolScope(args.pools);
  const base = {
    schemaVersion: JSON_SCHEMA_VERSION,
    command: 'sync' as const,
    region: context.region,
    tagKey: args.tagKey,
  };
  if (!args.yes) {
    if (context.confirm === undefined) {
      throw new UsageError('sync changes attachments: pass --yes to run it without a terminal to confirm on');
    }
    const planned = await planPools(context.aws, scope);
    const preview = planReport(context, planned);
    if (preview.actions.length > 0) {
      context.progress(`A reconcile now would make ${plural(preview.actions.length, 'change')}:`);
      for (const line of actionLines(preview.actions, style)) context.progress(line);
      if (!(await context.confirm(`Apply ${plural(preview.actions.length, 'change')}?`))) {
        const report: SyncReport = {
          ...base,
          ok: false,
          applied: false,
          converged: false,
          rounds: 0,
          outcomes: [],
          unsatisfied: preview.unsatisfied,
          pools: preview.pools,
          leaving: preview.leaving,
        };
        return { report, text: ['Nothing changed (not confirmed).'], exitCode: 1 };
      }
    }
  }

  const showProgress = context.showProgress;
  const result = await syncPools(
    context.aws,
    scope,
    showProgress
      ? {
          reconcile_started: ({ round }) =>
            context.progress(style.dim(`round ${round}: reading and planning`)),
          action_started: ({ action }) => context.progress(`… ${describe(action)}`),
          action_succeeded: ({ action, durationMs }) =>
            context.progress(`${style.green('✓')} ${describe(action)} (${Math.round(durationMs)} ms)`),
          action_failed: ({ action, error }) =>
            context.progress(`${style.red('✗')} ${describe(action)}: ${error.message}`),
          action_conflicted: ({ action }) =>
            context.progress(
              `${style.yellow('~')} ${describe(action)}: taken by another worker; re-planning`,
            ),
        }
      : {},
    context.signal,
  );

  const outcomes: SyncOutcome[] = result.outcomes.map((o) => {
    const code = outcomeErrorCode(o);
    return {
      action: o.action,
      status: o.status,
      ...(o.attachmentId !== undefined ? { attachmentId: o.attachmentId } : {}),
      ...(o.error !== undefined ? { error: { code: code ?? 'Error', message: o.error.message } } : {}),
      durationMs: o.durationMs,
    };
  });
  const failed = outcomes.filter((o) => o.status === 'failed');
  const report: SyncReport = {
    ...base,
    ok: result.converged && failed.length === 0 && result.unsatisfied.length === 0,
    applied: true,
    converged: result.converged,
    rounds: result.rounds,
    outcomes,
    unsatisfied: result.unsatisfied,
    pools: result.pools,
    leaving: result.leaving,
  };

  const succeeded = outcomes.filter((o) => o.status === 'succeeded').length;
  const text: string[] = [];
  if (outcomes.length === 0) {
    text.push(style.green('Nothing to do: every running member holds an interface of its pool.'));
  } else {
    text.push(
      style.bold(
        `${plural(succeeded, 'change')} applied, ${failed.length} failed, in ${plural(result.rounds, 'round')}${result.converged ? '' : ' (not converged)'}.`,
      ),
    );
    for (const o of outcomes) {
      const mark = o.status === 'succeeded' ? style.green('✓') : o.status === 'failed' ? style.red('✗') : '~';
      text.push(`  ${mark} ${describe(o.action)}${o.error ? `: ${o.error.message}` : ''}`);
    }
  }
  text.push(...unsatisfiedLines(report.unsatisfied, style));
  return { report, text, exitCode: report.ok ? 0 : 1 };
}
