import { describe, expect, it } from 'vitest';
import { endpointConfigured } from '../../src';

describe('endpointConfigured', () => {
  it('sees AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_SQS, unless configured endpoints are ignored', () => {
    expect(endpointConfigured({})).toBe(false);
    expect(endpointConfigured({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' })).toBe(true);
    expect(
      endpointConfigured({ AWS_ENDPOINT_URL_SQS: 'https://vpce-1.sqs.eu-west-1.vpce.amazonaws.com' }),
    ).toBe(true);
    expect(
      endpointConfigured({
        AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
      }),
    ).toBe(false);
  });
});
