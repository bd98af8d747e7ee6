import {
  type AutoScalingGroup,
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
  type Filter,
  type LifecycleHook,
} from '@aws-sdk/client-auto-scaling';
import {
  AttachNetworkInterfaceCommand,
  DescribeSubnetsCommand,
  DetachNetworkInterfaceCommand,
} from '@aws-sdk/client-ec2';
import type { CommandContext, CommandResult } from './context';
import { poolsClause } from './plan';
import { type InstanceView, type PoolState, poolScope, readPools } from './pools';
import { plural, type Style } from './render';
import { type Check, type DoctorReport, JSON_SCHEMA_VERSION } from './report';

/** The tag Auto Scaling puts on every instance it launches. */
const GROUP_TAG = 'aws:autoscaling:groupName';
const LAUNCHING = 'autoscaling:EC2_INSTANCE_LAUNCHING';
const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';
/** DescribeAutoScalingGroups takes up to 50 names a call and returns up to 100 groups a page. */
const NAMES_PER_CALL = 50;
const MAX_RECORDS = 100;
/** Group members that are on their way out are not expected to carry anything any more. */
const GONE_STATES = new Set(['Terminating', 'Terminating:Wait', 'Terminating:Proceed', 'Terminated']);

function errorCode(error: unknown): string {
  const name = (error as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : 'Error';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function describeGroups(
  context: CommandContext,
  request: { names?: readonly string[]; filters?: Filter[] },
): Promise<AutoScalingGroup[]> {
  const groups: AutoScalingGroup[] = [];
  const batches = request.names
    ? Array.from({ length: Math.ceil(request.names.length / NAMES_PER_CALL) }, (_, i) =>
        request.names!.slice(i * NAMES_PER_CALL, (i + 1) * NAMES_PER_CALL),
      )
    : [undefined];
  for (const names of batches) {
    let token: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const out = await context.aws.autoScaling.send(
        new DescribeAutoScalingGroupsCommand({
          ...(names ? { AutoScalingGroupNames: names } : {}),
          ...(request.filters ? { Filters: request.filters } : {}),
          MaxRecords: MAX_RECORDS,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      groups.push(...(out.AutoScalingGroups ?? []));
      token = out.NextToken;
      if (!token) break;
    }
  }
  return groups;
}

/** The pool a group serves: its pool tag, else the only pool asked for, else its members' pool. */
function poolOfGroup(group: AutoScalingGroup, context: CommandContext, state: PoolState): string | undefined {
  const tagged = group.Tags?.find((t) => t.Key === context.args.tagKey)?.Value;
  if (tagged) return tagged;
  if (context.args.pools.length === 1) return context.args.pools[0];
  const fromMembers = new Set(
    state.instances
      .filter((i) => i.tags[GROUP_TAG] === group.AutoScalingGroupName && i.tags[context.args.tagKey])
      .map((i) => i.tags[context.args.tagKey]!),
  );
  return fromMembers.size === 1 ? [...fromMembers][0] : undefined;
}

function isMember(instance: InstanceView | undefined, tagKey: string, pool: string): boolean {
  return instance?.tags[tagKey] === pool;
}

async function subnetZones(
  context: CommandContext,
  subnetIds: readonly string[],
): Promise<Map<string, string>> {
  const zones = new Map<string, string>();
  if (subnetIds.length === 0) return zones;
  const out = await context.aws.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [...subnetIds] }));
  for (const subnet of out.Subnets ?? []) {
    if (subnet.SubnetId && subnet.AvailabilityZone) zones.set(subnet.SubnetId, subnet.AvailabilityZone);
  }
  return zones;
}

function groupChecks(
  context: CommandContext,
  group: AutoScalingGroup,
  pool: string,
  state: PoolState,
  zones: ReadonlyMap<string, string>,
  hooks: readonly LifecycleHook[] | Error,
): Check[] {
  const { tagKey, placement, hookPrefix } = context.args;
  const name = group.AutoScalingGroupName ?? '?';
  const at = { pool, group: name };
  const checks: Check[] = [];
  const maxSize = group.MaxSize ?? 0;
  const subnets = (group.VPCZoneIdentifier ?? '').split(',').filter((s) => s !== '');
  const poolInterfaces = state.interfaces.filter((e) => e.tags[tagKey] === pool);

  // Placement: every subnet (or zone) the group can launch in needs pool interfaces.
  const usable = new Set<string>();
  const share = subnets.length > 0 ? Math.ceil(maxSize / subnets.length) : maxSize;
  for (const subnet of subnets) {
    const zone = zones.get(subnet);
    if (zone === undefined && placement === 'availability-zone') {
      checks.push({
        id: 'subnet-coverage',
        status: 'warn',
        ...at,
        subject: subnet,
        message: `the zone of subnet ${subnet} is unknown, so its coverage cannot be judged by zone`,
      });
      continue;
    }
    const here = poolInterfaces.filter((e) =>
      placement === 'subnet' ? e.subnetId === subnet : e.availabilityZone === zone,
    );
    for (const e of here) usable.add(e.networkInterfaceId);
    const where =
      placement === 'subnet'
        ? `subnet ${subnet} (${zone ?? 'zone unknown'})`
        : `zone ${zone} (subnet ${subnet})`;
    const subject = placement === 'subnet' || zone === undefined ? subnet : zone;
    if (here.length === 0) {
      checks.push({
        id: 'subnet-coverage',
        status: 'fail',
        ...at,
        subject,
        message: `${name} can launch in ${where}, where pool ${pool} has no interface: an instance launched there gets no address`,
        fix: `create a network interface in ${subnet} and tag it ${tagKey}=${pool}, or remove ${subnet} from the group's subnets`,
      });
    } else if (here.length < share) {
      checks.push({
        id: 'subnet-coverage',
        status: 'warn',
        ...at,
        subject,
        message: `${where} has ${plural(here.length, 'pool interface')}; an even spread of MaxSize ${maxSize} over ${plural(subnets.length, 'subnet')} puts ${share} there`,
        fix: `create ${share - here.length} more in ${subnet} and tag them ${tagKey}=${pool}`,
      });
    } else {
      checks.push({
        id: 'subnet-coverage',
        status: 'pass',
        ...at,
        subject,
        message: `${where} has ${plural(here.length, 'pool interface')} (even share of MaxSize ${maxSize}: ${share})`,
      });
    }
  }
  checks.push(
    usable.size >= maxSize
      ? {
          id: 'capacity',
          status: 'pass',
          ...at,
          message: `${plural(usable.size, 'pool interface')} where ${name} launches, for a MaxSize of ${maxSize}`,
        }
      : {
          id: 'capacity',
          status: 'warn',
          ...at,
          message: `${plural(usable.size, 'pool interface')} where ${name} launches, for a MaxSize of ${maxSize}: beyond ${usable.size} running instances, new ones get no address`,
          fix: `create ${maxSize - usable.size} more interfaces in the group's subnets and tag them ${tagKey}=${pool}, or lower MaxSize`,
        },
  );

  // The pool tag must reach the instances the group launches.
  const tag = group.Tags?.find((t) => t.Key === tagKey);
  const tagFix = `aws autoscaling create-or-update-tags --tags ResourceId=${name},ResourceType=auto-scaling-group,Key=${tagKey},Value=${pool},PropagateAtLaunch=true`;
  if (tag === undefined) {
    checks.push({
      id: 'tag-propagation',
      status: 'fail',
      ...at,
      message: `${name} does not carry the tag ${tagKey}: the instances it launches are not pool members`,
      fix: tagFix,
    });
  } else if (tag.Value !== pool) {
    checks.push({
      id: 'tag-propagation',
      status: 'fail',
      ...at,
      message: `${name} is tagged ${tagKey}=${tag.Value}, not ${pool}`,
      fix: tagFix,
    });
  } else if (tag.PropagateAtLaunch !== true) {
    checks.push({
      id: 'tag-propagation',
      status: 'fail',
      ...at,
      message: `${name} carries ${tagKey}=${pool} without PropagateAtLaunch: the instances it launches do not get it`,
      fix: tagFix,
    });
  } else {
    checks.push({
      id: 'tag-propagation',
      status: 'pass',
      ...at,
      message: `${name} propagates ${tagKey}=${pool} to the instances it launches`,
    });
  }

  // Propagation only affects new launches: members from before the tag stay untagged.
  const instances = new Map(state.instances.map((i) => [i.instanceId, i]));
  const untagged = (group.Instances ?? [])
    .filter((i) => i.InstanceId && !GONE_STATES.has(i.LifecycleState ?? ''))
    .map((i) => i.InstanceId!)
    .filter((id) => !isMember(instances.get(id), tagKey, pool))
    .sort();
  checks.push(
    untagged.length === 0
      ? {
          id: 'untagged-members',
          status: 'pass',
          ...at,
          message: `every instance of ${name} carries ${tagKey}=${pool}`,
        }
      : {
          id: 'untagged-members',
          status: 'fail',
          ...at,
          message: `${plural(untagged.length, 'instance')} of ${name} ${untagged.length === 1 ? 'does' : 'do'} not carry ${tagKey}=${pool} (launched before the tag, or retagged): ${untagged.join(', ')}`,
          fix: `aws ec2 create-tags --resources ${untagged.join(' ')} --tags Key=${tagKey},Value=${pool}`,
        },
  );

  // eni-pool's own lifecycle hooks, found by name prefix.
  if (hooks instanceof Error) {
    checks.push({
      id: 'lifecycle-hooks',
      status: 'warn',
      ...at,
      message: `could not describe the lifecycle hooks of ${name}: ${errorCode(hooks)}: ${hooks.message}`,
      fix: 'allow autoscaling:DescribeLifecycleHooks to run this check',
    });
    return checks;
  }
  const ours = hooks.filter((h) => h.LifecycleHookName?.startsWith(hookPrefix));
  const deploy =
    'deploy cloudformation/lifecycle-hooks.yaml of @eni-pool/lifecycle-hook-adapter for this group';
  for (const [transition, label] of [
    [LAUNCHING, 'launch'],
    [TERMINATING, 'terminate'],
  ] as const) {
    const hook = ours.find((h) => h.LifecycleTransition === transition);
    if (hook === undefined) {
      checks.push({
        id: 'lifecycle-hooks',
        status: 'warn',
        ...at,
        subject: label,
        message:
          transition === LAUNCHING
            ? `${name} has no ${label} hook named ${hookPrefix}*: its instances go in service before their address is attached`
            : `${name} has no ${label} hook named ${hookPrefix}*: a terminating instance keeps its address until it is gone, so its successor waits for it`,
        fix: deploy,
      });
      continue;
    }
    const values = `heartbeat ${hook.HeartbeatTimeout ?? 3600} s, default result ${hook.DefaultResult ?? 'ABANDON'}`;
    const hookName = hook.LifecycleHookName ?? '?';
    if (transition === LAUNCHING && hook.DefaultResult === 'CONTINUE') {
      checks.push({
        id: 'lifecycle-hooks',
        status: 'warn',
        ...at,
        subject: hookName,
        message: `${hookName} (${values}): when no address comes in time, the instance goes in service without one`,
        fix: `aws autoscaling put-lifecycle-hook --auto-scaling-group-name ${name} --lifecycle-hook-name ${hookName} --default-result ABANDON`,
      });
    } else {
      checks.push({
        id: 'lifecycle-hooks',
        status: 'pass',
        ...at,
        subject: hookName,
        message: `${hookName} (${values})`,
      });
    }
  }
  return checks;
}

function attachmentChecks(context: CommandContext, pool: string, state: PoolState): Check[] {
  const { tagKey } = context.args;
  const instances = new Map(state.instances.map((i) => [i.instanceId, i]));
  const checks: Check[] = [];
  for (const eni of state.interfaces.filter((e) => e.tags[tagKey] === pool)) {
    const attachment = eni.attachment;
    if (!attachment) continue;
    const holder = instances.get(attachment.instanceId);
    if (attachment.deviceIndex === 0) {
      checks.push({
        id: 'foreign-attachments',
        status: 'fail',
        pool,
        subject: eni.networkInterfaceId,
        message: `${eni.networkInterfaceId} is the primary interface (device index 0) of ${attachment.instanceId}: it can never be detached, so it never goes back to the pool`,
        fix: `remove the tag ${tagKey} from ${eni.networkInterfaceId}; pool interfaces must be secondary interfaces`,
      });
    } else if (!isMember(holder, tagKey, pool)) {
      const what =
        holder === undefined
          ? 'an instance that is not described any more'
          : holder.tags[tagKey] === undefined
            ? `${attachment.instanceId}, which does not carry ${tagKey}`
            : `${attachment.instanceId}, which is tagged ${tagKey}=${holder.tags[tagKey]}`;
      checks.push({
        id: 'foreign-attachments',
        status: 'fail',
        pool,
        subject: eni.networkInterfaceId,
        message: `${eni.networkInterfaceId} is attached to ${what}: another manager or a person attached it outside the pool; eni-pool's next reconcile detaches it`,
        fix: `if another tool manages pool ${pool}, remove it first (see "Migration" in the README); otherwise tag ${attachment.instanceId} ${tagKey}=${pool} to keep it there, or detach it`,
      });
    }
  }
  if (checks.length === 0) {
    checks.push({
      id: 'foreign-attachments',
      status: 'pass',
      pool,
      message: `every attached interface of pool ${pool} is held by a pool member as a secondary interface`,
    });
  }
  return checks;
}

/** Checks attach and detach with `DryRun`: EC2 answers whether it would authorize them, changing nothing. */
async function permissionChecks(context: CommandContext, pool: string, state: PoolState): Promise<Check[]> {
  const { tagKey } = context.args;
  const who =
    'with the credentials this command runs with (the deployed function has its own role: run doctor with it to check that)';
  const interfaces = state.interfaces.filter((e) => e.tags[tagKey] === pool);
  const members = state.instances.filter((i) => i.tags[tagKey] === pool && i.state !== 'terminated');
  const probe = async (
    id: 'permission-attach' | 'permission-detach',
    action: string,
    send: () => Promise<unknown>,
  ): Promise<Check> => {
    try {
      await send();
      // EC2 never performs a dry run; an answer without an error means the flag was not honoured.
      return {
        id,
        status: 'warn',
        pool,
        message: `${action} with DryRun returned without DryRunOperation; could not check`,
      };
    } catch (error) {
      const code = errorCode(error);
      if (code === 'DryRunOperation') {
        return { id, status: 'pass', pool, message: `ec2:${action} is allowed ${who}` };
      }
      if (code === 'UnauthorizedOperation') {
        return {
          id,
          status: 'fail',
          pool,
          message: `ec2:${action} is refused ${who}: ${errorMessage(error)}`,
          fix: `allow ec2:${action} on network-interface/* and instance/* carrying ${tagKey} (the policy in the lambda-adapter README); decode the message with aws sts decode-authorization-message`,
        };
      }
      return {
        id,
        status: 'warn',
        pool,
        message: `could not check ec2:${action}: ${code}: ${errorMessage(error)}`,
      };
    }
  };

  const checks: Check[] = [];
  const eni = [...interfaces].sort(
    (a, b) => Number(b.status === 'available') - Number(a.status === 'available'),
  )[0];
  const instance =
    members.find((i) => i.state === 'running' && i.availabilityZone === eni?.availabilityZone) ??
    members.find((i) => i.state === 'running') ??
    members[0];
  if (eni === undefined || instance === undefined) {
    checks.push({
      id: 'permission-attach',
      status: 'warn',
      pool,
      message: `no ${eni === undefined ? 'interface' : 'instance'} of pool ${pool} to check ec2:AttachNetworkInterface with`,
    });
  } else {
    checks.push(
      await probe('permission-attach', 'AttachNetworkInterface', () =>
        context.aws.ec2.send(
          new AttachNetworkInterfaceCommand({
            NetworkInterfaceId: eni.networkInterfaceId,
            InstanceId: instance.instanceId,
            DeviceIndex: 1,
            NetworkCardIndex: 0,
            DryRun: true,
          }),
        ),
      ),
    );
  }
  const attached = interfaces.find((e) => e.attachment && e.attachment.deviceIndex > 0);
  if (attached?.attachment === undefined) {
    checks.push({
      id: 'permission-detach',
      status: 'warn',
      pool,
      message: `no attached interface of pool ${pool} to check ec2:DetachNetworkInterface with; run doctor again once an instance holds one`,
    });
  } else {
    const attachmentId = attached.attachment.attachmentId;
    checks.push(
      await probe('permission-detach', 'DetachNetworkInterface', () =>
        context.aws.ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId, DryRun: true })),
      ),
    );
  }
  return checks;
}

export function doctorLines(checks: readonly Check[], style: Style): string[] {
  const mark = { pass: style.green('pass'), warn: style.yellow('warn'), fail: style.red('fail') };
  const lines: string[] = [];
  for (const check of checks) {
    const where = [check.pool && `pool ${check.pool}`, check.group && `group ${check.group}`]
      .filter(Boolean)
      .join(', ');
    lines.push(`${mark[check.status]}  ${check.id}${where ? ` (${where})` : ''}: ${check.message}`);
    if (check.fix && check.status !== 'pass') lines.push(`      fix: ${check.fix}`);
  }
  return lines;
}

/**
 * `eni-pool doctor`: checks the pools and their Auto Scaling groups against what eni-pool needs, each
 * as pass / warn / fail with the fix. Describes and `DryRun` calls only.
 */
export async function runDoctor(context: CommandContext): Promise<CommandResult<DoctorReport>> {
  const { args } = context;
  const { state } = await readPools(context.aws, poolScope(args.pools));
  const checks: Check[] = [];

  const pools = new Set(args.pools);
  if (pools.size === 0) {
    for (const e of state.interfaces) if (e.tags[args.tagKey]) pools.add(e.tags[args.tagKey]!);
    for (const i of state.instances) if (i.tags[args.tagKey]) pools.add(i.tags[args.tagKey]!);
  }

  let groups: AutoScalingGroup[] = [];
  try {
    if (args.groups.length > 0) {
      groups = await describeGroups(context, { names: args.groups });
      const found = new Set(groups.map((g) => g.AutoScalingGroupName));
      for (const name of args.groups.filter((g) => !found.has(g))) {
        checks.push({
          id: 'groups',
          status: 'fail',
          group: name,
          message: `Auto Scaling group ${name} not found in ${context.region}`,
          fix: 'check the name and --region',
        });
      }
    } else {
      const tagged = await describeGroups(context, {
        filters:
          args.pools.length > 0
            ? [{ Name: `tag:${args.tagKey}`, Values: [...args.pools] }]
            : [{ Name: 'tag-key', Values: [args.tagKey] }],
      });
      const known = new Set(tagged.map((g) => g.AutoScalingGroupName));
      // Groups whose members are pool members but that do not carry the tag themselves.
      const named = [
        ...new Set(
          state.instances
            .filter((i) => i.tags[args.tagKey] && pools.has(i.tags[args.tagKey]!))
            .map((i) => i.tags[GROUP_TAG])
            .filter((n): n is string => n !== undefined && !known.has(n)),
        ),
      ].sort();
      groups = [...tagged, ...(named.length > 0 ? await describeGroups(context, { names: named }) : [])];
    }
  } catch (error) {
    checks.push({
      id: 'groups',
      status: 'fail',
      message: `could not describe Auto Scaling groups: ${errorCode(error)}: ${errorMessage(error)}`,
      fix: 'allow autoscaling:DescribeAutoScalingGroups and autoscaling:DescribeLifecycleHooks on *',
    });
  }

  const byPool = new Map<string, AutoScalingGroup[]>();
  for (const group of groups) {
    const pool = poolOfGroup(group, context, state);
    if (pool === undefined) {
      checks.push({
        id: 'groups',
        status: 'fail',
        group: group.AutoScalingGroupName ?? '?',
        message: `${group.AutoScalingGroupName} carries no ${args.tagKey} tag and no member says which pool it serves`,
        fix: `name the pool with --pool, and tag the group (PropagateAtLaunch=true)`,
      });
      continue;
    }
    pools.add(pool);
    byPool.set(pool, [...(byPool.get(pool) ?? []), group]);
  }

  if (pools.size === 0) {
    checks.push({
      id: 'pool-interfaces',
      status: 'fail',
      message: `no pool found: nothing in ${context.region} carries the tag ${args.tagKey}${poolsClause(args.pools)}`,
      fix: `tag the pool's network interfaces and its Auto Scaling group ${args.tagKey}=<pool>`,
    });
  }

  const subnets = [...new Set(groups.flatMap((g) => (g.VPCZoneIdentifier ?? '').split(',').filter(Boolean)))];
  let zones = new Map<string, string>();
  try {
    zones = await subnetZones(context, subnets);
  } catch (error) {
    checks.push({
      id: 'groups',
      status: 'warn',
      message: `could not describe the groups' subnets, so their zones are unknown: ${errorCode(error)}: ${errorMessage(error)}`,
      fix: 'allow ec2:DescribeSubnets on * to run the zone checks',
    });
  }

  for (const pool of [...pools].sort()) {
    const count = state.interfaces.filter((e) => e.tags[args.tagKey] === pool).length;
    checks.push(
      count > 0
        ? {
            id: 'pool-interfaces',
            status: 'pass',
            pool,
            message: `pool ${pool} has ${plural(count, 'interface')}`,
          }
        : {
            id: 'pool-interfaces',
            status: 'fail',
            pool,
            message: `pool ${pool} has no network interface tagged ${args.tagKey}=${pool}`,
            fix: `create network interfaces in the subnets of the pool's groups and tag them ${args.tagKey}=${pool}`,
          },
    );
    const poolGroups = byPool.get(pool) ?? [];
    if (poolGroups.length === 0 && args.groups.length === 0) {
      checks.push({
        id: 'groups',
        status: 'warn',
        pool,
        message: `no Auto Scaling group of pool ${pool} found (none tagged ${args.tagKey}=${pool}, none named by its members)`,
        fix: `pass --group <name>, or tag the group ${args.tagKey}=${pool} with PropagateAtLaunch=true`,
      });
    }
    for (const group of poolGroups) {
      const name = group.AutoScalingGroupName ?? '?';
      checks.push({
        id: 'groups',
        status: 'pass',
        pool,
        group: name,
        message: `${name} (min ${group.MinSize}, max ${group.MaxSize}, desired ${group.DesiredCapacity}) launches in ${group.VPCZoneIdentifier || 'no subnet'}`,
      });
      let hooks: LifecycleHook[] | Error;
      try {
        hooks =
          (
            await context.aws.autoScaling.send(
              new DescribeLifecycleHooksCommand({ AutoScalingGroupName: name }),
            )
          ).LifecycleHooks ?? [];
      } catch (error) {
        hooks = error instanceof Error ? error : new Error(String(error));
      }
      checks.push(...groupChecks(context, group, pool, state, zones, hooks));
    }
    checks.push(...attachmentChecks(context, pool, state));
    checks.push(...(await permissionChecks(context, pool, state)));
  }

  const summary = {
    pass: checks.filter((c) => c.status === 'pass').length,
    warn: checks.filter((c) => c.status === 'warn').length,
    fail: checks.filter((c) => c.status === 'fail').length,
  };
  const report: DoctorReport = {
    schemaVersion: JSON_SCHEMA_VERSION,
    command: 'doctor',
    region: context.region,
    tagKey: args.tagKey,
    ok: summary.fail === 0,
    checks,
    summary,
  };
  const text = [
    ...doctorLines(checks, context.style),
    '',
    context.style.bold(`${summary.pass} passed, ${plural(summary.warn, 'warning')}, ${summary.fail} failed`),
  ];
  return { report, text, exitCode: report.ok ? 0 : 1 };
}
