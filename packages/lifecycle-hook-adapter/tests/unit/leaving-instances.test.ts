import {
  AutoScalingClient,
  type AutoScalingGroup,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { AwsCallError, EniPoolManager, type InstanceView, silentLogger } from '@eni-pool/core';
import { awsError, FakeEc2, VirtualClock } from '@eni-pool/core/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AutoScalingLeavingInstancesOptions,
  createAutoScalingLeavingInstances,
  createLifecycleHookHandler,
  LEAVING_LIFECYCLE_STATES,
} from '../../src';
import { terminateAction } from '../helpers/triggers';

const asMock = mockClient(AutoScalingClient);

/** A running pool member; `group` adds the tag Auto Scaling puts on the instances it launches. */
function member(instanceId: string, group?: string): InstanceView {
  return {
    instanceId,
    state: 'running',
    subnetId: 'subnet-a',
    availabilityZone: 'us-east-1a',
    launchTime: '2026-11-01T00:00:00.000Z',
    tags: {
      'network-interface-manager-pool': 'web',
      ...(group ? { 'aws:autoscaling:groupName': group } : {}),
    },
    attachments: [],
  };
}

/** A group as `DescribeAutoScalingGroups` shows it, with its instances' lifecycle states. */
function group(name: string, states: Record<string, string>): AutoScalingGroup {
  return {
    AutoScalingGroupName: name,
    MinSize: 0,
    MaxSize: 10,
    DesiredCapacity: Object.keys(states).length,
    DefaultCooldown: 300,
    AvailabilityZones: ['us-east-1a'],
    HealthCheckType: 'EC2',
    CreatedTime: new Date(0),
    Instances: Object.entries(states).map(([InstanceId, LifecycleState]) => ({
      InstanceId,
      AvailabilityZone: 'us-east-1a',
      LifecycleState: LifecycleState as never,
      HealthStatus: 'Healthy',
      ProtectedFromScaleIn: false,
    })),
  };
}

function source(options: AutoScalingLeavingInstancesOptions = {}) {
  const warnings: string[] = [];
  const leaving = createAutoScalingLeavingInstances({
    autoScaling: new AutoScalingClient({ region: 'us-east-1' }),
    logger: { ...silentLogger, warn: (message) => warnings.push(message) },
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    sleep: async () => {},
    ...options,
  });
  return { leaving, warnings };
}

const describeCalls = () =>
  asMock.commandCalls(DescribeAutoScalingGroupsCommand).map((call) => call.args[0].input);

beforeEach(() => {
  asMock.reset();
});

afterEach(() => {
  asMock.reset();
});

describe('createAutoScalingLeavingInstances', () => {
  it('names the members Auto Scaling is terminating, and no others', async () => {
    const states = {
      'i-wait': 'Terminating:Wait',
      'i-terminating': 'Terminating',
      'i-proceed': 'Terminating:Proceed',
      'i-retained': 'Terminating:Retained',
      'i-in-service': 'InService',
      'i-launching': 'Pending:Wait',
      'i-standby': 'Standby',
      'i-entering-standby': 'EnteringStandby',
      'i-detaching': 'Detaching',
    };
    asMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group('web-asg', states)] });
    const { leaving } = source();

    const named = await leaving.leavingAmong(Object.keys(states).map((id) => member(id, 'web-asg')));

    expect([...named].sort()).toEqual(['i-proceed', 'i-retained', 'i-terminating', 'i-wait']);
    expect(LEAVING_LIFECYCLE_STATES).toEqual([
      'Terminating',
      'Terminating:Wait',
      'Terminating:Proceed',
      'Terminating:Retained',
    ]);
  });

  it('asks once for all the groups of the members, and only about members it was given', async () => {
    asMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        group('web-a', { 'i-1': 'Terminating:Wait', 'i-not-asked': 'Terminating:Wait' }),
        group('web-b', { 'i-2': 'InService', 'i-3': 'Terminating:Wait' }),
      ],
    });
    const { leaving } = source();

    const named = await leaving.leavingAmong([
      member('i-1', 'web-a'),
      member('i-2', 'web-b'),
      member('i-3', 'web-b'),
    ]);

    expect([...named]).toEqual(['i-1', 'i-3']);
    expect(describeCalls()).toEqual([{ AutoScalingGroupNames: ['web-a', 'web-b'], MaxRecords: 100 }]);
  });

  it('makes no call for members outside any Auto Scaling group', async () => {
    const { leaving } = source();

    expect([...(await leaving.leavingAmong([member('i-standalone')]))]).toEqual([]);
    expect(describeCalls()).toEqual([]);
  });

  it('asks 50 groups a call and follows the pages', async () => {
    const names = Array.from({ length: 51 }, (_, i) => `asg-${String(i).padStart(2, '0')}`);
    asMock
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce({ AutoScalingGroups: [group('asg-00', { 'i-00': 'InService' })], NextToken: 'page-2' })
      .resolvesOnce({ AutoScalingGroups: [group('asg-01', { 'i-01': 'Terminating:Wait' })] })
      .resolvesOnce({ AutoScalingGroups: [group('asg-50', { 'i-50': 'Terminating' })] });
    const { leaving } = source();

    const named = await leaving.leavingAmong(
      names.map((name, i) => member(`i-${String(i).padStart(2, '0')}`, name)),
    );

    expect([...named]).toEqual(['i-01', 'i-50']);
    expect(describeCalls().map((input) => [input.AutoScalingGroupNames?.length, input.NextToken])).toEqual([
      [50, undefined],
      [50, 'page-2'],
      [1, undefined],
    ]);
  });

  it('takes the lifecycle states it is given', async () => {
    asMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [group('web-asg', { 'i-standby': 'Standby', 'i-wait': 'Terminating:Wait' })],
    });
    const { leaving } = source({ leavingStates: ['Standby'] });

    const named = await leaving.leavingAmong([member('i-standby', 'web-asg'), member('i-wait', 'web-asg')]);

    expect([...named]).toEqual(['i-standby']);
  });

  it('turns itself off, with a warning, when Auto Scaling refuses the describe', async () => {
    asMock.on(DescribeAutoScalingGroupsCommand).rejects(awsError('AccessDenied', 'not authorized', 403));
    const { leaving, warnings } = source();

    expect([...(await leaving.leavingAmong([member('i-1', 'web-asg')]))]).toEqual([]);
    expect([...(await leaving.leavingAmong([member('i-1', 'web-asg')]))]).toEqual([]);

    expect(leaving.enabled).toBe(false);
    expect(describeCalls()).toHaveLength(1);
    expect(warnings).toEqual([
      'cannot read Auto Scaling lifecycle states; terminating instances are not detected',
    ]);
  });

  it('retries throttling within its budget, then rejects and stays on', async () => {
    asMock.on(DescribeAutoScalingGroupsCommand).rejects(awsError('Throttling', 'Rate exceeded', 400));
    const { leaving } = source({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });

    await expect(leaving.leavingAmong([member('i-1', 'web-asg')])).rejects.toBeInstanceOf(AwsCallError);

    expect(describeCalls()).toHaveLength(3);
    expect(leaving.enabled).toBe(true);
  });

  it('rejects, and stays on, when the call is aborted', async () => {
    const controller = new AbortController();
    asMock.on(DescribeAutoScalingGroupsCommand).callsFake(async () => {
      controller.abort();
      throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    });
    const { leaving } = source();

    await expect(leaving.leavingAmong([member('i-1', 'web-asg')], controller.signal)).rejects.toThrow(
      'Request aborted',
    );
    expect(leaving.enabled).toBe(true);
  });
});

describe('createLifecycleHookHandler and the manager it is given', () => {
  it('refuses detectTerminating with a manager that has no leaving source', () => {
    const manager = new EniPoolManager({ ec2: new FakeEc2(), logger: silentLogger });

    expect(() =>
      createLifecycleHookHandler({ manager, detectTerminating: true, logger: silentLogger }),
    ).toThrow('detectTerminating needs the manager to have a leaving source');
    expect(createLifecycleHookHandler({ manager, logger: silentLogger }).settings.detectTerminating).toBe(
      false,
    );
  });

  it('keeps an instance it released out of every reconcile of the manager for leavingTtlMs', async () => {
    const clock = new VirtualClock();
    const ec2 = new FakeEc2({ settleMs: 5, timers: clock });
    const predecessor = ec2.addInstance({ pool: 'web' });
    const eni = ec2.addInterface({ pool: 'web', attachedTo: predecessor });
    const manager = new EniPoolManager({
      ec2,
      logger: silentLogger,
      executor: {
        wait: { initialDelayMs: 2, maxDelayMs: 5, timeoutMs: 1000 },
        now: clock.now,
        sleep: clock.sleep,
      },
    });
    asMock.resolves({});
    const hooks = createLifecycleHookHandler({
      manager,
      autoScaling: new AutoScalingClient({ region: 'us-east-1' }),
      logger: silentLogger,
      leavingTtlMs: 60_000,
      heartbeatIntervalMs: 1_000,
      poll: { initialDelayMs: 5, maxDelayMs: 20 },
      now: clock.now,
      sleep: clock.sleep,
    });

    const outcome = await hooks.handle(terminateAction(predecessor));
    // A state-change or sync reconcile of the same manager, while the predecessor still runs.
    const sync = await manager.reconcile({ kind: 'all' });

    expect(outcome).toMatchObject({ reason: 'interface-released', networkInterfaceIds: [eni] });
    expect(sync.leaving).toEqual([predecessor]);
    expect(ec2.attachmentOf(predecessor)).toBeUndefined();
    expect([...manager.leavingInstances()]).toEqual([predecessor]);
  });
});
