import type { DescribePageInput, Ec2Filter, Ec2Port } from './ec2-port';
import { ConfigurationError } from './errors';
import { MAX_PAGE_SIZE, MIN_PAGE_SIZE } from './internal/limits';
import {
  DEFAULT_POOL_TAG_KEY,
  type InstanceView,
  type InterfaceView,
  type PoolScope,
  type PoolState,
} from './model';

/** Options of `loadPoolState`. Invalid values throw `ConfigurationError` before any call. */
export interface LoadOptions {
  /** The tag key whose value names the pool. @defaultValue `'network-interface-manager-pool'` */
  readonly poolTagKey?: string;
  /** Page size, 5–1000. @defaultValue `1000` */
  readonly pageSize?: number;
  /** Upper bound on pages read per describe, so a token that never ends cannot loop forever. @defaultValue `10000` */
  readonly maxPages?: number;
}

/** Instance ids per `instance-id` filter when describing the holders of pool interfaces. */
export const INSTANCE_ID_CHUNK = 200;

/** Reads every page of a filtered describe, following `NextToken` until it is absent. */
async function readAllPages<T>(
  describe: (input: DescribePageInput) => Promise<{ items: T[]; nextToken?: string }>,
  filters: readonly Ec2Filter[],
  pageSize: number,
  maxPages: number,
  what: string,
): Promise<T[]> {
  const items: T[] = [];
  let nextToken: string | undefined;
  for (let page = 0; ; page++) {
    if (page >= maxPages) {
      throw new ConfigurationError(
        `${what}: more than ${maxPages} pages; raise maxPages or pageSize`,
        'maxPages',
      );
    }
    const result = await describe({ filters, maxResults: pageSize, ...(nextToken ? { nextToken } : {}) });
    items.push(...result.items);
    // A filtered page may hold fewer items than asked for: only the token says whether more follow.
    if (!result.nextToken) return items;
    nextToken = result.nextToken;
  }
}

/** The filter that selects the pool members (instances or interfaces) of a scope. */
export function poolFilter(scope: PoolScope, poolTagKey: string): Ec2Filter {
  if (scope.kind === 'all') return { name: 'tag-key', values: [poolTagKey] };
  return { name: `tag:${poolTagKey}`, values: [...new Set(scope.pools)].sort() };
}

function checkOptions(scope: PoolScope, options: LoadOptions) {
  const poolTagKey = options.poolTagKey ?? DEFAULT_POOL_TAG_KEY;
  const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
  const maxPages = options.maxPages ?? 10_000;
  if (poolTagKey === '') throw new ConfigurationError('poolTagKey must not be empty', 'poolTagKey');
  if (!Number.isInteger(pageSize) || pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE) {
    throw new ConfigurationError(
      `pageSize must be an integer from ${MIN_PAGE_SIZE} to ${MAX_PAGE_SIZE}, got ${pageSize}`,
      'pageSize',
    );
  }
  if (!Number.isInteger(maxPages) || maxPages < 1) {
    throw new ConfigurationError(`maxPages must be a positive integer, got ${maxPages}`, 'maxPages');
  }
  if (scope.kind === 'pools' && (scope.pools.length === 0 || scope.pools.some((pool) => pool === ''))) {
    throw new ConfigurationError('a pool scope needs at least one non-empty pool name', 'scope');
  }
  return { poolTagKey, pageSize, maxPages };
}

/**
 * Reads the pool state with filtered, paginated describes only: the pool instances and pool interfaces
 * of `scope` (by tag), then the instances that pool interfaces are attached to but that were not among
 * them (untagged, re-tagged, another pool's), so the planner can release those interfaces. Instances in
 * any state are kept.
 *
 * @example
 * ```ts
 * const state = await loadPoolState(createSdkEc2Port(new EC2Client({})), { kind: 'pools', pools: ['bastion'] });
 * const plan = planAssignments(state);
 * ```
 */
export async function loadPoolState(
  ec2: Ec2Port,
  scope: PoolScope,
  options: LoadOptions = {},
): Promise<PoolState> {
  const { poolTagKey, pageSize, maxPages } = checkOptions(scope, options);
  const filter = poolFilter(scope, poolTagKey);

  const describeInstances = async (input: DescribePageInput) => {
    const page = await ec2.describeInstances(input);
    return { items: page.instances, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  };
  const describeInterfaces = async (input: DescribePageInput) => {
    const page = await ec2.describeNetworkInterfaces(input);
    return { items: page.interfaces, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  };

  const [poolInstances, interfaces] = await Promise.all([
    readAllPages<InstanceView>(describeInstances, [filter], pageSize, maxPages, 'DescribeInstances'),
    readAllPages<InterfaceView>(
      describeInterfaces,
      [filter],
      pageSize,
      maxPages,
      'DescribeNetworkInterfaces',
    ),
  ]);

  const instances = new Map<string, InstanceView>();
  for (const instance of poolInstances) instances.set(instance.instanceId, instance);

  const holders = [
    ...new Set(
      interfaces
        .map((eni) => eni.attachment?.instanceId)
        .filter((id): id is string => id !== undefined && id !== '' && !instances.has(id)),
    ),
  ].sort();
  for (let start = 0; start < holders.length; start += INSTANCE_ID_CHUNK) {
    const chunk = holders.slice(start, start + INSTANCE_ID_CHUNK);
    const found = await readAllPages<InstanceView>(
      describeInstances,
      [{ name: 'instance-id', values: chunk }],
      pageSize,
      maxPages,
      'DescribeInstances',
    );
    for (const instance of found) instances.set(instance.instanceId, instance);
  }

  const uniqueInterfaces = new Map<string, InterfaceView>();
  for (const eni of interfaces) uniqueInterfaces.set(eni.networkInterfaceId, eni);
  return { instances: [...instances.values()], interfaces: [...uniqueInterfaces.values()] };
}
