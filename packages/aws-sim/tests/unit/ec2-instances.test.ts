import {
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  CreateTagsCommand,
  DeleteNetworkInterfaceCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  type EC2Client,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventBridgeEvent } from '../../src/contracts';
import type { AwsSim } from '../../src/sim';
import { rejectionOf, runningInstance, startEc2Sim } from '../helpers/ec2-sim';

let sim: AwsSim;
let ec2: EC2Client;
let subnetA: string;

beforeEach(async () => {
  ({ sim, ec2, subnetA } = await startEc2Sim());
});
afterEach(async () => sim.stop());

function eventsFor(instanceId: string): EventBridgeEvent[] {
  return sim.events.published.filter((e) => e.detail['instance-id'] === instanceId);
}

describe('RunInstances / StopInstances / StartInstances / TerminateInstances', () => {
  it('launches pending instances with tags that become running', async () => {
    sim.world.delays({ launchMs: 300 });
    const out = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12345678',
        InstanceType: 't3.small',
        MinCount: 2,
        MaxCount: 2,
        SubnetId: subnetA,
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'pool', Value: 'web' }] }],
      }),
    );
    expect(out.Instances).toHaveLength(2);
    expect(out.Instances![0]).toMatchObject({
      State: { Name: 'pending', Code: 0 },
      InstanceType: 't3.small',
      Tags: [{ Key: 'pool', Value: 'web' }],
    });
    const ids = out.Instances!.map((i) => i.InstanceId!);
    await sim.world.waitForState(ids, 'running');
  });

  it('stops and starts an instance through stopping/stopped and pending/running', async () => {
    const id = await runningInstance(sim, subnetA);
    sim.world.delays({ stopMs: 300 });
    const stop = await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    expect(stop.StoppingInstances![0]).toMatchObject({
      PreviousState: { Name: 'running', Code: 16 },
      CurrentState: { Name: 'stopping', Code: 64 },
    });
    await sim.world.waitForState([id], 'stopped');
    const start = await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    expect(start.StartingInstances![0]).toMatchObject({
      PreviousState: { Name: 'stopped' },
      CurrentState: { Name: 'pending' },
    });
    await sim.world.waitForState([id], 'running');
    expect(eventsFor(id).map((e) => e.detail.state)).toEqual([
      'pending',
      'running',
      'stopping',
      'stopped',
      'pending',
      'running',
    ]);
  });

  it('refuses to start a terminated instance: IncorrectInstanceState', async () => {
    const id = await runningInstance(sim, subnetA);
    sim.world.terminateInstances([id]);
    await sim.world.waitForState([id], 'terminated');
    const err = await rejectionOf(ec2.send(new StartInstancesCommand({ InstanceIds: [id] })));
    expect(err.name).toBe('IncorrectInstanceState');
  });

  it('frees secondary interfaces on termination and deletes the primary', async () => {
    const [eni] = sim.world.createPool({ name: 'web', subnets: [subnetA] });
    const id = await runningInstance(sim, subnetA);
    await ec2.send(
      new AttachNetworkInterfaceCommand({
        InstanceId: id,
        NetworkInterfaceId: eni!.networkInterfaceId,
        DeviceIndex: 1,
        NetworkCardIndex: 0,
      }),
    );
    await sim.world.waitForSettled();
    const primary = sim.world.attachmentsOf(id)[0]!.networkInterfaceId;
    sim.world.delays({ terminateMs: 300 });
    const out = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(out.TerminatingInstances![0]!.CurrentState!.Name).toBe('shutting-down');
    expect(sim.world.interface(eni!.networkInterfaceId)?.status).toBe('in-use');
    await sim.world.waitForState([id], 'terminated');
    const after = await ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni!.networkInterfaceId] }),
    );
    expect(after.NetworkInterfaces![0]!.Status).toBe('available');
    expect(after.NetworkInterfaces![0]!.Attachment).toBeUndefined();
    expect(sim.world.interface(primary)).toBeUndefined();
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    const instance = described.Reservations![0]!.Instances![0]!;
    expect(instance.State).toEqual({ Code: 48, Name: 'terminated' });
    expect(instance.NetworkInterfaces).toEqual([]);
    expect(sim.world.invariants()).toEqual([]);
  });

  it('publishes EC2 Instance State-change Notifications in the EventBridge shape', async () => {
    const id = await runningInstance(sim, subnetA);
    const [pending, running] = eventsFor(id);
    expect(pending).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      account: '123456789012',
      time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      region: 'us-east-1',
      resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${id}`],
      detail: { 'instance-id': id, state: 'pending' },
    });
    expect(running!.detail).toEqual({ 'instance-id': id, state: 'running' });
    expect(running!.id).not.toBe(pending!.id);
  });

  it('tells InstanceFleet listeners about every state change', async () => {
    const seen: string[] = [];
    const off = sim.ec2.onInstanceStateChange((id, state) => seen.push(`${id}:${state}`));
    const id = sim.ec2.launchInstance({ subnetId: subnetA, tags: {} });
    await sim.world.waitForState([id], 'running');
    sim.ec2.terminateInstance(id);
    await sim.world.waitForState([id], 'terminated');
    off();
    expect(seen).toEqual([`${id}:pending`, `${id}:running`, `${id}:shutting-down`, `${id}:terminated`]);
    expect(sim.ec2.availabilityZoneOfSubnet(subnetA)).toBe('us-east-1a');
  });

  it('stops a pending instance as soon as it is running when asked through InstanceFleet', async () => {
    const id = sim.ec2.launchInstance({ subnetId: subnetA, tags: {} });
    sim.ec2.stopInstance(id);
    await sim.world.waitForState([id], 'stopped');
  });
});

describe('CreateTags / DeleteTags', () => {
  it('tags and untags instances and interfaces; a value given to DeleteTags must match', async () => {
    const id = await runningInstance(sim, subnetA);
    const eni = sim.world.createInterface({ subnetId: subnetA });
    await ec2.send(
      new CreateTagsCommand({
        Resources: [id, eni.networkInterfaceId],
        Tags: [
          { Key: 'pool', Value: 'web' },
          { Key: 'team', Value: 'net' },
        ],
      }),
    );
    expect(sim.world.instance(id)!.tags).toEqual({ pool: 'web', team: 'net' });
    await ec2.send(new DeleteTagsCommand({ Resources: [id], Tags: [{ Key: 'pool', Value: 'other' }] }));
    expect(sim.world.instance(id)!.tags).toEqual({ pool: 'web', team: 'net' });
    await ec2.send(
      new DeleteTagsCommand({ Resources: [id, eni.networkInterfaceId], Tags: [{ Key: 'pool' }] }),
    );
    expect(sim.world.instance(id)!.tags).toEqual({ team: 'net' });
    expect(sim.world.interface(eni.networkInterfaceId)!.tags).toEqual({ team: 'net' });
  });

  it('changes nothing when one of the resources does not exist', async () => {
    const id = await runningInstance(sim, subnetA);
    const err = await rejectionOf(
      ec2.send(
        new CreateTagsCommand({ Resources: [id, 'i-0123456789abcdef0'], Tags: [{ Key: 'a', Value: 'b' }] }),
      ),
    );
    expect(err.name).toBe('InvalidInstanceID.NotFound');
    expect(sim.world.instance(id)!.tags).toEqual({});
  });
});

describe('CreateNetworkInterface / DeleteNetworkInterface', () => {
  it('creates an interface with an address from the subnet and tags from TagSpecifications', async () => {
    const out = await ec2.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: subnetA,
        Description: 'pool web',
        TagSpecifications: [{ ResourceType: 'network-interface', Tags: [{ Key: 'pool', Value: 'web' }] }],
      }),
    );
    const eni = out.NetworkInterface!;
    expect(eni).toMatchObject({
      Status: 'available',
      SubnetId: subnetA,
      AvailabilityZone: 'us-east-1a',
      Description: 'pool web',
      TagSet: [{ Key: 'pool', Value: 'web' }],
    });
    expect(eni.PrivateIpAddress).toMatch(/^10\.0\.1\.\d+$/);
    expect(Number(eni.PrivateIpAddress!.split('.')[3])).toBeGreaterThanOrEqual(4);
  });

  it('honours a requested address and refuses one already in use', async () => {
    await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA, PrivateIpAddress: '10.0.1.50' }));
    const err = await rejectionOf(
      ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA, PrivateIpAddress: '10.0.1.50' })),
    );
    expect(err.name).toBe('InvalidIPAddress.InUse');
  });

  it('refuses to delete an attached interface and deletes a free one', async () => {
    const [eni] = sim.world.createPool({ name: 'web', subnets: [subnetA] });
    const id = await runningInstance(sim, subnetA);
    sim.ec2.attachNetworkInterface({
      networkInterfaceId: eni!.networkInterfaceId,
      instanceId: id,
      deviceIndex: 1,
    });
    const err = await rejectionOf(
      ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni!.networkInterfaceId })),
    );
    expect(err.name).toBe('InvalidNetworkInterface.InUse');
    const free = sim.world.createInterface({ subnetId: subnetA });
    await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: free.networkInterfaceId }));
    expect(sim.world.interface(free.networkInterfaceId)).toBeUndefined();
  });

  it('answers InvalidSubnetID.NotFound for an unknown subnet', async () => {
    const err = await rejectionOf(
      ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: 'subnet-0123456789abcdef0' })),
    );
    expect(err.name).toBe('InvalidSubnetID.NotFound');
  });
});
