import {
  AttachNetworkInterfaceCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AwsSim } from '../../src/sim';
import { rejectionOf, runningInstance, startEc2Sim } from '../helpers/ec2-sim';

let sim: AwsSim;
let ec2: EC2Client;
let subnetA: string;
let subnetB: string;

beforeEach(async () => {
  ({ sim, ec2, subnetA, subnetB } = await startEc2Sim());
});
afterEach(async () => sim.stop());

function poolInterface(subnetId: string): string {
  return sim.world.createPool({ name: 'web', subnets: [subnetId] })[0]!.networkInterfaceId;
}

function attach(instanceId: string, networkInterfaceId: string, deviceIndex = 1) {
  return ec2.send(
    new AttachNetworkInterfaceCommand({
      InstanceId: instanceId,
      NetworkInterfaceId: networkInterfaceId,
      DeviceIndex: deviceIndex,
      NetworkCardIndex: 0,
    }),
  );
}

async function interfaceState(id: string) {
  const out = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }));
  const eni = out.NetworkInterfaces![0]!;
  return { status: eni.Status, attachment: eni.Attachment?.Status, instanceId: eni.Attachment?.InstanceId };
}

describe('AttachNetworkInterface', () => {
  it('goes attaching, then attached / in-use after the configured delay', async () => {
    const eni = poolInterface(subnetA);
    const instanceId = await runningInstance(sim, subnetA);
    sim.world.delays({ attachMs: 300 });
    const out = await attach(instanceId, eni);
    expect(out.AttachmentId).toMatch(/^eni-attach-[0-9a-f]{17}$/);
    expect(out.NetworkCardIndex).toBe(0);
    expect(await interfaceState(eni)).toEqual({ status: 'attaching', attachment: 'attaching', instanceId });
    await sim.world.waitForSettled();
    expect(await interfaceState(eni)).toEqual({ status: 'in-use', attachment: 'attached', instanceId });
    expect(sim.world.attachmentsOf(instanceId).map((a) => a.deviceIndex)).toEqual([0, 1]);
    expect(sim.world.invariants()).toEqual([]);
  });

  it('attaches to a stopped instance (warm attach)', async () => {
    const eni = poolInterface(subnetA);
    const instanceId = await runningInstance(sim, subnetA);
    sim.world.stopInstances([instanceId]);
    await sim.world.waitForState([instanceId], 'stopped');
    await attach(instanceId, eni);
    await sim.world.waitForSettled();
    expect((await interfaceState(eni)).status).toBe('in-use');
  });

  it('refuses an interface that is already attached: InvalidNetworkInterface.InUse', async () => {
    const eni = poolInterface(subnetA);
    const first = await runningInstance(sim, subnetA);
    const second = await runningInstance(sim, subnetA);
    await attach(first, eni);
    const err = await rejectionOf(attach(second, eni));
    expect(err.name).toBe('InvalidNetworkInterface.InUse');
    expect(err.message).toBe(`Interface: [${eni}] in use.`);
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it.each(['pending', 'stopping', 'shutting-down', 'terminated'] as const)(
    'refuses an instance that is %s: IncorrectInstanceState',
    async (state) => {
      const eni = poolInterface(subnetA);
      sim.world.delays({
        launchMs: state === 'pending' ? 2000 : 20,
        stopMs: 2000,
        terminateMs: state === 'terminated' ? 20 : 2000,
      });
      const [instanceId] = sim.world.launchInstances({ subnetId: subnetA });
      if (state !== 'pending') {
        await sim.world.waitForState([instanceId!], 'running');
        if (state === 'stopping') sim.world.stopInstances([instanceId!]);
        else sim.world.terminateInstances([instanceId!]);
        if (state === 'terminated') await sim.world.waitForState([instanceId!], 'terminated');
      }
      expect(sim.world.instance(instanceId!)?.state).toBe(state);
      const err = await rejectionOf(attach(instanceId!, eni));
      expect(err.name).toBe('IncorrectInstanceState');
      expect(sim.world.interface(eni)?.status).toBe('available');
    },
  );

  it('refuses an interface from another AZ: InvalidParameterCombination', async () => {
    const eni = poolInterface(subnetB);
    const instanceId = await runningInstance(sim, subnetA);
    const err = await rejectionOf(attach(instanceId, eni));
    expect(err.name).toBe('InvalidParameterCombination');
    expect(err.message).toBe(
      'You may not attach a network interface to an instance if they are not in the same availability zone',
    );
  });

  it('refuses a device index that is taken: InvalidParameterValue', async () => {
    const [a, b] = sim.world.createPool({ name: 'web', subnets: [subnetA], perSubnet: 2 });
    const instanceId = await runningInstance(sim, subnetA, { type: 't3.small' });
    await attach(instanceId, a!.networkInterfaceId, 1);
    const err = await rejectionOf(attach(instanceId, b!.networkInterfaceId, 1));
    expect(err.name).toBe('InvalidParameterValue');
    expect(err.message).toBe(
      `Instance '${instanceId}' already has an interface attached at device index '1'.`,
    );
    const primary = await rejectionOf(attach(instanceId, b!.networkInterfaceId, 0));
    expect(primary.name).toBe('InvalidParameterValue');
  });

  it('refuses more interfaces than the type allows: AttachmentLimitExceeded', async () => {
    const enis = sim.world.createPool({ name: 'web', subnets: [subnetA], perSubnet: 3 });
    const micro = await runningInstance(sim, subnetA, { type: 't3.micro' });
    await attach(micro, enis[0]!.networkInterfaceId, 1);
    const err = await rejectionOf(attach(micro, enis[1]!.networkInterfaceId, 2));
    expect(err.name).toBe('AttachmentLimitExceeded');
    expect(err.message).toBe('Interface count 3 exceeds the limit for t3.micro');
    const xlarge = await runningInstance(sim, subnetA, { type: 'c5.xlarge' });
    await attach(xlarge, enis[1]!.networkInterfaceId, 1);
    await attach(xlarge, enis[2]!.networkInterfaceId, 2);
    expect(sim.world.attachmentsOf(xlarge)).toHaveLength(3);
  });

  it('answers .NotFound for unknown ids and .Malformed for malformed ones', async () => {
    const eni = poolInterface(subnetA);
    const instanceId = await runningInstance(sim, subnetA);
    expect((await rejectionOf(attach('i-0123456789abcdef0', eni))).name).toBe('InvalidInstanceID.NotFound');
    expect((await rejectionOf(attach(instanceId, 'eni-0123456789abcdef0'))).name).toBe(
      'InvalidNetworkInterfaceID.NotFound',
    );
    expect((await rejectionOf(attach('instance-1', eni))).name).toBe('InvalidInstanceID.Malformed');
    expect((await rejectionOf(attach(instanceId, 'eni-xyz'))).name).toBe(
      'InvalidNetworkInterfaceId.Malformed',
    );
  });

  it('requires DeviceIndex: MissingParameter', async () => {
    const eni = poolInterface(subnetA);
    const instanceId = await runningInstance(sim, subnetA);
    const err = await rejectionOf(
      ec2.send(
        new AttachNetworkInterfaceCommand({
          InstanceId: instanceId,
          NetworkInterfaceId: eni,
        } as unknown as ConstructorParameters<typeof AttachNetworkInterfaceCommand>[0]),
      ),
    );
    expect(err.name).toBe('MissingParameter');
  });

  it('lets exactly one of many concurrent attaches of one interface win', async () => {
    const eni = poolInterface(subnetA);
    const instances = await Promise.all(Array.from({ length: 5 }, () => runningInstance(sim, subnetA)));
    const results = await Promise.allSettled(instances.map((id) => attach(id, eni)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(losers.map((r) => (r.reason as Error).name)).toEqual(
      Array(4).fill('InvalidNetworkInterface.InUse'),
    );
    expect(sim.world.invariants()).toEqual([]);
  });
});

describe('DetachNetworkInterface', () => {
  async function attachedInterface() {
    const eni = poolInterface(subnetA);
    const instanceId = await runningInstance(sim, subnetA);
    const { AttachmentId } = await attach(instanceId, eni);
    await sim.world.waitForSettled();
    return { eni, instanceId, attachmentId: AttachmentId! };
  }

  it('goes detaching, then available with the attachment gone', async () => {
    const { eni, instanceId, attachmentId } = await attachedInterface();
    sim.world.delays({ detachMs: 300 });
    const out = await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(await interfaceState(eni)).toEqual({ status: 'detaching', attachment: 'detaching', instanceId });
    await sim.world.waitForSettled();
    expect(await interfaceState(eni)).toEqual({
      status: 'available',
      attachment: undefined,
      instanceId: undefined,
    });
    expect(sim.world.invariants()).toEqual([]);
  });

  it('answers InvalidAttachmentID.NotFound once the attachment is gone', async () => {
    const { attachmentId } = await attachedInterface();
    await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId }));
    await sim.world.waitForSettled();
    const err = await rejectionOf(
      ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId })),
    );
    expect(err.name).toBe('InvalidAttachmentID.NotFound');
    expect(err.message).toBe(`The interface attachment '${attachmentId}' does not exist.`);
  });

  it('refuses an interface id given for an attachment id: InvalidNetworkInterfaceAttachmentId.Malformed', async () => {
    const { eni } = await attachedInterface();
    const err = await rejectionOf(ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: eni })));
    expect(err.name).toBe('InvalidNetworkInterfaceAttachmentId.Malformed');
  });

  it('refuses to detach the primary interface: OperationNotPermitted', async () => {
    const instanceId = await runningInstance(sim, subnetA);
    const primary = sim.world.attachmentsOf(instanceId)[0]!;
    const err = await rejectionOf(
      ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: primary.attachmentId, Force: true })),
    );
    expect(err.name).toBe('OperationNotPermitted');
    expect(err.message).toBe(
      'The network interface at device index 0 and networkCard index 0 cannot be detached.',
    );
  });

  it('accepts a second detach while the first is in progress', async () => {
    const { eni, attachmentId } = await attachedInterface();
    sim.world.delays({ detachMs: 300 });
    await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId }));
    await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId, Force: true }));
    expect(sim.world.interface(eni)?.status).toBe('detaching');
    await sim.world.waitForSettled();
    expect(sim.world.invariants()).toEqual([]);
  });

  it('frees the device index for the next attach', async () => {
    const { instanceId, attachmentId } = await attachedInterface();
    await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId }));
    await sim.world.waitForSettled();
    const next = poolInterface(subnetA);
    await attach(instanceId, next, 1);
    await sim.world.waitForSettled();
    expect(sim.world.attachmentsOf(instanceId).map((a) => a.networkInterfaceId)).toContain(next);
  });
});
