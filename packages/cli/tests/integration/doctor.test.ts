import { AttachNetworkInterfaceCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import type { Check, DoctorReport } from '../../src/report';
import { runInProcess } from '../helpers/in-process';
import { GROUP, mutatingCalls, POOL, startWorld, TAG, type World, type WorldSpec } from '../helpers/worlds';

const SLOW = 60_000;

let world: World | undefined;
afterEach(async () => {
  await world?.sim.stop();
  world = undefined;
});

async function doctor(spec: WorldSpec, args: string[] = [], prepare?: (w: World) => Promise<void> | void) {
  world = await startWorld(spec);
  // Serve the members first, so the detach permission has an attachment to be checked with (a pool
  // without interfaces leaves them unserved, and sync says so with exit 1).
  await runInProcess(world.sim, ['sync', '--yes']);
  await prepare?.(world);
  world.sim.calls.reset();
  const result = await runInProcess(world.sim, ['doctor', '--json', ...args]);
  const report = JSON.parse(result.stdout) as DoctorReport;
  // Whatever the world, doctor changes nothing: describes and dry runs only.
  const attaches = world.sim.calls.count('AttachNetworkInterface');
  const detaches = world.sim.calls.count('DetachNetworkInterface');
  const { AttachNetworkInterface: _a, DetachNetworkInterface: _d, ...others } = mutatingCalls(world.sim);
  expect(others).toEqual({});
  expect(attaches).toBe(
    world.sim.calls.count('AttachNetworkInterface', 'DryRunOperation') +
      world.sim.calls.count('AttachNetworkInterface', 'UnauthorizedOperation'),
  );
  expect(detaches).toBe(
    world.sim.calls.count('DetachNetworkInterface', 'DryRunOperation') +
      world.sim.calls.count('DetachNetworkInterface', 'UnauthorizedOperation'),
  );
  return { code: result.code, report, checks: (id: Check['id']) => report.checks.filter((c) => c.id === id) };
}

describe('eni-pool doctor', () => {
  it(
    'passes every check on a pool set up as eni-pool needs it',
    async () => {
      const { code, report } = await doctor({ perSubnet: [1, 1] });
      expect(code).toBe(0);
      expect(report.summary).toEqual({ pass: report.checks.length, warn: 0, fail: 0 });
      expect(new Set(report.checks.map((c) => c.id))).toEqual(
        new Set([
          'pool-interfaces',
          'groups',
          'subnet-coverage',
          'capacity',
          'tag-propagation',
          'untagged-members',
          'lifecycle-hooks',
          'foreign-attachments',
          'permission-attach',
          'permission-detach',
        ]),
      );
      const hooks = report.checks.filter((c) => c.id === 'lifecycle-hooks').map((c) => c.message);
      expect(hooks).toEqual([
        'eni-pool-launch (heartbeat 300 s, default result ABANDON)',
        'eni-pool-terminate (heartbeat 180 s, default result CONTINUE)',
      ]);
    },
    SLOW,
  );

  it(
    'fails a subnet the group can launch in without a pool interface',
    async () => {
      const { code, checks } = await doctor({ perSubnet: [1], bareSubnets: 1, desired: 1, maxSize: 2 });
      expect(code).toBe(1);
      const bare = world!.subnetIds[1]!;
      expect(checks('subnet-coverage')).toContainEqual(
        expect.objectContaining({
          status: 'fail',
          subject: bare,
          message: expect.stringContaining('an instance launched there gets no address'),
          fix: expect.stringContaining(`create a network interface in ${bare}`),
        }),
      );
    },
    SLOW,
  );

  it(
    'judges coverage by zone with --placement availability-zone',
    async () => {
      const { checks } = await doctor({ perSubnet: [1, 1] }, ['--placement', 'availability-zone']);
      expect(checks('subnet-coverage').map((c) => [c.status, c.subject])).toEqual([
        ['pass', 'us-east-1a'],
        ['pass', 'us-east-1b'],
      ]);
    },
    SLOW,
  );

  it(
    'warns when the group can grow beyond its pool interfaces',
    async () => {
      const { code, checks } = await doctor({ perSubnet: [1, 1], maxSize: 4 });
      expect(code).toBe(0);
      expect(checks('capacity')).toEqual([
        expect.objectContaining({ status: 'warn', message: expect.stringContaining('for a MaxSize of 4') }),
      ]);
      expect(checks('subnet-coverage').every((c) => c.status === 'warn')).toBe(true);
    },
    SLOW,
  );

  it(
    'fails a pool without interfaces',
    async () => {
      const { code, checks } = await doctor({ perSubnet: [0, 0], desired: 1 }, ['--pool', POOL]);
      expect(code).toBe(1);
      expect(checks('pool-interfaces')).toEqual([expect.objectContaining({ status: 'fail', pool: POOL })]);
      expect(checks('permission-attach')[0]?.status).toBe('warn');
    },
    SLOW,
  );

  it(
    'fails a group that does not propagate the pool tag, and its untagged instances',
    async () => {
      const { code, checks } = await doctor({ perSubnet: [1, 1], groupTag: 'not-propagated' }, [
        '--pool',
        POOL,
      ]);
      expect(code).toBe(1);
      expect(checks('tag-propagation')).toEqual([
        expect.objectContaining({
          status: 'fail',
          message: expect.stringContaining('without PropagateAtLaunch'),
        }),
      ]);
      expect(checks('untagged-members')[0]).toMatchObject({
        status: 'fail',
        fix: expect.stringMatching(
          /^aws ec2 create-tags --resources i-\w+ i-\w+ --tags Key=network-interface-manager-pool,Value=web$/,
        ),
      });
    },
    SLOW,
  );

  it(
    'fails a group given with --group that carries no pool tag',
    async () => {
      const { code, checks } = await doctor({ perSubnet: [1, 1], groupTag: 'absent' }, [
        '--pool',
        POOL,
        '--group',
        GROUP,
      ]);
      expect(code).toBe(1);
      expect(checks('tag-propagation')[0]).toMatchObject({
        status: 'fail',
        group: GROUP,
        message: `${GROUP} does not carry the tag ${TAG}: the instances it launches are not pool members`,
      });
    },
    SLOW,
  );

  it(
    'fails a group named with --group that does not exist',
    async () => {
      const { code, checks } = await doctor({ perSubnet: [1, 1] }, ['--group', 'no-such-asg']);
      expect(code).toBe(1);
      expect(checks('groups')).toContainEqual(
        expect.objectContaining({ status: 'fail', group: 'no-such-asg' }),
      );
    },
    SLOW,
  );

  it(
    'fails a member that lost the pool tag',
    async () => {
      const { code, checks } = await doctor({ perSubnet: [1, 1] }, [], (w) => {
        w.sim.world.untag([w.members[0]!], [TAG]);
      });
      expect(code).toBe(1);
      expect(checks('untagged-members')[0]).toMatchObject({
        status: 'fail',
        message: expect.stringContaining(world!.members[0]!),
      });
    },
    SLOW,
  );

  it(
    'warns when eni-pool’s lifecycle hooks are missing, or the launch hook continues by default',
    async () => {
      const none = await doctor({ perSubnet: [1, 1], hooks: 'none' });
      expect(none.code).toBe(0);
      expect(none.checks('lifecycle-hooks').map((c) => [c.status, c.subject])).toEqual([
        ['warn', 'launch'],
        ['warn', 'terminate'],
      ]);
      await world!.sim.stop();
      const continues = await doctor({ perSubnet: [1, 1], hooks: 'launch-continue' });
      expect(continues.checks('lifecycle-hooks')[0]).toMatchObject({
        status: 'warn',
        subject: 'eni-pool-launch',
        fix: expect.stringContaining('--default-result ABANDON'),
      });
    },
    SLOW,
  );

  it(
    'finds the hooks by --hook-prefix',
    async () => {
      const { checks } = await doctor(
        { perSubnet: [1, 1], hooks: 'none' },
        ['--hook-prefix', 'acme'],
        (w) => {
          w.sim.autoscaling.putLifecycleHook(GROUP, {
            name: 'acme-attach',
            transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
            heartbeatTimeout: 120,
            defaultResult: 'ABANDON',
          });
        },
      );
      expect(checks('lifecycle-hooks').map((c) => [c.status, c.subject])).toEqual([
        ['pass', 'acme-attach'],
        ['warn', 'terminate'],
      ]);
    },
    SLOW,
  );

  it(
    'fails a pool interface that someone attached to an instance outside the pool',
    async () => {
      const { code, checks } = await doctor({ perSubnet: [2, 1] }, [], async (w) => {
        const free = w.sim.world.poolInterfaces(POOL).find((e) => e.status === 'available')!;
        const [outsider] = w.sim.world.launchInstances({
          subnetId: free.subnetId,
          tags: { Name: 'hand-made' },
        });
        await w.sim.world.waitForState([outsider!], 'running');
        const ec2 = new EC2Client({ ...w.sim.clientConfig(), maxAttempts: 1 });
        await ec2.send(
          new AttachNetworkInterfaceCommand({
            NetworkInterfaceId: free.networkInterfaceId,
            InstanceId: outsider!,
            DeviceIndex: 1,
            NetworkCardIndex: 0,
          }),
        );
        await w.sim.world.waitForSettled();
      });
      expect(code).toBe(1);
      expect(checks('foreign-attachments')).toEqual([
        expect.objectContaining({
          status: 'fail',
          message: expect.stringContaining('another manager or a person attached it outside the pool'),
          fix: expect.stringContaining('remove it first'),
        }),
      ]);
    },
    SLOW,
  );

  it(
    'fails attach and detach permissions that EC2 refuses, through DryRun',
    async () => {
      const { code, checks } = await doctor({ perSubnet: [1, 1] }, [], (w) => {
        w.sim.world.permissions({
          actions: { AttachNetworkInterface: 'deny', DetachNetworkInterface: { requireTagKey: 'owner' } },
        });
      });
      expect(code).toBe(1);
      for (const id of ['permission-attach', 'permission-detach'] as const) {
        expect(checks(id)).toEqual([
          expect.objectContaining({
            status: 'fail',
            message: expect.stringMatching(
              /is refused with the credentials this command runs with .*: You are not authorized/,
            ),
            fix: expect.stringContaining('decode-authorization-message'),
          }),
        ]);
      }
      // The pool is as sync left it: the refused dry runs changed nothing.
      for (const id of world!.members) {
        expect(world!.sim.world.attachmentsOf(id).filter((a) => a.deviceIndex === 1)).toHaveLength(1);
      }
    },
    SLOW,
  );

  it(
    'prints pass / warn / fail lines with the fix in text',
    async () => {
      world = await startWorld({ perSubnet: [1], bareSubnets: 1, desired: 1, maxSize: 2 });
      const result = await runInProcess(world.sim, ['doctor']);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(
        /^fail {2}subnet-coverage \(pool web, group web-asg\): web-asg can launch in subnet/m,
      );
      expect(result.stdout).toMatch(
        /^ {6}fix: create a network interface in subnet-\w+ and tag it network-interface-manager-pool=web/m,
      );
      expect(result.stdout).toMatch(/\d+ passed, \d+ warnings?, 1 failed\n$/);
    },
    SLOW,
  );
});
