import { ConfigurationError } from '@eni-pool/core';
import { describe, expect, it } from 'vitest';
import { LAMBDA_ENVIRONMENT_DEFAULTS, readLambdaConfig } from '../../src/config';

function configurationErrorOf(env: Record<string, string>): ConfigurationError {
  try {
    readLambdaConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('readLambdaConfig', () => {
  it('uses the documented defaults for an empty environment', () => {
    expect(readLambdaConfig({})).toEqual({
      poolTagKey: 'network-interface-manager-pool',
      placement: 'subnet',
      deviceIndex: { mode: 'lowest-free' },
      logLevel: 'info',
      waitTimeoutMs: 60_000,
      maxRounds: 3,
      lifecycleResultOnFailure: 'ABANDON',
      lifecycleHooks: true,
      sqsConcurrency: 4,
      metrics: true,
      pools: [],
      lifecycleHookPrefix: 'eni-pool',
      serviceName: 'eni-pool',
      metricsNamespace: 'EniPool',
      logEvent: false,
    });
  });

  it('reads the defaults table back to the same configuration', () => {
    expect(readLambdaConfig({ ...LAMBDA_ENVIRONMENT_DEFAULTS })).toEqual(readLambdaConfig({}));
  });

  it('reads every variable', () => {
    expect(
      readLambdaConfig({
        ENI_POOL_TAG_KEY: 'team-pool',
        ENI_POOL_PLACEMENT: 'availability-zone',
        ENI_POOL_DEVICE_INDEX: '2',
        ENI_POOL_LOG_LEVEL: 'DEBUG',
        ENI_POOL_WAIT_TIMEOUT_MS: '30000',
        ENI_POOL_MAX_ROUNDS: '5',
        ENI_POOL_LIFECYCLE_RESULT_ON_FAILURE: 'continue',
        ENI_POOL_LIFECYCLE_HOOKS: 'disabled',
        ENI_POOL_SQS_CONCURRENCY: '8',
        ENI_POOL_PACING_MAX_AHEAD: '40',
        ENI_POOL_METRICS: 'off',
        ENI_POOL_POOLS: ' bastion, nat ,bastion,',
        ENI_POOL_LIFECYCLE_HOOK_PREFIX: 'team-eni',
        POWERTOOLS_SERVICE_NAME: 'bastion-addresses',
        POWERTOOLS_METRICS_NAMESPACE: 'Team/EniPool',
        POWERTOOLS_LOGGER_LOG_EVENT: 'true',
      }),
    ).toEqual({
      poolTagKey: 'team-pool',
      placement: 'availability-zone',
      deviceIndex: { mode: 'fixed', index: 2 },
      logLevel: 'debug',
      waitTimeoutMs: 30_000,
      maxRounds: 5,
      lifecycleResultOnFailure: 'CONTINUE',
      lifecycleHooks: false,
      sqsConcurrency: 8,
      pacingMaxAhead: 40,
      metrics: false,
      pools: ['bastion', 'nat'],
      lifecycleHookPrefix: 'team-eni',
      serviceName: 'bastion-addresses',
      metricsNamespace: 'Team/EniPool',
      logEvent: true,
    });
  });

  it('treats blank values as unset', () => {
    expect(readLambdaConfig({ ENI_POOL_TAG_KEY: '  ', ENI_POOL_MAX_ROUNDS: '' })).toMatchObject({
      poolTagKey: 'network-interface-manager-pool',
      maxRounds: 3,
    });
  });

  it('falls back to POWERTOOLS_LOG_LEVEL and maps its extra levels', () => {
    expect(readLambdaConfig({ POWERTOOLS_LOG_LEVEL: 'WARN' }).logLevel).toBe('warn');
    expect(readLambdaConfig({ POWERTOOLS_LOG_LEVEL: 'TRACE' }).logLevel).toBe('debug');
    expect(readLambdaConfig({ POWERTOOLS_LOG_LEVEL: 'CRITICAL' }).logLevel).toBe('error');
    expect(readLambdaConfig({ POWERTOOLS_LOG_LEVEL: 'WARN', ENI_POOL_LOG_LEVEL: 'error' }).logLevel).toBe(
      'error',
    );
  });

  it.each([
    ['ENI_POOL_PLACEMENT', 'region', /one of subnet, availability-zone/],
    ['ENI_POOL_WAIT_TIMEOUT_MS', '10s', /must be an integer/],
    ['ENI_POOL_WAIT_TIMEOUT_MS', '500', /between 1000 and 900000/],
    ['ENI_POOL_MAX_ROUNDS', '0', /between 1 and 10/],
    ['ENI_POOL_MAX_ROUNDS', '2.5', /must be an integer/],
    ['ENI_POOL_LIFECYCLE_RESULT_ON_FAILURE', 'RETRY', /CONTINUE, ABANDON/],
    ['ENI_POOL_LIFECYCLE_HOOKS', 'maybe', /'enabled' or 'disabled'/],
    ['ENI_POOL_SQS_CONCURRENCY', '64', /between 1 and 32/],
    ['ENI_POOL_PACING_MAX_AHEAD', '-1', /between 0 and 10000/],
    ['ENI_POOL_PACING_MAX_AHEAD', 'some', /must be an integer/],
    ['ENI_POOL_LOG_LEVEL', 'verbose', /one of debug, info, warn, error, silent/],
    ['POWERTOOLS_LOG_LEVEL', 'loud', /one of debug/],
    ['ENI_POOL_DEVICE_INDEX', '0', /between 1 and 31/],
    ['ENI_POOL_TAG_KEY', 'aws:pool', /reserved 'aws:' prefix/],
    ['ENI_POOL_TAG_KEY', 'k'.repeat(129), /at most 128 characters/],
    ['ENI_POOL_METRICS', 'sometimes', /'enabled' or 'disabled'/],
    ['POWERTOOLS_LOGGER_LOG_EVENT', 'verbose', /'enabled' or 'disabled'/],
    ['POWERTOOLS_METRICS_NAMESPACE', 'n'.repeat(256), /at most 255 printable/],
    ['POWERTOOLS_SERVICE_NAME', 'tab\there', /at most 255 printable/],
  ])('throws a ConfigurationError naming %s for %s', (variable, value, message) => {
    const error = configurationErrorOf({ [variable]: value });
    expect(error.setting).toBe(variable);
    expect(error.message).toMatch(variable);
    expect(error.message).toMatch(message);
  });
});
