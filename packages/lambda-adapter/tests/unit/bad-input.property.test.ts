import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  instanceStateChangeEvent,
  lifecycleActionEvent,
  scheduledEvent,
  sqsEvent,
  sqsRecord,
} from '@eni-pool/core/testing';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { readLambdaConfig } from '../../src/config';
import { createHandlerFromConfig } from '../../src/environment';
import type { LambdaHandler } from '../../src/lambda-handler';
import { instanceId } from '../helpers/ids';

const ec2Mock = mockClient(EC2Client);
const autoScalingMock = mockClient(AutoScalingClient);

/** Every call either client received, whatever the command. */
const calls = () => ec2Mock.calls().length + autoScalingMock.calls().length;
const MUTATING = [
  'AttachNetworkInterfaceCommand',
  'DetachNetworkInterfaceCommand',
  'CreateTagsCommand',
  'CompleteLifecycleActionCommand',
];
const mutatingCalls = () =>
  [...ec2Mock.calls(), ...autoScalingMock.calls()].filter((call) =>
    MUTATING.includes(call.args[0].constructor.name),
  ).length;

const STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'];
const KNOWN_DETAIL_TYPES = [
  'EC2 Instance State-change Notification',
  'Scheduled Event',
  'EC2 Instance-launch Lifecycle Action',
  'EC2 Instance-terminate Lifecycle Action',
];

/** Inputs that are not events eni-pool handles, or known events with a broken required field. */
const badInput = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 200 }),
  // An envelope of an event type eni-pool does not handle.
  fc
    .record({
      detailType: fc.string({ maxLength: 60 }),
      source: fc.constantFrom('aws.ec2', 'aws.events', 'aws.autoscaling', 'custom'),
    })
    .filter(({ detailType }) => !KNOWN_DETAIL_TYPES.includes(detailType))
    .map(({ detailType, source }) => ({
      ...instanceStateChangeEvent({ instanceId: instanceId(1), state: 'running' }),
      'detail-type': detailType,
      source,
    })),
  // A state change with an id that is not an instance id, or a state that does not exist.
  fc
    .record({
      id: fc.string({ maxLength: 30 }).filter((id) => !/^i-[0-9a-f]{8,17}$/.test(id)),
      state: fc.constantFrom(...STATES),
    })
    .map(({ id, state }) => instanceStateChangeEvent({ instanceId: id, state })),
  fc
    .string({ maxLength: 20 })
    .filter((state) => !STATES.includes(state))
    .map((state) => instanceStateChangeEvent({ instanceId: instanceId(2), state })),
  // A lifecycle action that lost a required field, or carries one of the wrong type.
  fc
    .record({
      key: fc.constantFrom(
        'EC2InstanceId',
        'LifecycleTransition',
        'AutoScalingGroupName',
        'LifecycleHookName',
      ),
      replacement: fc.option(fc.oneof(fc.integer(), fc.constant(null), fc.constant('')), { nil: undefined }),
    })
    .map(({ key, replacement }) => {
      const event = lifecycleActionEvent({ instanceId: instanceId(3) });
      const detail: Record<string, unknown> = { ...event.detail };
      if (replacement === undefined) delete detail[key];
      else detail[key] = replacement;
      return { ...event, detail };
    }),
  // An SNS envelope whose message is not a lifecycle notification.
  fc.string({ maxLength: 80 }).map((message) => ({
    Type: 'Notification',
    MessageId: '6a1f4b52-5e43-5fd4-9a4a-1c7f9b3e2d10',
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:eni-pool',
    Message: message,
    Timestamp: '2026-11-27T05:00:00.000Z',
  })),
);

describe('the handler given bad input', { timeout: 60_000 }, () => {
  let handler: LambdaHandler;

  beforeAll(() => {
    vi.stubEnv('AWS_REGION', 'us-east-1');
    handler = createHandlerFromConfig(
      readLambdaConfig({ ENI_POOL_LOG_LEVEL: 'silent', ENI_POOL_METRICS: 'disabled' }),
      new EC2Client({ region: 'us-east-1' }),
    );
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    ec2Mock.restore();
    autoScalingMock.restore();
  });
  beforeEach(() => {
    ec2Mock.reset();
    autoScalingMock.reset();
  });

  it('does reach EC2 for a valid event (the call counter works)', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    await expect(handler(scheduledEvent())).resolves.toMatchObject({ status: 'reconciled' });
    expect(calls()).toBeGreaterThan(0);
    expect(mutatingCalls()).toBe(0);
  });

  it('returns a rejection and makes no AWS call, for any of 1,000 random inputs', async () => {
    await fc.assert(
      fc.asyncProperty(badInput, async (input) => {
        const result = await handler(input);
        expect(result).toMatchObject({ status: 'rejected', error: expect.stringMatching(/EventError$/) });
        expect(calls()).toBe(0);
      }),
      { numRuns: 1000 },
    );
    expect(mutatingCalls()).toBe(0);
  });

  it('reports every poison record of an SQS batch as failed and makes no AWS call', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(badInput, { minLength: 1, maxLength: 10 }), async (bodies) => {
        const records = bodies.map((body, n) =>
          sqsRecord(typeof body === 'string' ? body : (JSON.stringify(body) ?? String(body)), {
            messageId: `m-${n}`,
          }),
        );
        const response = await handler(sqsEvent(...records));
        expect(response).toEqual({
          batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })),
        });
        expect(calls()).toBe(0);
      }),
      { numRuns: 300 },
    );
    expect(mutatingCalls()).toBe(0);
  });
});
