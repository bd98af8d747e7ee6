import { createHash, randomUUID } from 'node:crypto';
import type { SimResponse } from '../contracts';
import type { QueryParams, QueryStruct } from '../wire/query';
import { el, list, members, type XmlNode, type XmlValue } from '../wire/xml';
import type { Ec2Throttle, FaultInjector } from './controls';
import { Ec2ApiError, ec2Errors } from './errors';
import { type Ec2Filter, instanceFilter, interfaceFilter, matchesValue } from './filters';
import { INSTANCE_TYPES } from './instance-types';
import type { Ec2Model, StateChange } from './model';
import type { InstanceSnapshot, InterfaceSnapshot } from './views';

const NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/** What the EC2 Query handler needs: the model, plus the throttle and faults in front of it. */
export interface Ec2Endpoint {
  readonly model: Ec2Model;
  readonly throttle: Ec2Throttle;
  readonly faults: FaultInjector;
}

type Action = (ep: Ec2Endpoint, q: QueryParams) => XmlValue[];

/**
 * Answers one EC2 Query request (form body, `Version=2016-11-15`) with AWS's XML, or with AWS's error
 * document and HTTP status. Throttling and injected faults are applied before the model is touched.
 *
 * @example
 * ```ts
 * const response = handleEc2Query(endpoint, new QueryParams('Action=DescribeInstances&Version=2016-11-15'));
 * ```
 */
export function handleEc2Query(ep: Ec2Endpoint, query: QueryParams): SimResponse {
  const action = query.action;
  const requestId = randomUUID();
  try {
    const handler = ACTIONS[action];
    if (!handler) throw ec2Errors.invalidAction(action);
    const filteredOrPaginated =
      query.structs('Filter').length > 0 ||
      query.get('MaxResults') !== undefined ||
      query.get('NextToken') !== undefined;
    ep.throttle.admit(action, filteredOrPaginated);
    const before = ep.faults.draw(action, 'before');
    if (before) throw before;
    const body = handler(ep, query);
    const after = ep.faults.draw(action, 'after');
    if (after) throw after;
    return {
      status: 200,
      headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NAMESPACE}">${members(el('requestId', requestId), ...body).xml}</${action}Response>`,
    };
  } catch (error) {
    return ec2ErrorResponse(error, requestId);
  }
}

/** AWS's EC2 error document; anything that is not an `Ec2ApiError` becomes a 500 `InternalError`. */
export function ec2ErrorResponse(error: unknown, requestId: string = randomUUID()): SimResponse {
  const apiError =
    error instanceof Ec2ApiError
      ? error
      : new Ec2ApiError('InternalError', 'An internal error has occurred', 500);
  return {
    status: apiError.status,
    headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response>${el('Errors', [el('Error', [el('Code', apiError.code), el('Message', apiError.message)])]).xml}${el('RequestID', requestId).xml}</Response>`,
  };
}

// ── request reading ─────────────────────────────────────────────────────────────────────────────

function required(q: QueryParams, name: string): string {
  const value = q.get(name);
  if (value === undefined || value === '') throw ec2Errors.missingParameter(name);
  return value;
}

function integer(q: QueryParams, name: string): number | undefined {
  const value = q.int(name);
  if (value !== undefined && Number.isNaN(value)) {
    throw ec2Errors.invalidParameterValue(`Invalid value '${q.get(name)}' for ${name}.`);
  }
  return value;
}

function filters(q: QueryParams): Ec2Filter[] {
  return q.structs('Filter').map((s) => ({ name: s.get('Name') ?? '', values: s.list('Value') }));
}

function tagPairs(structs: QueryStruct[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const t of structs) {
    const key = t.get('Key');
    if (!key) throw ec2Errors.invalidParameterValue('Tag keys must not be empty');
    tags[key] = t.get('Value') ?? '';
  }
  return tags;
}

function tagSpecifications(q: QueryParams, resourceType: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const spec of q.structs('TagSpecification')) {
    if (spec.get('ResourceType') === resourceType) Object.assign(tags, tagPairs(spec.structs('Tag')));
  }
  return tags;
}

// ── pagination ─────────────────────────────────────────────────────────────────────────────────

interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

function fingerprint(action: string, fs: readonly Ec2Filter[]): string {
  return createHash('sha256')
    .update(JSON.stringify([action, fs]))
    .digest('base64url')
    .slice(0, 12);
}

function paginate<T extends { seq: number }>(
  action: string,
  q: QueryParams,
  idsGiven: boolean,
  fs: readonly Ec2Filter[],
  items: readonly T[],
): Page<T> {
  const maxResults = integer(q, 'MaxResults');
  const token = q.get('NextToken');
  if (maxResults !== undefined && idsGiven) {
    const idParam = action === 'DescribeInstances' ? 'instancesSet' : 'networkInterfaceIdSet';
    throw ec2Errors.invalidParameterCombination(
      `The parameter ${idParam} cannot be used with the parameter maxResults`,
    );
  }
  if (maxResults !== undefined && (maxResults < 5 || maxResults > 1000)) {
    throw ec2Errors.invalidParameterValue(
      `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value ${maxResults < 5 ? 'greater than 5' : 'less than 1000'}.`,
    );
  }
  let afterSeq = 0;
  if (token !== undefined && token !== '') {
    // The token names the last item returned, so pages stay stable while the world changes.
    const [seq, print, extra] = Buffer.from(token, 'base64url').toString('utf8').split('|');
    const n = Number(seq);
    if (extra !== undefined || !Number.isInteger(n) || n < 0 || print !== fingerprint(action, fs)) {
      throw ec2Errors.invalidParameterValue(`Invalid value '${token}' for nextToken.`);
    }
    afterSeq = n;
  }
  const rest = items.filter((i) => i.seq > afterSeq).sort((a, b) => a.seq - b.seq);
  const limit = maxResults ?? rest.length;
  const page = rest.slice(0, limit);
  const last = page[page.length - 1];
  return rest.length > limit && last
    ? {
        items: page,
        nextToken: Buffer.from(`${last.seq}|${fingerprint(action, fs)}`).toString('base64url'),
      }
    : { items: page };
}

// ── XML views ──────────────────────────────────────────────────────────────────────────────────

function tagSet(tags: Readonly<Record<string, string>>): XmlNode {
  return list('tagSet', 'item', Object.entries(tags), ([k, v]) => [el('key', k), el('value', v)]);
}

function groupSet(e: InterfaceSnapshot): XmlNode {
  return list('groupSet', 'item', e.groups, (g) => [el('groupId', g.groupId), el('groupName', g.groupName)]);
}

function privateIps(e: InterfaceSnapshot): XmlNode {
  return list('privateIpAddressesSet', 'item', [e], (x) => [
    el('privateIpAddress', x.privateIpAddress),
    el('privateDnsName', x.privateDnsName),
    el('primary', true),
  ]);
}

/**
 * An interface's members, in EC2's order: the full DescribeNetworkInterfaces item (`described`), or the
 * shorter item of an instance's `networkInterfaceSet` (`instance`), which has no zone, requester flag or
 * tags and whose attachment does not name the instance it sits in.
 */
function interfaceXml(e: InterfaceSnapshot, view: 'described' | 'instance'): XmlValue[] {
  const a = e.attachment;
  const described = view === 'described';
  return [
    el('networkInterfaceId', e.networkInterfaceId),
    el('subnetId', e.subnetId),
    el('vpcId', e.vpcId),
    described ? el('availabilityZone', e.availabilityZone) : undefined,
    described ? el('availabilityZoneId', e.availabilityZoneId) : undefined,
    el('description', e.description),
    el('ownerId', e.ownerId),
    described ? el('requesterManaged', e.requesterManaged) : undefined,
    el('status', e.status),
    el('macAddress', e.macAddress),
    el('privateIpAddress', e.privateIpAddress),
    el('privateDnsName', e.privateDnsName),
    el('sourceDestCheck', e.sourceDestCheck),
    el('interfaceType', e.interfaceType),
    groupSet(e),
    e.association
      ? el('association', [
          el('publicIp', e.association.publicIp),
          el('publicDnsName', e.association.publicDnsName),
          el('ipOwnerId', e.association.ipOwnerId),
          el('allocationId', e.association.allocationId),
          el('associationId', e.association.associationId),
        ])
      : undefined,
    a
      ? el('attachment', [
          el('attachmentId', a.attachmentId),
          described ? el('instanceId', a.instanceId) : undefined,
          described ? el('instanceOwnerId', a.instanceOwnerId) : undefined,
          el('deviceIndex', a.deviceIndex),
          el('networkCardIndex', a.networkCardIndex),
          el('status', a.status),
          el('attachTime', a.attachTime),
          el('deleteOnTermination', a.deleteOnTermination),
        ])
      : undefined,
    described ? tagSet(e.tags) : undefined,
    privateIps(e),
  ];
}

function instanceXml(i: InstanceSnapshot): XmlValue[] {
  return [
    el('instanceId', i.instanceId),
    el('imageId', i.imageId),
    el('instanceState', [el('code', i.stateCode), el('name', i.state)]),
    el(
      'privateDnsName',
      i.privateIpAddress ? `ip-${i.privateIpAddress.replace(/\./g, '-')}.ec2.internal` : '',
    ),
    el('instanceType', i.instanceType),
    el('launchTime', i.launchTime),
    el('placement', [
      el('availabilityZone', i.availabilityZone),
      el('availabilityZoneId', i.availabilityZoneId),
      el('tenancy', 'default'),
    ]),
    i.subnetId ? el('subnetId', i.subnetId) : undefined,
    i.vpcId ? el('vpcId', i.vpcId) : undefined,
    i.privateIpAddress ? el('privateIpAddress', i.privateIpAddress) : undefined,
    list('networkInterfaceSet', 'item', i.networkInterfaces, (e) => interfaceXml(e, 'instance')),
    // AWS leaves the tag set out of an instance that has no tags.
    Object.keys(i.tags).length > 0 ? tagSet(i.tags) : undefined,
  ];
}

function stateChangesXml(changes: readonly StateChange[]): XmlNode {
  return list('instancesSet', 'item', changes, (c) => [
    el('instanceId', c.instanceId),
    el('currentState', [el('code', c.current.code), el('name', c.current.name)]),
    el('previousState', [el('code', c.previous.code), el('name', c.previous.name)]),
  ]);
}

function reservationsXml(ep: Ec2Endpoint, instances: readonly InstanceSnapshot[]): XmlNode {
  const byReservation = new Map<string, InstanceSnapshot[]>();
  for (const i of instances) {
    const group = byReservation.get(i.reservationId) ?? [];
    group.push(i);
    byReservation.set(i.reservationId, group);
  }
  return list('reservationSet', 'item', [...byReservation], ([reservationId, group]) => [
    el('reservationId', reservationId),
    el('ownerId', ep.model.identity.account),
    el('groupSet', ''),
    list('instancesSet', 'item', group, instanceXml),
  ]);
}

// ── actions ────────────────────────────────────────────────────────────────────────────────────

const ACTIONS: Record<string, Action> = {
  DescribeInstances(ep, q) {
    const ids = q.list('InstanceId');
    const fs = filters(q);
    const view = ep.model.describeView();
    if (ids.length > 0) ep.model.checkIds('instance', ids, new Set(view.instances.map((i) => i.instanceId)));
    const wanted = new Set(ids);
    const match = instanceFilter(fs);
    const selected = view.instances.filter((i) => (ids.length === 0 || wanted.has(i.instanceId)) && match(i));
    const page = paginate('DescribeInstances', q, ids.length > 0, fs, selected);
    return [reservationsXml(ep, page.items), el('nextToken', page.nextToken)];
  },

  DescribeNetworkInterfaces(ep, q) {
    const ids = q.list('NetworkInterfaceId');
    const fs = filters(q);
    const view = ep.model.describeView();
    if (ids.length > 0) {
      ep.model.checkIds('interface', ids, new Set(view.interfaces.map((e) => e.networkInterfaceId)));
    }
    const wanted = new Set(ids);
    const match = interfaceFilter(fs);
    const selected = view.interfaces.filter(
      (e) => (ids.length === 0 || wanted.has(e.networkInterfaceId)) && match(e),
    );
    const page = paginate('DescribeNetworkInterfaces', q, ids.length > 0, fs, selected);
    return [
      list('networkInterfaceSet', 'item', page.items, (e) => interfaceXml(e, 'described')),
      el('nextToken', page.nextToken),
    ];
  },

  AttachNetworkInterface(ep, q) {
    const networkInterfaceId = required(q, 'NetworkInterfaceId');
    const instanceId = required(q, 'InstanceId');
    const deviceIndex = integer(q, 'DeviceIndex');
    if (deviceIndex === undefined) throw ec2Errors.missingParameter('DeviceIndex');
    const networkCardIndex = integer(q, 'NetworkCardIndex');
    const result = ep.model.attachNetworkInterface({
      networkInterfaceId,
      instanceId,
      deviceIndex,
      ...(networkCardIndex !== undefined ? { networkCardIndex } : {}),
      dryRun: q.bool('DryRun') ?? false,
    });
    return [el('attachmentId', result.attachmentId), el('networkCardIndex', result.networkCardIndex)];
  },

  DetachNetworkInterface(ep, q) {
    ep.model.detachNetworkInterface(
      required(q, 'AttachmentId'),
      q.bool('Force') ?? false,
      q.bool('DryRun') ?? false,
    );
    return [el('return', true)];
  },

  CreateNetworkInterface(ep, q) {
    const privateIpAddress = q.get('PrivateIpAddress');
    const description = q.get('Description');
    const eni = ep.model.createNetworkInterface({
      subnetId: required(q, 'SubnetId'),
      ...(description !== undefined ? { description } : {}),
      ...(privateIpAddress !== undefined ? { privateIpAddress } : {}),
      tags: tagSpecifications(q, 'network-interface'),
    });
    return [el('networkInterface', interfaceXml(eni, 'described'))];
  },

  DeleteNetworkInterface(ep, q) {
    ep.model.deleteNetworkInterface(required(q, 'NetworkInterfaceId'));
    return [el('return', true)];
  },

  CreateTags(ep, q) {
    const ids = q.list('ResourceId');
    if (ids.length === 0) throw ec2Errors.missingParameter('ResourceId');
    ep.model.createTags(ids, tagPairs(q.structs('Tag')));
    return [el('return', true)];
  },

  DeleteTags(ep, q) {
    const ids = q.list('ResourceId');
    if (ids.length === 0) throw ec2Errors.missingParameter('ResourceId');
    const tags = q.structs('Tag').map((t) => {
      const value = t.get('Value');
      return { key: t.get('Key') ?? '', ...(value !== undefined ? { value } : {}) };
    });
    ep.model.deleteTags(ids, tags);
    return [el('return', true)];
  },

  RunInstances(ep, q) {
    const min = integer(q, 'MinCount') ?? 1;
    const max = integer(q, 'MaxCount') ?? min;
    if (min < 1 || max < min) {
      throw ec2Errors.invalidParameterValue(
        `Invalid value '${max}' for MaxCount. Must be >= MinCount (${min}).`,
      );
    }
    const subnetId = q.get('SubnetId') ?? q.get('NetworkInterface.1.SubnetId');
    if (!subnetId) throw ec2Errors.missingParameter('SubnetId');
    const instanceType = q.get('InstanceType');
    const imageId = q.get('ImageId');
    const ids = ep.model.runInstances({
      subnetId,
      count: max,
      tags: tagSpecifications(q, 'instance'),
      ...(instanceType !== undefined ? { instanceType } : {}),
      ...(imageId !== undefined ? { imageId } : {}),
    });
    const wanted = new Set(ids);
    const instances = ep.model.snapshot().instances.filter((i) => wanted.has(i.instanceId));
    return [
      el('reservationId', instances[0]?.reservationId),
      el('ownerId', ep.model.identity.account),
      el('groupSet', ''),
      list('instancesSet', 'item', instances, instanceXml),
    ];
  },

  StopInstances(ep, q) {
    return [stateChangesXml(ep.model.stopInstances(requiredIds(q)))];
  },

  StartInstances(ep, q) {
    return [stateChangesXml(ep.model.startInstances(requiredIds(q)))];
  },

  TerminateInstances(ep, q) {
    return [stateChangesXml(ep.model.terminateInstances(requiredIds(q)))];
  },

  DescribeSubnets(ep, q) {
    const ids = q.list('SubnetId');
    const fs = filters(q);
    const subnets = ep.model.subnetList();
    const known = new Set(subnets.map((s) => s.subnetId));
    const missing = ids.filter((id) => !known.has(id));
    if (missing[0] !== undefined) throw ec2Errors.subnetNotFound(missing[0]);
    const fields: Record<string, (s: (typeof subnets)[number]) => string[]> = {
      'subnet-id': (s) => [s.subnetId],
      'vpc-id': (s) => [s.vpcId],
      'availability-zone': (s) => [s.availabilityZone],
      'availability-zone-id': (s) => [s.availabilityZoneId],
      'cidr-block': (s) => [s.cidrBlock],
      'tag-key': (s) => Object.keys(s.tags),
    };
    const selected = subnets.filter(
      (s) =>
        (ids.length === 0 || ids.includes(s.subnetId)) &&
        fs.every((f) => {
          const extract = f.name.startsWith('tag:')
            ? (x: typeof s) => (f.name.slice(4) in x.tags ? [x.tags[f.name.slice(4)]!] : [])
            : fields[f.name];
          if (!extract) throw ec2Errors.invalidParameterValue(`The filter '${f.name}' is invalid`);
          return f.values.some((p) => extract(s).some((v) => matchesValue(p, v)));
        }),
    );
    return [
      list('subnetSet', 'item', selected, (s) => [
        el('subnetId', s.subnetId),
        el('state', 'available'),
        el('vpcId', s.vpcId),
        el('cidrBlock', s.cidrBlock),
        el('availableIpAddressCount', s.availableIpAddressCount),
        el('availabilityZone', s.availabilityZone),
        el('availabilityZoneId', s.availabilityZoneId),
        el('defaultForAz', false),
        el('mapPublicIpOnLaunch', false),
        el('ownerId', ep.model.identity.account),
        tagSet(s.tags),
      ]),
    ];
  },

  DescribeInstanceTypes(_ep, q) {
    const names = q.list('InstanceType');
    const unknown = names.find((n) => !INSTANCE_TYPES.has(n));
    if (unknown !== undefined) {
      throw ec2Errors.invalidParameterValue(
        `The following supplied instance types do not exist: [${unknown}]`,
      );
    }
    const types = [...INSTANCE_TYPES.values()].filter(
      (t) => names.length === 0 || names.includes(t.instanceType),
    );
    return [
      list('instanceTypeSet', 'item', types, (t) => [
        el('instanceType', t.instanceType),
        el('currentGeneration', true),
        el('vCpuInfo', [el('defaultVCpus', t.vcpus)]),
        el('memoryInfo', [el('sizeInMiB', t.memoryMiB)]),
        el('networkInfo', [
          el('maximumNetworkInterfaces', t.maximumNetworkInterfaces),
          el('maximumNetworkCards', t.maximumNetworkCards),
          el('defaultNetworkCardIndex', 0),
          list('networkCards', 'item', [t], (c) => [
            el('networkCardIndex', 0),
            el('maximumNetworkInterfaces', c.maximumNetworkInterfaces),
          ]),
          el('ipv4AddressesPerInterface', t.ipv4AddressesPerInterface),
        ]),
      ]),
    ];
  },
};

function requiredIds(q: QueryParams): string[] {
  const ids = q.list('InstanceId');
  if (ids.length === 0) throw ec2Errors.missingParameter('InstanceId');
  return ids;
}

/** The EC2 actions the simulator answers. */
export const EC2_ACTIONS: readonly string[] = Object.keys(ACTIONS);
