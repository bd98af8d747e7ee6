import { EC2Client } from '@aws-sdk/client-ec2';
import { AwsSim, type AwsSimOptions } from '@eni-pool/aws-sim';
import { silentLogger } from '@eni-pool/core';
import { afterEach } from 'vitest';
import { INSTANCE_TYPE, POOL_TAG } from '../economy/worlds';

const started: { sim: AwsSim; clients: EC2Client[] }[] = [];

afterEach(async () => {
  for (const { sim, clients } of started.splice(0)) {
    for (const client of clients) client.destroy();
    await sim.stop();
  }
});

/** A simulator stopped after the test, and a factory for clients destroyed with it. */
export async function startSim(options: AwsSimOptions = {}) {
  const sim = await AwsSim.start({ seed: 3, ...options });
  const clients: EC2Client[] = [];
  started.push({ sim, clients });
  const client = (config: Partial<ConstructorParameters<typeof EC2Client>[0] & object> = {}) => {
    const ec2 = new EC2Client({ ...sim.clientConfig(), logger: silentLogger, ...config });
    clients.push(ec2);
    return ec2;
  };
  return { sim, client };
}

/** One subnet, a pool `web` with `interfaces` free interfaces in it, and `instances` running members. */
export async function poolWorld(sim: AwsSim, options: { interfaces: number; instances: number }) {
  const { subnetIds } = sim.world.createNetwork({ azs: 1 });
  const subnetId = subnetIds[0]!;
  const interfaces = sim.world.createPool({
    name: 'web',
    subnets: [subnetId],
    perSubnet: options.interfaces,
  });
  const instances =
    options.instances === 0
      ? []
      : sim.world.launchInstances({
          subnetId,
          count: options.instances,
          tags: { [POOL_TAG]: 'web' },
          type: INSTANCE_TYPE,
        });
  await sim.world.waitForState(instances, 'running');
  return { subnetId, interfaces: interfaces.map((e) => e.networkInterfaceId), instances };
}

/** Pool interfaces attached (any status but detaching) to an instance, from the model. */
export function poolInterfacesOf(sim: AwsSim, instanceId: string): string[] {
  return sim.world
    .attachmentsOf(instanceId)
    .filter(
      (a) => a.status !== 'detaching' && sim.world.interface(a.networkInterfaceId)?.tags[POOL_TAG] === 'web',
    )
    .map((a) => a.networkInterfaceId);
}
