import {
  AttachNetworkInterfaceCommand,
  CreateTagsCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError, createSdkEc2Port, type Ec2Port } from '../../src/index';
import { awsError } from '../../src/testing';
import { POOL_TAG, sdkInstance, sdkInterface, testEc2Client } from '../helpers/ec2-mock';

const poolFilter = [{ name: `tag:${POOL_TAG}`, values: ['web'] }];

describe('createSdkEc2Port', () => {
  let mock: ReturnType<typeof mockClient>;
  let port: Ec2Port;

  beforeEach(() => {
    const client = testEc2Client();
    mock = mockClient(client);
    port = createSdkEc2Port(client);
  });

  it('maps instances to views with an ISO launch time, a tag record and every attachment', async () => {
    mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            sdkInstance('i-1', {
              pool: 'web',
              subnet: 'subnet-b',
              az: 'us-east-1b',
              launchTime: '2026-11-02T03:04:05.000Z',
              enis: [
                { id: 'eni-primary', deviceIndex: 0 },
                { id: 'eni-1', attachmentId: 'eni-attach-9', deviceIndex: 1, status: 'attaching' },
              ],
            }),
          ],
        },
        { Instances: [sdkInstance('i-2', { state: 'stopped' })] },
      ],
      NextToken: 'next-1',
    });

    const page = await port.describeInstances({ filters: poolFilter, maxResults: 50 });

    expect(page.nextToken).toBe('next-1');
    expect(page.instances).toEqual([
      {
        instanceId: 'i-1',
        state: 'running',
        subnetId: 'subnet-b',
        availabilityZone: 'us-east-1b',
        launchTime: '2026-11-02T03:04:05.000Z',
        instanceType: 't3.small',
        tags: { [POOL_TAG]: 'web' },
        attachments: [
          {
            networkInterfaceId: 'eni-primary',
            attachmentId: 'eni-primary-attach',
            deviceIndex: 0,
            networkCardIndex: 0,
            status: 'attached',
          },
          {
            networkInterfaceId: 'eni-1',
            attachmentId: 'eni-attach-9',
            deviceIndex: 1,
            networkCardIndex: 0,
            status: 'attaching',
          },
        ],
      },
      expect.objectContaining({ instanceId: 'i-2', state: 'stopped', tags: {} }),
    ]);
    const input = mock.commandCalls(DescribeInstancesCommand)[0]!.args[0].input;
    expect(input).toEqual({ Filters: [{ Name: `tag:${POOL_TAG}`, Values: ['web'] }], MaxResults: 50 });
  });

  it('maps interfaces with their zone, status, tags and attachment', async () => {
    mock.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        sdkInterface('eni-1', { pool: 'web', az: 'us-east-1c', subnet: 'subnet-c' }),
        sdkInterface('eni-2', {
          pool: 'web',
          attachedTo: 'i-7',
          attachmentId: 'eni-attach-2',
          deviceIndex: 2,
        }),
      ],
    });

    const page = await port.describeNetworkInterfaces({
      filters: poolFilter,
      maxResults: 1000,
      nextToken: 't-1',
    });

    expect(page.nextToken).toBeUndefined();
    expect(page.interfaces).toEqual([
      {
        networkInterfaceId: 'eni-1',
        subnetId: 'subnet-c',
        availabilityZone: 'us-east-1c',
        status: 'available',
        privateIpAddress: '10.0.0.10',
        tags: { [POOL_TAG]: 'web' },
      },
      {
        networkInterfaceId: 'eni-2',
        subnetId: 'subnet-a',
        availabilityZone: 'us-east-1a',
        status: 'in-use',
        privateIpAddress: '10.0.0.10',
        tags: { [POOL_TAG]: 'web' },
        attachment: {
          attachmentId: 'eni-attach-2',
          instanceId: 'i-7',
          deviceIndex: 2,
          networkCardIndex: 0,
          status: 'attached',
        },
      },
    ]);
    expect(mock.commandCalls(DescribeNetworkInterfacesCommand)[0]!.args[0].input).toMatchObject({
      MaxResults: 1000,
      NextToken: 't-1',
    });
  });

  it('refuses an unfiltered describe before sending anything', async () => {
    await expect(port.describeInstances({ filters: [], maxResults: 1000 })).rejects.toBeInstanceOf(
      ConfigurationError,
    );
    await expect(port.describeNetworkInterfaces({ filters: [], maxResults: 1000 })).rejects.toThrow(
      /unfiltered/,
    );
    await expect(
      port.describeNetworkInterfaces({ filters: [{ name: 'tag-key', values: [] }], maxResults: 1000 }),
    ).rejects.toThrow(/at least one value/);
    expect(mock.calls()).toHaveLength(0);
  });

  it('refuses a page size outside 5–1000', async () => {
    await expect(port.describeInstances({ filters: poolFilter, maxResults: 4 })).rejects.toThrow(
      /maxResults/,
    );
    await expect(port.describeInstances({ filters: poolFilter, maxResults: 1001 })).rejects.toThrow(
      /maxResults/,
    );
    expect(mock.calls()).toHaveLength(0);
  });

  it('attaches with the network card index always passed', async () => {
    mock.on(AttachNetworkInterfaceCommand).resolves({ AttachmentId: 'eni-attach-5', NetworkCardIndex: 0 });

    const result = await port.attachNetworkInterface({
      networkInterfaceId: 'eni-1',
      instanceId: 'i-1',
      deviceIndex: 1,
      networkCardIndex: 0,
    });

    expect(result).toEqual({ attachmentId: 'eni-attach-5' });
    expect(mock.commandCalls(AttachNetworkInterfaceCommand)[0]!.args[0].input).toEqual({
      NetworkInterfaceId: 'eni-1',
      InstanceId: 'i-1',
      DeviceIndex: 1,
      NetworkCardIndex: 0,
    });
  });

  it('detaches by attachment id and tags with a key/value list', async () => {
    mock.on(DetachNetworkInterfaceCommand).resolves({});
    mock.on(CreateTagsCommand).resolves({});

    await port.detachNetworkInterface({ attachmentId: 'eni-attach-5' });
    await port.createTags({ resourceIds: ['eni-1'], tags: { owner: 'i-1' } });

    expect(mock.commandCalls(DetachNetworkInterfaceCommand)[0]!.args[0].input).toEqual({
      AttachmentId: 'eni-attach-5',
    });
    expect(mock.commandCalls(CreateTagsCommand)[0]!.args[0].input).toEqual({
      Resources: ['eni-1'],
      Tags: [{ Key: 'owner', Value: 'i-1' }],
    });
  });

  it('rethrows SDK errors unchanged, so their code can be classified', async () => {
    const error = awsError('InvalidNetworkInterface.InUse', 'Interface: [eni-1] in use.');
    mock.on(AttachNetworkInterfaceCommand).rejects(error);

    await expect(
      port.attachNetworkInterface({
        networkInterfaceId: 'eni-1',
        instanceId: 'i-1',
        deviceIndex: 1,
        networkCardIndex: 0,
      }),
    ).rejects.toMatchObject({ name: 'InvalidNetworkInterface.InUse' });
  });
});
