import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  EniPoolManager,
  type EniPoolManagerOptions,
  type InstanceView,
  type LeavingInstances,
  type ReconcileResult,
} from '../../src/index';
import { FakeEc2 } from '../../src/testing';
import { fakeClock, nextTurn } from '../helpers/ec2-mock';

const OLD = '2026-11-01T00:00:00.000Z';
const NEW = '2026-11-02T00:00:00.000Z';

function recordingLogger() {
  const warnings: { message: string; context?: Record<string, unknown> }[] = [];
  return {
    warnings,
    logger: {
      debug() {},
      info() {},
      warn: (message: string, context?: Record<string, unknown>) => warnings.push({ message, context }),
      error() {},
    },
  };
}

function manager(ec2: FakeEc2, options: Partial<EniPoolManagerOptions> = {}) {
  return new EniPoolManager({
    ec2,
    logger: recordingLogger().logger,
    ...options,
    executor: { sleep: async () => {}, wait: { initialDelayMs: 0 }, ...options.executor },
  });
}

/** A leaving source that names a fixed set and records what it was asked about. */
function leavingSource(...leaving: string[]) {
  const asked: string[][] = [];
  const source: LeavingInstances = {
    async leavingAmong(members: readonly InstanceView[]) {
      asked.push(members.map((member) => member.instanceId));
      return leaving;
    },
  };
  return { source, asked };
}

/** An old member holding the pool's only interface, and its successor waiting for it. */
function predecessorAndSuccessor() {
  const ec2 = new FakeEc2({ pause: nextTurn });
  ec2.addInstance({ instanceId: 'i-old', pool: 'web', launchTime: OLD });
  ec2.addInstance({ instanceId: 'i-new', pool: 'web', launchTime: NEW });
  ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web', attachedTo: 'i-old' });
  return ec2;
}

/** The pool's only interface is free, and an old member that already let go of it would be served first. */
function releasedInterface() {
  const ec2 = new FakeEc2({ pause: nextTurn });
  ec2.addInstance({ instanceId: 'i-old', pool: 'web', launchTime: OLD });
  ec2.addInstance({ instanceId: 'i-new', pool: 'web', launchTime: NEW });
  ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web' });
  return ec2;
}

const attachesOf = (ec2: FakeEc2) =>
  ec2.callsOf('AttachNetworkInterface').map((call) => call.input.instanceId);

describe('EniPoolManager with a leaving source', () => {
  it('releases the interface of a member the source names and hands it to the waiting successor', async () => {
    const ec2 = predecessorAndSuccessor();
    const { source, asked } = leavingSource('i-old');

    const result = await manager(ec2, { leaving: source }).reconcile({ kind: 'pools', pools: ['web'] });

    expect(result.converged).toBe(true);
    expect(result.leaving).toEqual(['i-old']);
    expect(ec2.poolInterfacesOf('i-old')).toEqual([]);
    expect(ec2.poolInterfacesOf('i-new')).toEqual(['eni-1']);
    expect(result.outcomes.map((o) => [o.action.kind, o.action.instanceId, o.status])).toEqual([
      ['detach', 'i-old', 'succeeded'],
      ['attach', 'i-new', 'succeeded'],
    ]);
    expect(asked[0]).toEqual(['i-new', 'i-old']);
  });

  it('never lets a scheduled sync give a released interface back to a leaving instance', async () => {
    const ec2 = releasedInterface();
    const { source } = leavingSource('i-old');

    const { reconcile } = await manager(ec2, { leaving: source }).handle({
      kind: 'scheduled-sync',
      origin: {},
    });

    expect(reconcile?.converged).toBe(true);
    expect(attachesOf(ec2)).toEqual(['i-new']);
    expect(ec2.poolInterfacesOf('i-new')).toEqual(['eni-1']);
  });

  it('gives the free interface to the oldest member when the source names nobody', async () => {
    const ec2 = releasedInterface();

    await manager(ec2, { leaving: leavingSource().source }).reconcile({ kind: 'all' });

    expect(attachesOf(ec2)).toEqual(['i-old']);
  });

  it('asks only about running or pending members of the reconciled pools', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-web', pool: 'web' });
    ec2.addInstance({ instanceId: 'i-pending', pool: 'web', state: 'pending' });
    ec2.addInstance({ instanceId: 'i-stopped', pool: 'web', state: 'stopped' });
    ec2.addInstance({ instanceId: 'i-api', pool: 'api' });
    ec2.addInstance({ instanceId: 'i-untagged' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web', attachedTo: 'i-web' });
    ec2.addInterface({ networkInterfaceId: 'eni-2', pool: 'web', attachedTo: 'i-untagged' });
    const { source, asked } = leavingSource();

    await manager(ec2, { leaving: source }).reconcile({ kind: 'pools', pools: ['web'] });

    expect(asked.length).toBeGreaterThan(0);
    for (const members of asked) expect(members).toEqual(['i-pending', 'i-web']);
  });

  it('does not ask when no running member is left to ask about', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-old', pool: 'web' });
    ec2.addInstance({ instanceId: 'i-stopped', pool: 'web', state: 'stopped' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web', attachedTo: 'i-old' });
    const { source, asked } = leavingSource();

    const result = await manager(ec2, { leaving: source }).reconcile({ kind: 'all' }, { leaving: ['i-old'] });

    expect(asked).toEqual([]);
    expect(result.leaving).toEqual(['i-old']);
    expect(ec2.poolInterfacesOf('i-old')).toEqual([]);
  });

  it('ignores names the source gives that are not among the members it was asked about', async () => {
    const ec2 = releasedInterface();
    const { source } = leavingSource('i-elsewhere');

    const result = await manager(ec2, { leaving: source }).reconcile({ kind: 'all' });

    expect(result.leaving).toEqual([]);
    expect(attachesOf(ec2)).toEqual(['i-old']);
  });

  it('logs a failing source and plans without its answer, still honouring the known releases', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-old', pool: 'web', launchTime: OLD });
    ec2.addInstance({ instanceId: 'i-new', pool: 'web', launchTime: NEW });
    ec2.addInstance({ instanceId: 'i-other', pool: 'web', launchTime: NEW, subnetId: 'subnet-b' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web', attachedTo: 'i-old' });
    ec2.addInterface({ networkInterfaceId: 'eni-2', pool: 'web', subnetId: 'subnet-b' });
    const { logger, warnings } = recordingLogger();
    const failing: LeavingInstances = {
      leavingAmong: async () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
      },
    };

    const result = await manager(ec2, { leaving: failing, logger }).reconcile(
      { kind: 'all' },
      { leaving: ['i-old'] },
    );

    expect(result.converged).toBe(true);
    expect(ec2.poolInterfacesOf('i-new')).toEqual(['eni-1']);
    expect(ec2.poolInterfacesOf('i-other')).toEqual(['eni-2']);
    expect(warnings).toContainEqual({
      message: 'could not tell which pool members are leaving; planning without the answer',
      context: expect.objectContaining({ error: 'Rate exceeded' }),
    });
  });

  it('stops waiting for a source that does not answer within leavingTimeoutMs', async () => {
    const ec2 = releasedInterface();
    const { logger, warnings } = recordingLogger();
    let abortedWith: unknown;
    const silent: LeavingInstances = {
      leavingAmong: (_members, signal) =>
        new Promise(() => {
          signal?.addEventListener('abort', () => {
            abortedWith = signal.reason;
          });
        }),
    };

    const result = await manager(ec2, { leaving: silent, leavingTimeoutMs: 20, logger }).reconcile({
      kind: 'all',
    });

    expect(result.converged).toBe(true);
    expect(abortedWith).toBeInstanceOf(Error);
    expect(warnings[0]?.context).toMatchObject({ error: 'no answer within leavingTimeoutMs (20 ms)' });
  });

  it.each([
    [{ leavingTimeoutMs: 0 }, 'leavingTimeoutMs must be a positive integer, got 0'],
    [{ leavingTtlMs: -1 }, 'leavingTtlMs must be a non-negative integer, got -1'],
    [{ leaving: {} as LeavingInstances }, 'leaving must have a leavingAmong(members, signal) method'],
  ] as [Partial<EniPoolManagerOptions>, string][])('rejects %o', (options, message) => {
    expect(() => manager(new FakeEc2(), options)).toThrow(ConfigurationError);
    expect(() => manager(new FakeEc2(), options)).toThrow(message);
  });
});

describe('EniPoolManager remembering released instances', () => {
  it('keeps an instance released once out of every later reconcile, whatever path asks', async () => {
    const ec2 = predecessorAndSuccessor();
    const target = manager(ec2);
    await target.reconcile({ kind: 'pools', pools: ['web'] }, { leaving: ['i-old'] });
    // The successor goes away again; a state-change reconcile must not hand the address back.
    ec2.setState('i-new', 'terminated');

    const { reconcile } = await target.handle({
      kind: 'instance-state-change',
      instanceId: 'i-new',
      state: 'terminated',
      origin: {},
    });

    expect(reconcile?.leaving).toEqual(['i-old']);
    expect(attachesOf(ec2)).toEqual(['i-new']);
    expect(ec2.poolInterfacesOf('i-old')).toEqual([]);
  });

  it('forgets a released instance after leavingTtlMs', async () => {
    const ec2 = releasedInterface();
    const clock = fakeClock(1_000);
    const target = manager(ec2, { leavingTtlMs: 60_000, executor: { now: clock.now, sleep: clock.sleep } });
    target.markLeaving(['i-old']);
    expect([...target.leavingInstances()]).toEqual(['i-old']);

    clock.advance(60_000);
    const result = await target.reconcile({ kind: 'all' });

    expect(target.leavingInstances().size).toBe(0);
    expect(result.leaving).toEqual([]);
    expect(attachesOf(ec2)).toEqual(['i-old']);
  });

  it('forgets an instance marked again for 0 ms', async () => {
    const ec2 = releasedInterface();
    const target = manager(ec2);
    target.markLeaving(['i-old']);
    target.markLeaving(['i-old'], 0);

    await target.reconcile({ kind: 'all' });

    expect(attachesOf(ec2)).toEqual(['i-old']);
  });

  it('remembers nothing beyond the call with leavingTtlMs 0', async () => {
    const ec2 = releasedInterface();
    const target = manager(ec2, { leavingTtlMs: 0 });
    await target.reconcile({ kind: 'all' }, { leaving: ['i-old'] });
    expect(attachesOf(ec2)).toEqual(['i-new']);
    ec2.setState('i-new', 'terminated');

    await target.reconcile({ kind: 'all' });

    expect(attachesOf(ec2)).toEqual(['i-new', 'i-old']);
  });
});

/** Counts reconciles in progress per manager, from its events, and the most seen at once. */
function overlapMeter(target: EniPoolManager) {
  let active = 0;
  let most = 0;
  target.on('reconcile_started', ({ round }) => {
    if (round !== 1) return;
    active++;
    most = Math.max(most, active);
  });
  target.on('reconcile_finished', () => {
    active--;
  });
  return { most: () => most };
}

describe('EniPoolManager reconciles of one pool', () => {
  it('never overlap, so concurrent requests make one hand-over without conflicts', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-1', pool: 'web', launchTime: OLD });
    ec2.addInstance({ instanceId: 'i-2', pool: 'web', launchTime: NEW, subnetId: 'subnet-b' });
    ec2.addInstance({ instanceId: 'i-3', pool: 'web', launchTime: NEW, subnetId: 'subnet-c' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web' });
    ec2.addInterface({ networkInterfaceId: 'eni-2', pool: 'web', subnetId: 'subnet-b' });
    ec2.addInterface({ networkInterfaceId: 'eni-3', pool: 'web', subnetId: 'subnet-c' });
    const target = manager(ec2);
    const meter = overlapMeter(target);
    let conflicts = 0;
    target.on('action_conflicted', () => conflicts++);

    await Promise.all([
      target.reconcile({ kind: 'pools', pools: ['web'] }),
      target.handle({ kind: 'instance-state-change', instanceId: 'i-2', state: 'running', origin: {} }),
      target.reconcile({ kind: 'all' }),
      target.reconcile({ kind: 'pools', pools: ['web'] }, { leaving: [] }),
      target.handle({ kind: 'instance-state-change', instanceId: 'i-3', state: 'running', origin: {} }),
    ]);

    expect(meter.most()).toBe(1);
    expect(conflicts).toBe(0);
    expect(attachesOf(ec2).sort()).toEqual(['i-1', 'i-2', 'i-3']);
  });

  it('runs reconciles of pools apart side by side', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-web', pool: 'web' });
    ec2.addInstance({ instanceId: 'i-api', pool: 'api' });
    ec2.addInterface({ networkInterfaceId: 'eni-web', pool: 'web' });
    ec2.addInterface({ networkInterfaceId: 'eni-api', pool: 'api' });
    const target = manager(ec2);
    const meter = overlapMeter(target);

    await Promise.all([
      target.reconcile({ kind: 'pools', pools: ['web'] }),
      target.reconcile({ kind: 'pools', pools: ['api'] }),
    ]);

    expect(meter.most()).toBe(2);
  });

  it('takes a scope of several pools whole, first come, first served', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-web', pool: 'web' });
    ec2.addInstance({ instanceId: 'i-api', pool: 'api' });
    ec2.addInterface({ networkInterfaceId: 'eni-web', pool: 'web' });
    ec2.addInterface({ networkInterfaceId: 'eni-api', pool: 'api' });
    const target = manager(ec2);
    const order: string[] = [];
    target.on('reconcile_finished', ({ scope }) =>
      order.push(scope.kind === 'all' ? 'all' : scope.pools.join('+')),
    );

    await Promise.all([
      target.reconcile({ kind: 'pools', pools: ['web'] }),
      target.reconcile({ kind: 'pools', pools: ['web', 'api'] }),
      target.reconcile({ kind: 'pools', pools: ['api'] }),
    ]);

    // `web+api` waits for `web`; `api`, asked later, waits behind `web+api` rather than overtake it.
    expect(order).toEqual(['web', 'web+api', 'api']);
  });

  it('lets requests made while a reconcile of the same scope waits share its result', async () => {
    const ec2 = releasedInterface();
    const target = manager(ec2);
    const loads: number[] = [];
    target.on('reconcile_started', ({ round }) => loads.push(round));

    const running = target.reconcile({ kind: 'pools', pools: ['web'] });
    const waiting = [
      target.reconcile({ kind: 'pools', pools: ['web'] }),
      target.reconcile({ kind: 'pools', pools: ['web'] }),
    ];
    const [first, second, third] = (await Promise.all([running, ...waiting])) as ReconcileResult[];

    expect(second).toBe(third);
    expect(first).not.toBe(second);
    expect(second?.converged).toBe(true);
    // The first attached in two rounds; the shared one only confirmed it.
    expect(loads).toEqual([1, 2, 1]);
  });

  it('answers a request aborted while it waits at once, reading but changing nothing', async () => {
    let calls = 0;
    let unblock!: () => void;
    const gate = new Promise<void>((resolve) => {
      unblock = resolve;
    });
    // The first call — the holding reconcile's first read — waits until unblocked.
    const ec2 = new FakeEc2({ pause: () => (++calls === 1 ? gate : new Promise((r) => setImmediate(r))) });
    ec2.addInstance({ instanceId: 'i-1', pool: 'web' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web' });
    const target = manager(ec2);
    const holding = target.reconcile({ kind: 'pools', pools: ['web'] });
    const controller = new AbortController();
    const waiting = target.reconcile({ kind: 'pools', pools: ['web'] }, { signal: controller.signal });

    controller.abort();
    const result = await waiting;

    expect(result.converged).toBe(false);
    expect(result.plan.actions.map((action) => action.id)).toEqual(['attach:eni-1:i-1']);
    expect(ec2.mutatingCalls()).toEqual([]);
    unblock();
    expect((await holding).converged).toBe(true);
    expect(attachesOf(ec2)).toEqual(['i-1']);
  });

  describe('a shared reconcile', () => {
    /** A reconcile of every pool finds nothing to do; just as it ends, an instance starts running. */
    function lateInstance() {
      const ec2 = new FakeEc2({ pause: nextTurn });
      ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web' });
      const target = manager(ec2);
      target.once('reconcile_finished', () => ec2.addInstance({ instanceId: 'i-late', pool: 'web' }));
      return { ec2, target, running: target.reconcile({ kind: 'all' }) };
    }

    it('goes on while one of the requests sharing it has not aborted', async () => {
      const { ec2, target, running } = lateInstance();
      const one = new AbortController();
      const shared = [
        target.reconcile({ kind: 'all' }, { signal: one.signal }),
        target.reconcile({ kind: 'all' }, { signal: new AbortController().signal }),
      ];
      one.abort();

      await running;
      const [result] = await Promise.all(shared);

      expect(result?.converged).toBe(true);
      expect(ec2.poolInterfacesOf('i-late')).toEqual(['eni-1']);
    });

    it('starts nothing once every request sharing it has aborted', async () => {
      const { ec2, target, running } = lateInstance();
      const one = new AbortController();
      const other = new AbortController();
      const shared = [
        target.reconcile({ kind: 'all' }, { signal: one.signal }),
        target.reconcile({ kind: 'all' }, { signal: other.signal }),
      ];
      one.abort();
      other.abort();

      await running;
      const [result] = await Promise.all(shared);

      expect(result?.converged).toBe(false);
      expect(result?.plan.actions.map((action) => action.id)).toEqual(['attach:eni-1:i-late']);
      expect(ec2.poolInterfacesOf('i-late')).toEqual([]);
    });
  });
});
