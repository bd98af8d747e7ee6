import { randomUUID } from 'node:crypto';
import type { SimResponse } from '../contracts';
import type { QueryParams, QueryStruct } from '../wire/query';
import { el, list, type XmlNode, type XmlValue } from '../wire/xml';
import { AutoScalingApiError, autoScalingErrors } from './errors';
import type { AutoScalingModel } from './model';
import type {
  GroupInstanceView,
  GroupTag,
  GroupView,
  LaunchTemplateRef,
  LifecycleActionResult,
  LifecycleHookSpec,
  LifecycleTransition,
} from './types';
import { queryError, queryResponse } from './wire';

type ActionHandler = (model: AutoScalingModel<unknown>, query: QueryParams) => XmlNode[];

/**
 * Answers one Auto Scaling awsQuery request (form body with `Action` and `Version=2011-01-01`): throttles
 * through the model's shared bucket, runs the action, and renders the XML response or `ErrorResponse`.
 *
 * @example
 * ```ts
 * const response = handleAutoScalingQuery(model, new QueryParams(body));
 * res.writeHead(response.status, response.headers).end(response.body);
 * ```
 */
export function handleAutoScalingQuery<A>(model: AutoScalingModel<A>, query: QueryParams): SimResponse {
  const requestId = randomUUID();
  const action = query.action;
  try {
    const handler = actions[action];
    if (!handler) throw autoScalingErrors.invalidAction(action || '(none)');
    model.admit(action);
    return queryResponse(action, handler(model, query), requestId);
  } catch (err) {
    if (err instanceof AutoScalingApiError) return queryError(err, requestId);
    throw err;
  }
}

const actions: Record<string, ActionHandler> = {
  CreateAutoScalingGroup(model, q) {
    const name = required(q, 'AutoScalingGroupName');
    const launchTemplate = readLaunchTemplate(q, 'LaunchTemplate');
    const hasMixed = [...q.params.keys()].some((k) => k.startsWith('MixedInstancesPolicy.'));
    if (!launchTemplate && !q.get('LaunchConfigurationName') && !hasMixed && !q.get('InstanceId')) {
      throw autoScalingErrors.validation(
        'Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.',
      );
    }
    model.createGroup({
      name,
      minSize: requiredInt(q, 'MinSize'),
      maxSize: requiredInt(q, 'MaxSize'),
      desiredCapacity: optionalInt(q, 'DesiredCapacity'),
      subnetIds: (q.get('VPCZoneIdentifier') ?? '').split(','),
      ...(launchTemplate ? { launchTemplate } : {}),
      tags: readTags(q).map((t) => ({ key: t.key, value: t.value, propagateAtLaunch: t.propagateAtLaunch })),
      lifecycleHooks: q.structs('LifecycleHookSpecificationList', true).map((s) => readHookSpec(s)),
    });
    return [];
  },

  UpdateAutoScalingGroup(model, q) {
    const vpc = q.get('VPCZoneIdentifier');
    const launchTemplate = readLaunchTemplate(q, 'LaunchTemplate');
    model.updateGroup(required(q, 'AutoScalingGroupName'), {
      minSize: optionalInt(q, 'MinSize'),
      maxSize: optionalInt(q, 'MaxSize'),
      desiredCapacity: optionalInt(q, 'DesiredCapacity'),
      ...(vpc !== undefined ? { subnetIds: vpc.split(',') } : {}),
      ...(launchTemplate ? { launchTemplate } : {}),
    });
    return [];
  },

  DeleteAutoScalingGroup(model, q) {
    model.deleteGroup(required(q, 'AutoScalingGroupName'), q.bool('ForceDelete') ?? false);
    return [];
  },

  SetDesiredCapacity(model, q) {
    model.setDesiredCapacity(required(q, 'AutoScalingGroupName'), requiredInt(q, 'DesiredCapacity'));
    return [];
  },

  DescribeAutoScalingGroups(model, q) {
    const names = q.list('AutoScalingGroupNames', true);
    const filters = q
      .structs('Filters', true)
      .map((f) => ({ name: f.get('Name') ?? '', values: f.list('Values', true) }));
    const groups = model
      .listGroups()
      .filter((g) => names.length === 0 || names.includes(g.name))
      .filter((g) => filters.every((f) => matchesGroupFilter(g, f.name, f.values)));
    const page = paginate(groups, q, 50, 100);
    return [list('AutoScalingGroups', 'member', page.items, groupXml), el('NextToken', page.nextToken)];
  },

  DescribeAutoScalingInstances(model, q) {
    const ids = q.list('InstanceIds', true);
    if (ids.length > 50) throw autoScalingErrors.validation('The maximum number of instance IDs is 50');
    const all = ids.length
      ? ids.map((id) => model.describeInstance(id)).filter((i) => i !== undefined)
      : model.listGroups().flatMap((g) => [...g.instances, ...g.warmInstances]);
    const page = paginate(all, q, 50, 50);
    return [
      list('AutoScalingInstances', 'member', page.items, (i) => [
        el('InstanceId', i.instanceId),
        el('InstanceType', i.instanceType),
        el('AutoScalingGroupName', i.groupName),
        el('AvailabilityZone', i.availabilityZone),
        el('LifecycleState', i.lifecycleState),
        // This API spells health in capitals, DescribeAutoScalingGroups does not.
        el('HealthStatus', i.healthStatus.toUpperCase()),
        launchTemplateXml(i.launchTemplate),
        el('ProtectedFromScaleIn', false),
      ]),
      el('NextToken', page.nextToken),
    ];
  },

  TerminateInstanceInAutoScalingGroup(model, q) {
    const instanceId = required(q, 'InstanceId');
    const decrement = q.bool('ShouldDecrementDesiredCapacity');
    if (decrement === undefined) throw autoScalingErrors.missingParameter('shouldDecrementDesiredCapacity');
    const activity = model.terminateInstanceInGroup(instanceId, decrement);
    return [
      el('Activity', [
        el('ActivityId', activity.activityId),
        el('AutoScalingGroupName', activity.groupName),
        el('Description', activity.description),
        el('Cause', activity.cause),
        el('StartTime', activity.startTime.toISOString()),
        el('StatusCode', activity.statusCode),
        el('Progress', activity.progress),
        el('Details', '{}'),
      ]),
    ];
  },

  PutLifecycleHook(model, q) {
    const groupName = required(q, 'AutoScalingGroupName');
    const transition = q.get('LifecycleTransition') as LifecycleTransition | undefined;
    const result = q.get('DefaultResult') as LifecycleActionResult | undefined;
    const target = q.get('NotificationTargetARN');
    const role = q.get('RoleARN');
    const metadata = q.get('NotificationMetadata');
    const heartbeat = optionalInt(q, 'HeartbeatTimeout');
    model.putLifecycleHook(groupName, {
      name: required(q, 'LifecycleHookName'),
      ...(transition !== undefined ? { transition } : {}),
      ...(heartbeat !== undefined ? { heartbeatTimeout: heartbeat } : {}),
      ...(result !== undefined ? { defaultResult: result } : {}),
      ...(target !== undefined ? { notificationTargetArn: target } : {}),
      ...(role !== undefined ? { roleArn: role } : {}),
      ...(metadata !== undefined ? { notificationMetadata: metadata } : {}),
    });
    return [];
  },

  DescribeLifecycleHooks(model, q) {
    const groupName = required(q, 'AutoScalingGroupName');
    const hooks = model.lifecycleHooks(groupName, q.list('LifecycleHookNames', true));
    return [list('LifecycleHooks', 'member', hooks, (h) => hookXml(groupName, h))];
  },

  DeleteLifecycleHook(model, q) {
    model.deleteLifecycleHook(required(q, 'AutoScalingGroupName'), required(q, 'LifecycleHookName'));
    return [];
  },

  CompleteLifecycleAction(model, q) {
    const result = required(q, 'LifecycleActionResult');
    if (result !== 'CONTINUE' && result !== 'ABANDON') {
      throw autoScalingErrors.validation(
        `Invalid LifecycleActionResult ${result}. Allowed values: CONTINUE, ABANDON`,
      );
    }
    model.completeLifecycleAction(actionRef(q), result);
    return [];
  },

  RecordLifecycleActionHeartbeat(model, q) {
    model.recordHeartbeat(actionRef(q));
    return [];
  },

  CreateOrUpdateTags(model, q) {
    for (const [group, tags] of tagsByGroup(readTags(q))) model.createOrUpdateTags(group, tags);
    return [];
  },

  DeleteTags(model, q) {
    for (const [group, tags] of tagsByGroup(readTags(q))) {
      model.deleteTags(
        group,
        tags.map((t) => t.key),
      );
    }
    return [];
  },

  DescribeTags(model, q) {
    const filters = q
      .structs('Filters', true)
      .map((f) => ({ name: f.get('Name') ?? '', values: f.list('Values', true) }));
    for (const f of filters) {
      if (!['auto-scaling-group', 'key', 'value', 'propagate-at-launch'].includes(f.name)) {
        throw autoScalingErrors.validation(`Filter name '${f.name}' is invalid`);
      }
    }
    const tags = model
      .listGroups()
      .flatMap((g) => g.tags.map((t) => ({ group: g.name, ...t })))
      .filter((t) =>
        filters.every((f) => {
          const actual =
            f.name === 'auto-scaling-group'
              ? t.group
              : f.name === 'key'
                ? t.key
                : f.name === 'value'
                  ? t.value
                  : String(t.propagateAtLaunch);
          return f.values.includes(actual);
        }),
      );
    const page = paginate(tags, q, 50, 100);
    return [list('Tags', 'member', page.items, (t) => tagXml(t.group, t)), el('NextToken', page.nextToken)];
  },

  PutWarmPool(model, q) {
    const state = q.get('PoolState') ?? 'Stopped';
    if (state !== 'Stopped' && state !== 'Running') {
      throw autoScalingErrors.validation(
        `PoolState ${state} is not supported by the simulator (Stopped, Running)`,
      );
    }
    const prepared = optionalInt(q, 'MaxGroupPreparedCapacity');
    model.putWarmPool(required(q, 'AutoScalingGroupName'), {
      minSize: optionalInt(q, 'MinSize') ?? 0,
      // -1 means "the group's MaxSize", which is also the default.
      ...(prepared !== undefined && prepared >= 0 ? { maxGroupPreparedCapacity: prepared } : {}),
      poolState: state,
    });
    return [];
  },

  DescribeWarmPool(model, q) {
    const name = required(q, 'AutoScalingGroupName');
    const group = model.describeGroup(name);
    if (!group) throw autoScalingErrors.groupNotFound(name);
    const page = paginate(group.warmInstances, q, 50, 100);
    return [
      group.warmPool ? warmPoolXml(group) : el('WarmPoolConfiguration', undefined),
      list('Instances', 'member', page.items, instanceXml),
      el('NextToken', page.nextToken),
    ];
  },

  DeleteWarmPool(model, q) {
    model.deleteWarmPool(required(q, 'AutoScalingGroupName'));
    return [];
  },
};

/** The Auto Scaling actions the simulator answers; any other answers `InvalidAction`. */
export const AUTOSCALING_ACTIONS: readonly string[] = Object.keys(actions).sort();

// ── Request reading ──────────────────────────────────────────────────────────────────────────────

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function required(q: QueryParams, name: string): string {
  const value = q.get(name);
  if (value === undefined || value === '') throw autoScalingErrors.missingParameter(lowerFirst(name));
  return value;
}

function requiredInt(q: QueryParams, name: string): number {
  required(q, name);
  return optionalInt(q, name) as number;
}

function optionalInt(q: QueryParams, name: string): number | undefined {
  const value = q.int(name);
  if (value !== undefined && Number.isNaN(value)) {
    throw autoScalingErrors.validation(
      `Value '${q.get(name)}' at '${lowerFirst(name)}' is not a valid integer`,
    );
  }
  return value;
}

function readLaunchTemplate(q: QueryParams, prefix: string): LaunchTemplateRef | undefined {
  const id = q.get(`${prefix}.LaunchTemplateId`);
  const name = q.get(`${prefix}.LaunchTemplateName`);
  const version = q.get(`${prefix}.Version`);
  if (id === undefined && name === undefined) return undefined;
  return {
    ...(id !== undefined ? { launchTemplateId: id } : {}),
    ...(name !== undefined ? { launchTemplateName: name } : {}),
    ...(version !== undefined ? { version } : {}),
  };
}

interface TagInput extends GroupTag {
  readonly resourceId: string | undefined;
}

function readTags(q: QueryParams): TagInput[] {
  return q.structs('Tags', true).map((s) => {
    const key = s.get('Key');
    if (!key) throw autoScalingErrors.missingParameter('tags.member.key');
    const resourceType = s.get('ResourceType');
    if (resourceType !== undefined && resourceType !== 'auto-scaling-group') {
      throw autoScalingErrors.validation(
        `Invalid resource type ${resourceType}; expected auto-scaling-group`,
      );
    }
    return {
      resourceId: s.get('ResourceId'),
      key,
      value: s.get('Value') ?? '',
      propagateAtLaunch: s.get('PropagateAtLaunch') === 'true',
    };
  });
}

function tagsByGroup(tags: readonly TagInput[]): Map<string, TagInput[]> {
  const byGroup = new Map<string, TagInput[]>();
  for (const tag of tags) {
    if (!tag.resourceId) throw autoScalingErrors.missingParameter('tags.member.resourceId');
    byGroup.set(tag.resourceId, [...(byGroup.get(tag.resourceId) ?? []), tag]);
  }
  return byGroup;
}

function readHookSpec(s: QueryStruct): LifecycleHookSpec {
  const name = s.get('LifecycleHookName');
  if (!name)
    throw autoScalingErrors.missingParameter('lifecycleHookSpecificationList.member.lifecycleHookName');
  const heartbeat = s.get('HeartbeatTimeout');
  const target = s.get('NotificationTargetARN');
  const role = s.get('RoleARN');
  const metadata = s.get('NotificationMetadata');
  return {
    name,
    transition: (s.get('LifecycleTransition') ?? '') as LifecycleTransition,
    heartbeatTimeout: heartbeat === undefined ? 3600 : Number(heartbeat),
    defaultResult: (s.get('DefaultResult') ?? 'ABANDON') as LifecycleActionResult,
    ...(target ? { notificationTargetArn: target } : {}),
    ...(role ? { roleArn: role } : {}),
    ...(metadata !== undefined ? { notificationMetadata: metadata } : {}),
  };
}

function actionRef(q: QueryParams) {
  const token = q.get('LifecycleActionToken');
  const instanceId = q.get('InstanceId');
  return {
    groupName: required(q, 'AutoScalingGroupName'),
    hookName: required(q, 'LifecycleHookName'),
    ...(token !== undefined ? { token } : {}),
    ...(instanceId !== undefined ? { instanceId } : {}),
  };
}

function matchesGroupFilter(group: GroupView, name: string, values: readonly string[]): boolean {
  if (name === 'tag-key') return group.tags.some((t) => values.includes(t.key));
  if (name === 'tag-value') return group.tags.some((t) => values.includes(t.value));
  if (name.startsWith('tag:')) {
    const key = name.slice(4);
    return group.tags.some((t) => t.key === key && values.includes(t.value));
  }
  throw autoScalingErrors.validation(`Filter name '${name}' is invalid`);
}

/** Offset pagination with an opaque token, as the Describe* actions page (`MaxRecords`, `NextToken`). */
function paginate<T>(
  items: readonly T[],
  q: QueryParams,
  defaultSize: number,
  maxSize: number,
): { items: T[]; nextToken: string | undefined } {
  const size = optionalInt(q, 'MaxRecords') ?? defaultSize;
  if (size < 1 || size > maxSize) {
    throw autoScalingErrors.validation(`MaxRecords must be between 1 and ${maxSize} (got ${size})`);
  }
  const token = q.get('NextToken');
  let offset = 0;
  if (token !== undefined) {
    const decoded = Number(
      Buffer.from(token, 'base64url')
        .toString('utf8')
        .replace(/^offset:/, ''),
    );
    if (!Number.isInteger(decoded) || decoded < 0)
      throw autoScalingErrors.validation('The NextToken value is invalid');
    offset = decoded;
  }
  const end = offset + size;
  return {
    items: items.slice(offset, end),
    nextToken: end < items.length ? Buffer.from(`offset:${end}`).toString('base64url') : undefined,
  };
}

// ── Response writing ─────────────────────────────────────────────────────────────────────────────

function launchTemplateXml(template: LaunchTemplateRef | undefined): XmlNode {
  if (!template) return el('LaunchTemplate', undefined);
  return el('LaunchTemplate', [
    el('LaunchTemplateId', template.launchTemplateId),
    el('LaunchTemplateName', template.launchTemplateName),
    el('Version', template.version),
  ]);
}

function instanceXml(i: GroupInstanceView): XmlValue[] {
  return [
    el('InstanceId', i.instanceId),
    el('InstanceType', i.instanceType),
    el('AvailabilityZone', i.availabilityZone),
    el('LifecycleState', i.lifecycleState),
    el('HealthStatus', i.healthStatus),
    launchTemplateXml(i.launchTemplate),
    el('ProtectedFromScaleIn', false),
  ];
}

function tagXml(groupName: string, tag: GroupTag): XmlValue[] {
  return [
    el('ResourceId', groupName),
    el('ResourceType', 'auto-scaling-group'),
    el('Key', tag.key),
    el('Value', tag.value),
    el('PropagateAtLaunch', tag.propagateAtLaunch),
  ];
}

function hookXml(groupName: string, h: LifecycleHookSpec): XmlValue[] {
  return [
    el('LifecycleHookName', h.name),
    el('AutoScalingGroupName', groupName),
    el('LifecycleTransition', h.transition),
    el('NotificationTargetARN', h.notificationTargetArn),
    el('RoleARN', h.roleArn),
    el('NotificationMetadata', h.notificationMetadata),
    el('HeartbeatTimeout', h.heartbeatTimeout),
    el('GlobalTimeout', Math.min(172_800, 100 * h.heartbeatTimeout)),
    el('DefaultResult', h.defaultResult),
  ];
}

function warmPoolXml(group: GroupView): XmlNode {
  const pool = group.warmPool;
  if (!pool) return el('WarmPoolConfiguration', undefined);
  return el('WarmPoolConfiguration', [
    el('MaxGroupPreparedCapacity', pool.maxGroupPreparedCapacity),
    el('MinSize', pool.minSize),
    el('PoolState', pool.poolState),
  ]);
}

function groupXml(g: GroupView): XmlValue[] {
  return [
    el('AutoScalingGroupName', g.name),
    el('AutoScalingGroupARN', g.arn),
    launchTemplateXml(g.launchTemplate),
    el('MinSize', g.minSize),
    el('MaxSize', g.maxSize),
    el('DesiredCapacity', g.desiredCapacity),
    el('DefaultCooldown', 300),
    list('AvailabilityZones', 'member', g.availabilityZones, (az) => [az]),
    el('LoadBalancerNames', []),
    el('TargetGroupARNs', []),
    el('HealthCheckType', 'EC2'),
    el('HealthCheckGracePeriod', 300),
    list('Instances', 'member', g.instances, instanceXml),
    el('CreatedTime', g.createdTime.toISOString()),
    el('SuspendedProcesses', []),
    el('VPCZoneIdentifier', g.subnetIds.join(',')),
    el('EnabledMetrics', []),
    list('Tags', 'member', g.tags, (t) => tagXml(g.name, t)),
    list('TerminationPolicies', 'member', ['Default'], (p) => [p]),
    el('NewInstancesProtectedFromScaleIn', false),
    warmPoolXml(g),
    g.warmPool ? el('WarmPoolSize', g.warmInstances.length) : el('WarmPoolSize', undefined),
  ];
}
