import type { DescribePageInput, Ec2Port } from '@eni-pool/core';

/** EC2 accepts at most 200 values in one describe filter. */
const FILTER_VALUE_LIMIT = 200;
const PAGE_SIZE = 1000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function eachPage<T>(
  fetch: (input: DescribePageInput) => Promise<{ items: T[]; nextToken?: string }>,
  filters: DescribePageInput['filters'],
  visit: (item: T) => void,
): Promise<void> {
  let nextToken: string | undefined;
  do {
    const page = await fetch({ filters, maxResults: PAGE_SIZE, ...(nextToken ? { nextToken } : {}) });
    for (const item of page.items) visit(item);
    nextToken = page.nextToken;
  } while (nextToken);
}

/**
 * Finds the pools a set of instances belong to, in two filtered describes per 200 instances: the
 * instances' own pool tag, and the pool tag of any pool interface still attached to them (an instance
 * whose tag was removed still holds its interface until its pool is reconciled).
 *
 * @returns instance id → pool names; instances in no pool are absent.
 * @example
 * ```ts
 * const pools = await resolveInstancePools(createSdkEc2Port(new EC2Client({})), ['i-0abc…'], 'network-interface-manager-pool');
 * pools.get('i-0abc…'); // Set { 'web' }
 * ```
 */
export async function resolveInstancePools(
  ec2: Ec2Port,
  instanceIds: readonly string[],
  poolTagKey: string,
): Promise<Map<string, Set<string>>> {
  const pools = new Map<string, Set<string>>();
  const add = (instanceId: string, pool: string | undefined) => {
    if (pool === undefined || pool === '') return;
    let set = pools.get(instanceId);
    if (set === undefined) {
      set = new Set();
      pools.set(instanceId, set);
    }
    set.add(pool);
  };
  for (const ids of chunks([...new Set(instanceIds)].sort(), FILTER_VALUE_LIMIT)) {
    await eachPage(
      async (input) => {
        const page = await ec2.describeInstances(input);
        return { items: page.instances, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
      },
      [
        { name: 'instance-id', values: ids },
        { name: 'tag-key', values: [poolTagKey] },
      ],
      (instance) => add(instance.instanceId, instance.tags[poolTagKey]),
    );
    await eachPage(
      async (input) => {
        const page = await ec2.describeNetworkInterfaces(input);
        return { items: page.interfaces, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
      },
      [
        { name: 'attachment.instance-id', values: ids },
        { name: 'tag-key', values: [poolTagKey] },
      ],
      (networkInterface) => {
        if (networkInterface.attachment)
          add(networkInterface.attachment.instanceId, networkInterface.tags[poolTagKey]);
      },
    );
  }
  return pools;
}
