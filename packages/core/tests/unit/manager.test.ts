import {
  AttachNetworkInterfaceCommand,
  CreateTagsCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  type AttachInput,
  ConfigurationError,
  createSdkEc2Port,
  EniPoolManager,
  type EniPoolManagerOptions,
  type Trigger,
} from '../../src/index';
import { FakeEc2 } from '../../src/testing';
import { inUse, nextTurn, POOL_TAG, sdkInstance, testEc2Client } from '../helpers/ec2-mock';

const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

function manager(ec2: EniPoolManagerOptions['ec2'], options: Partial<EniPoolManagerOptions> = {}) {
  return new EniPoolManager({
    ec2,
    logger: quietLogger,
    ...options,
    executor: { sleep: async () => {}, wait: { initialDelayMs: 0 }, ...options.executor },
  });
}

const stateChange = (
  instanceId: string,
  state: 'pending' | 'running' | 'stopped' | 'terminated',
): Trigger => ({
  kind: 'instance-state-change',
  instanceId,
  state,
  origin: { id: 'evt-1' },
});

/** Records every event a manager emits, by name. */
function recordEvents(target: EniPoolManager) {
  const seen: string[] = [];
  for (const name of [
    'action_started',
    'action_succeeded',
    'action_failed',
    'action_conflicted',
    'instance_unsatisfied',
    'reconcile_started',
    'reconcile_finished',
    'duplicate_released',
  ] as const) {
    target.on(name, () => seen.push(name));
  }
  return seen;
}

describe('EniPoolManager.reconcile', () => {
  it('attaches a free interface to a running member and confirms convergence by re-reading', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-1', pool: 'web' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web' });
    const target = manager(ec2);
    const events = recordEvents(target);

    const result = await target.reconcile({ kind: 'pools', pools: ['web'] });

    expect(result).toMatchObject({ converged: true, rounds: 2 });
    expect(result.outcomes.map((o) => [o.action.id, o.status])).toEqual([['attach:eni-1:i-1', 'succeeded']]);
    expect(ec2.poolInterfacesOf('i-1')).toEqual(['eni-1']);
    // Serving costs no tag; the last-instance tag is written when the interface is taken back.
    expect(ec2.mutatingCalls().map((call) => call.operation)).toEqual(['AttachNetworkInterface']);
    expect(events).toEqual([
      'reconcile_started',
      'action_started',
      'action_succeeded',
      'reconcile_started',
      'reconcile_finished',
    ]);
  });

  it('re-plans after a conflict on the first interface and succeeds with the next one', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-1', pool: 'web' });
    ec2.addInstance({ instanceId: 'i-other', pool: 'web', launchTime: '2026-11-20T00:00:00.000Z' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web' });
    ec2.addInterface({ networkInterfaceId: 'eni-2', pool: 'web' });
    // Another worker takes eni-1 for i-other just before our attach reaches EC2.
    const attach = ec2.attachNetworkInterface.bind(ec2);
    let stolen = false;
    ec2.attachNetworkInterface = async (input: AttachInput) => {
      if (!stolen && input.networkInterfaceId === 'eni-1' && input.instanceId === 'i-1') {
        stolen = true;
        await attach({ ...input, instanceId: 'i-other' });
      }
      return attach(input);
    };
    const target = manager(ec2);
    const conflicts: string[] = [];
    target.on('action_conflicted', ({ action }) => conflicts.push(action.id));

    const result = await target.reconcile({ kind: 'pools', pools: ['web'] });

    // i-other now holds eni-1 at device index 1, so the planned eni-2 for it loses too.
    expect(conflicts.sort()).toEqual(['attach:eni-1:i-1', 'attach:eni-2:i-other']);
    expect(result.converged).toBe(true);
    expect(ec2.poolInterfacesOf('i-1')).toEqual(['eni-2']);
    expect(ec2.poolInterfacesOf('i-other')).toEqual(['eni-1']);
  });

  it('releases the interface of a stopped instance back to the pool', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-1', pool: 'web', state: 'stopped' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web', attachedTo: 'i-1' });

    const result = await manager(ec2).reconcile({ kind: 'all' });

    expect(result.converged).toBe(true);
    expect(result.outcomes.map((o) => o.action.kind)).toEqual(['detach']);
    expect(ec2.getInterface('eni-1')!.attachment).toBeUndefined();
  });

  it('releases the extra interface of an instance that holds two and says so', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-1', pool: 'web' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web', attachedTo: 'i-1', deviceIndex: 1 });
    ec2.addInterface({ networkInterfaceId: 'eni-2', pool: 'web', attachedTo: 'i-1', deviceIndex: 2 });
    const target = manager(ec2);
    const released: string[] = [];
    target.on('duplicate_released', ({ instanceId, networkInterfaceId }) =>
      released.push(`${instanceId}:${networkInterfaceId}`),
    );

    const result = await target.reconcile({ kind: 'pools', pools: ['web'] });

    expect(result.converged).toBe(true);
    expect(ec2.poolInterfacesOf('i-1')).toHaveLength(1);
    expect(released).toHaveLength(1);
  });

  it('stops after maxRounds when every round loses its race, and reports no convergence', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-1', pool: 'web' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web' });
    ec2.attachNetworkInterface = async () => {
      throw inUse('eni-1');
    };

    const result = await manager(ec2, { maxRounds: 2 }).reconcile({ kind: 'all' });

    expect(result.converged).toBe(false);
    expect(result.outcomes.map((o) => o.status)).toEqual(['conflict', 'conflict']);
    expect(result.plan.actions).toHaveLength(1);
  });

  it('stops early when a round changes nothing and loses no race', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-1', pool: 'web' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web' });
    let attempts = 0;
    ec2.attachNetworkInterface = async () => {
      attempts++;
      throw Object.assign(new Error('You are not authorized'), { name: 'UnauthorizedOperation' });
    };

    const result = await manager(ec2, { maxRounds: 5 }).reconcile({ kind: 'all' });

    expect(result).toMatchObject({ converged: false, rounds: 1 });
    expect(attempts).toBe(1);
  });

  it('reports unsatisfied instances once, only for the pools in scope', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-web', pool: 'web' });
    ec2.addInstance({ instanceId: 'i-db', pool: 'db' });
    // i-db holds a web interface: it is loaded as a holder, yet its own pool is out of scope.
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web', attachedTo: 'i-db' });
    const target = manager(ec2);
    const unsatisfied: string[] = [];
    target.on('instance_unsatisfied', (u) => unsatisfied.push(`${u.pool}:${u.instanceId}:${u.reason}`));

    const result = await target.reconcile({ kind: 'pools', pools: ['web'] });

    expect(result.converged).toBe(true);
    expect(ec2.poolInterfacesOf('i-web')).toEqual(['eni-1']);
    expect(result.unsatisfied).toEqual([]);
    expect(unsatisfied).toEqual([]);
    expect(result.pools.map((p) => p.pool)).toEqual(['web']);
  });
});

describe('EniPoolManager.reconcile options', () => {
  it('hands the interface of a releasing instance that still runs to its waiting successor', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-old', pool: 'web', launchTime: '2026-10-01T00:00:00.000Z' });
    ec2.addInstance({ instanceId: 'i-new', pool: 'web', launchTime: '2026-11-26T00:00:00.000Z' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web', attachedTo: 'i-old' });

    const result = await manager(ec2).reconcile({ kind: 'pools', pools: ['web'] }, { leaving: ['i-old'] });

    expect(result.converged).toBe(true);
    expect(result.outcomes.map((o) => [o.action.id, o.status])).toEqual([
      ['detach:eni-1:i-old', 'succeeded'],
      ['attach:eni-1:i-new', 'succeeded'],
    ]);
    expect(ec2.mutatingCalls().map((call) => call.operation)).toEqual([
      'DetachNetworkInterface',
      'AttachNetworkInterface',
    ]);
    expect(result.outcomes[0]!.action).toMatchObject({ reason: 'instance-leaving' });
    expect(ec2.poolInterfacesOf('i-new')).toEqual(['eni-1']);
  });

  it('keeps the interface of that instance when it is not marked as releasing', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-old', pool: 'web', launchTime: '2026-10-01T00:00:00.000Z' });
    ec2.addInstance({ instanceId: 'i-new', pool: 'web', launchTime: '2026-11-26T00:00:00.000Z' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web', attachedTo: 'i-old' });

    const result = await manager(ec2).reconcile({ kind: 'pools', pools: ['web'] });

    expect(ec2.mutatingCalls()).toEqual([]);
    expect(result.unsatisfied.map((u) => u.instanceId)).toEqual(['i-new']);
  });

  it('starts no action once the signal is aborted', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-1', pool: 'web' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web' });
    const controller = new AbortController();
    controller.abort();

    const result = await manager(ec2).reconcile({ kind: 'all' }, { signal: controller.signal });

    expect(result.converged).toBe(false);
    expect(ec2.mutatingCalls()).toEqual([]);
  });
});

describe('two workers racing', () => {
  it('converge to exactly one interface per instance on one shared EC2', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    for (let n = 1; n <= 4; n++)
      ec2.addInstance({ instanceId: `i-${n}`, pool: 'web', launchTime: `2026-11-0${n}T00:00:00.000Z` });
    for (let n = 1; n <= 6; n++) ec2.addInterface({ networkInterfaceId: `eni-${n}`, pool: 'web' });
    const first = manager(ec2, { maxRounds: 5 });
    const second = manager(ec2, { maxRounds: 5 });
    const conflicts: string[] = [];
    for (const worker of [first, second])
      worker.on('action_conflicted', ({ action }) => conflicts.push(action.id));

    const [a, b] = await Promise.all([
      first.reconcile({ kind: 'pools', pools: ['web'] }),
      second.reconcile({ kind: 'pools', pools: ['web'] }),
    ]);

    expect(a.converged && b.converged).toBe(true);
    for (let n = 1; n <= 4; n++) expect(ec2.poolInterfacesOf(`i-${n}`)).toHaveLength(1);
    const held = [1, 2, 3, 4].flatMap((n) => ec2.poolInterfacesOf(`i-${n}`));
    expect(new Set(held).size).toBe(4);
    // Both read the same state and planned the same attaches: the loser of each was told "in use".
    expect(conflicts.length).toBeGreaterThan(0);
  });

  it('converge on the same release when an instance ended up with two interfaces', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-1', pool: 'web' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web', attachedTo: 'i-1', deviceIndex: 1 });
    ec2.addInterface({ networkInterfaceId: 'eni-2', pool: 'web', attachedTo: 'i-1', deviceIndex: 2 });

    const results = await Promise.all([
      manager(ec2).reconcile({ kind: 'all' }),
      manager(ec2).reconcile({ kind: 'all' }),
    ]);

    expect(results.every((r) => r.converged)).toBe(true);
    expect(ec2.poolInterfacesOf('i-1')).toHaveLength(1);
    const released = results.flatMap((r) => r.outcomes.map((o) => o.action.networkInterfaceId));
    expect(new Set(released).size).toBe(1);
  });
});

describe('EniPoolManager.handle', () => {
  it('reconciles the pool of an instance that started running', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-1', pool: 'web' });
    ec2.addInstance({ instanceId: 'i-2', pool: 'db' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web' });
    ec2.addInterface({ networkInterfaceId: 'eni-2', pool: 'db' });

    const result = await manager(ec2).handle(stateChange('i-1', 'running'));

    expect(result.reconcile?.scope).toEqual({ kind: 'pools', pools: ['web'] });
    expect(ec2.poolInterfacesOf('i-1')).toEqual(['eni-1']);
    expect(ec2.poolInterfacesOf('i-2')).toEqual([]);
    // The instance's own tag names its pool; the pool's members and interfaces of its zone (all that can
    // compete for an interface it can use) are read once each. Alone there, it needs no more for pacing.
    const pool = { name: `tag:${POOL_TAG}`, values: ['web'] };
    const zone = { name: 'availability-zone', values: ['us-east-1a'] };
    expect(ec2.calls.map((call) => [call.operation, call.input])).toEqual([
      ['DescribeInstances', { filters: [{ name: 'instance-id', values: ['i-1'] }], maxResults: 1000 }],
      ['DescribeInstances', { filters: [pool, zone], maxResults: 1000 }],
      ['DescribeNetworkInterfaces', { filters: [pool, zone], maxResults: 1000 }],
      [
        'AttachNetworkInterface',
        { networkInterfaceId: 'eni-1', instanceId: 'i-1', deviceIndex: 1, networkCardIndex: 0 },
      ],
    ]);
  });

  it('releases the interface of an instance whose pool tag was removed', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-1' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web', attachedTo: 'i-1' });

    const result = await manager(ec2).handle(stateChange('i-1', 'running'));

    expect(result.reconcile?.outcomes.map((o) => o.action.id)).toEqual(['detach:eni-1:i-1']);
    expect(ec2.getInterface('eni-1')!.attachment).toBeUndefined();
  });

  it('reconciles the pool of an instance in a lifecycle action', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-1', pool: 'web' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web' });

    const result = await manager(ec2).handle({
      kind: 'lifecycle-action',
      transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
      autoScalingGroupName: 'web-asg',
      lifecycleHookName: 'attach-eni',
      instanceId: 'i-1',
      source: 'eventbridge',
      from: {},
    });

    expect(result.reconcile?.converged).toBe(true);
    expect(ec2.poolInterfacesOf('i-1')).toEqual(['eni-1']);
  });

  it('reconciles every pool on a scheduled sync', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-1', pool: 'web' });
    ec2.addInstance({ instanceId: 'i-2', pool: 'db' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web' });
    ec2.addInterface({ networkInterfaceId: 'eni-2', pool: 'db' });

    const result = await manager(ec2).handle({ kind: 'scheduled-sync', origin: {} });

    expect(result.reconcile?.scope).toEqual({ kind: 'all' });
    expect(ec2.poolInterfacesOf('i-1')).toEqual(['eni-1']);
    expect(ec2.poolInterfacesOf('i-2')).toEqual(['eni-2']);
  });

  it('skips a pending instance and a test notification without calling EC2', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-1', pool: 'web' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web' });
    const target = manager(ec2);

    const pending = await target.handle(stateChange('i-1', 'pending'));
    const test = await target.handle({
      kind: 'test-notification',
      autoScalingGroupName: 'web-asg',
      from: {},
    });

    expect(pending).toMatchObject({ skipped: 'instance is pending' });
    expect(pending.reconcile).toBeUndefined();
    expect(test).toMatchObject({ skipped: 'test notification' });
    expect(ec2.calls).toEqual([]);
  });

  it('does nothing for an untagged instance: no mutating command, no error', async () => {
    const client = testEc2Client();
    const mock = mockClient(client);
    mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [sdkInstance('i-plain')] }] });
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    const target = manager(client);
    const events = recordEvents(target);

    const result = await target.handle(stateChange('i-plain', 'stopped'));

    expect(result).toMatchObject({ skipped: 'instance is in no pool' });
    expect(result.reconcile).toBeUndefined();
    expect(events).toEqual([]);
    expect(mock.commandCalls(AttachNetworkInterfaceCommand)).toHaveLength(0);
    expect(mock.commandCalls(DetachNetworkInterfaceCommand)).toHaveLength(0);
    expect(mock.commandCalls(CreateTagsCommand)).toHaveLength(0);
    // One describe: an untagged instance with only its primary interface can hold no pool interface.
    expect(mock.commandCalls(DescribeInstancesCommand)[0]!.args[0].input).toEqual({
      Filters: [{ Name: 'instance-id', Values: ['i-plain'] }],
      MaxResults: 1000,
    });
    expect(mock.commandCalls(DescribeNetworkInterfacesCommand)).toHaveLength(0);
  });

  it('retries a throttled describe while looking the instance up', async () => {
    const client = testEc2Client();
    const mock = mockClient(client);
    mock
      .on(DescribeInstancesCommand)
      .rejectsOnce(Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' }))
      .resolves({ Reservations: [] });
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });

    // A port that leaves retries to eni-pool (the SDK client would retry by itself).
    const port = { ...createSdkEc2Port(client), retriesTransientErrors: false };
    const result = await manager(port).handle(stateChange('i-gone', 'terminated'));

    expect(result.skipped).toBe('instance is in no pool');
    expect(mock.commandCalls(DescribeInstancesCommand)).toHaveLength(2);
  });
});

describe('EniPoolManager options', () => {
  it('writes the last-instance tag the planner is told to read when it takes an interface back', async () => {
    const ec2 = new FakeEc2({ pause: nextTurn });
    ec2.addInstance({ instanceId: 'i-1', pool: 'web', state: 'stopped' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web', attachedTo: 'i-1' });

    await manager(ec2, { planner: { lastInstanceTagKey: 'eni-pool/last' } }).reconcile({ kind: 'all' });

    expect(ec2.getInterface('eni-1')!.tags).toMatchObject({ 'eni-pool/last': 'i-1' });
  });

  it('rejects a maxRounds that is not a positive integer', () => {
    expect(() => manager(new FakeEc2(), { maxRounds: 0 })).toThrow(ConfigurationError);
  });
});
