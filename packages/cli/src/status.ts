import type { CommandContext, CommandResult } from './context';
import { missingFrom, poolsClause } from './plan';
import { DEFAULT_LAST_INSTANCE_TAG_KEY, type PlannedPools, planPools, poolScope } from './pools';
import { plural, table } from './render';
import {
  type InterfaceRow,
  JSON_SCHEMA_VERSION,
  type PoolStatus,
  type StatusReport,
  type UnservedInstance,
} from './report';

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function statusReport(context: CommandContext, planned: PlannedPools): StatusReport {
  const { tagKey } = context.args;
  const { state, plan, publicIps } = planned;
  const instances = new Map(state.instances.map((i) => [i.instanceId, i]));
  const leaving = new Set(planned.leaving);
  const pools: PoolStatus[] = plan.pools.map((summary) => {
    const pool = summary.pool;
    const interfaces: InterfaceRow[] = state.interfaces
      .filter((e) => e.tags[tagKey] === pool)
      .sort((a, b) => compare(a.subnetId, b.subnetId) || compare(a.networkInterfaceId, b.networkInterfaceId))
      .map((e) => {
        const holder = e.attachment ? instances.get(e.attachment.instanceId) : undefined;
        return {
          networkInterfaceId: e.networkInterfaceId,
          privateIp: e.privateIpAddress ?? null,
          publicIp: publicIps.get(e.networkInterfaceId) ?? null,
          subnetId: e.subnetId,
          availabilityZone: e.availabilityZone,
          status: e.status,
          holder: e.attachment
            ? {
                instanceId: e.attachment.instanceId,
                state: holder?.state ?? null,
                member: holder?.tags[tagKey] === pool,
                deviceIndex: e.attachment.deviceIndex,
                attachmentStatus: e.attachment.status,
              }
            : null,
          lastInstanceId: e.tags[DEFAULT_LAST_INSTANCE_TAG_KEY] || null,
        };
      });
    const holders = new Set(interfaces.map((row) => row.holder?.instanceId).filter((id) => id !== undefined));
    const unsatisfied = new Map(
      plan.unsatisfied.filter((u) => u.pool === pool).map((u) => [u.instanceId, u]),
    );
    const attaches = new Map(
      plan.actions.filter((a) => a.kind === 'attach' && a.pool === pool).map((a) => [a.instanceId, a]),
    );
    const unserved: UnservedInstance[] = state.instances
      .filter((i) => i.state === 'running' && i.tags[tagKey] === pool && !holders.has(i.instanceId))
      .sort((a, b) => compare(a.instanceId, b.instanceId))
      .map((i) => {
        const place = {
          instanceId: i.instanceId,
          subnetId: i.subnetId,
          availabilityZone: i.availabilityZone,
        };
        const why = unsatisfied.get(i.instanceId);
        if (why) return { ...place, reason: why.reason, detail: why.detail };
        const attach = attaches.get(i.instanceId);
        if (attach) {
          return {
            ...place,
            reason: 'attach-planned' as const,
            detail: `the next reconcile attaches ${attach.networkInterfaceId} (eni-pool plan shows it)`,
          };
        }
        return {
          ...place,
          reason: 'leaving' as const,
          detail: leaving.has(i.instanceId)
            ? 'its Auto Scaling group is terminating it'
            : 'planned as leaving',
        };
      });
    return { pool, interfaces, unserved, summary };
  });
  const missingPools = missingFrom(context.args.pools, plan.pools);
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    command: 'status',
    region: context.region,
    tagKey,
    ok: missingPools.length === 0 && pools.every((p) => p.unserved.every((u) => u.reason === 'leaving')),
    pools,
    missingPools,
  };
}

/** `eni-pool status`: every pool's interfaces, who holds them, and the members left without one. */
export async function runStatus(context: CommandContext): Promise<CommandResult<StatusReport>> {
  const planned = await planPools(context.aws, poolScope(context.args.pools));
  const report = statusReport(context, planned);
  const { style } = context;
  const text: string[] = [];
  if (report.pools.length === 0) {
    text.push(
      `No pool found (nothing tagged ${report.tagKey}${poolsClause(context.args.pools)}) in ${report.region}.`,
    );
  }
  for (const pool of report.pools) {
    const s = pool.summary;
    const served = s.runningInstances - pool.unserved.length;
    text.push(
      style.bold(
        `pool ${pool.pool}: ${plural(s.interfaces, 'interface')} (${s.freeInterfaces} free), ${served} of ${plural(s.runningInstances, 'running member')} served`,
      ),
    );
    text.push(
      ...table(
        ['INTERFACE', 'PRIVATE IP', 'PUBLIC IP', 'SUBNET / ZONE', 'STATUS', 'HOLDER', 'LAST INSTANCE'],
        pool.interfaces.map((row) => [
          row.networkInterfaceId,
          row.privateIp ?? '-',
          row.publicIp ?? '-',
          `${row.subnetId} / ${row.availabilityZone}`,
          row.status === 'available' ? style.green(row.status) : row.status,
          row.holder
            ? `${row.holder.instanceId} (${row.holder.state ?? 'gone'}${row.holder.member ? '' : ', not a member'})`
            : '-',
          row.lastInstanceId ?? '-',
        ]),
      ),
    );
    if (pool.unserved.length > 0) {
      text.push(`  ${style.red(`${plural(pool.unserved.length, 'running member')} without an interface:`)}`);
      text.push(
        ...table(
          ['INSTANCE', 'SUBNET / ZONE', 'REASON'],
          pool.unserved.map((u) => [
            u.instanceId,
            `${u.subnetId} / ${u.availabilityZone}`,
            `${u.reason}: ${u.detail}`,
          ]),
          '    ',
        ),
      );
    }
    text.push('');
  }
  if (report.pools.length > 0 && report.missingPools.length > 0) {
    text.push(
      style.red(`Not found (nothing tagged ${report.tagKey} with it): ${report.missingPools.join(', ')}`),
    );
  }
  if (text.at(-1) === '') text.pop();
  return { report, text, exitCode: report.ok ? 0 : 1 };
}
