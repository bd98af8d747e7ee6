import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ec2Throttle, FaultInjector } from '../../src/ec2/controls';
import { Ec2ApiError } from '../../src/ec2/errors';
import { Ec2Model } from '../../src/ec2/model';
import { SimWorld } from '../../src/world';

function world(seed: number) {
  const ec2 = new Ec2Model({
    seed,
    delays: { launchMs: 2, stopMs: 2, terminateMs: 2, attachMs: 1, detachMs: 1 },
    delayJitter: 1,
  });
  const w = new SimWorld(ec2, new Ec2Throttle(), new FaultInjector(ec2.rng));
  const { subnetIds } = w.createNetwork({ azs: 2 });
  const enis = w.createPool({ name: 'p', subnets: subnetIds, perSubnet: 3 }).map((e) => e.networkInterfaceId);
  return { ec2, w, subnetIds, enis };
}

const op = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('launch' as const),
      subnet: fc.nat(1),
      type: fc.constantFrom('t3.micro', 'c5.xlarge'),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('attach' as const),
      instance: fc.nat(9),
      eni: fc.nat(5),
      index: fc.integer({ min: 1, max: 3 }),
    }),
    weight: 5,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('detach' as const), eni: fc.nat(5), force: fc.boolean() }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constantFrom('stop' as const, 'start' as const, 'terminate' as const),
      instance: fc.nat(9),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 4 }) }),
    weight: 2,
  },
);

describe('Ec2Model', () => {
  it('never reaches a state EC2 forbids, whatever sequence of calls it gets', async () => {
    let attached = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 25 }), fc.nat(1000), async (ops, seed) => {
        const { ec2, w, subnetIds, enis } = world(seed);
        const instances = subnetIds.flatMap((subnetId) => w.launchInstances({ subnetId, count: 2 }));
        await w.waitForState(instances, 'running');
        try {
          for (const o of ops) {
            try {
              if (o.kind === 'launch') {
                instances.push(...w.launchInstances({ subnetId: subnetIds[o.subnet]!, type: o.type }));
              } else if (o.kind === 'attach') {
                const instanceId = instances[o.instance % Math.max(1, instances.length)];
                if (instanceId) {
                  ec2.attachNetworkInterface({
                    networkInterfaceId: enis[o.eni]!,
                    instanceId,
                    deviceIndex: o.index,
                  });
                  attached++;
                }
              } else if (o.kind === 'detach') {
                const attachment = w.interface(enis[o.eni]!)?.attachment;
                if (attachment) ec2.detachNetworkInterface(attachment.attachmentId, o.force);
              } else if (o.kind === 'wait') {
                await new Promise((r) => setTimeout(r, o.ms));
              } else {
                const instanceId = instances[o.instance % Math.max(1, instances.length)];
                if (instanceId && o.kind === 'stop') ec2.stopInstances([instanceId]);
                if (instanceId && o.kind === 'start') ec2.startInstances([instanceId]);
                if (instanceId && o.kind === 'terminate') ec2.terminateInstances([instanceId]);
              }
            } catch (error) {
              // Refusals are part of the model; anything else is a bug.
              if (!(error instanceof Ec2ApiError)) throw error;
            }
            expect(w.invariants()).toEqual([]);
          }
          await w.waitForSettled({ timeoutMs: 2000 });
          expect(w.invariants()).toEqual([]);
          // Every pool interface is either free or held by a live instance.
          for (const id of enis) {
            const eni = w.interface(id)!;
            if (eni.attachment) expect(w.instance(eni.attachment.instanceId)!.state).not.toBe('terminated');
          }
        } finally {
          ec2.dispose();
        }
      }),
      { numRuns: 40 },
    );
    // Guard against a generator that only ever produces refused calls.
    expect(attached).toBeGreaterThan(40);
  });

  it('refuses a failed attach without changing anything', () => {
    const { ec2, w, subnetIds, enis } = world(1);
    const [instanceId] = w.launchInstances({ subnetId: subnetIds[0]! });
    const before = JSON.stringify(w.interfaces());
    expect(() =>
      ec2.attachNetworkInterface({ networkInterfaceId: enis[0]!, instanceId: instanceId!, deviceIndex: 1 }),
    ).toThrow(expect.objectContaining({ code: 'IncorrectInstanceState' }));
    expect(JSON.stringify(w.interfaces())).toBe(before);
    ec2.dispose();
  });

  it('derives ids from the seed, so a seed reproduces a world', () => {
    const ids = (seed: number) => world(seed).enis;
    expect(ids(42)).toEqual(ids(42));
    expect(ids(42)).not.toEqual(ids(43));
  });

  it('rejects invalid delays with a clear error', () => {
    expect(() => new Ec2Model({ delays: { attachMs: -1 } })).toThrow('delays.attachMs must be a number >= 0');
  });
});

describe('Ec2Model.snapshot', () => {
  it('builds a fresh snapshot per call by default', () => {
    const { ec2 } = world(5);
    expect(ec2.snapshot()).not.toBe(ec2.snapshot());
    expect(ec2.snapshot()).toEqual({ ...ec2.snapshot(), at: expect.any(Number) });
  });

  it('with reuseSnapshots, reuses one frozen snapshot while nothing changes and shows every change at once', async () => {
    const ec2 = new Ec2Model({ seed: 5, delays: { launchMs: 2, attachMs: 1 }, reuseSnapshots: true });
    const w = new SimWorld(ec2, new Ec2Throttle(), new FaultInjector(ec2.rng));
    const { subnetIds } = w.createNetwork({ azs: 1 });
    const enis = w
      .createPool({ name: 'p', subnets: subnetIds, perSubnet: 1 })
      .map((e) => e.networkInterfaceId);
    const first = ec2.snapshot();
    expect(ec2.snapshot()).toBe(first);
    expect(Object.isFrozen(first.interfaces)).toBe(true);

    const [id] = w.launchInstances({ subnetId: subnetIds[0]! });
    const launched = ec2.snapshot();
    expect(launched).not.toBe(first);
    expect(launched.instances.map((i) => i.instanceId)).toContain(id);
    await w.waitForState([id!], 'running');
    expect(ec2.snapshot().instances.find((i) => i.instanceId === id)?.state).toBe('running');

    const eni = enis[0]!;
    ec2.attachNetworkInterface({ networkInterfaceId: eni, instanceId: id!, deviceIndex: 1 });
    expect(ec2.snapshot().interfaces.find((e) => e.networkInterfaceId === eni)?.status).toBe('attaching');
    w.tag([eni], { owner: 'bench' });
    expect(ec2.snapshot().interfaces.find((e) => e.networkInterfaceId === eni)?.tags.owner).toBe('bench');
    await w.waitForSettled();
    expect(ec2.snapshot().interfaces.find((e) => e.networkInterfaceId === eni)?.status).toBe('in-use');
  });
});
