import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsSim } from '../../src/sim';

const sims: AwsSim[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

async function start(): Promise<AwsSim> {
  const sim = await AwsSim.start();
  sims.push(sim);
  return sim;
}

async function post(sim: AwsSim, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(sim.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  return { status: res.status, text: await res.text() };
}

describe('AwsSim server', () => {
  it('listens on 127.0.0.1 on its own port, so several simulators run side by side', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    expect(a.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(a.port).not.toBe(b.port);
    a.world.createNetwork({ azs: 1 });
    a.world.launchInstances({ subnetId: a.world.subnets()[0]!.subnetId });
    expect(a.world.instances()).toHaveLength(1);
    expect(b.world.instances()).toHaveLength(0);
  });

  it('answers the real EC2 client with any credentials and region', async () => {
    const sim = await start();
    const ec2 = new EC2Client({
      endpoint: sim.endpoint,
      region: 'eu-central-1',
      credentials: { accessKeyId: 'anything', secretAccessKey: 'whatever' },
      maxAttempts: 1,
    });
    const out = await ec2.send(new DescribeInstancesCommand({}));
    expect(out.Reservations).toEqual([]);
  });

  it('routes form bodies by Version and rejects an unknown EC2 action with InvalidAction', async () => {
    const sim = await start();
    const res = await post(sim, 'Action=LaunchRockets&Version=2016-11-15');
    expect(res.status).toBe(400);
    expect(res.text).toContain('<Code>InvalidAction</Code>');
    expect(res.text).toContain('<RequestID>');
  });

  it('answers a body that matches no simulated protocol with a 400 error document', async () => {
    const sim = await start();
    const res = await post(sim, 'Action=DescribeThings&Version=1999-01-01');
    expect(res.status).toBe(400);
    expect(res.text).toContain('<Code>InvalidAction</Code>');
  });

  it('routes SQS JSON to the queue model and hands out queue URLs on the simulator', async () => {
    const sim = await start();
    const sqs = new SQSClient({ ...sim.clientConfig(), maxAttempts: 1 });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'events' }));
    expect(QueueUrl).toBe(`${sim.endpoint}/123456789012/events`);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }));
    expect(out.Messages?.[0]?.Body).toBe('hello');
    expect(sim.calls.log.map((c) => `${c.service}:${c.action}`)).toEqual([
      'sqs:CreateQueue',
      'sqs:SendMessage',
      'sqs:ReceiveMessage',
    ]);
  });

  it('routes Auto Scaling awsQuery to the group model', async () => {
    const sim = await start();
    const autoscaling = new AutoScalingClient({ ...sim.clientConfig(), maxAttempts: 1 });
    const out = await autoscaling.send(new DescribeAutoScalingGroupsCommand({}));
    expect(out.AutoScalingGroups).toEqual([]);
    expect(sim.calls.count('DescribeAutoScalingGroups', 'ok')).toBe(1);
  });

  it('delivers EC2 state-change events to SQS through an event rule', async () => {
    const sim = await start();
    const sqs = new SQSClient({ ...sim.clientConfig(), maxAttempts: 1 });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'ec2-events' }));
    sim.events.addRule({
      name: 'state-changes',
      pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
      queue: QueueUrl!,
    });
    const { subnetIds } = sim.world.createNetwork({ azs: 1 });
    const [id] = sim.world.launchInstances({ subnetId: subnetIds[0]! });
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const event = JSON.parse(out.Messages![0]!.Body!);
    expect(event.detail).toEqual({ 'instance-id': id, state: 'pending' });
  });

  it('counts calls per action with their outcome', async () => {
    const sim = await start();
    const ec2 = new EC2Client({ ...sim.clientConfig(), maxAttempts: 1 });
    await ec2.send(new DescribeInstancesCommand({}));
    await expect(
      ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })),
    ).rejects.toThrow();
    expect(sim.calls.count('DescribeInstances')).toBe(2);
    expect(sim.calls.count('DescribeInstances', 'ok')).toBe(1);
    expect(sim.calls.count('DescribeInstances', 'InvalidInstanceID.NotFound')).toBe(1);
    expect(sim.calls.log[1]).toMatchObject({ service: 'ec2', action: 'DescribeInstances', status: 400 });
    expect(sim.calls.log[1]!.params).toContain('InstanceId.1=i-0123456789abcdef0');
    sim.calls.reset();
    expect(sim.calls.count('DescribeInstances')).toBe(0);
  });

  it('stops cleanly, and a stopped simulator refuses connections', async () => {
    const sim = await AwsSim.start();
    const endpoint = sim.endpoint;
    await sim.stop();
    await expect(
      fetch(endpoint, { method: 'POST', body: 'Action=DescribeInstances&Version=2016-11-15' }),
    ).rejects.toThrow();
  });
});
