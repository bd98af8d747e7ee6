import { ConfigurationError } from '@eni-pool/core';
import { describe, expect, it } from 'vitest';
import { resolveSqsOptions } from '../../src';

const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/eni-pool-events';

function settingOf(call: () => unknown): string | undefined {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).setting;
  }
  return undefined;
}

describe('resolveSqsOptions', () => {
  it('fills in the documented defaults', () => {
    expect(resolveSqsOptions({ queueUrl })).toEqual({
      queueUrl,
      lifecycleHookPrefix: 'eni-pool',
      poolTagKey: 'network-interface-manager-pool',
      pools: [],
      concurrency: 2,
      reconcileConcurrency: 4,
      batchSize: 10,
      waitTimeSeconds: 20,
      visibilityTimeoutSeconds: 60,
      heartbeatIntervalSeconds: 20,
      unparseable: 'delete',
      syncIntervalMs: 300_000,
      syncJitter: 0.1,
      shutdownTimeoutMs: 20_000,
      stallTimeoutMs: 60_000,
    });
  });

  it.each([
    [{ queueUrl: 'not a url' }, 'queueUrl'],
    [{ queueUrl: 'ftp://example.com/q' }, 'queueUrl'],
    [{ queueUrl, batchSize: 11 }, 'batchSize'],
    [{ queueUrl, batchSize: 0 }, 'batchSize'],
    [{ queueUrl, concurrency: 0 }, 'concurrency'],
    [{ queueUrl, concurrency: 1.5 }, 'concurrency'],
    [{ queueUrl, waitTimeSeconds: 21 }, 'waitTimeSeconds'],
    [{ queueUrl, visibilityTimeoutSeconds: 30, heartbeatIntervalSeconds: 30 }, 'heartbeatIntervalSeconds'],
    [{ queueUrl, syncIntervalMs: 5_000 }, 'syncIntervalMs'],
    [{ queueUrl, syncJitter: 0.9 }, 'syncJitter'],
    [{ queueUrl, stallTimeoutMs: 10_000, waitTimeSeconds: 20 }, 'stallTimeoutMs'],
    [{ queueUrl, unparseable: 'keep' as never }, 'unparseable'],
    [{ queueUrl, pools: ['web', ''] }, 'pools'],
    [{ queueUrl, lifecycleHookPrefix: ' ' }, 'lifecycleHookPrefix'],
    [{ queueUrl, poolTagKey: ' ' }, 'poolTagKey'],
  ])('rejects %o naming %s', (options, setting) => {
    expect(settingOf(() => resolveSqsOptions(options))).toBe(setting);
  });

  it('accepts 0 to turn the periodic sync off, and sorts and de-duplicates pools', () => {
    const resolved = resolveSqsOptions({ queueUrl, syncIntervalMs: 0, pools: ['web', 'bastion', 'web'] });
    expect(resolved.syncIntervalMs).toBe(0);
    expect(resolved.pools).toEqual(['bastion', 'web']);
  });
});
