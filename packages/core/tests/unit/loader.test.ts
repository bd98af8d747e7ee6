import { DescribeInstancesCommand, DescribeNetworkInterfacesCommand, type Filter } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError, createSdkEc2Port, type Ec2Port, loadPoolState } from '../../src/index';
import { POOL_TAG, sdkInstance, sdkInterface, testEc2Client } from '../helpers/ec2-mock';

function filterValues(filters: Filter[] | undefined, name: string): string[] | undefined {
  return filters?.find((filter) => filter.Name === name)?.Values;
}

describe('loadPoolState', () => {
  let mock: ReturnType<typeof mockClient>;
  let port: Ec2Port;

  beforeEach(() => {
    const client = testEc2Client();
    mock = mockClient(client);
    port = createSdkEc2Port(client);
  });

  it('reads three pages by chaining NextToken, sending MaxResults and a filter on every call', async () => {
    mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        Reservations: [{ Instances: [sdkInstance('i-1', { pool: 'web' })] }],
        NextToken: 'i-page-2',
      })
      // A filtered page may be short, or even empty, and still have more after it.
      .resolvesOnce({ Reservations: [], NextToken: 'i-page-3' })
      .resolvesOnce({ Reservations: [{ Instances: [sdkInstance('i-3', { pool: 'web' })] }] });
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [sdkInterface('eni-1', { pool: 'web' })], NextToken: 'n-page-2' })
      .resolvesOnce({ NetworkInterfaces: [sdkInterface('eni-2', { pool: 'web' })], NextToken: 'n-page-3' })
      .resolvesOnce({ NetworkInterfaces: [sdkInterface('eni-3', { pool: 'web' })] });

    const state = await loadPoolState(port, { kind: 'pools', pools: ['web'] }, { pageSize: 5 });

    expect(state.instances.map((i) => i.instanceId)).toEqual(['i-1', 'i-3']);
    expect(state.interfaces.map((e) => e.networkInterfaceId)).toEqual(['eni-1', 'eni-2', 'eni-3']);
    for (const command of [DescribeInstancesCommand, DescribeNetworkInterfacesCommand]) {
      const inputs = mock.commandCalls(command).map((call) => call.args[0].input as Record<string, unknown>);
      expect(inputs).toHaveLength(3);
      expect(inputs.map((input) => input.NextToken)).toEqual(
        command === DescribeInstancesCommand
          ? [undefined, 'i-page-2', 'i-page-3']
          : [undefined, 'n-page-2', 'n-page-3'],
      );
      for (const input of inputs) {
        expect(input.MaxResults).toBe(5);
        expect(filterValues(input.Filters as Filter[], `tag:${POOL_TAG}`)).toEqual(['web']);
      }
    }
  });

  it('selects every pool by the tag key for the "all" scope, with the default page size of 1000', async () => {
    mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });

    await loadPoolState(port, { kind: 'all' });

    for (const command of [DescribeInstancesCommand, DescribeNetworkInterfacesCommand]) {
      const input = mock.commandCalls(command)[0]!.args[0].input as { Filters: Filter[]; MaxResults: number };
      expect(input.Filters).toEqual([{ Name: 'tag-key', Values: [POOL_TAG] }]);
      expect(input.MaxResults).toBe(1000);
    }
  });

  it('honours a custom pool tag key', async () => {
    mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });

    await loadPoolState(port, { kind: 'pools', pools: ['b', 'a', 'b'] }, { poolTagKey: 'eni-pool' });

    const input = mock.commandCalls(DescribeInstancesCommand)[0]!.args[0].input as { Filters: Filter[] };
    expect(input.Filters).toEqual([{ Name: 'tag:eni-pool', Values: ['a', 'b'] }]);
  });

  it('also describes, by instance id, the holders of pool interfaces that are not pool members', async () => {
    mock
      .on(DescribeInstancesCommand, { Filters: [{ Name: `tag:${POOL_TAG}`, Values: ['web'] }] })
      .resolves({ Reservations: [{ Instances: [sdkInstance('i-member', { pool: 'web' })] }] });
    mock
      .on(DescribeInstancesCommand, {
        Filters: [{ Name: 'instance-id', Values: ['i-retagged', 'i-untagged'] }],
      })
      .resolves({
        Reservations: [
          {
            Instances: [
              sdkInstance('i-untagged', { state: 'terminated' }),
              sdkInstance('i-retagged', { pool: 'other' }),
            ],
          },
        ],
      });
    mock.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        sdkInterface('eni-1', { pool: 'web', attachedTo: 'i-member' }),
        sdkInterface('eni-2', { pool: 'web', attachedTo: 'i-untagged' }),
        sdkInterface('eni-3', { pool: 'web', attachedTo: 'i-retagged' }),
        sdkInterface('eni-4', { pool: 'web', attachedTo: 'i-untagged' }),
      ],
    });

    const state = await loadPoolState(port, { kind: 'pools', pools: ['web'] });

    expect(state.instances.map((i) => [i.instanceId, i.state])).toEqual([
      ['i-member', 'running'],
      ['i-untagged', 'terminated'],
      ['i-retagged', 'running'],
    ]);
    expect(mock.commandCalls(DescribeInstancesCommand)).toHaveLength(2);
  });

  it('describes holders in chunks of at most 200 instance ids', async () => {
    const holders = Array.from({ length: 450 }, (_, n) => `i-${String(n).padStart(4, '0')}`);
    mock
      .on(DescribeInstancesCommand, { Filters: [{ Name: `tag:${POOL_TAG}`, Values: ['web'] }] })
      .resolves({ Reservations: [] });
    mock.on(DescribeInstancesCommand).callsFake((input: { Filters: Filter[] }) => ({
      Reservations: [
        { Instances: (filterValues(input.Filters, 'instance-id') ?? []).map((id) => sdkInstance(id)) },
      ],
    }));
    mock.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: holders.map((id, n) => sdkInterface(`eni-${n}`, { pool: 'web', attachedTo: id })),
    });

    const state = await loadPoolState(port, { kind: 'pools', pools: ['web'] });

    const chunks = mock
      .commandCalls(DescribeInstancesCommand)
      .map((call) => filterValues((call.args[0].input as { Filters: Filter[] }).Filters, 'instance-id'))
      .filter((values) => values !== undefined);
    expect(chunks.map((chunk) => chunk.length)).toEqual([200, 200, 50]);
    expect(state.instances).toHaveLength(450);
  });

  it('rejects a bad scope or page size with a ConfigurationError and sends nothing', async () => {
    await expect(loadPoolState(port, { kind: 'pools', pools: [] })).rejects.toBeInstanceOf(
      ConfigurationError,
    );
    await expect(loadPoolState(port, { kind: 'all' }, { pageSize: 2000 })).rejects.toMatchObject({
      setting: 'pageSize',
    });
    expect(mock.calls()).toHaveLength(0);
  });

  it('stops at maxPages when a token never ends', async () => {
    mock.on(DescribeInstancesCommand).resolves({ Reservations: [], NextToken: 'again' });
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });

    await expect(loadPoolState(port, { kind: 'all' }, { maxPages: 4 })).rejects.toThrow(/more than 4 pages/);
    expect(mock.commandCalls(DescribeInstancesCommand)).toHaveLength(4);
  });
});
