import { ConfigurationError, silentLogger } from '@eni-pool/core';
import { describe, expect, it } from 'vitest';
import { readCliConfig, SETTINGS, usage } from '../../src';
import { optionsFromConfig } from '../../src/cli';

const url = 'https://sqs.eu-west-1.amazonaws.com/123456789012/eni-pool-events';

function config(argv: string[], env: Record<string, string> = {}) {
  const request = readCliConfig(argv, env);
  if (request.help) throw new Error('unexpected help');
  return request.config;
}

function failure(argv: string[], env: Record<string, string> = {}): ConfigurationError {
  try {
    readCliConfig(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('readCliConfig', () => {
  it('reads defaults, environment variables, and flags that win over them', () => {
    const defaults = config([], { ENI_POOL_QUEUE_URL: url });
    expect(defaults).toMatchObject({
      queueUrl: url,
      pollers: 2,
      reconcileConcurrency: 4,
      batchSize: 10,
      waitTimeSeconds: 20,
      visibilityTimeoutSeconds: 60,
      heartbeatIntervalSeconds: 20,
      unparseable: 'delete',
      syncIntervalMs: 300_000,
      shutdownTimeoutMs: 20_000,
      healthPort: 8080,
      pools: [],
      lifecycleHookPrefix: 'eni-pool',
      logLevel: 'info',
    });
    const set = config(['--pollers', '4', '--pools', 'web, bastion'], {
      ENI_POOL_QUEUE_URL: url,
      ENI_POOL_SQS_POLLERS: '3',
      ENI_POOL_LIFECYCLE_HOOK_PREFIX: 'ip-keeper',
      ENI_POOL_SQS_UNPARSEABLE: 'retain',
      ENI_POOL_TAG_KEY: 'pool',
    });
    expect(set).toMatchObject({
      pollers: 4,
      pools: ['web', 'bastion'],
      lifecycleHookPrefix: 'ip-keeper',
      unparseable: 'retain',
    });
    expect(set.shared.poolTagKey).toBe('pool');
  });

  it('names the flag and its variable when a flag has a bad value', () => {
    const error = failure(['--queue-url', url, '--heartbeat-interval', '60']);
    expect(error.message).toContain('--heartbeat-interval (ENI_POOL_SQS_HEARTBEAT_INTERVAL)');
    expect(error.setting).toBe('ENI_POOL_SQS_HEARTBEAT_INTERVAL');
  });

  it.each([
    [{}, 'ENI_POOL_QUEUE_URL'],
    [{ ENI_POOL_QUEUE_URL: 'queue' }, 'ENI_POOL_QUEUE_URL'],
    [{ ENI_POOL_QUEUE_URL: url, ENI_POOL_SQS_BATCH_SIZE: 'ten' }, 'ENI_POOL_SQS_BATCH_SIZE'],
    [{ ENI_POOL_QUEUE_URL: url, ENI_POOL_SYNC_INTERVAL_MS: '500' }, 'ENI_POOL_SYNC_INTERVAL_MS'],
    [{ ENI_POOL_QUEUE_URL: url, ENI_POOL_HEALTH_PORT: '70000' }, 'ENI_POOL_HEALTH_PORT'],
    [{ ENI_POOL_QUEUE_URL: url, ENI_POOL_PLACEMENT: 'rack' }, 'ENI_POOL_PLACEMENT'],
    [{ ENI_POOL_QUEUE_URL: url, ENI_POOL_STALL_TIMEOUT_MS: '20000' }, 'ENI_POOL_STALL_TIMEOUT_MS'],
  ])('rejects %o naming %s', (env, setting) => {
    const error = failure([], env);
    expect(error.setting).toBe(setting);
    expect(error.message).toContain(setting);
  });

  it('rejects unknown flags and answers --help', () => {
    expect(failure(['--queue', url]).message).toMatch(/Unknown option '--queue'/);
    expect(readCliConfig(['--help'], {})).toEqual({ help: true });
    for (const setting of SETTINGS) {
      expect(usage()).toContain(`--${setting.flag}`);
      expect(usage()).toContain(setting.env);
    }
  });
});

describe('optionsFromConfig', () => {
  const maxAhead = (argv: string[], env: Record<string, string> = {}) =>
    optionsFromConfig(config(argv, { ENI_POOL_QUEUE_URL: url, ...env }), silentLogger).managerOptions
      ?.attachPacing;

  it('paces as the only worker unless told how many other replicas attach', () => {
    expect(maxAhead([])).toEqual({ maxAhead: 0 });
    expect(maxAhead([], { ENI_POOL_PACING_MAX_AHEAD: '40' })).toEqual({ maxAhead: 40 });
    expect(maxAhead(['--pacing-max-ahead', '20'], { ENI_POOL_PACING_MAX_AHEAD: '40' })).toEqual({
      maxAhead: 20,
    });
    expect(failure(['--pacing-max-ahead=-3'], { ENI_POOL_QUEUE_URL: url }).message).toMatch(
      /ENI_POOL_PACING_MAX_AHEAD must be between 0 and 10000/,
    );
  });
});
