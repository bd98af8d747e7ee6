import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEvent } from '../../src/events/envelope';
import { AwsSim, type AwsSimOptions } from '../../src/sim';

const sims: AwsSim[] = [];
const clients: SQSClient[] = [];

async function start(options: AwsSimOptions = {}) {
  const sim = await AwsSim.start({ sqs: { msPerSecond: 20 }, delays: { launchMs: 20 }, ...options });
  sims.push(sim);
  return sim;
}

function sqsClient(config: ConstructorParameters<typeof SQSClient>[0]) {
  const client = new SQSClient({ maxAttempts: 1, ...config });
  clients.push(client);
  return client;
}

afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(sims.splice(0).map((sim) => sim.stop()));
});

const credentials = { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator' };

describe('SQS inside AwsSim', () => {
  it('serves the SDK at the simulator endpoint with queue URLs pointing back at it', async () => {
    const sim = await start();
    const { url } = sim.sqs.createQueue('pool-events');
    expect(url).toBe(`${sim.endpoint}/123456789012/pool-events`);
    const client = sqsClient(sim.clientConfig());
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hello' }));
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(Messages?.[0]?.Body).toBe('hello');
    expect(sim.calls.count('ReceiveMessage')).toBe(1);
  });

  it('is reached through AWS_ENDPOINT_URL alone, with no endpoint in the client config', async () => {
    const sim = await start();
    vi.stubEnv('AWS_ENDPOINT_URL', sim.endpoint);
    const { url } = sim.sqs.createQueue('env-configured');
    const client = sqsClient({ region: 'us-east-1', credentials });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'via env' }));
    expect(sim.sqs.messages(url).map((message) => message.body)).toEqual(['via env']);
  });

  it('keeps a client without any endpoint on the simulator, because the SDK follows the queue URL host', async () => {
    const sim = await start();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { url } = sim.sqs.createQueue('followed');
    const client = sqsClient({ region: 'us-east-1', credentials });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'by queue url' }));
    expect(sim.sqs.messages(url).map((message) => message.body)).toEqual(['by queue url']);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('using QueueUrl host as endpoint'));
  });

  it('delivers EventBridge events to a queue through a bus rule, for an SDK consumer', async () => {
    const sim = await start();
    const { arn, url } = sim.sqs.createQueue('state-changes');
    sim.events.addRule({
      name: 'ec2-state',
      pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
      queue: arn,
    });
    const event = createEvent({
      source: 'aws.ec2',
      detailType: 'EC2 Instance State-change Notification',
      detail: { 'instance-id': 'i-0abc', state: 'running' },
    });
    sim.events.publish(event);
    await sim.events.idle();
    const client = sqsClient(sim.clientConfig());
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    expect(JSON.parse(Messages?.[0]?.Body ?? '{}')).toEqual(event);
  });

  it('routes the simulated EC2 state changes of a launched instance to a rule queue', async () => {
    const sim = await start();
    const { url } = sim.sqs.createQueue('ec2-events');
    sim.events.addRule({
      name: 'running',
      pattern: { source: ['aws.ec2'], detail: { state: ['running'] } },
      queue: url,
    });
    const { subnetIds } = sim.world.createNetwork({ azs: 1 });
    const [instanceId] = sim.world.launchInstances({ subnetId: subnetIds[0] ?? '', tags: {} });
    const received = await sim.sqs.receiveMessages(url, { waitTimeSeconds: 20 });
    expect(received.map((message) => JSON.parse(message.body).detail)).toEqual([
      { 'instance-id': instanceId, state: 'running' },
    ]);
  });

  it('ends a pending long poll when the simulator stops', { timeout: 10_000 }, async () => {
    const sim = await start({ sqs: { msPerSecond: 1000 } });
    const { url } = sim.sqs.createQueue('waiting');
    const client = sqsClient(sim.clientConfig());
    const polling = client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sim.stop();
    const [outcome] = await Promise.allSettled([polling]);
    // Either answered empty before the socket closed, or cut off by the closing server: never left hanging.
    if (outcome?.status === 'fulfilled') expect(outcome.value.Messages).toBeUndefined();
    else expect(outcome?.reason).toBeInstanceOf(Error);
  });
});
