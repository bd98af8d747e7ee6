import {
  AttachNetworkInterfaceCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsSimError } from '../../src/ec2/errors';
import type { AwsSim } from '../../src/sim';
import { rejectionOf, runningInstance, startEc2Sim } from '../helpers/ec2-sim';

const POOL = 'network-interface-manager-pool';

let sim: AwsSim;
let ec2: EC2Client;
let subnetA: string;

beforeEach(async () => {
  ({ sim, ec2, subnetA } = await startEc2Sim());
});
afterEach(async () => sim.stop());

function poolInterface(): string {
  return sim.world.createPool({ name: 'web', subnets: [subnetA] })[0]!.networkInterfaceId;
}

function attach(instanceId: string, networkInterfaceId: string, dryRun = false) {
  return ec2.send(
    new AttachNetworkInterfaceCommand({
      InstanceId: instanceId,
      NetworkInterfaceId: networkInterfaceId,
      DeviceIndex: 1,
      NetworkCardIndex: 0,
      DryRun: dryRun,
    }),
  );
}

async function attached(instanceId: string, eni: string): Promise<string> {
  const { AttachmentId } = await attach(instanceId, eni);
  await sim.world.waitForSettled();
  return AttachmentId!;
}

describe('DryRun on AttachNetworkInterface and DetachNetworkInterface', () => {
  it('answers DryRunOperation (HTTP 412) to an authorized attach and changes nothing', async () => {
    const eni = poolInterface();
    const instanceId = await runningInstance(sim, subnetA, { tags: { [POOL]: 'web' } });
    const error = await rejectionOf(attach(instanceId, eni, true));
    expect(error.name).toBe('DryRunOperation');
    expect(error.message).toBe('Request would have succeeded, but DryRun flag is set.');
    expect(error.$metadata?.httpStatusCode).toBe(412);
    expect(sim.world.interface(eni)!.status).toBe('available');
    expect(sim.calls.count('AttachNetworkInterface', 'DryRunOperation')).toBe(1);
  });

  it('checks permission only: a dry run on an interface already in use still answers DryRunOperation', async () => {
    const eni = poolInterface();
    const first = await runningInstance(sim, subnetA, { tags: { [POOL]: 'web' } });
    const second = await runningInstance(sim, subnetA, { tags: { [POOL]: 'web' } });
    await attached(first, eni);
    expect((await rejectionOf(attach(second, eni, true))).name).toBe('DryRunOperation');
    expect((await rejectionOf(attach(second, eni))).name).toBe('InvalidNetworkInterface.InUse');
  });

  it('still refuses unknown resources in a dry run', async () => {
    const instanceId = await runningInstance(sim, subnetA);
    expect((await rejectionOf(attach(instanceId, 'eni-0123456789abcdef0', true))).name).toBe(
      'InvalidNetworkInterfaceID.NotFound',
    );
  });

  it('answers DryRunOperation to an authorized detach and leaves the attachment in place', async () => {
    const eni = poolInterface();
    const instanceId = await runningInstance(sim, subnetA, { tags: { [POOL]: 'web' } });
    const attachmentId = await attached(instanceId, eni);
    const error = await rejectionOf(
      ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId, DryRun: true })),
    );
    expect(error.name).toBe('DryRunOperation');
    expect(sim.world.interface(eni)!.attachment?.status).toBe('attached');
  });
});

describe('permissions (a stand-in for the caller IAM policy)', () => {
  it('refuses an attach on an untagged instance with UnauthorizedOperation (HTTP 403) when the pool tag is required', async () => {
    sim.world.permissions({
      principalArn: 'arn:aws:sts::123456789012:assumed-role/ops/cli',
      actions: { AttachNetworkInterface: { requireTagKey: POOL } },
    });
    const eni = poolInterface();
    const untagged = await runningInstance(sim, subnetA);
    for (const dryRun of [true, false]) {
      const error = await rejectionOf(attach(untagged, eni, dryRun));
      expect(error.name).toBe('UnauthorizedOperation');
      expect(error.$metadata?.httpStatusCode).toBe(403);
      expect(error.message).toMatch(
        new RegExp(
          `^You are not authorized to perform this operation\\. User: arn:aws:sts::123456789012:assumed-role/ops/cli is not authorized to perform: ec2:AttachNetworkInterface on resource: arn:aws:ec2:us-east-1:123456789012:instance/${untagged} because no identity-based policy allows the ec2:AttachNetworkInterface action\\. Encoded authorization failure message: \\S+$`,
        ),
      );
    }
    expect(sim.world.interface(eni)!.status).toBe('available');
    const tagged = await runningInstance(sim, subnetA, { tags: { [POOL]: 'web' } });
    expect((await rejectionOf(attach(tagged, eni, true))).name).toBe('DryRunOperation');
  });

  it('names the interface when it is the resource without the tag', async () => {
    sim.world.permissions({ actions: { AttachNetworkInterface: { requireTagKey: POOL } } });
    const instanceId = await runningInstance(sim, subnetA, { tags: { [POOL]: 'web' } });
    const eni = sim.world.createInterface({ subnetId: subnetA }).networkInterfaceId;
    const error = await rejectionOf(attach(instanceId, eni, true));
    expect(error.name).toBe('UnauthorizedOperation');
    expect(error.message).toContain(
      `on resource: arn:aws:ec2:us-east-1:123456789012:network-interface/${eni}`,
    );
    expect(error.message).toContain('User: arn:aws:iam::123456789012:user/aws-sim');
  });

  it('denies detach outright with "deny", dry run or not, and allows it again once the policy is removed', async () => {
    const eni = poolInterface();
    const instanceId = await runningInstance(sim, subnetA, { tags: { [POOL]: 'web' } });
    const attachmentId = await attached(instanceId, eni);
    sim.world.permissions({ actions: { DetachNetworkInterface: 'deny' } });
    for (const DryRun of [true, false]) {
      const error = await rejectionOf(
        ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId, DryRun })),
      );
      expect(error.name).toBe('UnauthorizedOperation');
    }
    expect(sim.world.interface(eni)!.attachment?.status).toBe('attached');
    sim.world.permissions(undefined);
    await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId }));
    await sim.world.waitForSettled();
    expect(sim.world.interface(eni)!.status).toBe('available');
  });

  it('rejects a policy for an action it does not check, and a malformed grant', () => {
    expect(() => sim.world.permissions({ actions: { RunInstances: 'deny' } })).toThrow(AwsSimError);
    expect(() =>
      sim.world.permissions({ actions: { AttachNetworkInterface: { requireTagKey: '' } } }),
    ).toThrow(/invalid grant/);
  });
});

describe('Elastic IP associations', () => {
  it('shows an associated address in DescribeNetworkInterfaces, through attach, until disassociated', async () => {
    const eni = poolInterface();
    const association = sim.world.associateAddress(eni, '198.51.100.7');
    const instanceId = await runningInstance(sim, subnetA, { tags: { [POOL]: 'web' } });
    await attached(instanceId, eni);
    const describe = async () =>
      (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] })))
        .NetworkInterfaces![0]!.Association;
    expect(await describe()).toEqual({
      PublicIp: '198.51.100.7',
      PublicDnsName: 'ec2-198-51-100-7.compute-1.amazonaws.com',
      IpOwnerId: '123456789012',
      AllocationId: association.allocationId,
      AssociationId: association.associationId,
    });
    expect(association.allocationId).toMatch(/^eipalloc-[0-9a-f]{17}$/);
    sim.world.disassociateAddress(eni);
    expect(await describe()).toBeUndefined();
  });

  it('refuses an address that is not IPv4', () => {
    const eni = poolInterface();
    expect(() => sim.world.associateAddress(eni, 'not-an-ip')).toThrow(AwsSimError);
  });
});
