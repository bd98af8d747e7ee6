import { describe, expect, it } from 'vitest';
import {
  awsErrorCode,
  classifyAwsError,
  isAlreadyDetached,
  isAttachmentLimit,
  isDeviceIndexTaken,
  isIncorrectState,
  isInUse,
  isNoActiveLifecycleAction,
  isNotFound,
  isRetryable,
  isServerError,
  isThrottling,
} from '../../src/index';
import { awsError } from '../../src/testing';

describe('classifyAwsError', () => {
  it.each([
    'RequestLimitExceeded',
    'Throttling',
    'ThrottlingException',
    'RequestThrottled',
    'TooManyRequestsException',
    'EC2ThrottledException',
    'SlowDown',
  ])('classifies %s as throttling, even with a 5xx status', (code) => {
    const error = awsError(code, 'Rate exceeded', 503);
    expect(classifyAwsError(error)).toBe('throttling');
    expect(isThrottling(error)).toBe(true);
    expect(isServerError(error)).toBe(false);
    expect(isRetryable(error)).toBe(true);
  });

  it.each(['InternalError', 'InternalFailure', 'ServerInternal', 'ServiceUnavailable', 'Unavailable'])(
    'classifies %s as a server error',
    (code) => {
      const error = awsError(code, 'oops', 400);
      expect(classifyAwsError(error)).toBe('server');
      expect(isRetryable(error)).toBe(true);
    },
  );

  it('classifies any 5xx status as a server error', () => {
    expect(classifyAwsError(awsError('SomethingNew', 'boom', 502))).toBe('server');
  });

  it('strips a Client. or Server. prefix from the code', () => {
    expect(awsErrorCode(awsError('Client.RequestLimitExceeded'))).toBe('RequestLimitExceeded');
    expect(classifyAwsError(awsError('Server.InternalError'))).toBe('server');
  });

  it('reads Code when the name is the generic Error', () => {
    const error = Object.assign(new Error('Request limit exceeded.'), { Code: 'RequestLimitExceeded' });
    expect(classifyAwsError(error)).toBe('throttling');
  });

  it('treats InvalidNetworkInterface.InUse as in-use', () => {
    const error = awsError('InvalidNetworkInterface.InUse', 'Interface: [eni-1] in use.');
    expect(classifyAwsError(error)).toBe('in-use');
    expect(isInUse(error)).toBe(true);
    expect(isRetryable(error)).toBe(false);
  });

  it.each([
    'Interface: [eni-1] in use.',
    "The network interface 'eni-1' is currently in use.",
    'Network interface eni-1 is already attached to instance i-2',
  ])('treats InvalidParameterValue "%s" as in-use', (message) => {
    expect(classifyAwsError(awsError('InvalidParameterValue', message))).toBe('in-use');
  });

  it('treats a taken device index as its own class, not in-use', () => {
    const error = awsError(
      'InvalidParameterValue',
      "Instance 'i-057f199b55b2543ea' already has an interface attached at device index '1'.",
    );
    expect(classifyAwsError(error)).toBe('device-index-taken');
    expect(isDeviceIndexTaken(error)).toBe(true);
    expect(isInUse(error)).toBe(false);
  });

  it('treats other InvalidParameterValue errors as client errors', () => {
    const error = awsError('InvalidParameterValue', 'Value (abc) for parameter deviceIndex is invalid.');
    expect(classifyAwsError(error)).toBe('client');
    expect(isRetryable(error)).toBe(false);
  });

  it.each(['IncorrectInstanceState', 'IncorrectState'])('treats %s as incorrect-state', (code) => {
    expect(classifyAwsError(awsError(code))).toBe('incorrect-state');
    expect(isIncorrectState(awsError(code))).toBe(true);
  });

  it('treats InvalidAttachmentID.NotFound as already detached, and as not-found', () => {
    const error = awsError(
      'InvalidAttachmentID.NotFound',
      "The interface attachment 'eni-attach-1' does not exist.",
    );
    expect(classifyAwsError(error)).toBe('already-detached');
    expect(isAlreadyDetached(error)).toBe(true);
    expect(isNotFound(error)).toBe(true);
  });

  it('treats other *.NotFound codes as not-found', () => {
    expect(classifyAwsError(awsError('InvalidNetworkInterfaceID.NotFound'))).toBe('not-found');
    expect(isAlreadyDetached(awsError('InvalidInstanceID.NotFound'))).toBe(false);
  });

  it('recognises the lifecycle action that is already over', () => {
    const error = awsError('ValidationError', 'No active Lifecycle Action found with instance ID i-0123');
    expect(classifyAwsError(error)).toBe('lifecycle-action-over');
    expect(isNoActiveLifecycleAction(error)).toBe(true);
    expect(isNoActiveLifecycleAction(awsError('ValidationError', 'Group not found'))).toBe(false);
  });

  it('recognises the attachment limit', () => {
    const error = awsError('AttachmentLimitExceeded', 'Interface count 4 exceeds the limit for t3.medium');
    expect(classifyAwsError(error)).toBe('attachment-limit');
    expect(isAttachmentLimit(error)).toBe(true);
  });

  it('treats anything else, including non-errors, as a client error', () => {
    expect(classifyAwsError(awsError('UnauthorizedOperation'))).toBe('client');
    expect(classifyAwsError(new Error('plain'))).toBe('client');
    expect(classifyAwsError('a string')).toBe('client');
    expect(classifyAwsError(undefined)).toBe('client');
  });
});
