import {
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSubnetsCommand,
  type EC2Client,
  paginateDescribeInstances,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AwsSim } from '../../src/sim';
import { rejectionOf, startEc2Sim } from '../helpers/ec2-sim';

const POOL = 'network-interface-manager-pool';
let sim: AwsSim;
let ec2: EC2Client;
let subnetA: string;
let subnetB: string;

beforeEach(async () => {
  ({ sim, ec2, subnetA, subnetB } = await startEc2Sim());
});
afterEach(async () => sim.stop());

describe('DescribeInstances', () => {
  it('pages 25 instances 10 at a time over 3 pages, each instance once', async () => {
    sim.world.launchInstances({ subnetId: subnetA, count: 25, tags: { app: 'web' } });
    const pages: number[] = [];
    const seen: string[] = [];
    for await (const page of paginateDescribeInstances(
      { client: ec2, pageSize: 10 },
      { Filters: [{ Name: 'tag:app', Values: ['web'] }] },
    )) {
      const ids = (page.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId!);
      pages.push(ids.length);
      seen.push(...ids);
    }
    expect(pages).toEqual([10, 10, 5]);
    expect(new Set(seen).size).toBe(25);
  });

  it('keeps paging correctly when instances are launched between pages', async () => {
    sim.world.launchInstances({ subnetId: subnetA, count: 6 });
    const first = await ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    sim.world.launchInstances({ subnetId: subnetA, count: 2 });
    const second = await ec2.send(
      new DescribeInstancesCommand({ MaxResults: 5, NextToken: first.NextToken }),
    );
    const count = (o: typeof first) => (o.Reservations ?? []).flatMap((r) => r.Instances ?? []).length;
    expect(count(first)).toBe(5);
    expect(count(second)).toBe(3);
    expect(second.NextToken).toBeUndefined();
  });

  it('groups instances by reservation and reports state, placement and primary interface', async () => {
    sim.world.delays({ launchMs: 2000 });
    sim.world.launchInstances({ subnetId: subnetB, count: 2, type: 'm5.large', tags: { Name: 'api' } });
    const out = await ec2.send(new DescribeInstancesCommand({}));
    expect(out.Reservations).toHaveLength(1);
    const [first] = out.Reservations![0]!.Instances!;
    expect(first).toMatchObject({
      State: { Code: 0, Name: 'pending' },
      InstanceType: 'm5.large',
      SubnetId: subnetB,
      Placement: { AvailabilityZone: 'us-east-1b' },
      Tags: [{ Key: 'Name', Value: 'api' }],
    });
    expect(first!.NetworkInterfaces).toHaveLength(1);
    expect(first!.NetworkInterfaces![0]!.Attachment).toMatchObject({
      DeviceIndex: 0,
      DeleteOnTermination: true,
    });
  });

  it.each([
    ['instance-state-name', ['running'], 1],
    ['instance-state-name', ['pending', 'running'], 2],
    ['subnet-id', ['SUBNET_B'], 1],
    ['availability-zone', ['us-east-1a'], 1],
    ['tag-key', ['role'], 2],
    ['tag-value', ['db*'], 1],
    ['tag:role', ['w?b'], 1],
    ['instance-type', ['t3.small'], 1],
  ])('filters on %s = %j', async (name, values, expected) => {
    const [web] = sim.world.launchInstances({ subnetId: subnetA, tags: { role: 'web' } });
    await sim.world.waitForState([web!], 'running');
    sim.world.delays({ launchMs: 2000 });
    sim.world.launchInstances({ subnetId: subnetB, type: 't3.small', tags: { role: 'db-primary' } });
    const out = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [{ Name: name, Values: values.map((v) => (v === 'SUBNET_B' ? subnetB : v)) }],
        MaxResults: 5,
      }),
    );
    expect((out.Reservations ?? []).flatMap((r) => r.Instances ?? [])).toHaveLength(expected);
  });

  it('ANDs filters and ORs values', async () => {
    sim.world.launchInstances({ subnetId: subnetA, tags: { role: 'web', env: 'prod' } });
    sim.world.launchInstances({ subnetId: subnetA, tags: { role: 'web', env: 'dev' } });
    sim.world.launchInstances({ subnetId: subnetA, tags: { role: 'db', env: 'prod' } });
    const out = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag:role', Values: ['web', 'cache'] },
          { Name: 'tag:env', Values: ['prod'] },
        ],
      }),
    );
    expect((out.Reservations ?? []).flatMap((r) => r.Instances ?? [])).toHaveLength(1);
  });

  it('returns exactly the listed instances by id', async () => {
    const ids = sim.world.launchInstances({ subnetId: subnetA, count: 3 });
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [ids[2]!, ids[0]!] }));
    const got = out.Reservations!.flatMap((r) => r.Instances!).map((i) => i.InstanceId);
    expect(got.sort()).toEqual([ids[0], ids[2]].sort());
  });

  it('answers InvalidInstanceID.NotFound naming the unknown ids', async () => {
    const [known] = sim.world.launchInstances({ subnetId: subnetA });
    const err = await rejectionOf(
      ec2.send(new DescribeInstancesCommand({ InstanceIds: [known!, 'i-0123456789abcdef0'] })),
    );
    expect(err.name).toBe('InvalidInstanceID.NotFound');
    expect(err.message).toBe("The instance ID 'i-0123456789abcdef0' does not exist");
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it('answers InvalidInstanceID.Malformed for an id that is not an instance id', async () => {
    const err = await rejectionOf(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['eni-12345678'] })));
    expect(err.name).toBe('InvalidInstanceID.Malformed');
  });

  it('refuses MaxResults together with an id list (InvalidParameterCombination)', async () => {
    const [id] = sim.world.launchInstances({ subnetId: subnetA });
    const err = await rejectionOf(
      ec2.send(new DescribeInstancesCommand({ InstanceIds: [id!], MaxResults: 5 })),
    );
    expect(err.name).toBe('InvalidParameterCombination');
  });

  it.each([4, 1001])('refuses MaxResults %i (InvalidParameterValue)', async (maxResults) => {
    const err = await rejectionOf(ec2.send(new DescribeInstancesCommand({ MaxResults: maxResults })));
    expect(err.name).toBe('InvalidParameterValue');
    expect(err.message).toContain('maxResults');
  });

  it('refuses a forged or foreign NextToken (InvalidParameterValue)', async () => {
    sim.world.launchInstances({ subnetId: subnetA, count: 6 });
    const nis = await ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 5 }));
    expect(nis.NextToken).toBeDefined();
    for (const token of ['not-a-token', nis.NextToken!]) {
      const err = await rejectionOf(
        ec2.send(new DescribeInstancesCommand({ MaxResults: 5, NextToken: token })),
      );
      expect(err.name).toBe('InvalidParameterValue');
    }
  });

  it('refuses an unknown filter name (InvalidParameterValue)', async () => {
    const err = await rejectionOf(
      ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'colour', Values: ['blue'] }] })),
    );
    expect(err.name).toBe('InvalidParameterValue');
  });
});

describe('DescribeNetworkInterfaces', () => {
  it('finds a pool by tag, subnet, AZ and status, paging with MaxResults', async () => {
    sim.world.createPool({ name: 'web', subnets: [subnetA, subnetB], perSubnet: 4 });
    sim.world.createPool({ name: 'other', subnets: [subnetA], perSubnet: 2 });
    const filters = [
      { Name: `tag:${POOL}`, Values: ['web'] },
      { Name: 'availability-zone', Values: ['us-east-1a'] },
      { Name: 'status', Values: ['available'] },
    ];
    const first = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: filters, MaxResults: 5 }));
    expect(first.NetworkInterfaces).toHaveLength(4);
    expect(first.NextToken).toBeUndefined();
    expect(first.NetworkInterfaces!.every((e) => e.SubnetId === subnetA)).toBe(true);
    const bySubnet = await ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'subnet-id', Values: [subnetB] }] }),
    );
    expect(bySubnet.NetworkInterfaces).toHaveLength(4);
  });

  it('pages with an opaque NextToken until it is absent', async () => {
    sim.world.createPool({ name: 'web', subnets: [subnetA], perSubnet: 12 });
    const sizes: number[] = [];
    let token: string | undefined;
    do {
      const out = await ec2.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [{ Name: 'tag-key', Values: [POOL] }],
          MaxResults: 5,
          NextToken: token,
        }),
      );
      sizes.push(out.NetworkInterfaces!.length);
      token = out.NextToken;
    } while (token);
    expect(sizes).toEqual([5, 5, 2]);
  });

  it('filters on the attachment: instance id, status, attachment id, device index', async () => {
    const [eni] = sim.world.createPool({ name: 'web', subnets: [subnetA] });
    const [instanceId] = sim.world.launchInstances({ subnetId: subnetA });
    await sim.world.waitForState([instanceId!], 'running');
    sim.world.delays({ attachMs: 5000 });
    const { attachmentId } = sim.ec2.attachNetworkInterface({
      networkInterfaceId: eni!.networkInterfaceId,
      instanceId: instanceId!,
      deviceIndex: 1,
    });
    const query = async (name: string, value: string) =>
      (
        await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: name, Values: [value] }] }))
      ).NetworkInterfaces!.map((e) => e.NetworkInterfaceId);
    expect(await query('attachment.instance-id', instanceId!)).toHaveLength(2);
    expect(await query('attachment.status', 'attaching')).toEqual([eni!.networkInterfaceId]);
    expect(await query('attachment.attachment-id', attachmentId)).toEqual([eni!.networkInterfaceId]);
    expect(await query('attachment.device-index', '1')).toEqual([eni!.networkInterfaceId]);
    expect(await query('network-interface-id', eni!.networkInterfaceId)).toEqual([eni!.networkInterfaceId]);
    expect(await query('vpc-id', sim.world.vpcs()[0]!.vpcId)).toHaveLength(2);
  });

  it('answers InvalidNetworkInterfaceID.NotFound and .Malformed for bad ids', async () => {
    const missing = await rejectionOf(
      ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-0123456789abcdef0'] })),
    );
    expect(missing.name).toBe('InvalidNetworkInterfaceID.NotFound');
    expect(missing.message).toBe("The networkInterface ID 'eni-0123456789abcdef0' does not exist");
    const malformed = await rejectionOf(
      ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['i-0123456789abcdef0'] })),
    );
    expect(malformed.name).toBe('InvalidNetworkInterfaceId.Malformed');
  });

  it('refuses MaxResults together with NetworkInterfaceIds', async () => {
    const [eni] = sim.world.createPool({ name: 'web', subnets: [subnetA] });
    const err = await rejectionOf(
      ec2.send(
        new DescribeNetworkInterfacesCommand({
          NetworkInterfaceIds: [eni!.networkInterfaceId],
          MaxResults: 5,
        }),
      ),
    );
    expect(err.name).toBe('InvalidParameterCombination');
  });
});

describe('DescribeSubnets and DescribeInstanceTypes', () => {
  it('lists subnets with their AZ and filters by AZ', async () => {
    const out = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'availability-zone', Values: ['us-east-1b'] }] }),
    );
    expect(out.Subnets).toHaveLength(1);
    expect(out.Subnets![0]).toMatchObject({
      SubnetId: subnetB,
      AvailabilityZone: 'us-east-1b',
      State: 'available',
    });
  });

  it('reports the interface limits of instance types', async () => {
    const out = await ec2.send(
      new DescribeInstanceTypesCommand({ InstanceTypes: ['t3.micro', 'c5.xlarge'] }),
    );
    const limits = Object.fromEntries(
      out.InstanceTypes!.map((t) => [t.InstanceType, t.NetworkInfo?.MaximumNetworkInterfaces]),
    );
    expect(limits).toEqual({ 't3.micro': 2, 'c5.xlarge': 4 });
    expect(out.InstanceTypes![0]!.NetworkInfo!.NetworkCards![0]).toMatchObject({ NetworkCardIndex: 0 });
  });
});
