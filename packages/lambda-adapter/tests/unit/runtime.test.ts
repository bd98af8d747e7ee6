import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ConfigurationError, EniPoolManager, silentLogger } from '@eni-pool/core';
import { LifecycleHookHandler } from '@eni-pool/lifecycle-hook-adapter';
import { describe, expect, it } from 'vitest';
import { resolveRuntime } from '../../src/runtime';
import { FakeManager } from '../helpers/fakes';

const ec2 = { region: 'us-east-1' } as const;
const autoScaling = new AutoScalingClient(ec2);

describe('resolveRuntime', () => {
  it('gives the default manager a leaving source backed by Auto Scaling', () => {
    const { manager } = resolveRuntime({ autoScaling, logger: silentLogger });

    expect(manager).toBeInstanceOf(EniPoolManager);
    expect((manager as EniPoolManager).options.leaving).toEqual(
      expect.objectContaining({ leavingAmong: expect.any(Function), enabled: true }),
    );
  });

  it('builds the default manager without one when detectTerminating is false', () => {
    const { manager } = resolveRuntime({ autoScaling, logger: silentLogger, detectTerminating: false });

    expect((manager as EniPoolManager).options.leaving).toBeUndefined();
  });

  it('rejects a detectTerminating that is not a boolean', () => {
    expect(() => resolveRuntime({ detectTerminating: 'yes' as never })).toThrow(
      'detectTerminating must be true or false, got yes',
    );
  });

  it('builds the lifecycle-hook adapter on the handler manager with lifecycle: true', () => {
    const runtime = resolveRuntime({ autoScaling, logger: silentLogger, lifecycle: true });

    expect(runtime.lifecycle).toBeInstanceOf(LifecycleHookHandler);
    expect((runtime.lifecycle as LifecycleHookHandler).manager).toBe(runtime.manager);
    expect((runtime.lifecycle as LifecycleHookHandler).settings.detectTerminating).toBe(true);
  });

  it('refuses lifecycle: true with a manager that is not an EniPoolManager', () => {
    const build = () => resolveRuntime({ manager: new FakeManager(), lifecycle: true });

    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow('lifecycle: true builds the lifecycle-hook adapter on the handler manager');
  });
});
