import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanReport, StatusReport, SyncReport } from '../../src/report';
import { runEniPool } from '../helpers/cli-process';
import { mutatingCalls, POOL, startWorld, TAG, type World } from '../helpers/worlds';

// Each test spawns the CLI (tsx, the SDK) once or a few times; a loaded machine needs room.
const SLOW = 120_000;
// biome-ignore lint/suspicious/noControlCharactersInRegex: checks that no colour reaches a pipe.
const ANSI = /\u001b\[/;

let world: World | undefined;
afterEach(async () => {
  await world?.sim.stop();
  world = undefined;
});

function endpoint(w: World): string[] {
  return ['--endpoint-url', w.sim.endpoint];
}

describe('eni-pool status (separate process)', () => {
  it(
    'lists the interfaces and the members without one, with the reason, and exits 1 until they are served',
    async () => {
      world = await startWorld({ perSubnet: [1, 1] });
      const [first] = world.interfaceIds;
      world.sim.world.associateAddress(first!, '198.51.100.20');

      const text = await runEniPool(['status', ...endpoint(world)]);
      expect(text.code).toBe(1);
      expect(text.stderr).toBe('');
      expect(text.stdout).not.toMatch(ANSI);
      expect(text.stdout).toContain(`pool ${POOL}: 2 interfaces (2 free), 0 of 2 running members served`);
      expect(text.stdout).toMatch(
        /INTERFACE\s+PRIVATE IP\s+PUBLIC IP\s+SUBNET \/ ZONE\s+STATUS\s+HOLDER\s+LAST INSTANCE/,
      );
      expect(text.stdout).toContain('198.51.100.20');
      for (const id of world.members) expect(text.stdout).toMatch(new RegExp(`${id}.*attach-planned`));

      const json = await runEniPool(['status', '--json', ...endpoint(world)]);
      expect(json.code).toBe(1);
      const report = JSON.parse(json.stdout) as StatusReport;
      expect(report).toMatchObject({
        schemaVersion: 1,
        command: 'status',
        region: 'us-east-1',
        tagKey: TAG,
        ok: false,
      });
      expect(report.pools).toHaveLength(1);
      const pool = report.pools[0]!;
      expect(pool.interfaces.map((row) => row.networkInterfaceId).sort()).toEqual(
        [...world.interfaceIds].sort(),
      );
      expect(pool.interfaces.find((row) => row.networkInterfaceId === first)).toMatchObject({
        publicIp: '198.51.100.20',
        status: 'available',
        holder: null,
        lastInstanceId: null,
      });
      expect(pool.unserved.map((u) => u.reason)).toEqual(['attach-planned', 'attach-planned']);
      expect(mutatingCalls(world.sim)).toEqual({});
    },
    SLOW,
  );

  it(
    'shows each holder and its state and exits 0 once every member is served (AWS_ENDPOINT_URL from the environment)',
    async () => {
      world = await startWorld({ perSubnet: [1, 1] });
      const env = { AWS_ENDPOINT_URL: world.sim.endpoint };
      expect((await runEniPool(['sync', '--yes'], env)).code).toBe(0);
      const json = await runEniPool(['status', '--json', '--pool', POOL], env);
      expect(json.code).toBe(0);
      const report = JSON.parse(json.stdout) as StatusReport;
      expect(report.ok).toBe(true);
      const holders = report.pools[0]!.interfaces.map((row) => row.holder);
      expect(holders.map((h) => h?.instanceId).sort()).toEqual([...world.members].sort());
      expect(holders.every((h) => h?.state === 'running' && h.member && h.deviceIndex === 1)).toBe(true);
      // The last-instance tag is written when an interface is taken back, not when it is served.
      expect(report.pools[0]!.interfaces.map((row) => row.lastInstanceId ?? null)).toEqual([null, null]);
      expect(report.pools[0]!.unserved).toEqual([]);
    },
    SLOW,
  );
});

describe('eni-pool plan (separate process)', () => {
  it(
    'prints the actions with their reasons and makes no mutating call',
    async () => {
      world = await startWorld({ perSubnet: [1, 1] });
      const before = world.sim.world.interfaces();

      const text = await runEniPool(['plan', ...endpoint(world)]);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain('A reconcile now would make 2 changes: 2 attaches, 0 detaches.');
      for (const id of world.members) {
        expect(text.stdout).toMatch(
          new RegExp(`attach@1\\s+${POOL}\\s+eni-\\w+\\s+${id}\\s+member-without-interface`),
        );
      }

      const json = await runEniPool(['plan', '--json', ...endpoint(world)]);
      expect(json.code).toBe(1);
      const report = JSON.parse(json.stdout) as PlanReport;
      expect(report).toMatchObject({
        schemaVersion: 1,
        command: 'plan',
        ok: false,
        placement: 'subnet',
        leaving: [],
      });
      expect(report.actions.map((a) => [a.kind, a.reason, a.instanceId]).sort()).toEqual(
        world.members.map((id) => ['attach', 'member-without-interface', id]).sort(),
      );
      expect(report.pools).toEqual([
        expect.objectContaining({
          pool: POOL,
          interfaces: 2,
          freeInterfaces: 2,
          runningInstances: 2,
          attaches: 2,
        }),
      ]);

      // Read-only: describes only, and the world as it was.
      expect(mutatingCalls(world.sim)).toEqual({});
      expect(world.sim.calls.count('DescribeNetworkInterfaces')).toBeGreaterThanOrEqual(2);
      expect(world.sim.calls.count('DescribeInstances')).toBeGreaterThanOrEqual(2);
      expect(world.sim.world.interfaces()).toEqual(before);
    },
    SLOW,
  );

  it(
    'exits 0 with nothing to do once the pool has converged',
    async () => {
      world = await startWorld({ perSubnet: [1, 1] });
      expect((await runEniPool(['sync', '--yes', ...endpoint(world)])).code).toBe(0);
      const plan = await runEniPool(['plan', ...endpoint(world)]);
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain('Nothing to do: every running member holds an interface of its pool.');
    },
    SLOW,
  );
});

describe('eni-pool sync (separate process)', () => {
  it(
    'refuses to run without --yes when there is no terminal to confirm on, before any AWS call',
    async () => {
      world = await startWorld({ perSubnet: [1, 1] });
      const result = await runEniPool(['sync', ...endpoint(world)]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('sync changes attachments: pass --yes');
      expect(world.sim.calls.log).toEqual([]);
    },
    SLOW,
  );

  it(
    'attaches an interface to every member with --yes, reports progress on stderr, and a JSON summary',
    async () => {
      world = await startWorld({ perSubnet: [1, 1] });
      const result = await runEniPool(['sync', '--yes', '--progress', '--json', ...endpoint(world)]);
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/round 1: reading and planning/);
      expect(result.stderr).toMatch(/✓ attach eni-\w+ to i-\w+ at device 1/);
      const report = JSON.parse(result.stdout) as SyncReport;
      expect(report).toMatchObject({
        command: 'sync',
        ok: true,
        applied: true,
        converged: true,
        unsatisfied: [],
      });
      expect(report.outcomes.map((o) => o.status)).toEqual(['succeeded', 'succeeded']);
      for (const id of world.members) {
        expect(world.sim.world.attachmentsOf(id).filter((a) => a.deviceIndex === 1)).toHaveLength(1);
      }
      expect(world.sim.world.invariants()).toEqual([]);
    },
    SLOW,
  );

  it(
    'exits 1 and names the AWS error when an action is refused',
    async () => {
      world = await startWorld({ perSubnet: [1, 1] });
      world.sim.world.permissions({ actions: { AttachNetworkInterface: 'deny' } });
      const text = await runEniPool(['sync', '--yes', ...endpoint(world)]);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain('0 changes applied, 2 failed');
      expect(text.stdout).toMatch(
        /✗ attach eni-\w+ to i-\w+ at device 1: .*UnauthorizedOperation.*You are not authorized to perform this operation\./,
      );
      const json = await runEniPool(['sync', '--yes', '--json', ...endpoint(world)]);
      expect(json.code).toBe(1);
      const report = JSON.parse(json.stdout) as SyncReport;
      expect(report.ok).toBe(false);
      expect(
        report.outcomes.every((o) => o.status === 'failed' && o.error?.code === 'UnauthorizedOperation'),
      ).toBe(true);
    },
    SLOW,
  );
});

describe('eni-pool doctor (separate process)', () => {
  it(
    'passes a pool that is set up as eni-pool needs it, and fails one whose group does not propagate the tag',
    async () => {
      world = await startWorld({ perSubnet: [1, 1] });
      expect((await runEniPool(['sync', '--yes', ...endpoint(world)])).code).toBe(0);
      world.sim.calls.reset();
      const good = await runEniPool(['doctor', ...endpoint(world)]);
      expect(good.code).toBe(0);
      expect(good.stdout).toMatch(/^pass {2}tag-propagation \(pool web, group web-asg\)/m);
      expect(good.stdout).toMatch(/^pass {2}permission-attach/m);
      expect(good.stdout).toMatch(/^pass {2}permission-detach/m);
      expect(good.stdout).toMatch(/passed, 0 warnings, 0 failed$/m);
      // Only dry runs: EC2 answered DryRunOperation to every attach and detach doctor sent.
      expect(world.sim.calls.count('AttachNetworkInterface', 'DryRunOperation')).toBe(1);
      expect(world.sim.calls.count('DetachNetworkInterface', 'DryRunOperation')).toBe(1);
      expect(world.sim.calls.count('AttachNetworkInterface')).toBe(1);
      expect(world.sim.calls.count('DetachNetworkInterface')).toBe(1);
      await world.sim.stop();

      world = await startWorld({ perSubnet: [1, 1], groupTag: 'not-propagated' });
      const bad = await runEniPool(['doctor', '--json', '--pool', POOL, ...endpoint(world)]);
      expect(bad.code).toBe(1);
      const report = JSON.parse(bad.stdout) as {
        ok: boolean;
        checks: { id: string; status: string; fix?: string }[];
      };
      expect(report.ok).toBe(false);
      expect(report.checks.find((c) => c.id === 'tag-propagation')).toMatchObject({
        status: 'fail',
        fix: expect.stringContaining('PropagateAtLaunch=true'),
      });
      expect(report.checks.find((c) => c.id === 'untagged-members')?.status).toBe('fail');
      expect(mutatingCalls(world.sim)).toEqual({});
    },
    SLOW,
  );
});

describe('eni-pool usage (separate process)', () => {
  it(
    'prints every command in --help and exits 0',
    async () => {
      const result = await runEniPool(['--help']);
      expect(result.code).toBe(0);
      for (const command of ['status', 'plan', 'sync', 'doctor']) {
        expect(result.stdout).toContain(`eni-pool ${command} [--pool P]…`);
      }
      expect(result.stdout).toContain('Exit codes: 0 all well; 1 something to fix');
    },
    SLOW,
  );

  it(
    'exits 2 on an unknown command, a flag the command does not take, or no region',
    async () => {
      const unknown = await runEniPool(['statsu']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('unknown command "statsu"');
      const flag = await runEniPool(['plan', '--yes']);
      expect(flag.code).toBe(2);
      expect(flag.stderr).toContain('plan does not take --yes');
      const region = await runEniPool(['status'], { AWS_REGION: undefined, AWS_CONFIG_FILE: '/nonexistent' });
      expect(region.code).toBe(2);
      expect(region.stderr).toContain('no AWS region');
    },
    SLOW,
  );

  it(
    'takes the region and credentials of --profile from the shared config files',
    async () => {
      world = await startWorld({ perSubnet: [1], desired: 1 });
      const dir = mkdtempSync(join(tmpdir(), 'eni-pool-cli-'));
      writeFileSync(join(dir, 'config'), '[profile ops]\nregion = eu-west-1\n');
      writeFileSync(
        join(dir, 'credentials'),
        '[ops]\naws_access_key_id = ops\naws_secret_access_key = ops\n',
      );
      try {
        const result = await runEniPool(['status', '--json', '--profile', 'ops', ...endpoint(world)], {
          AWS_REGION: undefined,
          AWS_ACCESS_KEY_ID: undefined,
          AWS_SECRET_ACCESS_KEY: undefined,
          AWS_CONFIG_FILE: join(dir, 'config'),
          AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
        });
        expect(result.stderr).toBe('');
        expect(JSON.parse(result.stdout)).toMatchObject({ region: 'eu-west-1', command: 'status' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    SLOW,
  );

  it(
    'exits 1 with a JSON error document when AWS cannot be reached',
    async () => {
      const result = await runEniPool(['status', '--json', '--endpoint-url', 'http://127.0.0.1:9']);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as { ok: boolean; command: string; error: { code: string } };
      expect(report).toMatchObject({ ok: false, command: 'status' });
      expect(report.error.code).not.toBe('');
      expect(result.stderr).toMatch(/^eni-pool: status failed: /);
    },
    SLOW,
  );
});
