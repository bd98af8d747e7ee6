import { describe, expect, it } from 'vitest';
import { InvalidEventError, UnsupportedEventError } from '../../src/errors';
import type { InstanceStateName } from '../../src/model';
import { parseEvent } from '../../src/parse-event';
import {
  instanceStateChangeEvent,
  keyValueMessage,
  LAUNCHING,
  lifecycleActionEvent,
  lifecycleNotification,
  SAMPLE_ACCOUNT,
  SAMPLE_GROUP,
  SAMPLE_HOOK,
  SAMPLE_INSTANCE_ID,
  SAMPLE_REGION,
  SAMPLE_TIME,
  SAMPLE_TOKEN,
  scheduledEvent,
  snsEnvelope,
  sqsRecord,
  TERMINATING,
  testNotification,
} from '../../src/testing';
import { AWS_REFERENCE_SAMPLES } from '../helpers/reference-samples';
import { withField, withoutField } from '../helpers/with-field';

const STATES: InstanceStateName[] = [
  'pending',
  'running',
  'stopping',
  'stopped',
  'shutting-down',
  'terminated',
];

describe('parseEvent', () => {
  describe('EC2 Instance State-change Notification', () => {
    it.each(STATES)('reads the instance id and the %s state', (state) => {
      const event = instanceStateChangeEvent({ instanceId: 'i-0abc1234def567890', state, id: 'evt-1' });

      expect(parseEvent(event)).toEqual({
        kind: 'instance-state-change',
        instanceId: 'i-0abc1234def567890',
        state,
        origin: { id: 'evt-1', time: SAMPLE_TIME, region: SAMPLE_REGION, account: SAMPLE_ACCOUNT },
      });
    });

    it('accepts the 8-digit instance ids of older instances', () => {
      const trigger = parseEvent(instanceStateChangeEvent({ instanceId: 'i-abcd1111' }));
      expect(trigger).toMatchObject({ kind: 'instance-state-change', instanceId: 'i-abcd1111' });
    });

    it('accepts the event without version, as the EC2 documentation sample shows it', () => {
      const event = withoutField(instanceStateChangeEvent({ state: 'stopping' }), 'version');
      expect(parseEvent(event)).toMatchObject({ kind: 'instance-state-change', state: 'stopping' });
    });

    it('ignores fields it does not read, such as replay-name and extra detail keys', () => {
      const event = withField(
        withField(instanceStateChangeEvent({ state: 'terminated' }), 'replay-name', 'replay-1'),
        'detail.future-field',
        { nested: true },
      );
      expect(parseEvent(event)).toMatchObject({ kind: 'instance-state-change', state: 'terminated' });
    });

    it('reads the same event from a JSON string, as an SQS body carries it', () => {
      const event = instanceStateChangeEvent({ state: 'running' });
      expect(parseEvent(JSON.stringify(event))).toEqual(parseEvent(event));
    });

    it('keeps only the origin fields the envelope has', () => {
      const event = withoutField(withoutField(instanceStateChangeEvent(), 'account'), 'time');
      expect(parseEvent(event)).toMatchObject({ origin: { region: SAMPLE_REGION } });
      expect(Object.keys((parseEvent(event) as { origin: object }).origin).sort()).toEqual(['id', 'region']);
    });
  });

  describe('Scheduled Event', () => {
    it('asks for a sync of every pool', () => {
      expect(parseEvent(scheduledEvent({ id: 'tick-7' }))).toEqual({
        kind: 'scheduled-sync',
        origin: { id: 'tick-7', time: SAMPLE_TIME, region: SAMPLE_REGION, account: SAMPLE_ACCOUNT },
      });
    });

    it('accepts a detail with content, since the scheduled rule may be given input', () => {
      const event = withField(scheduledEvent(), 'detail', { note: 'from a rule' });
      expect(parseEvent(event)).toMatchObject({ kind: 'scheduled-sync' });
    });
  });

  describe('lifecycle actions from EventBridge', () => {
    it('reads a launch action with every field', () => {
      const event = lifecycleActionEvent({
        transition: LAUNCHING,
        instanceId: 'i-0fedcba9876543210',
        autoScalingGroupName: 'api-asg',
        lifecycleHookName: 'attach-eni',
        lifecycleActionToken: 'c613620e-07e2-4ed2-a9e2-ef8258911ade',
        notificationMetadata: '{"pool":"api"}',
        id: 'evt-launch',
      });

      expect(parseEvent(event)).toEqual({
        kind: 'lifecycle-action',
        transition: LAUNCHING,
        autoScalingGroupName: 'api-asg',
        lifecycleHookName: 'attach-eni',
        instanceId: 'i-0fedcba9876543210',
        lifecycleActionToken: 'c613620e-07e2-4ed2-a9e2-ef8258911ade',
        notificationMetadata: '{"pool":"api"}',
        source: 'eventbridge',
        from: { id: 'evt-launch', time: SAMPLE_TIME, region: SAMPLE_REGION, account: SAMPLE_ACCOUNT },
      });
    });

    it('reads a terminate action from the terminate detail-type', () => {
      const trigger = parseEvent(lifecycleActionEvent({ transition: TERMINATING }));
      expect(trigger).toMatchObject({
        kind: 'lifecycle-action',
        transition: TERMINATING,
        source: 'eventbridge',
      });
    });

    it('carries the warm-pool Origin and Destination when present', () => {
      const event = lifecycleActionEvent({ origin: 'EC2', destination: 'WarmPool' });
      expect(parseEvent(event)).toMatchObject({ origin: 'EC2', destination: 'WarmPool' });
    });

    it('leaves out the optional fields the event does not carry', () => {
      const trigger = parseEvent(
        lifecycleActionEvent({ lifecycleActionToken: null, notificationMetadata: null }),
      );
      expect(trigger).not.toHaveProperty('lifecycleActionToken');
      expect(trigger).not.toHaveProperty('notificationMetadata');
      expect(trigger).not.toHaveProperty('origin');
      expect(trigger).not.toHaveProperty('destination');
    });

    it('rejects a transition that contradicts the detail-type', () => {
      const event = withField(
        lifecycleActionEvent({ transition: LAUNCHING }),
        'detail.LifecycleTransition',
        TERMINATING,
      );
      expect(() => parseEvent(event)).toThrow(
        expect.objectContaining({ name: 'InvalidEventError', field: 'detail.LifecycleTransition' }),
      );
    });
  });

  describe('lifecycle notifications sent to a hook target', () => {
    it('reads the flat JSON message of an SQS target as a notification-sourced action', () => {
      const message = lifecycleNotification({
        transition: TERMINATING,
        instanceId: 'i-016a0e69d8b5ae49d',
        notificationMetadata: 'pool=web',
        requestId: 'req-1',
        time: '2026-11-27T05:01:02.345Z',
      });

      expect(parseEvent(JSON.stringify(message))).toEqual({
        kind: 'lifecycle-action',
        transition: TERMINATING,
        autoScalingGroupName: SAMPLE_GROUP,
        lifecycleHookName: SAMPLE_HOOK,
        instanceId: 'i-016a0e69d8b5ae49d',
        lifecycleActionToken: SAMPLE_TOKEN,
        notificationMetadata: 'pool=web',
        source: 'notification',
        from: { id: 'req-1', time: '2026-11-27T05:01:02.345Z', account: SAMPLE_ACCOUNT },
      });
    });

    it('recognises a notification without Service by its LifecycleHookName', () => {
      const message = withoutField(lifecycleNotification(), 'Service');
      expect(parseEvent(message)).toMatchObject({ kind: 'lifecycle-action', source: 'notification' });
    });

    it('carries the warm-pool fields of newer messages', () => {
      const message = lifecycleNotification({ origin: 'WarmPool', destination: 'AutoScalingGroup' });
      expect(parseEvent(message)).toMatchObject({ origin: 'WarmPool', destination: 'AutoScalingGroup' });
    });

    it('reads a null NotificationMetadata as absent', () => {
      const message = withField(lifecycleNotification(), 'NotificationMetadata', null);
      expect(parseEvent(message)).not.toHaveProperty('notificationMetadata');
    });

    it('turns the test notification into a test-notification trigger with the group and region', () => {
      const message = testNotification({
        autoScalingGroupName: 'batch-asg',
        region: 'eu-west-1',
        requestId: 'r-9',
      });
      expect(parseEvent(JSON.stringify(message))).toEqual({
        kind: 'test-notification',
        autoScalingGroupName: 'batch-asg',
        from: { id: 'r-9', time: '2026-11-27T05:00:00.123Z', region: 'eu-west-1', account: SAMPLE_ACCOUNT },
      });
    });

    it('accepts a test notification without a group name', () => {
      const message = withoutField(
        withoutField(testNotification(), 'AutoScalingGroupName'),
        'AutoScalingGroupARN',
      );
      const trigger = parseEvent(message);
      expect(trigger).toMatchObject({ kind: 'test-notification' });
      expect(trigger).not.toHaveProperty('autoScalingGroupName');
    });
  });

  describe('SNS envelopes', () => {
    it('unwraps a JSON lifecycle message and fills the origin from the inner message first', () => {
      const envelope = snsEnvelope(
        lifecycleNotification({ requestId: 'req-inner', accountId: '111122223333' }),
        {
          messageId: 'sns-1',
          topicArn: 'arn:aws:sns:ap-south-1:111122223333:hooks',
        },
      );

      expect(parseEvent(envelope)).toMatchObject({
        kind: 'lifecycle-action',
        source: 'notification',
        instanceId: SAMPLE_INSTANCE_ID,
        from: {
          id: 'req-inner',
          time: '2026-11-27T05:00:00.123Z',
          region: 'ap-south-1',
          account: '111122223333',
        },
      });
    });

    it('falls back to the envelope id and timestamp when the message has none', () => {
      const inner = withoutField(withoutField(lifecycleNotification(), 'RequestId'), 'Time');
      const envelope = snsEnvelope(inner, { messageId: 'sns-2', timestamp: '2026-11-27T05:09:00.000Z' });
      expect(parseEvent(envelope)).toMatchObject({
        from: { id: 'sns-2', time: '2026-11-27T05:09:00.000Z', region: SAMPLE_REGION },
      });
    });

    it('reads the key-value email form of the message when it is not JSON', () => {
      const inner = lifecycleNotification({ transition: TERMINATING, notificationMetadata: 'pool=web' });
      const trigger = parseEvent(snsEnvelope(keyValueMessage(inner)));
      expect(trigger).toEqual(parseEvent(snsEnvelope(inner)));
      expect(trigger).toMatchObject({ transition: TERMINATING, notificationMetadata: 'pool=web' });
    });

    it('keeps multi-line metadata of the key-value form together', () => {
      const inner = lifecycleNotification({ notificationMetadata: 'line one\nline two' });
      expect(parseEvent(snsEnvelope(keyValueMessage(inner)))).toMatchObject({
        notificationMetadata: 'line one\nline two',
      });
    });

    it('unwraps a test notification', () => {
      expect(parseEvent(snsEnvelope(testNotification()))).toMatchObject({ kind: 'test-notification' });
    });

    it('unwraps an EventBridge event published to a topic by a rule', () => {
      const trigger = parseEvent(snsEnvelope(instanceStateChangeEvent({ state: 'stopped', id: 'evt-sns' })));
      expect(trigger).toMatchObject({
        kind: 'instance-state-change',
        state: 'stopped',
        origin: { id: 'evt-sns' },
      });
    });

    it('reads an SNS envelope that arrives as an SQS body string', () => {
      const body = JSON.stringify(snsEnvelope(lifecycleNotification()));
      expect(parseEvent(body)).toMatchObject({ kind: 'lifecycle-action', source: 'notification' });
    });

    it('names fields inside the message with a Message. prefix', () => {
      const envelope = snsEnvelope(withField(lifecycleNotification(), 'EC2InstanceId', 'web-1'));
      expect(() => parseEvent(envelope)).toThrow(
        expect.objectContaining({ field: 'Message.EC2InstanceId', eventKind: 'lifecycle-action' }),
      );
    });
  });

  describe('the AWS reference samples, byte for byte', () => {
    it('reads the EC2 state-change sample', () => {
      expect(parseEvent(AWS_REFERENCE_SAMPLES.instanceStateChange)).toEqual({
        kind: 'instance-state-change',
        instanceId: 'i-abcd1111',
        state: 'pending',
        origin: {
          id: '7bf73129-1428-4cd3-a780-95db273d1602',
          time: '2021-11-11T21:29:54Z',
          region: 'us-east-1',
          account: '123456789012',
        },
      });
    });

    it('reads the scheduled-event sample', () => {
      expect(parseEvent(AWS_REFERENCE_SAMPLES.scheduled)).toEqual({
        kind: 'scheduled-sync',
        origin: {
          id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
          time: '2015-10-08T16:53:06Z',
          region: 'us-east-1',
          account: '123456789012',
        },
      });
    });

    it('reads the lifecycle-action sample once its placeholder time is a real one', () => {
      const sample = AWS_REFERENCE_SAMPLES.launchLifecycleAction;
      expect(() => parseEvent(sample)).toThrow(expect.objectContaining({ field: 'time' }));

      const withTime = sample.replace('yyyy-mm-ddThh:mm:ssZ', '2026-11-27T05:00:00Z');
      expect(parseEvent(withTime)).toEqual({
        kind: 'lifecycle-action',
        transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
        autoScalingGroupName: 'my-asg',
        lifecycleHookName: 'my-lifecycle-hook',
        instanceId: 'i-1234567890abcdef0',
        lifecycleActionToken: '87654321-4321-4321-4321-210987654321',
        notificationMetadata: 'additional-info',
        source: 'eventbridge',
        from: {
          id: '12345678-1234-1234-1234-123456789012',
          time: '2026-11-27T05:00:00Z',
          region: 'us-west-2',
          account: '123456789012',
        },
      });
    });

    it('reads the observed terminate notification body', () => {
      expect(parseEvent(AWS_REFERENCE_SAMPLES.terminateNotification)).toEqual({
        kind: 'lifecycle-action',
        transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
        autoScalingGroupName: 'valheim-default',
        lifecycleHookName: 'valheim-default-terminate',
        instanceId: 'i-016a0e69d8b5ae49d',
        lifecycleActionToken: 'dce60e5a-ffe3-4a47-bd57-56effbaefd60',
        notificationMetadata: '…',
        source: 'notification',
        from: {
          id: 'a7b2d01b-69d3-4940-910a-3a2ee0cbe1f9',
          time: '2021-02-26T06:40:06.663Z',
          account: '456410706824',
        },
      });
    });

    it('reads the observed test notification', () => {
      expect(parseEvent(AWS_REFERENCE_SAMPLES.testNotification)).toEqual({
        kind: 'test-notification',
        autoScalingGroupName: 'MarketDataECS-AutoScalingGroup-TZI0DMYKJBJG',
        from: {
          id: 'b36d6757-57c7-11e8-a9ca-b3409db76d91',
          time: '2018-05-14T22:39:45.555Z',
          region: 'us-west-2',
          account: '609519224176',
        },
      });
    });

    it('reads the documented key-value message inside an SNS envelope', () => {
      const trigger = parseEvent(
        snsEnvelope(AWS_REFERENCE_SAMPLES.keyValueNotification, { messageId: 'm-1' }),
      );
      expect(trigger).toEqual({
        kind: 'lifecycle-action',
        transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
        autoScalingGroupName: 'my-asg',
        lifecycleHookName: 'my-hook',
        instanceId: 'i-0598c7d356eba48d7',
        lifecycleActionToken: '71514b9d-6a40-4b26-8523-05e7ee35fa40',
        notificationMetadata: 'hook message metadata',
        source: 'notification',
        from: {
          id: '18b2ec17-3e9b-4c15-8024-ff2e8ce8786a',
          time: '2021-01-19T00:36:26.533Z',
          region: SAMPLE_REGION,
          account: '123456789012',
        },
      });
    });

    it('reads the observed notification bodies inside an SNS envelope too', () => {
      expect(parseEvent(snsEnvelope(AWS_REFERENCE_SAMPLES.terminateNotification))).toMatchObject({
        kind: 'lifecycle-action',
        instanceId: 'i-016a0e69d8b5ae49d',
      });
      expect(parseEvent(snsEnvelope(AWS_REFERENCE_SAMPLES.testNotification))).toMatchObject({
        kind: 'test-notification',
      });
    });
  });

  describe('what it does not handle', () => {
    it('throws UnsupportedEventError naming the source and detail-type of another EventBridge event', () => {
      const event = withField(instanceStateChangeEvent(), 'detail-type', 'EC2 Instance Launch Successful');
      const error = catchError(() => parseEvent(withField(event, 'source', 'aws.autoscaling')));
      expect(error).toBeInstanceOf(UnsupportedEventError);
      expect(error).toMatchObject({ seen: 'aws.autoscaling / EC2 Instance Launch Successful' });
    });

    it('does not take a matching detail-type from another source', () => {
      const event = withField(instanceStateChangeEvent(), 'source', 'custom.tests');
      expect(catchError(() => parseEvent(event))).toMatchObject({
        name: 'UnsupportedEventError',
        seen: 'custom.tests / EC2 Instance State-change Notification',
      });
    });

    it('tells the caller to pass the body of an SQS record', () => {
      const error = catchError(() => parseEvent(sqsRecord(instanceStateChangeEvent())));
      expect(error).toBeInstanceOf(UnsupportedEventError);
      expect(error).toMatchObject({ seen: 'aws:sqs record', message: expect.stringContaining('body') });
    });

    it('names the event source of a records batch, such as an S3 notification', () => {
      const s3 = { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put' }] };
      expect(catchError(() => parseEvent(s3))).toMatchObject({
        name: 'UnsupportedEventError',
        seen: 'Records[] (aws:s3)',
      });
    });

    it('rejects Auto Scaling notifications that are not lifecycle actions', () => {
      const launch = { ...testNotification(), Event: 'autoscaling:EC2_INSTANCE_LAUNCH' };
      expect(catchError(() => parseEvent(launch))).toMatchObject({
        name: 'UnsupportedEventError',
        seen: 'Event: autoscaling:EC2_INSTANCE_LAUNCH',
      });
    });

    it('rejects SNS subscription confirmations', () => {
      const confirmation = {
        ...snsEnvelope('You have chosen to subscribe'),
        Type: 'SubscriptionConfirmation',
      };
      expect(catchError(() => parseEvent(confirmation))).toMatchObject({
        seen: 'SNS SubscriptionConfirmation',
      });
    });

    it('rejects an SNS message it cannot read, saying it came through SNS', () => {
      const error = catchError(() => parseEvent(snsEnvelope('Hello from the console')));
      expect(error).toBeInstanceOf(UnsupportedEventError);
      expect((error as UnsupportedEventError).seen).toMatch(/^SNS Message/);
    });

    it.each([
      ['null', null, 'null'],
      ['a number', 42, 'number'],
      ['an array', [instanceStateChangeEvent()], 'array'],
      ['a boolean', true, 'boolean'],
      ['undefined', undefined, 'undefined'],
      ['a string that is not JSON', 'running i-0123', 'non-JSON string'],
      ['a JSON string of a number', '7', 'number'],
      ['an empty object', {}, 'empty object'],
    ])('rejects %s with UnsupportedEventError', (_label, input, seen) => {
      const error = catchError(() => parseEvent(input));
      expect(error).toBeInstanceOf(UnsupportedEventError);
      expect(error).toMatchObject({ seen });
    });

    it('turns a throwing getter into an UnsupportedEventError rather than leaking it', () => {
      const hostile = {
        get source(): string {
          throw new TypeError('boom');
        },
      };
      const error = catchError(() => parseEvent(hostile));
      expect(error).toBeInstanceOf(UnsupportedEventError);
      expect(error).not.toBeInstanceOf(InvalidEventError);
    });
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}
