import { afterEach, describe, expect, it } from 'vitest';
import type { SyncReport } from '../../src/report';
import { runInProcess } from '../helpers/in-process';
import { mutatingCalls, startWorld, type World } from '../helpers/worlds';

const SLOW = 60_000;
// biome-ignore lint/suspicious/noControlCharactersInRegex: looks for colour codes.
const ANSI = /\u001b\[\d+m/;

let world: World | undefined;
afterEach(async () => {
  await world?.sim.stop();
  world = undefined;
});

describe('eni-pool sync on a terminal', () => {
  it(
    'shows the plan and changes nothing when the answer is no',
    async () => {
      world = await startWorld({ perSubnet: [1, 1] });
      const result = await runInProcess(world.sim, ['sync', '--json'], { tty: true, answers: 'n\n' });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('A reconcile now would make 2 changes:');
      expect(result.stderr).toContain('Apply 2 changes? [y/N]');
      const report = JSON.parse(result.stdout) as SyncReport;
      expect(report).toMatchObject({ ok: false, applied: false, outcomes: [] });
      expect(mutatingCalls(world.sim)).toEqual({});
    },
    SLOW,
  );

  it(
    'applies the changes when the answer is yes, with progress on stderr',
    async () => {
      world = await startWorld({ perSubnet: [1, 1] });
      const result = await runInProcess(world.sim, ['sync'], { tty: true, answers: 'y\n' });
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/✓.* attach eni-\w+ to i-\w+ at device 1 \(\d+ ms\)/);
      expect(result.stdout).toContain('2 changes applied, 0 failed, in 2 rounds.');
      expect(world.sim.calls.count('AttachNetworkInterface')).toBe(2);
    },
    SLOW,
  );

  it(
    'does not ask when there is nothing to change',
    async () => {
      world = await startWorld({ perSubnet: [1, 1] });
      expect((await runInProcess(world.sim, ['sync', '--yes'])).code).toBe(0);
      const result = await runInProcess(world.sim, ['sync'], { tty: true });
      expect(result.code).toBe(0);
      expect(result.stderr).not.toContain('[y/N]');
      expect(result.stdout).toContain('Nothing to do');
    },
    SLOW,
  );
});

describe('a pool asked for that does not exist', () => {
  it(
    'makes status and plan exit 1 and names it',
    async () => {
      world = await startWorld({ perSubnet: [1, 1] });
      expect((await runInProcess(world.sim, ['sync', '--yes'])).code).toBe(0);
      const status = await runInProcess(world.sim, ['status', '--pool', 'web', '--pool', 'nope', '--json']);
      expect(status.code).toBe(1);
      expect(JSON.parse(status.stdout)).toMatchObject({ ok: false, missingPools: ['nope'] });
      const plan = await runInProcess(world.sim, ['plan', '--pool', 'web', '--pool', 'nope']);
      expect(plan.code).toBe(1);
      expect(plan.stdout).toContain(
        'Not found (nothing tagged network-interface-manager-pool with it): nope',
      );
      const only = await runInProcess(world.sim, ['status', '--pool', 'nope']);
      expect(only.code).toBe(1);
      expect(only.stdout).toContain(
        'No pool found (nothing tagged network-interface-manager-pool with "nope")',
      );
    },
    SLOW,
  );
});

describe('colour', () => {
  it(
    'colours text on a terminal only, and never with NO_COLOR or in --json',
    async () => {
      world = await startWorld({ perSubnet: [1, 1] });
      expect((await runInProcess(world.sim, ['status'], { tty: true })).stdout).toMatch(ANSI);
      expect((await runInProcess(world.sim, ['status'], { tty: false })).stdout).not.toMatch(ANSI);
      expect(
        (await runInProcess(world.sim, ['status'], { tty: true, env: { NO_COLOR: '1' } })).stdout,
      ).not.toMatch(ANSI);
      const json = await runInProcess(world.sim, ['plan', '--json'], { tty: true });
      expect(json.stdout).not.toMatch(ANSI);
      expect(() => JSON.parse(json.stdout)).not.toThrow();
    },
    SLOW,
  );
});

describe('eni-pool status and plan with a member Auto Scaling is terminating', () => {
  it(
    'plans its interface back to the pool as leaving',
    async () => {
      world = await startWorld({ perSubnet: [1, 1], hooks: 'shipped' });
      expect((await runInProcess(world.sim, ['sync', '--yes'])).code).toBe(0);
      const leaving = world.members[0]!;
      world.sim.autoscaling.terminateInstanceInGroup(leaving, true);
      await world.sim.world.waitFor(
        'the terminate hook to hold the instance',
        () => world!.sim.autoscaling.describeInstance(leaving)?.lifecycleState === 'Terminating:Wait',
      );
      world.sim.calls.reset();
      const plan = JSON.parse((await runInProcess(world.sim, ['plan', '--json'])).stdout);
      expect(plan.leaving).toEqual([leaving]);
      expect(plan.actions).toEqual([
        expect.objectContaining({ kind: 'detach', instanceId: leaving, reason: 'leaving' }),
      ]);
      expect(mutatingCalls(world.sim)).toEqual({});
    },
    SLOW,
  );
});
