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
