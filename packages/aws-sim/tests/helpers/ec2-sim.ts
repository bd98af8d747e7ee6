import { EC2Client } from '@aws-sdk/client-ec2';
import { AwsSim, type AwsSimOptions } from '../../src/sim';

/** A started simulator with a two-AZ network and an EC2 client that does not retry. */
export async function startEc2Sim(options: AwsSimOptions & { readonly maxAttempts?: number } = {}) {
  const { maxAttempts = 1, ...simOptions } = options;
  const sim = await AwsSim.start({
    delays: { launchMs: 20, stopMs: 20, terminateMs: 20, attachMs: 20, detachMs: 20 },
    ...simOptions,
  });
  const ec2 = new EC2Client({ ...sim.clientConfig(), maxAttempts });
  const network = sim.world.createNetwork({ azs: 2 });
  return { sim, ec2, network, subnetA: network.subnetIds[0]!, subnetB: network.subnetIds[1]! };
}

/** Runs one instance and waits until it is running. */
export async function runningInstance(
  sim: AwsSim,
  subnetId: string,
  options: { type?: string; tags?: Record<string, string> } = {},
): Promise<string> {
  const [id] = sim.world.launchInstances({
    subnetId,
    ...(options.type ? { type: options.type } : {}),
    tags: options.tags ?? {},
  });
  await sim.world.waitForState([id!], 'running');
  return id!;
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
