import { afterEach, describe, expect, it } from 'vitest';
import { Ec2Throttle, FaultInjector } from '../../src/ec2/controls';
import type { Ec2Model, WorldSnapshot } from '../../src/ec2/model';
import type { InstanceSnapshot, InterfaceSnapshot } from '../../src/ec2/views';
import { SeededRandom } from '../../src/random';
import { AwsSim } from '../../src/sim';
import { DEFAULT_POOL_TAG_KEY, SimWorld, WorldWaitTimeoutError } from '../../src/world';

let sim: AwsSim | undefined;
afterEach(async () => sim?.stop());

async function start(): Promise<AwsSim> {
  sim = await AwsSim.start({
    delays: { launchMs: 10, attachMs: 10, detachMs: 10, terminateMs: 10, stopMs: 10 },
  });
  return sim;
}

function instance(overrides: Partial<InstanceSnapshot> = {}): InstanceSnapshot & { seq: number } {
  return {
    seq: 1,
    instanceId: 'i-00000000000000001',
    reservationId: 'r-1',
    imageId: 'ami-1',
    instanceType: 't3.micro',
    state: 'running',
    stateCode: 16,
    subnetId: 'subnet-a',
    vpcId: 'vpc-1',
    availabilityZone: 'us-east-1a',
    availabilityZoneId: 'use1-az1',
    privateIpAddress: '10.0.1.4',
    launchTime: '2026-01-01T00:00:00Z',
    tags: {},
    networkInterfaces: [],
    ...overrides,
  };
}

let eniCount = 0;
function eni(
  attachment?: { instanceId: string; deviceIndex: number; status?: 'attaching' | 'attached' | 'detaching' },
  overrides: Partial<InterfaceSnapshot> = {},
): InterfaceSnapshot & { seq: number } {
  eniCount++;
  const status = attachment?.status ?? 'attached';
  return {
    seq: 100 + eniCount,
    networkInterfaceId: `eni-${String(eniCount).padStart(17, '0')}`,
    subnetId: 'subnet-a',
    vpcId: 'vpc-1',
    availabilityZone: 'us-east-1a',
    availabilityZoneId: 'use1-az1',
    description: '',
    ownerId: '123456789012',
    status: attachment ? (status === 'attached' ? 'in-use' : status) : 'available',
    macAddress: '0e:00:00:00:00:00',
    privateIpAddress: `10.0.1.${10 + eniCount}`,
    privateDnsName: '',
    sourceDestCheck: true,
    interfaceType: 'interface',
    requesterManaged: false,
    groups: [],
    tags: {},
    ...(attachment
      ? {
          attachment: {
            attachmentId: `eni-attach-${String(eniCount).padStart(17, '0')}`,
            instanceId: attachment.instanceId,
            instanceOwnerId: '123456789012',
            deviceIndex: attachment.deviceIndex,
            networkCardIndex: 0,
            status,
            attachTime: '2026-01-01T00:00:00Z',
            deleteOnTermination: attachment.deviceIndex === 0,
          },
        }
      : {}),
    ...overrides,
  };
}

/** A world over a fixed snapshot, to show that invariants() catches states the model never produces. */
function worldOf(snapshot: Omit<WorldSnapshot, 'at'>): SimWorld {
  const model = { snapshot: () => ({ at: 0, ...snapshot }) } as unknown as Ec2Model;
  return new SimWorld(model, new Ec2Throttle(), new FaultInjector(new SeededRandom(1)));
}

describe('SimWorld.backdateAttachments', () => {
  it('moves every attach time into the past, to the second, and rejects a negative amount', async () => {
    const s = await start();
    const { subnetIds } = s.world.createNetwork({ azs: 1 });
    const [id] = s.world.launchInstances({ subnetId: subnetIds[0]!, count: 1 });
    await s.world.waitForState([id!], 'running');
    const attachTimes = () =>
      s.world
        .interfaces()
        .filter((eni) => eni.attachment !== undefined)
        .map((eni) => Date.parse(eni.attachment!.attachTime));
    const before = attachTimes();

    s.world.backdateAttachments(3_600_000);

    expect(attachTimes()).toEqual(before.map((at) => at - 3_600_000));
    expect(() => s.world.backdateAttachments(-1)).toThrow(/>= 0/);
  });
});

describe('SimWorld setup', () => {
  it('builds a VPC with one subnet per AZ and a tagged pool in two lines', async () => {
    const s = await start();
    const { vpcId, subnetIds } = s.world.createNetwork({ azs: 3 });
    const pool = s.world.createPool({ name: 'demo', subnets: subnetIds, perSubnet: 2 });
    expect(s.world.subnets().map((x) => [x.availabilityZone, x.cidrBlock, x.vpcId])).toEqual([
      ['us-east-1a', '10.0.1.0/24', vpcId],
      ['us-east-1b', '10.0.2.0/24', vpcId],
      ['us-east-1c', '10.0.3.0/24', vpcId],
    ]);
    expect(pool).toHaveLength(6);
    expect(pool.every((e) => e.tags[DEFAULT_POOL_TAG_KEY] === 'demo' && e.status === 'available')).toBe(true);
    expect(s.world.poolInterfaces('demo')).toHaveLength(6);
    expect(new Set(pool.map((e) => e.privateIpAddress)).size).toBe(6);
  });

  it('supports a custom pool tag key and explicit subnets', async () => {
    const s = await start();
    s.world.createVpc('10.1.0.0/16');
    const [subnet] = s.world.createSubnets([{ az: 'us-east-1b', cidr: '10.1.7.0/24' }]);
    s.world.createPool({ name: 'db', subnets: [subnet!], tagKey: 'pool' });
    expect(s.world.poolInterfaces('db', 'pool')[0]!.privateIpAddress).toBe('10.1.7.4');
  });

  it('rejects a subnet outside the region and a bad CIDR with a typed error', async () => {
    const s = await start();
    s.world.createVpc();
    expect(() => s.world.createSubnets([{ az: 'eu-west-1a', cidr: '10.0.1.0/24' }])).toThrow(/not in region/);
    expect(() => s.world.createSubnets([{ az: 'us-east-1a', cidr: '10.0.1.0' }])).toThrow(/Invalid CIDR/);
  });

  it('keeps instances and attachments consistent through a replacement', async () => {
    const s = await start();
    const { subnetIds } = s.world.createNetwork({ azs: 1 });
    const [pooled] = s.world.createPool({ name: 'web', subnets: subnetIds });
    const [old] = s.world.launchInstances({
      subnetId: subnetIds[0]!,
      tags: { [DEFAULT_POOL_TAG_KEY]: 'web' },
    });
    await s.world.waitForState([old!], 'running');
    s.ec2.attachNetworkInterface({
      networkInterfaceId: pooled!.networkInterfaceId,
      instanceId: old!,
      deviceIndex: 1,
    });
    await s.world.waitForSettled();
    expect(s.world.attachmentsOf(old!).map((a) => [a.deviceIndex, a.status])).toEqual([
      [0, 'attached'],
      [1, 'attached'],
    ]);
    s.world.terminateInstances([old!]);
    const [successor] = s.world.launchInstances({
      subnetId: subnetIds[0]!,
      tags: { [DEFAULT_POOL_TAG_KEY]: 'web' },
    });
    await s.world.waitForState([old!], 'terminated');
    await s.world.waitForState([successor!], 'running');
    s.ec2.attachNetworkInterface({
      networkInterfaceId: pooled!.networkInterfaceId,
      instanceId: successor!,
      deviceIndex: 1,
    });
    await s.world.waitForSettled();
    expect(s.world.attachmentsOf(old!)).toEqual([]);
    expect(s.world.interface(pooled!.networkInterfaceId)!.attachment!.instanceId).toBe(successor);
    expect(s.world.invariants()).toEqual([]);
  });

  it('seeds the demo world: 3 subnets in 3 AZs, one pool interface each, 3 tagged group instances', async () => {
    const s = await start();
    const demo = s.seedDemo();
    expect(demo.subnetIds).toHaveLength(3);
    expect(
      s.world
        .poolInterfaces('demo')
        .map((e) => e.availabilityZone)
        .sort(),
    ).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    await s.world.waitFor('3 running demo instances', () => {
      const running = s.world.instances().filter((i) => i.state === 'running');
      return running.length === 3 && running.every((i) => i.tags[DEFAULT_POOL_TAG_KEY] === 'demo');
    });
    expect(new Set(s.world.instances().map((i) => i.subnetId))).toEqual(new Set(demo.subnetIds));
  });

  it('bounds its waits with WorldWaitTimeoutError', async () => {
    const s = await start();
    const { subnetIds } = s.world.createNetwork({ azs: 1 });
    const [id] = s.world.launchInstances({ subnetId: subnetIds[0]! });
    await expect(s.world.waitForState([id!], 'stopped', { timeoutMs: 50 })).rejects.toBeInstanceOf(
      WorldWaitTimeoutError,
    );
  });
});

describe('SimWorld.invariants', () => {
  it('is empty for a sound world', () => {
    const i = instance();
    expect(
      worldOf({
        instances: [i],
        interfaces: [eni({ instanceId: i.instanceId, deviceIndex: 0 })],
      }).invariants(),
    ).toEqual([]);
  });

  it('reports two interfaces at one device index of an instance', () => {
    const i = instance({ instanceType: 't3.small' });
    const violations = worldOf({
      instances: [i],
      interfaces: [
        eni({ instanceId: i.instanceId, deviceIndex: 0 }),
        eni({ instanceId: i.instanceId, deviceIndex: 1 }),
        eni({ instanceId: i.instanceId, deviceIndex: 1 }),
      ],
    }).invariants();
    expect(violations).toEqual([expect.stringMatching(/card 0 index 1 holds both/)]);
  });

  it('reports an interface whose status disagrees with its attachment', () => {
    const i = instance();
    const bad = eni({ instanceId: i.instanceId, deviceIndex: 1, status: 'attaching' }, { status: 'in-use' });
    const violations = worldOf({
      instances: [i],
      interfaces: [eni({ instanceId: i.instanceId, deviceIndex: 0 }), bad],
    }).invariants();
    expect(violations).toEqual([`${bad.networkInterfaceId} is 'in-use' but its attachment is 'attaching'`]);
  });

  it('reports a terminated instance that still holds an interface, and one over its type limit', () => {
    const dead = instance({ instanceId: 'i-00000000000000002', state: 'terminated', stateCode: 48 });
    const busy = instance();
    const violations = worldOf({
      instances: [dead, busy],
      interfaces: [
        eni({ instanceId: dead.instanceId, deviceIndex: 1 }),
        ...[0, 1, 2].map((d) => eni({ instanceId: busy.instanceId, deviceIndex: d })),
      ],
    }).invariants();
    expect(violations).toEqual([
      expect.stringMatching(/^terminated instance i-00000000000000002 still holds/),
      expect.stringMatching(/holds 3 interfaces, over the t3.micro limit of 2/),
    ]);
  });

  it('reports an attachment across AZs and a running instance without a primary', () => {
    const i = instance();
    const violations = worldOf({
      instances: [i],
      interfaces: [eni({ instanceId: i.instanceId, deviceIndex: 1 }, { availabilityZone: 'us-east-1b' })],
    }).invariants();
    expect(violations).toHaveLength(2);
    expect(violations[0]).toMatch(/us-east-1b\) is attached to i-00000000000000001 in us-east-1a/);
    expect(violations[1]).toMatch(/has no primary interface/);
  });
});
