import { AwsSim } from '@eni-pool/aws-sim';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHandlerFromEnvironment } from '../../src/environment';
import { POOL_TAG, STATE_CHANGE_PATTERN } from '../helpers/sim-harness';

let sim: AwsSim | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await sim?.stop();
  sim = undefined;
});

describe('the handler configured from the environment, on the simulator', { timeout: 60_000 }, () => {
  it('completes launch lifecycle actions only once each instance holds its pool interface', async () => {
    sim = await AwsSim.start({ delays: { launchMs: 20, attachMs: 15, detachMs: 15 } });
    // Exactly what a deployed function sees, plus the standard SDK endpoint variable: no code change.
    for (const [name, value] of Object.entries({
      AWS_ENDPOINT_URL: sim.endpoint,
      AWS_REGION: sim.identity.region,
      AWS_ACCESS_KEY_ID: 'AKIDSIMULATOR',
      AWS_SECRET_ACCESS_KEY: 'simulator-secret',
      ENI_POOL_LOG_LEVEL: 'silent',
      ENI_POOL_METRICS: 'disabled',
    })) {
      vi.stubEnv(name, value);
    }
    const handler = createHandlerFromEnvironment(process.env);
    const failures: unknown[] = [];
    const invoke = async (event: unknown) => {
      try {
        await handler(event);
      } catch (error) {
        failures.push(error);
        throw error;
      }
    };
    sim.events.subscribe(STATE_CHANGE_PATTERN, invoke);
    sim.events.subscribe(
      {
        source: ['aws.autoscaling'],
        'detail-type': ['EC2 Instance-launch Lifecycle Action', 'EC2 Instance-terminate Lifecycle Action'],
      },
      invoke,
    );

    const { subnetIds } = sim.world.createNetwork({ azs: 2 });
    sim.world.createPool({ name: 'web', subnets: subnetIds });
    sim.autoscaling.createGroup({
      name: 'web',
      minSize: 2,
      maxSize: 2,
      subnetIds,
      tags: [{ key: POOL_TAG, value: 'web', propagateAtLaunch: true }],
      lifecycleHooks: [
        {
          name: 'eni-pool-launch',
          transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
          heartbeatTimeout: 300,
          defaultResult: 'ABANDON',
        },
      ],
    });

    const current = sim;
    const inService = () => current.autoscaling.inServiceInstanceIds('web');
    await current.world.waitFor('two instances in service', () => inService().length === 2, {
      timeoutMs: 15_000,
    });

    for (const instanceId of inService()) {
      const held = current.world
        .interfaces()
        .filter((e) => e.attachment?.instanceId === instanceId && e.tags[POOL_TAG] === 'web');
      expect(held.map((e) => e.attachment?.status)).toEqual(['attached']);
    }
    expect(current.calls.count('CompleteLifecycleAction', 'ok')).toBe(2);
    // Completions follow attaches: the n-th completion comes after the n-th successful attach.
    const times = (action: string) =>
      current.calls.log.filter((c) => c.action === action && c.outcome === 'ok').map((c) => c.at);
    const attaches = times('AttachNetworkInterface');
    const completions = times('CompleteLifecycleAction');
    expect(attaches).toHaveLength(2);
    for (const [n, at] of completions.entries()) expect(at).toBeGreaterThanOrEqual(attaches[n]!);
    expect(current.world.invariants()).toEqual([]);
    expect(failures).toEqual([]);
  }, 60_000);
});
