import { DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { afterEach, describe, expect, it } from 'vitest';
import { AUTOSCALING_XMLNS, autoScalingErrors, handleAutoScalingQuery } from '../../src/autoscaling';
import { QueryParams } from '../../src/wire/query';
import { type AutoScalingHarness, startAutoScalingHarness } from '../helpers/autoscaling-harness';

function form(params: Record<string, string>): QueryParams {
  return new QueryParams(new URLSearchParams({ Version: '2011-01-01', ...params }).toString());
}

describe('handleAutoScalingQuery', () => {
  let h: AutoScalingHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('wraps results in XResponse/XResult with a RequestId, lists as <member>', async () => {
    h = await startAutoScalingHarness();
    h.model.createGroup({ name: 'web', minSize: 0, maxSize: 1, subnetIds: ['subnet-a'] });

    const response = handleAutoScalingQuery(h.model, form({ Action: 'DescribeAutoScalingGroups' }));

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/xml');
    expect(response.body).toMatch(
      new RegExp(
        `^<DescribeAutoScalingGroupsResponse xmlns="${AUTOSCALING_XMLNS}"><DescribeAutoScalingGroupsResult><AutoScalingGroups><member><AutoScalingGroupName>web</AutoScalingGroupName>`,
      ),
    );
    expect(response.body).toMatch(
      /<\/DescribeAutoScalingGroupsResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/DescribeAutoScalingGroupsResponse>$/,
    );
  });

  it('answers errors as ErrorResponse with Type, Code and Message', async () => {
    h = await startAutoScalingHarness();

    const response = handleAutoScalingQuery(
      h.model,
      form({ Action: 'SetDesiredCapacity', AutoScalingGroupName: 'nope', DesiredCapacity: '1' }),
    );

    expect(response.status).toBe(400);
    expect(response.body).toMatch(
      new RegExp(
        `^<ErrorResponse xmlns="${AUTOSCALING_XMLNS}"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Group nope not found</Message></Error><RequestId>[0-9a-f-]{36}</RequestId></ErrorResponse>$`,
      ),
    );
  });

  it('answers an unknown action with InvalidAction and a missing parameter with ValidationError', async () => {
    h = await startAutoScalingHarness();

    const unknown = handleAutoScalingQuery(h.model, form({ Action: 'LaunchRockets' }));
    const missing = handleAutoScalingQuery(
      h.model,
      form({ Action: 'SetDesiredCapacity', DesiredCapacity: '1' }),
    );

    expect([unknown.status, unknown.body]).toEqual([
      400,
      expect.stringContaining('<Code>InvalidAction</Code>'),
    ]);
    expect(missing.body).toContain(
      '<Message>1 validation error detected: Value null at &apos;autoScalingGroupName&apos; failed to satisfy constraint: Member must not be null</Message>',
    );
  });

  it('throttles every action from one shared bucket with Throttling "Rate exceeded"', async () => {
    h = await startAutoScalingHarness({ throttle: { capacity: 3, refillPerSecond: 0.001 }, maxAttempts: 1 });
    h.model.createGroup({ name: 'web', minSize: 0, maxSize: 2, subnetIds: ['subnet-a'] });

    await h.client.send(new DescribeAutoScalingGroupsCommand({}));
    await h.client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 0 }));
    await h.client.send(new DescribeAutoScalingGroupsCommand({}));
    const err = await h.client
      .send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 2 }))
      .catch((e: Error) => e);

    expect(err).toMatchObject({
      name: 'Throttling',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
    expect(h.fleet.instances.size).toBe(0);
  });

  it('lets the SDK retry through throttling within its attempt budget', async () => {
    h = await startAutoScalingHarness({ throttle: { capacity: 1, refillPerSecond: 20 }, maxAttempts: 5 });

    await h.client.send(new DescribeAutoScalingGroupsCommand({}));
    const out = await h.client.send(new DescribeAutoScalingGroupsCommand({}));

    expect(out.$metadata.attempts).toBeGreaterThan(1);
  });

  it('fails the next calls of an action with an injected ResourceContention (HTTP 500)', async () => {
    h = await startAutoScalingHarness({ maxAttempts: 1 });
    h.model.createGroup({ name: 'web', minSize: 0, maxSize: 2, subnetIds: ['subnet-a'] });
    h.model.injectError('SetDesiredCapacity', autoScalingErrors.resourceContention(), 1);

    const err = await h.client
      .send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 1 }))
      .catch((e: Error) => e);
    await h.client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 1 }));

    // The SDK names modelled awsQuery errors after their shape: ResourceContention → ResourceContentionFault.
    expect(err).toMatchObject({ name: 'ResourceContentionFault', $metadata: { httpStatusCode: 500 } });
    expect(h.fleet.instances.size).toBe(1);
  });
});
