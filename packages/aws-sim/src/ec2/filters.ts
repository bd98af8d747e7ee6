import { ec2Errors } from './errors';
import type { InstanceSnapshot, InterfaceSnapshot } from './views';

/** An EC2 describe filter: values are OR'ed, filters are AND'ed, `*` and `?` are wildcards. */
export interface Ec2Filter {
  readonly name: string;
  readonly values: readonly string[];
}

type Extract<T> = (item: T) => readonly (string | number | boolean | undefined)[];

function tagFilters<T extends { tags: Readonly<Record<string, string>> }>(
  name: string,
): Extract<T> | undefined {
  if (name.startsWith('tag:')) {
    const key = name.slice(4);
    return (item) => (key in item.tags ? [item.tags[key]] : []);
  }
  if (name === 'tag-key') return (item) => Object.keys(item.tags);
  if (name === 'tag-value') return (item) => Object.values(item.tags);
  return undefined;
}

const interfaceFields: Record<string, Extract<InterfaceSnapshot>> = {
  'network-interface-id': (e) => [e.networkInterfaceId],
  'subnet-id': (e) => [e.subnetId],
  'vpc-id': (e) => [e.vpcId],
  'availability-zone': (e) => [e.availabilityZone],
  'availability-zone-id': (e) => [e.availabilityZoneId],
  status: (e) => [e.status],
  description: (e) => [e.description],
  'owner-id': (e) => [e.ownerId],
  'interface-type': (e) => [e.interfaceType],
  'requester-managed': (e) => [e.requesterManaged],
  'private-ip-address': (e) => [e.privateIpAddress],
  'addresses.private-ip-address': (e) => [e.privateIpAddress],
  'mac-address': (e) => [e.macAddress],
  'group-id': (e) => e.groups.map((g) => g.groupId),
  'attachment.instance-id': (e) => [e.attachment?.instanceId],
  'attachment.instance-owner-id': (e) => [e.attachment?.instanceOwnerId],
  'attachment.status': (e) => [e.attachment?.status],
  'attachment.attachment-id': (e) => [e.attachment?.attachmentId],
  'attachment.device-index': (e) => [e.attachment?.deviceIndex],
  'attachment.network-card-index': (e) => [e.attachment?.networkCardIndex],
  'attachment.delete-on-termination': (e) => [e.attachment?.deleteOnTermination],
};

const instanceFields: Record<string, Extract<InstanceSnapshot>> = {
  'instance-id': (i) => [i.instanceId],
  'instance-state-name': (i) => [i.state],
  'instance-state-code': (i) => [i.stateCode],
  'instance-type': (i) => [i.instanceType],
  'image-id': (i) => [i.imageId],
  'reservation-id': (i) => [i.reservationId],
  'subnet-id': (i) => [i.subnetId],
  'vpc-id': (i) => [i.vpcId],
  'availability-zone': (i) => [i.availabilityZone],
  'private-ip-address': (i) => [i.privateIpAddress],
  'network-interface.network-interface-id': (i) => i.networkInterfaces.map((e) => e.networkInterfaceId),
  'network-interface.status': (i) => i.networkInterfaces.map((e) => e.status),
  'network-interface.subnet-id': (i) => i.networkInterfaces.map((e) => e.subnetId),
  'network-interface.attachment.status': (i) => i.networkInterfaces.map((e) => e.attachment?.status),
  'network-interface.attachment.device-index': (i) =>
    i.networkInterfaces.map((e) => e.attachment?.deviceIndex),
  'network-interface.attachment.network-card-index': (i) =>
    i.networkInterfaces.map((e) => e.attachment?.networkCardIndex),
  'network-interface.attachment.attachment-id': (i) =>
    i.networkInterfaces.map((e) => e.attachment?.attachmentId),
  'network-interface.tag-key': (i) => i.networkInterfaces.flatMap((e) => Object.keys(e.tags)),
  'network-interface.tag-value': (i) => i.networkInterfaces.flatMap((e) => Object.values(e.tags)),
};

const patternCache = new Map<string, RegExp>();

/** EC2 filter value matching: exact, with `*` (any run) and `?` (one character) as wildcards. */
export function matchesValue(pattern: string, value: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === value;
  let re = patternCache.get(pattern);
  if (!re) {
    const body = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, 's');
    if (patternCache.size < 1000) patternCache.set(pattern, re);
  }
  return re.test(value);
}

function compile<T>(
  filters: readonly Ec2Filter[],
  lookup: (name: string) => Extract<T> | undefined,
): (item: T) => boolean {
  const compiled = filters.map((f) => {
    const extract = lookup(f.name);
    if (!extract) throw ec2Errors.invalidParameterValue(`The filter '${f.name}' is invalid`);
    return { extract, values: f.values };
  });
  return (item) =>
    compiled.every(({ extract, values }) => {
      const actual = extract(item)
        .filter((v) => v !== undefined && v !== '')
        .map(String);
      return values.some((p) => actual.some((v) => matchesValue(p, v)));
    });
}

/** A predicate for `DescribeNetworkInterfaces` filters; unknown filter names are an `InvalidParameterValue`. */
export function interfaceFilter(filters: readonly Ec2Filter[]): (e: InterfaceSnapshot) => boolean {
  return compile(filters, (name) => interfaceFields[name] ?? tagFilters<InterfaceSnapshot>(name));
}

/** A predicate for `DescribeInstances` filters; unknown filter names are an `InvalidParameterValue`. */
export function instanceFilter(filters: readonly Ec2Filter[]): (i: InstanceSnapshot) => boolean {
  return compile(filters, (name) => instanceFields[name] ?? tagFilters<InstanceSnapshot>(name));
}
