import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingInstancesCommand,
  SetDesiredCapacityCommand,
} from '@aws-sdk/client-auto-scaling';
import { AttachNetworkInterfaceCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventBridgeEvent } from '../../src/contracts';
import { AwsSim } from '../../src/sim';
import { waitFor } from '../helpers/autoscaling-harness';

const POOL_TAG = 'network-interface-manager-pool';

/** The whole simulator: Auto Scaling driving EC2, notifying SQS and the event bus, all over HTTP. */
describe('Auto Scaling in AwsSim', () => {
  let sim: AwsSim;
  let autoscaling: AutoScalingClient;
  let ec2: EC2Client;
  let sqs: SQSClient;

  beforeEach(async () => {
    sim = await AwsSim.start({
      delays: { launchMs: 20, stopMs: 20, terminateMs: 20, attachMs: 20, detachMs: 20 },
      autoscaling: { timeScale: 10 },
    });
    autoscaling = new AutoScalingClient(sim.clientConfig());
    ec2 = new EC2Client(sim.clientConfig());
    sqs = new SQSClient(sim.clientConfig());
  });
  afterEach(async () => {
    for (const client of [autoscaling, ec2, sqs]) client.destroy();
    await sim.stop();
  });

  async function receiveOne(queueUrl: string): Promise<Record<string, unknown>> {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
    const [message] = out.Messages ?? [];
    if (!message?.Body) throw new Error('no message');
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    return JSON.parse(message.Body) as Record<string, unknown>;
  }

  it('records the pool interface as attached when CONTINUE is sent after the attach', async () => {
    const { subnetIds } = sim.world.createNetwork({ azs: 1 });
    const [eni] = sim.world.createPool({ name: 'web', subnets: subnetIds });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'lifecycle' }));
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    const events: EventBridgeEvent[] = [];
    sim.events.subscribe({ source: ['aws.autoscaling'] }, (event) => {
      events.push(event);
    });

    await autoscaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'web',
        MinSize: 0,
        MaxSize: 1,
        VPCZoneIdentifier: subnetIds.join(','),
        LaunchTemplate: { LaunchTemplateName: 'web' },
        Tags: [{ Key: POOL_TAG, Value: 'web', PropagateAtLaunch: true }],
        LifecycleHookSpecificationList: [
          {
            LifecycleHookName: 'attach-eni',
            LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
            HeartbeatTimeout: 300,
            NotificationTargetARN: attrs.Attributes?.QueueArn,
            RoleARN: 'arn:aws:iam::123456789012:role/asg-notify',
          },
        ],
      }),
    );
    expect(await receiveOne(QueueUrl ?? '')).toMatchObject({ Event: 'autoscaling:TEST_NOTIFICATION' });
    await autoscaling.send(
      new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 1 }),
    );

    const notification = await receiveOne(QueueUrl ?? '');
    const instanceId = String(notification.EC2InstanceId);
    expect(sim.world.instance(instanceId)?.tags).toMatchObject({ [POOL_TAG]: 'web' });
    const event = await waitFor(
      () => events.find((e) => e['detail-type'].endsWith('Lifecycle Action')),
      'event',
    );
    expect(event.detail.LifecycleActionToken).toBe(notification.LifecycleActionToken);

    await sim.world.waitForState([instanceId], 'running');
    await ec2.send(
      new AttachNetworkInterfaceCommand({
        InstanceId: instanceId,
        NetworkInterfaceId: eni?.networkInterfaceId,
        DeviceIndex: 1,
        NetworkCardIndex: 0,
      }),
    );
    await waitFor(
      () => sim.world.attachmentsOf(instanceId).some((a) => a.deviceIndex === 1 && a.status === 'attached'),
      'the pool interface attached',
    );
    await autoscaling.send(
      new CompleteLifecycleActionCommand({
        AutoScalingGroupName: 'web',
        LifecycleHookName: 'attach-eni',
        LifecycleActionToken: String(notification.LifecycleActionToken),
        LifecycleActionResult: 'CONTINUE',
      }),
    );

    const out = await autoscaling.send(
      new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }),
    );
    expect(out.AutoScalingInstances?.[0]?.LifecycleState).toBe('InService');
    expect(sim.autoscaling.completions[0]).toMatchObject({
      instanceId,
      result: 'CONTINUE',
      how: 'api',
      attachmentsAtCompletion: expect.arrayContaining([
        expect.objectContaining({
          networkInterfaceId: eni?.networkInterfaceId,
          deviceIndex: 1,
          status: 'attached',
        }),
      ]),
    });
  });
});
