import { describe, expect, it } from 'vitest';
import { InvalidEventError, UnsupportedEventError } from '../../src/errors';
import { parseEvent } from '../../src/parse-event';
import {
  instanceStateChangeEvent,
  keyValueMessage,
  lifecycleActionEvent,
  lifecycleNotification,
  scheduledEvent,
  snsEnvelope,
  TERMINATING,
  testNotification,
} from '../../src/testing';
import { REMOVE, withField } from '../helpers/with-field';

type ErrorClass = typeof InvalidEventError | typeof UnsupportedEventError;

interface Case {
  readonly mutation: string;
  readonly path: string;
  readonly value: unknown;
  readonly error: ErrorClass;
  /** `field` for an InvalidEventError, `seen` for an UnsupportedEventError. */
  readonly at: string;
}

const invalid = (mutation: string, path: string, value: unknown, at = path): Case => ({
  mutation,
  path,
  value,
  error: InvalidEventError,
  at,
});

const unsupported = (mutation: string, path: string, value: unknown, seen: string): Case => ({
  mutation,
  path,
  value,
  error: UnsupportedEventError,
  at: seen,
});

function expectRejection(input: unknown, expected: Case, eventKind?: string): void {
  let thrown: unknown;
  try {
    parseEvent(input);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(expected.error);
  if (expected.error === InvalidEventError) {
    expect(thrown).toMatchObject({ field: expected.at, ...(eventKind && { eventKind }) });
    expect((thrown as Error).message).toContain(expected.at);
  } else {
    expect(thrown).toMatchObject({ seen: expected.at });
  }
}

const envelopeCases: Case[] = [
  invalid('time is not a date', 'time', 'yesterday'),
  invalid('time is an impossible date', 'time', '2026-13-40T25:61:00Z'),
  invalid('time is a number', 'time', 1795750800000),
  invalid('id is a number', 'id', 7),
  invalid('resources is a string', 'resources', 'arn:aws:ec2:us-east-1:123456789012:instance/i-1'),
  invalid('resources holds a number', 'resources', [1], 'resources.0'),
  invalid('region is an object', 'region', {}),
  invalid('detail is missing', 'detail', REMOVE),
  invalid('detail is a string', 'detail', '{"instance-id":"i-0123456789abcdef0"}'),
  invalid('detail is an array', 'detail', []),
  invalid('detail is null', 'detail', null),
];

describe('parseEvent on malformed input', () => {
  describe('EC2 Instance State-change Notification', () => {
    const cases: Case[] = [
      ...envelopeCases,
      invalid('instance id is missing', 'detail.instance-id', REMOVE),
      invalid('instance id has no i- prefix', 'detail.instance-id', '0123456789abcdef0'),
      invalid('instance id is not hex', 'detail.instance-id', 'i-0123456789abcdefg'),
      invalid('instance id is upper case', 'detail.instance-id', 'i-0123456789ABCDEF0'),
      invalid('instance id is too short', 'detail.instance-id', 'i-1234'),
      invalid('instance id is too long', 'detail.instance-id', 'i-0123456789abcdef01'),
      invalid('instance id is a number', 'detail.instance-id', 12345678),
      invalid('state is missing', 'detail.state', REMOVE),
      invalid('state is unknown', 'detail.state', 'rebooting'),
      invalid('state is upper case', 'detail.state', 'RUNNING'),
      invalid('state is a number', 'detail.state', 16),
      unsupported(
        'detail-type is another EC2 event',
        'detail-type',
        'EBS Volume Notification',
        'aws.ec2 / EBS Volume Notification',
      ),
      unsupported(
        'source is another service',
        'source',
        'aws.s3',
        'aws.s3 / EC2 Instance State-change Notification',
      ),
      unsupported(
        'source is missing',
        'source',
        REMOVE,
        '(no source) / EC2 Instance State-change Notification',
      ),
    ];

    it.each(cases)('$mutation → $error.name at $at', (testCase) => {
      const event = withField(instanceStateChangeEvent(), testCase.path, testCase.value);
      expectRejection(event, testCase, 'instance-state-change');
    });

    it('reports the first bad field when several are wrong', () => {
      const event = withField(
        withField(instanceStateChangeEvent(), 'detail.state', 'rebooting'),
        'detail.instance-id',
        'nope',
      );
      expectRejection(event, invalid('', 'detail.instance-id', ''));
    });
  });

  describe('Scheduled Event', () => {
    it.each(envelopeCases)('$mutation → $error.name at $at', (testCase) => {
      const event = withField(scheduledEvent(), testCase.path, testCase.value);
      expectRejection(event, testCase, 'scheduled-sync');
    });

    it('does not treat a Scheduled Event from another source as a sync', () => {
      const event = withField(scheduledEvent(), 'source', 'custom.cron');
      expectRejection(event, unsupported('', '', '', 'custom.cron / Scheduled Event'));
    });
  });

  const lifecycleDetailCases: Case[] = [
    invalid('token is not UUID-like', 'LifecycleActionToken', 'token-1'),
    invalid(
      'token has a trailing character',
      'LifecycleActionToken',
      '87654321-4321-4321-4321-2109876543210',
    ),
    invalid('token is a number', 'LifecycleActionToken', 42),
    invalid('group name is empty', 'AutoScalingGroupName', ''),
    invalid('group name is missing', 'AutoScalingGroupName', REMOVE),
    invalid('group name is a number', 'AutoScalingGroupName', 5),
    invalid('hook name is empty', 'LifecycleHookName', ''),
    invalid('hook name is longer than 255 characters', 'LifecycleHookName', 'h'.repeat(256)),
    invalid('instance id is missing', 'EC2InstanceId', REMOVE),
    invalid('instance id is a name', 'EC2InstanceId', 'web-1'),
    invalid('transition is missing', 'LifecycleTransition', REMOVE),
    invalid(
      'transition is an ASG notification type',
      'LifecycleTransition',
      'autoscaling:EC2_INSTANCE_LAUNCH',
    ),
    invalid('transition lacks its prefix', 'LifecycleTransition', 'EC2_INSTANCE_LAUNCHING'),
    invalid('metadata is an object', 'NotificationMetadata', { pool: 'web' }),
    invalid('origin is unknown', 'Origin', 'Spot'),
    invalid('destination is lower case', 'Destination', 'warmpool'),
  ];

  describe('lifecycle action from EventBridge', () => {
    const cases: Case[] = [
      ...envelopeCases,
      ...lifecycleDetailCases.map((c) => ({ ...c, path: `detail.${c.path}`, at: `detail.${c.at}` })),
      invalid(
        'terminate detail-type with a launching transition',
        'detail-type',
        'EC2 Instance-terminate Lifecycle Action',
        'detail.LifecycleTransition',
      ),
      unsupported(
        'detail-type is a launch result event',
        'detail-type',
        'EC2 Instance Launch Unsuccessful',
        'aws.autoscaling / EC2 Instance Launch Unsuccessful',
      ),
      unsupported(
        'detail-type differs in case',
        'detail-type',
        'EC2 Instance-Launch Lifecycle Action',
        'aws.autoscaling / EC2 Instance-Launch Lifecycle Action',
      ),
    ];

    it.each(cases)('$mutation → $error.name at $at', (testCase) => {
      const event = withField(lifecycleActionEvent(), testCase.path, testCase.value);
      expectRejection(event, testCase, 'lifecycle-action');
    });

    it('rejects a launch detail-type carrying a terminating transition', () => {
      const event = withField(lifecycleActionEvent(), 'detail.LifecycleTransition', TERMINATING);
      expectRejection(event, invalid('', 'detail.LifecycleTransition', ''), 'lifecycle-action');
    });
  });

  describe('lifecycle notification to a hook target', () => {
    const cases: Case[] = [
      ...lifecycleDetailCases,
      invalid('Time is not a date', 'Time', 'Thu Nov 26 2026'),
      invalid('RequestId is a number', 'RequestId', 12),
      invalid('AccountId is a number', 'AccountId', 123456789012),
      invalid('Service is an array', 'Service', ['AWS Auto Scaling']),
      invalid('AutoScalingGroupARN is a boolean', 'AutoScalingGroupARN', true),
    ];

    it.each(cases)('$mutation → $error.name at $at', (testCase) => {
      const message = withField(lifecycleNotification(), testCase.path, testCase.value);
      expectRejection(message, testCase, 'lifecycle-action');
      expectRejection(JSON.stringify(message), testCase, 'lifecycle-action');
    });

    it.each(cases)('inside an SNS envelope: $mutation → $error.name at Message.$at', (testCase) => {
      const envelope = withField(
        snsEnvelope(lifecycleNotification()),
        `Message.${testCase.path}`,
        testCase.value,
      );
      expectRejection(envelope, { ...testCase, at: `Message.${testCase.at}` }, 'lifecycle-action');
    });

    it('rejects a key-value message with a bad instance id at Message.EC2InstanceId', () => {
      const message = keyValueMessage({ ...lifecycleNotification(), EC2InstanceId: 'i-XYZ' });
      expectRejection(snsEnvelope(message), invalid('', 'Message.EC2InstanceId', ''), 'lifecycle-action');
    });

    it('recognises a message with only LifecycleHookName and reports the missing transition', () => {
      const message = withField(
        withField(lifecycleNotification(), 'Service', REMOVE),
        'LifecycleTransition',
        REMOVE,
      );
      expectRejection(message, invalid('', 'LifecycleTransition', REMOVE), 'lifecycle-action');
    });

    it('is not recognised without Service and LifecycleHookName', () => {
      const message = withField(
        withField(lifecycleNotification(), 'Service', REMOVE),
        'LifecycleHookName',
        REMOVE,
      );
      expect(() => parseEvent(message)).toThrow(UnsupportedEventError);
    });
  });

  describe('test notification', () => {
    const cases: Case[] = [
      invalid('group name is empty', 'AutoScalingGroupName', ''),
      invalid('Time is not a date', 'Time', 'now'),
      unsupported(
        'Event is another notification type',
        'Event',
        'autoscaling:EC2_INSTANCE_TERMINATE',
        'Event: autoscaling:EC2_INSTANCE_TERMINATE',
      ),
      unsupported('Event is a number', 'Event', 3, 'Event: 3'),
    ];

    it.each(cases)('$mutation → $error.name at $at', (testCase) => {
      const message = withField(testNotification(), testCase.path, testCase.value);
      expectRejection(message, testCase, 'test-notification');
    });
  });

  describe('SNS envelope', () => {
    const cases: Case[] = [
      invalid('Message is missing', 'Message', REMOVE),
      invalid('Message is an object instead of a string', 'Message', {
        Event: 'autoscaling:TEST_NOTIFICATION',
      }),
      invalid('Timestamp is not a date', 'Timestamp', 'later'),
      invalid('TopicArn is a number', 'TopicArn', 1),
      unsupported(
        'Message is plain text',
        'Message',
        'Instance i-0123 is launching',
        'SNS Message: not JSON or key-value',
      ),
      unsupported('Message is a JSON array', 'Message', '[1,2]', 'SNS Message: array'),
      unsupported('Message is JSON null', 'Message', 'null', 'SNS Message: null'),
      unsupported(
        'Message is an S3 notification',
        'Message',
        '{"Records":[{"eventSource":"aws:s3"}]}',
        'SNS Message: Records[] (aws:s3)',
      ),
      unsupported(
        'Message is key-value text of something else',
        'Message',
        'Alarm: high-cpu\nState: ALARM',
        'SNS Message: object with keys Alarm, State',
      ),
      unsupported(
        'Message is another SNS envelope',
        'Message',
        JSON.stringify(snsEnvelope(testNotification())),
        'SNS Message: object with keys Type, MessageId, TopicArn, Subject, Message, Timestamp',
      ),
    ];

    it.each(cases)('$mutation → $error.name at $at', (testCase) => {
      const envelope = withField(snsEnvelope(testNotification()), testCase.path, testCase.value);
      expectRejection(envelope, testCase, 'sns-notification');
    });
  });

  it('never calls a rejected event anything but the two typed errors', () => {
    const inputs: unknown[] = [
      '',
      '{',
      '{"detail-type": 5}',
      { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {}, time: { toString: null } },
      { Type: 'Notification', Message: '' },
      { Type: 'Notification', Message: '\n\n' },
      { LifecycleTransition: { not: 'a transition' }, Service: 'AWS Auto Scaling' },
      Object.create(null),
      new Map([['source', 'aws.ec2']]),
      () => 'event',
      Symbol('event'),
      10n,
    ];
    for (const input of inputs) {
      try {
        parseEvent(input);
        throw new Error(`expected ${String(input)} to be rejected`);
      } catch (error) {
        expect([InvalidEventError, UnsupportedEventError].some((type) => error instanceof type)).toBe(true);
      }
    }
  });
});
