import type { Ec2Filter, Ec2Port } from './ec2-port';
import { ConfigurationError } from './errors';
import { systemClock } from './internal/clock';
import { EC2_CALL_LIMITS, Ec2Calls } from './internal/ec2-calls';
import { MAX_PAGE_SIZE, MIN_PAGE_SIZE } from './internal/limits';
import { DEFAULT_RETRY_POLICY } from './internal/retry';
import { defaultLogger } from './logger';
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

/** The filter that selects the pool members (instances or interfaces) of a scope. */
function poolFilter(scope: PoolScope, poolTagKey: string): Ec2Filter {
  if (scope.kind === 'all') return { name: 'tag-key', values: [poolTagKey] };
  return { name: `tag:${poolTagKey}`, values: [...new Set(scope.pools)].sort() };
}

/** The options with defaults applied. @throws ConfigurationError naming the option at fault. */
export function checkLoadOptions(scope: PoolScope, options: LoadOptions) {
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

/** Instance ids per `instance-id` filter (EC2 takes up to 200 values per filter). */
const INSTANCE_ID_CHUNK = 200;

type Paging = { readonly pageSize: number; readonly maxPages: number; readonly signal?: AbortSignal };

/** The pool interfaces of `scope` (within `narrow`, e.g. some zones), every page, each interface once. */
export async function loadPoolInterfaces(
  calls: Ec2Calls,
  scope: PoolScope,
  poolTagKey: string,
  paging: Paging,
  narrow: readonly Ec2Filter[] = [],
): Promise<InterfaceView[]> {
  const found = await calls.allPages(
    'DescribeNetworkInterfaces',
    [poolFilter(scope, poolTagKey), ...narrow],
    paging,
  );
  const unique = new Map<string, InterfaceView>();
  for (const eni of found) unique.set(eni.networkInterfaceId, eni);
  return [...unique.values()];
}

/** The instances tagged into the pools of `scope` (within `narrow`), every page. */
export function loadPoolMembers(
  calls: Ec2Calls,
  scope: PoolScope,
  poolTagKey: string,
  paging: Paging,
  narrow: readonly Ec2Filter[] = [],
): Promise<InstanceView[]> {
  return calls.allPages('DescribeInstances', [poolFilter(scope, poolTagKey), ...narrow], paging);
}

/**
 * The pool instances of `scope` (read now, unless `members` were read already), then, by id, the
 * instances that `interfaces` are attached to but that were not among them (untagged, re-tagged,
 * another pool's), so the planner can release those interfaces.
 */
export async function loadPoolInstances(
  calls: Ec2Calls,
  scope: PoolScope,
  poolTagKey: string,
  interfaces: readonly InterfaceView[],
  paging: Paging,
  narrow: readonly Ec2Filter[] = [],
  members?: readonly InstanceView[],
): Promise<InstanceView[]> {
  const instances = new Map<string, InstanceView>();
  for (const instance of members ?? (await loadPoolMembers(calls, scope, poolTagKey, paging, narrow))) {
    instances.set(instance.instanceId, instance);
  }
  const holders = [
    ...new Set(
      interfaces
        .map((eni) => eni.attachment?.instanceId)
        .filter((id): id is string => id !== undefined && id !== '' && !instances.has(id)),
    ),
  ].sort();
  for (const found of await describeInstancesById(calls, holders, paging)) {
    instances.set(found.instanceId, found);
  }
  return [...instances.values()];
}

/** The instances with these ids, 200 ids per describe; ids EC2 does not know are simply absent. */
export async function describeInstancesById(
  calls: Ec2Calls,
  instanceIds: readonly string[],
  paging: Paging,
  extraFilters: readonly Ec2Filter[] = [],
): Promise<InstanceView[]> {
  const found: InstanceView[] = [];
  for (let start = 0; start < instanceIds.length; start += INSTANCE_ID_CHUNK) {
    const chunk = instanceIds.slice(start, start + INSTANCE_ID_CHUNK);
    found.push(
      ...(await calls.allPages(
        'DescribeInstances',
        [{ name: 'instance-id', values: chunk }, ...extraFilters],
        paging,
      )),
    );
  }
  return found;
}

/**
 * Reads the pool state with filtered, paginated describes only: the pool instances and pool interfaces
 * of `scope` (by tag), then the instances that pool interfaces are attached to but that were not among
 * them (untagged, re-tagged, another pool's), so the planner can release those interfaces. Instances in
 * any state are kept. Throttled or failing describes are retried within the default budget.
 *
 * @example
 * ```ts
 * const state = await loadPoolState(createSdkEc2Port(createEc2Client()), { kind: 'pools', pools: ['bastion'] });
 * const plan = planAssignments(state);
 * ```
 */
export async function loadPoolState(
  ec2: Ec2Port | Ec2Calls,
  scope: PoolScope,
  options: LoadOptions = {},
): Promise<PoolState> {
  const { poolTagKey, pageSize, maxPages } = checkLoadOptions(scope, options);
  const calls =
    ec2 instanceof Ec2Calls
      ? ec2
      : new Ec2Calls({
          port: ec2,
          policy: DEFAULT_RETRY_POLICY,
          limits: EC2_CALL_LIMITS,
          clock: systemClock,
          random: Math.random,
          logger: defaultLogger,
        });
  const paging = { pageSize, maxPages };
  const interfaces = await loadPoolInterfaces(calls, scope, poolTagKey, paging);
  const instances = await loadPoolInstances(calls, scope, poolTagKey, interfaces, paging);
  return { instances, interfaces };
}
