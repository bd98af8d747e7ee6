import {
  AttachNetworkInterfaceCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import type { AwsSim } from '../../src/sim';
import { rejectionOf, runningInstance, startEc2Sim } from '../helpers/ec2-sim';

const sims: AwsSim[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

async function start(options: Parameters<typeof startEc2Sim>[0] = {}) {
  const env = await startEc2Sim(options);
  sims.push(env.sim);
  return env;
}

const describeAll = (ec2: EC2Client) => ec2.send(new DescribeInstancesCommand({}));

describe('EC2 throttling', () => {
  it('is off by default: 60 unfiltered describes in a burst all succeed', async () => {
    const { sim, ec2 } = await start();
    await Promise.all(Array.from({ length: 60 }, () => describeAll(ec2)));
    expect(sim.calls.throttled()).toBe(0);
  });

  it("applies AWS's bucket when on: the 51st unfiltered DescribeInstances in a burst is refused", async () => {
    const { sim, ec2 } = await start({ throttling: true });
    const results = await Promise.allSettled(Array.from({ length: 55 }, () => describeAll(ec2)));
    const refused = results.filter((r) => r.status === 'rejected');
    // The bucket refills 10/s, so a slow burst may earn a few tokens back.
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeLessThanOrEqual(5);
    expect(sim.calls.throttled('DescribeInstances')).toBe(refused.length);
  });

  it('surfaces RequestLimitExceeded (HTTP 503) when the client does not retry', async () => {
    const { sim, ec2 } = await start({
      throttling: { buckets: { DescribeInstances: { capacity: 1, refillPerSecond: 0.01 } } },
    });
    const filtered = () =>
      ec2.send(
        new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }] }),
      );
    await filtered();
    const err = await rejectionOf(filtered());
    expect(err.name).toBe('RequestLimitExceeded');
    expect(err.message).toBe('Request limit exceeded.');
    expect(err.$metadata?.httpStatusCode).toBe(503);
    expect(sim.calls.count('DescribeInstances', 'RequestLimitExceeded')).toBe(1);
  });

  it("is absorbed by the SDK's standard retry when the bucket refills", async () => {
    const { sim } = await start({
      throttling: { buckets: { DescribeNetworkInterfaces: { capacity: 2, refillPerSecond: 40 } } },
    });
    const ec2 = new EC2Client({ ...sim.clientConfig(), retryMode: 'standard', maxAttempts: 6 });
    const outs = await Promise.all(
      Array.from({ length: 6 }, () =>
        ec2.send(
          new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'status', Values: ['available'] }] }),
        ),
      ),
    );
    expect(sim.calls.throttled('DescribeNetworkInterfaces')).toBeGreaterThan(0);
    expect(outs.some((o) => (o.$metadata.attempts ?? 1) > 1)).toBe(true);
    expect(sim.calls.count('DescribeNetworkInterfaces', 'ok')).toBe(6);
  });

  it('keeps one bucket per action: a throttled describe does not slow down attaches', async () => {
    const { sim, ec2, subnetA } = await start();
    const enis = sim.world.createPool({ name: 'web', subnets: [subnetA], perSubnet: 2 });
    const instances = await Promise.all([runningInstance(sim, subnetA), runningInstance(sim, subnetA)]);
    sim.world.throttling({ buckets: { describe: { capacity: 1, refillPerSecond: 0.01 } } });
    await ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 5 }));
    await expect(ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 5 }))).rejects.toThrow();
    for (const [i, instanceId] of instances.entries()) {
      await ec2.send(
        new AttachNetworkInterfaceCommand({
          InstanceId: instanceId,
          NetworkInterfaceId: enis[i]!.networkInterfaceId,
          DeviceIndex: 1,
          NetworkCardIndex: 0,
        }),
      );
    }
    expect(sim.calls.count('AttachNetworkInterface', 'ok')).toBe(2);
  });

  it('draws unfiltered, unpaginated describes from their own smaller bucket', async () => {
    const { ec2, sim } = await start({
      throttling: { buckets: { 'describe:unfiltered': { capacity: 1, refillPerSecond: 0.01 } } },
    });
    await describeAll(ec2);
    expect((await rejectionOf(describeAll(ec2))).name).toBe('RequestLimitExceeded');
    await ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    sim.world.throttling(false);
    await describeAll(ec2);
  });
});

describe('EC2 injected faults', () => {
  it('fails a call with the given code and status, changing nothing', async () => {
    const { sim, ec2, subnetA } = await start();
    const [eni] = sim.world.createPool({ name: 'web', subnets: [subnetA] });
    const instanceId = await runningInstance(sim, subnetA);
    sim.world.injectFault({ action: 'AttachNetworkInterface', code: 'InternalError', status: 500, times: 1 });
    const input = {
      InstanceId: instanceId,
      NetworkInterfaceId: eni!.networkInterfaceId,
      DeviceIndex: 1,
      NetworkCardIndex: 0,
    };
    const err = await rejectionOf(ec2.send(new AttachNetworkInterfaceCommand(input)));
    expect(err.name).toBe('InternalError');
    expect(err.$metadata?.httpStatusCode).toBe(500);
    expect(sim.world.interface(eni!.networkInterfaceId)!.status).toBe('available');
    await ec2.send(new AttachNetworkInterfaceCommand(input));
  });

  it('lets the SDK retry an injected 5xx through to success', async () => {
    const { sim, subnetA } = await start();
    const [eni] = sim.world.createPool({ name: 'web', subnets: [subnetA] });
    const instanceId = await runningInstance(sim, subnetA);
    sim.world.injectFault({ action: 'AttachNetworkInterface', code: 'InternalError', times: 1 });
    const ec2 = new EC2Client({ ...sim.clientConfig(), maxAttempts: 3 });
    const out = await ec2.send(
      new AttachNetworkInterfaceCommand({
        InstanceId: instanceId,
        NetworkInterfaceId: eni!.networkInterfaceId,
        DeviceIndex: 1,
        NetworkCardIndex: 0,
      }),
    );
    expect(out.$metadata.attempts).toBe(2);
    expect(sim.calls.count('AttachNetworkInterface', 'InternalError')).toBe(1);
  });

  it("can fail after the change is made ('after' phase), like a lost response", async () => {
    const { sim, ec2, subnetA } = await start();
    const [eni] = sim.world.createPool({ name: 'web', subnets: [subnetA] });
    const instanceId = await runningInstance(sim, subnetA);
    sim.world.injectFault({ action: 'AttachNetworkInterface', code: 'InternalError', phase: 'after' });
    const err = await rejectionOf(
      ec2.send(
        new AttachNetworkInterfaceCommand({
          InstanceId: instanceId,
          NetworkInterfaceId: eni!.networkInterfaceId,
          DeviceIndex: 1,
          NetworkCardIndex: 0,
        }),
      ),
    );
    expect(err.name).toBe('InternalError');
    expect(sim.world.interface(eni!.networkInterfaceId)!.attachment?.instanceId).toBe(instanceId);
  });

  it('fails at the given rate, reproducibly for a given seed', async () => {
    const outcomes = async (seed: number) => {
      const { sim, ec2 } = await start({ seed });
      sim.world.injectFault({ action: 'DescribeInstances', rate: 0.5, code: 'Unavailable', status: 503 });
      const results: boolean[] = [];
      for (let i = 0; i < 40; i++)
        results.push(
          await describeAll(ec2).then(
            () => true,
            () => false,
          ),
        );
      return results;
    };
    const [a, b, c] = [await outcomes(7), await outcomes(7), await outcomes(8)];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const failures = a.filter((ok) => !ok).length;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(32);
  });
});

describe('EC2 describe lag (eventual consistency)', () => {
  it('hides a new instance until the lag has passed, then shows it', async () => {
    const { sim, ec2, subnetA } = await start({ describeLagMs: 150 });
    const [id] = sim.world.launchInstances({ subnetId: subnetA });
    const err = await rejectionOf(ec2.send(new DescribeInstancesCommand({ InstanceIds: [id!] })));
    expect(err.name).toBe('InvalidInstanceID.NotFound');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id!] }));
    expect(out.Reservations![0]!.Instances![0]!.InstanceId).toBe(id);
  });

  it('shows a finished attach as attaching for the length of the lag', async () => {
    const { sim, ec2, subnetA } = await start();
    const [eni] = sim.world.createPool({ name: 'web', subnets: [subnetA] });
    const instanceId = await runningInstance(sim, subnetA);
    sim.world.describeLag(300);
    sim.world.delays({ attachMs: 1 });
    sim.ec2.attachNetworkInterface({
      networkInterfaceId: eni!.networkInterfaceId,
      instanceId,
      deviceIndex: 1,
    });
    await sim.world.waitForSettled();
    expect(sim.world.interface(eni!.networkInterfaceId)!.status).toBe('in-use');
    const out = await ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni!.networkInterfaceId] }),
    );
    expect(out.NetworkInterfaces![0]!.Status).not.toBe('in-use');
  });
});
