import {
  CreateAutoScalingGroupCommand,
  type CreateAutoScalingGroupCommandInput,
  CreateOrUpdateTagsCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeTagsCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AutoScalingHarness, startAutoScalingHarness, waitFor } from '../helpers/autoscaling-harness';

const POOL_TAG = 'network-interface-manager-pool';

function groupInput(
  overrides: Partial<CreateAutoScalingGroupCommandInput> = {},
): CreateAutoScalingGroupCommandInput {
  return {
    AutoScalingGroupName: 'web',
    MinSize: 0,
    MaxSize: 6,
    DesiredCapacity: 4,
    VPCZoneIdentifier: 'subnet-a,subnet-b',
    LaunchTemplate: { LaunchTemplateName: 'web-template', Version: '$Latest' },
    Tags: [
      { Key: POOL_TAG, Value: 'web', PropagateAtLaunch: true },
      { Key: 'team', Value: 'edge', PropagateAtLaunch: false },
    ],
    ...overrides,
  };
}

async function describeGroup(h: AutoScalingHarness, name = 'web') {
  const out = await h.client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return out.AutoScalingGroups?.[0];
}

async function inServiceCount(h: AutoScalingHarness, name = 'web'): Promise<number> {
  const group = await describeGroup(h, name);
  return (group?.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length;
}

describe('AutoScalingModel groups over the awsQuery wire', () => {
  let h: AutoScalingHarness;
  beforeEach(async () => {
    h = await startAutoScalingHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('finds groups by tag with the tag:<key> and tag-key filters, and refuses an unknown filter', async () => {
    await h.client.send(new CreateAutoScalingGroupCommand(groupInput({ DesiredCapacity: 0 })));
    await h.client.send(
      new CreateAutoScalingGroupCommand(
        groupInput({
          AutoScalingGroupName: 'other',
          DesiredCapacity: 0,
          Tags: [{ Key: 'team', Value: 'edge' }],
        }),
      ),
    );
    const names = async (Filters: { Name: string; Values: string[] }[]) =>
      ((await h.client.send(new DescribeAutoScalingGroupsCommand({ Filters }))).AutoScalingGroups ?? []).map(
        (g) => g.AutoScalingGroupName,
      );
    expect(await names([{ Name: `tag:${POOL_TAG}`, Values: ['web'] }])).toEqual(['web']);
    expect(await names([{ Name: `tag:${POOL_TAG}`, Values: ['nat'] }])).toEqual([]);
    expect(await names([{ Name: 'tag-key', Values: [POOL_TAG] }])).toEqual(['web']);
    expect((await names([{ Name: 'tag-value', Values: ['edge'] }])).sort()).toEqual(['other', 'web']);
    await expect(names([{ Name: 'colour', Values: ['blue'] }])).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });

  it('launches the desired capacity balanced across subnets and brings it in service', async () => {
    await h.client.send(new CreateAutoScalingGroupCommand(groupInput()));

    await waitFor(async () => (await inServiceCount(h)) === 4, 'four InService instances');
    const group = await describeGroup(h);
    expect(group?.DesiredCapacity).toBe(4);
    expect(group?.AvailabilityZones).toEqual(['us-east-1a', 'us-east-1b']);
    expect(group?.AutoScalingGroupARN).toMatch(
      /^arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:[0-9a-f-]{36}:autoScalingGroupName\/web$/,
    );
    const perAz = new Map<string, number>();
    for (const i of group?.Instances ?? [])
      perAz.set(i.AvailabilityZone ?? '', (perAz.get(i.AvailabilityZone ?? '') ?? 0) + 1);
    expect(Object.fromEntries(perAz)).toEqual({ 'us-east-1a': 2, 'us-east-1b': 2 });
    expect(group?.Instances?.[0]).toMatchObject({
      HealthStatus: 'Healthy',
      ProtectedFromScaleIn: false,
      LaunchTemplate: { LaunchTemplateName: 'web-template', Version: '$Latest' },
      InstanceType: 't3.micro',
    });
  });

  it('propagates PropagateAtLaunch tags and the group name tag to launched instances only', async () => {
    await h.client.send(new CreateAutoScalingGroupCommand(groupInput({ DesiredCapacity: 1 })));

    const [instance] = h.fleet.live();
    expect(instance?.tags).toEqual({ [POOL_TAG]: 'web', 'aws:autoscaling:groupName': 'web' });
  });

  it('applies tags changed by CreateOrUpdateTags to later launches, not to running instances', async () => {
    await h.client.send(new CreateAutoScalingGroupCommand(groupInput({ DesiredCapacity: 1 })));
    await h.client.send(
      new CreateOrUpdateTagsCommand({
        Tags: [
          {
            ResourceId: 'web',
            ResourceType: 'auto-scaling-group',
            Key: POOL_TAG,
            Value: 'api',
            PropagateAtLaunch: true,
          },
        ],
      }),
    );
    await h.client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 2 }));

    const tagsByLaunch = [...h.fleet.instances.values()].map((i) => i.tags[POOL_TAG]);
    expect(tagsByLaunch).toEqual(['web', 'api']);
    const tags = await h.client.send(
      new DescribeTagsCommand({ Filters: [{ Name: 'auto-scaling-group', Values: ['web'] }] }),
    );
    expect(tags.Tags?.map((t) => [t.Key, t.Value, t.PropagateAtLaunch, t.ResourceType])).toEqual([
      [POOL_TAG, 'api', true, 'auto-scaling-group'],
      ['team', 'edge', false, 'auto-scaling-group'],
    ]);
  });

  it('replaces an instance terminated behind its back', async () => {
    await h.client.send(new CreateAutoScalingGroupCommand(groupInput({ DesiredCapacity: 2 })));
    await waitFor(async () => (await inServiceCount(h)) === 2, 'two InService instances');
    const [lost] = h.fleet.live();

    h.fleet.terminateInstance(lost?.instanceId ?? '');

    await waitFor(async () => {
      const group = await describeGroup(h);
      const ids = (group?.Instances ?? [])
        .filter((i) => i.LifecycleState === 'InService')
        .map((i) => i.InstanceId);
      return ids.length === 2 && !ids.includes(lost?.instanceId);
    }, 'a replacement in service');
    expect(h.fleet.instances.size).toBe(3);
    // The replacement goes into the subnet that lost an instance.
    const replacement = [...h.fleet.instances.values()][2];
    expect(replacement?.subnetId).toBe(lost?.subnetId);
  });

  it('reports launch and terminate activities as EventBridge events', async () => {
    await h.client.send(new CreateAutoScalingGroupCommand(groupInput({ DesiredCapacity: 1 })));
    await waitFor(async () => (await inServiceCount(h)) === 1, 'one InService instance');
    const [instance] = h.fleet.live();

    await h.client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 0 }));
    await waitFor(() => h.events.published.length === 2, 'the terminate activity event');

    const [launched, terminated] = h.events.published;
    expect(launched).toMatchObject({
      'detail-type': 'EC2 Instance Launch Successful',
      source: 'aws.autoscaling',
      resources: [
        expect.stringContaining(':autoScalingGroupName/web'),
        `arn:aws:ec2:us-east-1:123456789012:instance/${instance?.instanceId}`,
      ],
      detail: {
        StatusCode: 'InProgress',
        AutoScalingGroupName: 'web',
        EC2InstanceId: instance?.instanceId,
        Details: { 'Subnet ID': instance?.subnetId, 'Availability Zone': 'us-east-1a' },
      },
    });
    expect(terminated).toMatchObject({
      'detail-type': 'EC2 Instance Terminate Successful',
      detail: { EC2InstanceId: instance?.instanceId },
    });
    expect(launched?.detail).not.toHaveProperty('Origin');
  });

  it('replaces a stopped instance, which fails the EC2 health check', async () => {
    await h.client.send(new CreateAutoScalingGroupCommand(groupInput({ DesiredCapacity: 1 })));
    await waitFor(async () => (await inServiceCount(h)) === 1, 'one InService instance');
    const [stopped] = h.fleet.live();

    h.fleet.stopInstance(stopped?.instanceId ?? '');

    await waitFor(
      () => h.fleet.instances.get(stopped?.instanceId ?? '')?.state === 'terminated',
      'termination',
    );
    await waitFor(async () => (await inServiceCount(h)) === 1, 'a replacement in service');
    expect(h.fleet.instances.size).toBe(2);
  });

  it('terminates without replacement when ShouldDecrementDesiredCapacity is true', async () => {
    await h.client.send(new CreateAutoScalingGroupCommand(groupInput({ DesiredCapacity: 2 })));
    await waitFor(async () => (await inServiceCount(h)) === 2, 'two InService instances');
    const [victim] = h.fleet.live();

    const out = await h.client.send(
      new TerminateInstanceInAutoScalingGroupCommand({
        InstanceId: victim?.instanceId,
        ShouldDecrementDesiredCapacity: true,
      }),
    );

    expect(out.Activity).toMatchObject({ AutoScalingGroupName: 'web', StatusCode: 'InProgress' });
    expect(out.Activity?.StartTime).toBeInstanceOf(Date);
    await waitFor(
      () => h.fleet.instances.get(victim?.instanceId ?? '')?.state === 'terminated',
      'termination',
    );
    const group = await describeGroup(h);
    expect(group?.DesiredCapacity).toBe(1);
    expect(group?.Instances).toHaveLength(1);
    expect(h.fleet.instances.size).toBe(2);
  });

  it('launches a replacement at once when ShouldDecrementDesiredCapacity is false', async () => {
    await h.client.send(new CreateAutoScalingGroupCommand(groupInput({ DesiredCapacity: 1 })));
    const [victim] = h.fleet.live();

    await h.client.send(
      new TerminateInstanceInAutoScalingGroupCommand({
        InstanceId: victim?.instanceId,
        ShouldDecrementDesiredCapacity: false,
      }),
    );

    expect(h.fleet.instances.size).toBe(2);
    expect((await describeGroup(h))?.DesiredCapacity).toBe(1);
  });

  it('refuses to decrement below the minimum size', async () => {
    await h.client.send(new CreateAutoScalingGroupCommand(groupInput({ MinSize: 1, DesiredCapacity: 1 })));
    const [only] = h.fleet.live();

    const err = await h.client
      .send(
        new TerminateInstanceInAutoScalingGroupCommand({
          InstanceId: only?.instanceId,
          ShouldDecrementDesiredCapacity: true,
        }),
      )
      .catch((e: Error) => e);

    expect(err).toMatchObject({ name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
    expect((err as Error).message).toContain("violate group's min size constraint");
    expect(h.fleet.live()).toHaveLength(1);
  });

  it('scales in from the subnet holding the most instances', async () => {
    await h.client.send(
      new CreateAutoScalingGroupCommand(
        groupInput({ DesiredCapacity: 3, VPCZoneIdentifier: 'subnet-a,subnet-b' }),
      ),
    );
    await waitFor(async () => (await inServiceCount(h)) === 3, 'three InService instances');

    await h.client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 2 }));

    await waitFor(() => h.fleet.live().length === 2, 'one instance terminated');
    expect(
      h.fleet
        .live()
        .map((i) => i.subnetId)
        .sort(),
    ).toEqual(['subnet-a', 'subnet-b']);
  });

  it('rejects a desired capacity above the maximum without changing anything', async () => {
    await h.client.send(new CreateAutoScalingGroupCommand(groupInput({ DesiredCapacity: 1, MaxSize: 2 })));

    const err = await h.client
      .send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 5 }))
      .catch((e: Error) => e);

    expect(err).toMatchObject({
      name: 'ValidationError',
      message: 'New SetDesiredCapacity value 5 is above max value 2 for the AutoScalingGroup.',
    });
    expect(h.fleet.instances.size).toBe(1);
  });

  it('drags the desired capacity along when UpdateAutoScalingGroup raises the minimum', async () => {
    await h.client.send(new CreateAutoScalingGroupCommand(groupInput({ DesiredCapacity: 1 })));

    await h.client.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'web', MinSize: 3 }));

    const group = await describeGroup(h);
    expect([group?.MinSize, group?.DesiredCapacity]).toEqual([3, 3]);
    expect(h.fleet.instances.size).toBe(3);
  });

  it('rejects a group without a launch template, an unknown subnet, or a taken name', async () => {
    const noTemplate = await h.client
      .send(new CreateAutoScalingGroupCommand(groupInput({ LaunchTemplate: undefined })))
      .catch((e: Error) => e);
    const badSubnet = await h.client
      .send(new CreateAutoScalingGroupCommand(groupInput({ VPCZoneIdentifier: 'subnet-a,subnet-zz' })))
      .catch((e: Error) => e);
    await h.client.send(new CreateAutoScalingGroupCommand(groupInput({ DesiredCapacity: 0 })));
    const taken = await h.client
      .send(new CreateAutoScalingGroupCommand(groupInput({ DesiredCapacity: 0 })))
      .catch((e: Error) => e);

    expect(noTemplate).toMatchObject({ name: 'ValidationError' });
    expect(badSubnet).toMatchObject({
      name: 'ValidationError',
      message: "The subnet ID 'subnet-zz' does not exist",
    });
    expect(taken).toMatchObject({ name: 'AlreadyExistsFault' });
    expect(h.fleet.instances.size).toBe(0);
  });

  it('deletes a group with instances only when forced', async () => {
    await h.client.send(new CreateAutoScalingGroupCommand(groupInput({ DesiredCapacity: 2 })));

    const refused = await h.client
      .send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'web' }))
      .catch((e: Error) => e);
    await h.client.send(
      new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'web', ForceDelete: true }),
    );

    expect(refused).toMatchObject({ name: 'ResourceInUseFault' });
    expect(await describeGroup(h)).toBeUndefined();
    await waitFor(() => h.fleet.live().length === 0, 'instances terminated');
  });

  it('pages DescribeAutoScalingInstances and spells health in capitals there', async () => {
    await h.client.send(new CreateAutoScalingGroupCommand(groupInput({ DesiredCapacity: 3 })));

    const first = await h.client.send(new DescribeAutoScalingInstancesCommand({ MaxRecords: 2 }));
    const second = await h.client.send(
      new DescribeAutoScalingInstancesCommand({ MaxRecords: 2, NextToken: first.NextToken }),
    );

    expect(first.AutoScalingInstances).toHaveLength(2);
    expect(first.NextToken).toBeTypeOf('string');
    expect(second.AutoScalingInstances).toHaveLength(1);
    expect(second.NextToken).toBeUndefined();
    const all = [...(first.AutoScalingInstances ?? []), ...(second.AutoScalingInstances ?? [])];
    expect(new Set(all.map((i) => i.InstanceId))).toEqual(new Set(h.fleet.instances.keys()));
    expect(all[0]).toMatchObject({ AutoScalingGroupName: 'web', HealthStatus: 'HEALTHY' });
  });

  it('keeps trying to launch when the fleet refuses, and reaches capacity once it accepts', async () => {
    await h.close();
    h = await startAutoScalingHarness({ launchRetryMs: 20 });
    h.fleet.refuseSubnets.add('subnet-a');

    await h.client.send(
      new CreateAutoScalingGroupCommand(groupInput({ DesiredCapacity: 1, VPCZoneIdentifier: 'subnet-a' })),
    );
    expect(h.fleet.instances.size).toBe(0);
    h.fleet.refuseSubnets.clear();

    await waitFor(async () => (await inServiceCount(h)) === 1, 'a launch after the retry');
  });
});
