import { classifyAwsError, type Ec2Port, type InstanceView, type InterfaceView } from '@eni-pool/core';
import { type RetryContext, withRetry } from './timing';

const PAGE_SIZE = 50;

/**
 * The instance as EC2 shows it, or `undefined` while it is not visible yet (describes are eventually
 * consistent right after launch).
 */
export async function findInstance(
  ec2: Ec2Port,
  instanceId: string,
  context: RetryContext,
): Promise<InstanceView | undefined> {
  try {
    const page = await withRetry(
      'DescribeInstances',
      () =>
        ec2.describeInstances({ filters: [{ name: 'instance-id', values: [instanceId] }], maxResults: 5 }),
      context,
    );
    return page.instances.find((instance) => instance.instanceId === instanceId);
  } catch (error) {
    if (classifyAwsError(error) === 'not-found') return undefined;
    throw error;
  }
}

/**
 * The pool interfaces whose attachment names `instanceId`, whatever the attachment status. With `pool`,
 * only that pool's interfaces; without, any interface carrying the pool tag key.
 */
export async function poolInterfacesOf(
  ec2: Ec2Port,
  instanceId: string,
  poolTagKey: string,
  pool: string | undefined,
  context: RetryContext,
): Promise<InterfaceView[]> {
  const filters = [
    { name: 'attachment.instance-id', values: [instanceId] },
    pool === undefined
      ? { name: 'tag-key', values: [poolTagKey] }
      : { name: `tag:${poolTagKey}`, values: [pool] },
  ];
  const found: InterfaceView[] = [];
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const page = await withRetry(
      'DescribeNetworkInterfaces',
      () =>
        ec2.describeNetworkInterfaces({
          filters,
          maxResults: PAGE_SIZE,
          ...(token === undefined ? {} : { nextToken: token }),
        }),
      context,
    );
    found.push(...page.interfaces.filter((eni) => eni.attachment?.instanceId === instanceId));
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

/** The running or pending members of `pool`: the instances a reconcile of the pool may serve. */
export async function runningPoolMembers(
  ec2: Ec2Port,
  poolTagKey: string,
  pool: string,
  context: RetryContext,
): Promise<string[]> {
  const filters = [
    { name: `tag:${poolTagKey}`, values: [pool] },
    { name: 'instance-state-name', values: ['pending', 'running'] },
  ];
  const members: string[] = [];
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const page = await withRetry(
      'DescribeInstances',
      () =>
        ec2.describeInstances({
          filters,
          maxResults: 1000,
          ...(token === undefined ? {} : { nextToken: token }),
        }),
      context,
    );
    members.push(...page.instances.map((instance) => instance.instanceId));
    nextToken = page.nextToken;
  } while (nextToken);
  return [...new Set(members)].sort();
}
