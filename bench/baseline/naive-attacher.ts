/**
 * The baseline the reconcile bench compares eni-pool with: an attacher written the way the public
 * pooled-ENI scripts are. For each instance that reports `running` it describes the instance, describes
 * every available interface (filtered by status only: not by pool, not paginated), takes the first one
 * tagged with the instance's pool in the instance's subnet and attaches it at device index 1. It relies
 * on the SDK's default retries, has no client-side rate limit, does not wait for the attachment and does
 * not re-check; an error ends that instance's attempt.
 */
import {
  AttachNetworkInterfaceCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';

export interface NaiveOptions {
  readonly poolTagKey: string;
}

export interface NaiveResult {
  readonly instanceId: string;
  readonly ok: boolean;
  /** The interface attached, when `ok`. */
  readonly networkInterfaceId?: string;
  /** Why the instance was not served: an AWS error code or a short reason. */
  readonly reason?: string;
}

/** Handles one "running" event. Never throws: a failure is reported in the result. */
export async function naiveAttachOne(
  ec2: EC2Client,
  instanceId: string,
  options: NaiveOptions,
): Promise<NaiveResult> {
  try {
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const instance = described.Reservations?.[0]?.Instances?.[0];
    const pool = instance?.Tags?.find((tag) => tag.Key === options.poolTagKey)?.Value;
    if (!instance || !pool) return { instanceId, ok: false, reason: 'not in a pool' };
    const available = await ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'status', Values: ['available'] }] }),
    );
    const free = available.NetworkInterfaces?.find(
      (eni) =>
        eni.SubnetId === instance.SubnetId &&
        eni.TagSet?.some((tag) => tag.Key === options.poolTagKey && tag.Value === pool),
    );
    if (!free?.NetworkInterfaceId) return { instanceId, ok: false, reason: 'no free interface' };
    await ec2.send(
      new AttachNetworkInterfaceCommand({
        NetworkInterfaceId: free.NetworkInterfaceId,
        InstanceId: instanceId,
        DeviceIndex: 1,
      }),
    );
    return { instanceId, ok: true, networkInterfaceId: free.NetworkInterfaceId };
  } catch (error) {
    return { instanceId, ok: false, reason: error instanceof Error ? error.name : String(error) };
  }
}

/** One event per instance, handled one after another or all at once (`Promise.all`). */
export async function naiveAttachAll(
  ec2: EC2Client,
  instanceIds: readonly string[],
  options: NaiveOptions & { readonly parallel: boolean },
): Promise<NaiveResult[]> {
  if (options.parallel) return Promise.all(instanceIds.map((id) => naiveAttachOne(ec2, id, options)));
  const results: NaiveResult[] = [];
  for (const id of instanceIds) results.push(await naiveAttachOne(ec2, id, options));
  return results;
}
