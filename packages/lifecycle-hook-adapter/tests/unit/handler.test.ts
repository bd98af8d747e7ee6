import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  RecordLifecycleActionHeartbeatCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  AwsCallError,
  ConfigurationError,
  EniPoolManager,
  InvalidEventError,
  silentLogger,
  UnsupportedEventError,
} from '@eni-pool/core';
import {
  awsError,
  FakeEc2,
  instanceStateChangeEvent,
  lifecycleActionEvent,
  lifecycleNotification,
  testNotification as testNotificationMessage,
  VirtualClock,
} from '@eni-pool/core/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createLifecycleHookHandler,
  LifecycleHandlingAbortedError,
  type LifecycleHookHandlerOptions,
} from '../../src';
import { GROUP, launchAction, terminateAction, testNotification } from '../helpers/triggers';

const asMock = mockClient(AutoScalingClient);

const noActiveAction = () =>
  awsError('ValidationError', 'No active Lifecycle Action found with instance ID i-00000001');

let ec2: FakeEc2;
/** Time moves only when the handler and the fake EC2 wait, so outcomes do not depend on the machine's load. */
let clock: VirtualClock;

/** A handler on the fake EC2 and the virtual clock, with small budgets. */
function handlerFor(options: LifecycleHookHandlerOptions = {}) {
  return createLifecycleHookHandler({
    ec2,
    autoScaling: new AutoScalingClient({ region: 'us-east-1' }),
    now: clock.now,
    sleep: clock.sleep,
    managerOptions: {
      executor: {
        wait: { initialDelayMs: 2, maxDelayMs: 5, timeoutMs: 1000 },
        retry: { baseDelayMs: 1 },
        now: clock.now,
        sleep: clock.sleep,
      },
    },
    launchBudgetMs: 400,
    terminateBudgetMs: 400,
    heartbeatIntervalMs: 40,
    poll: { initialDelayMs: 5, maxDelayMs: 20 },
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    logger: silentLogger,
    ...options,
  });
}

function completions() {
  return asMock.commandCalls(CompleteLifecycleActionCommand).map((call) => call.args[0].input);
}

beforeEach(() => {
  asMock.reset();
  asMock.on(CompleteLifecycleActionCommand).resolves({});
  asMock.on(RecordLifecycleActionHeartbeatCommand).resolves({});
  asMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
  clock = new VirtualClock();
  ec2 = new FakeEc2({ settleMs: 5, timers: clock });
});

afterEach(() => {
  asMock.reset();
});

describe('createLifecycleHookHandler options', () => {
  it.each([
    [{ launchBudgetMs: 0 }, 'launchBudgetMs must be a positive integer, got 0'],
    [{ terminateBudgetMs: 1.5 }, 'terminateBudgetMs must be a positive integer, got 1.5'],
    [{ heartbeatIntervalMs: -1 }, 'heartbeatIntervalMs must be a positive integer, got -1'],
    [
      { heartbeatIntervalMs: 7_200_000 },
      'heartbeatIntervalMs must be below the longest hook HeartbeatTimeout (7200000 ms), got 7200000',
    ],
    [
      { heartbeatIntervalMs: 60_000, hookHeartbeatTimeoutMs: 90_000 },
      'heartbeatIntervalMs (60000) must be at most half of hookHeartbeatTimeoutMs (90000)',
    ],
    [
      { hookHeartbeatTimeoutMs: 10_000 },
      "hookHeartbeatTimeoutMs must be between 30000 and 7200000 (the hook's 30–7200 s), got 10000",
    ],
    [
      { resultOnFailure: 'RETRY' as never },
      "resultOnFailure must be one of 'ABANDON', 'CONTINUE', got 'RETRY'",
    ],
    [{ warmPool: 'keep' as never }, "warmPool must be one of 'skip', 'attach', got 'keep'"],
    [{ poolTagKey: ' ' }, 'poolTagKey must be a non-empty string'],
    [
      { poll: { initialDelayMs: 100, maxDelayMs: 50 } },
      'poll.maxDelayMs (50) must not be below poll.initialDelayMs (100)',
    ],
    [{ poll: { multiplier: 0.5 } }, 'poll.multiplier must be a number >= 1, got 0.5'],
    [{ retry: { maxAttempts: 0 } }, 'retry.maxAttempts must be a positive integer, got 0'],
    [{ detectTerminating: 'yes' as never }, 'detectTerminating must be true or false, got yes'],
  ] as [LifecycleHookHandlerOptions, string][])('rejects %o with a clear message', (options, message) => {
    expect(() => handlerFor(options)).toThrow(ConfigurationError);
    expect(() => handlerFor(options)).toThrow(message);
  });

  it('names the setting at fault', () => {
    try {
      handlerFor({ heartbeatIntervalMs: 0 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).setting).toBe('heartbeatIntervalMs');
    }
  });

  it('refuses a pool tag key that differs from the given manager', () => {
    const manager = new EniPoolManager({ ec2, planner: { poolTagKey: 'other-pool' } });
    expect(() => handlerFor({ manager, managerOptions: undefined })).toThrow(
      "poolTagKey 'network-interface-manager-pool' differs from the manager's planner.poolTagKey 'other-pool'",
    );
  });

  it('refuses both a manager and options to build one', () => {
    const manager = new EniPoolManager({ ec2 });
    expect(() => handlerFor({ manager })).toThrow('pass either manager or managerOptions, not both');
  });

  it('fills in the documented defaults', () => {
    const handler = createLifecycleHookHandler({ ec2, logger: silentLogger });
    expect(handler.settings).toMatchObject({
      poolTagKey: 'network-interface-manager-pool',
      launchBudgetMs: 240_000,
      terminateBudgetMs: 120_000,
      heartbeatIntervalMs: 60_000,
      resultOnFailure: 'ABANDON',
      warmPool: 'skip',
      detectTerminating: true,
    });
  });
});

describe('LifecycleHookHandler launch', () => {
  it('continues only once a pool interface is attached to the instance', async () => {
    const eni = ec2.addInterface({ pool: 'web' });
    const instance = ec2.addInstance({ pool: 'web' });
    let seenAtCompletion: ReturnType<FakeEc2['attachmentOf']>;
    asMock.on(CompleteLifecycleActionCommand).callsFake(async () => {
      seenAtCompletion = ec2.attachmentOf(instance);
      return {};
    });
    const action = launchAction(instance);

    const outcome = await handlerFor().handle(action);

    expect(outcome).toMatchObject({
      kind: 'launch',
      status: 'completed',
      result: 'CONTINUE',
      reason: 'interface-attached',
      pool: 'web',
      networkInterfaceIds: [eni],
    });
    expect(seenAtCompletion).toEqual({ networkInterfaceId: eni, status: 'attached' });
    expect(completions()).toEqual([
      {
        AutoScalingGroupName: action.autoScalingGroupName,
        LifecycleHookName: action.lifecycleHookName,
        LifecycleActionToken: action.lifecycleActionToken,
        LifecycleActionResult: 'CONTINUE',
      },
    ]);
  });

  it('completes by instance id when the action carries no token', async () => {
    ec2.addInterface({ pool: 'web' });
    const instance = ec2.addInstance({ pool: 'web' });
    const { lifecycleActionToken: _token, ...withoutToken } = launchAction(instance);

    await handlerFor().handle(withoutToken);

    expect(completions()[0]).toMatchObject({ InstanceId: instance, LifecycleActionResult: 'CONTINUE' });
    expect(completions()[0]).not.toHaveProperty('LifecycleActionToken');
  });

  it('waits for an instance that is not visible yet, then pending, until it runs', async () => {
    const eni = ec2.addInterface({ pool: 'web' });
    const instance = ec2.addInstance({ pool: 'web', hidden: true, state: 'pending' });
    ec2.failNext(
      'DescribeInstances',
      awsError('InvalidInstanceID.NotFound', `The instance ID '${instance}' does not exist`),
    );
    clock.setTimeout(() => ec2.reveal(instance), 20);
    clock.setTimeout(() => ec2.setState(instance, 'running'), 60);

    const outcome = await handlerFor().handle(launchAction(instance));

    expect(outcome).toMatchObject({ result: 'CONTINUE', networkInterfaceIds: [eni] });
    expect(ec2.calls.filter((call) => call.operation === 'DescribeInstances').length).toBeGreaterThan(2);
  });

  it('retries an attach the instance is not ready for yet', async () => {
    const eni = ec2.addInterface({ pool: 'web' });
    const instance = ec2.addInstance({ pool: 'web' });
    ec2.failNext(
      'AttachNetworkInterface',
      awsError(
        'IncorrectInstanceState',
        `The instance '${instance}' is not in a valid state for this operation`,
      ),
    );

    const outcome = await handlerFor().handle(launchAction(instance));

    expect(outcome).toMatchObject({ result: 'CONTINUE', networkInterfaceIds: [eni] });
    expect(ec2.calls.filter((call) => call.operation === 'AttachNetworkInterface')).toHaveLength(2);
  });

  it('continues an instance without the pool tag at once, without touching EC2', async () => {
    ec2.addInterface({ pool: 'web' });
    const instance = ec2.addInstance({ tags: { Name: 'unmanaged' } });

    const outcome = await handlerFor().handle(launchAction(instance));

    expect(outcome).toMatchObject({ status: 'completed', result: 'CONTINUE', reason: 'unmanaged' });
    expect(ec2.mutatingCalls()).toEqual([]);
    expect(ec2.calls.map((call) => call.operation)).toEqual(['DescribeInstances']);
  });

  it('heartbeats while the pool is exhausted, then abandons with the planner reason', async () => {
    ec2.addInterface({ pool: 'web', attachedTo: ec2.addInstance({ pool: 'web' }) });
    const extra = ec2.addInstance({ pool: 'web' });
    const handler = handlerFor({ launchBudgetMs: 200, heartbeatIntervalMs: 30 });
    const unsatisfied: unknown[] = [];
    handler.on('lifecycle_launch_unsatisfied', (event) => unsatisfied.push(event));

    const outcome = await handler.handle(launchAction(extra));

    expect(outcome).toMatchObject({
      status: 'completed',
      result: 'ABANDON',
      reason: 'budget-exhausted',
      unsatisfied: { instanceId: extra, reason: 'pool-exhausted' },
    });
    expect(outcome.heartbeats).toBeGreaterThanOrEqual(1);
    expect(asMock.commandCalls(RecordLifecycleActionHeartbeatCommand).length).toBe(outcome.heartbeats);
    expect(completions()).toEqual([expect.objectContaining({ LifecycleActionResult: 'ABANDON' })]);
    expect(unsatisfied).toEqual([
      expect.objectContaining({
        instanceId: extra,
        pool: 'web',
        unsatisfied: expect.objectContaining({ reason: 'pool-exhausted' }),
      }),
    ]);
    expect(ec2.calls.some((call) => call.operation === 'AttachNetworkInterface')).toBe(false);
  });

  it('sends the configured result when the budget runs out', async () => {
    const extra = ec2.addInstance({ pool: 'web' });

    const outcome = await handlerFor({ launchBudgetMs: 60, resultOnFailure: 'CONTINUE' }).handle(
      launchAction(extra),
    );

    expect(outcome).toMatchObject({ result: 'CONTINUE', reason: 'budget-exhausted' });
  });

  it('takes an interface that frees up while it waits', async () => {
    const holder = ec2.addInstance({ pool: 'web' });
    const eni = ec2.addInterface({ pool: 'web', attachedTo: holder });
    const waiting = ec2.addInstance({ pool: 'web' });
    clock.setTimeout(() => ec2.terminate(holder), 50);

    const outcome = await handlerFor({ launchBudgetMs: 1000 }).handle(launchAction(waiting));

    expect(outcome).toMatchObject({
      result: 'CONTINUE',
      reason: 'interface-attached',
      networkInterfaceIds: [eni],
    });
  });

  it('abandons a launch whose instance stopped before it ever ran', async () => {
    ec2.addInterface({ pool: 'web' });
    const instance = ec2.addInstance({ pool: 'web', state: 'terminated' });

    const outcome = await handlerFor().handle(launchAction(instance));

    expect(outcome).toMatchObject({ result: 'ABANDON', reason: 'instance-not-running' });
    expect(ec2.mutatingCalls()).toEqual([]);
  });
});

describe('LifecycleHookHandler warm pools', () => {
  it('continues an instance going into the warm pool without an interface', async () => {
    ec2.addInterface({ pool: 'web' });
    const instance = ec2.addInstance({ pool: 'web' });

    const outcome = await handlerFor().handle(
      launchAction(instance, { origin: 'EC2', destination: 'WarmPool' }),
    );

    expect(outcome).toMatchObject({ result: 'CONTINUE', reason: 'warm-pool' });
    expect(ec2.calls).toEqual([]);
  });

  it("attaches to an instance going into the warm pool with warmPool: 'attach'", async () => {
    const eni = ec2.addInterface({ pool: 'web' });
    const instance = ec2.addInstance({ pool: 'web' });

    const outcome = await handlerFor({ warmPool: 'attach' }).handle(
      launchAction(instance, { origin: 'EC2', destination: 'WarmPool' }),
    );

    expect(outcome).toMatchObject({
      result: 'CONTINUE',
      reason: 'interface-attached',
      networkInterfaceIds: [eni],
    });
  });

  it('attaches when a warm instance enters the group', async () => {
    const eni = ec2.addInterface({ pool: 'web' });
    const instance = ec2.addInstance({ pool: 'web' });

    const outcome = await handlerFor().handle(
      launchAction(instance, { origin: 'WarmPool', destination: 'AutoScalingGroup' }),
    );

    expect(outcome).toMatchObject({ reason: 'interface-attached', networkInterfaceIds: [eni] });
  });
});

describe('LifecycleHookHandler terminate', () => {
  it('releases the interface of a still-running instance and hands it to the waiting successor first', async () => {
    const predecessor = ec2.addInstance({ pool: 'web' });
    const eni = ec2.addInterface({ pool: 'web', attachedTo: predecessor });
    const successor = ec2.addInstance({ pool: 'web' });
    let successorAtCompletion: ReturnType<FakeEc2['attachmentOf']>;
    asMock.on(CompleteLifecycleActionCommand).callsFake(async () => {
      successorAtCompletion = ec2.attachmentOf(successor);
      return {};
    });

    const outcome = await handlerFor().handle(terminateAction(predecessor));

    expect(outcome).toMatchObject({
      kind: 'terminate',
      status: 'completed',
      result: 'CONTINUE',
      reason: 'interface-released',
      pool: 'web',
      networkInterfaceIds: [eni],
    });
    expect(ec2.attachmentOf(predecessor)).toBeUndefined();
    expect(successorAtCompletion).toEqual({ networkInterfaceId: eni, status: 'attached' });
  });

  it('does not hand the released interface back to the terminating instance on the next launch', async () => {
    const predecessor = ec2.addInstance({ pool: 'web' });
    const eni = ec2.addInterface({ pool: 'web', attachedTo: predecessor });
    const handler = handlerFor();
    await handler.handle(terminateAction(predecessor));
    const successor = ec2.addInstance({ pool: 'web' });

    const outcome = await handler.handle(launchAction(successor));

    expect(outcome).toMatchObject({ reason: 'interface-attached', networkInterfaceIds: [eni] });
    expect(ec2.attachmentOf(predecessor)).toBeUndefined();
  });

  it('makes one hand-over when the termination and the launch it replaces are handled at once', async () => {
    const predecessor = ec2.addInstance({ pool: 'web' });
    const eni = ec2.addInterface({ pool: 'web', attachedTo: predecessor });
    const successor = ec2.addInstance({ pool: 'web' });
    const handler = handlerFor();

    const [released, launched] = await Promise.all([
      handler.handle(terminateAction(predecessor)),
      handler.handle(launchAction(successor)),
    ]);

    expect(released).toMatchObject({ reason: 'interface-released', networkInterfaceIds: [eni] });
    expect(launched).toMatchObject({ reason: 'interface-attached', networkInterfaceIds: [eni] });
    const mutations = ec2.mutatingCalls().filter((call) => call.operation !== 'CreateTags');
    expect(mutations.map((call) => call.operation)).toEqual([
      'DetachNetworkInterface',
      'AttachNetworkInterface',
    ]);
  });

  it('continues at once when the instance holds no pool interface', async () => {
    const tagged = ec2.addInstance({ pool: 'web' });
    const untagged = ec2.addInstance({});
    const handler = handlerFor();

    await expect(handler.handle(terminateAction(tagged))).resolves.toMatchObject({
      result: 'CONTINUE',
      reason: 'nothing-to-release',
    });
    await expect(handler.handle(terminateAction(untagged))).resolves.toMatchObject({
      result: 'CONTINUE',
      reason: 'unmanaged',
    });
    expect(ec2.mutatingCalls()).toEqual([]);
  });

  it('continues anyway when the release does not finish within the budget', async () => {
    const predecessor = ec2.addInstance({ pool: 'web' });
    const eni = ec2.addInterface({ pool: 'web', attachedTo: predecessor });
    ec2.failAlways('DetachNetworkInterface', awsError('UnauthorizedOperation', 'You are not authorized'));
    const incomplete: unknown[] = [];
    const handler = handlerFor({ terminateBudgetMs: 80 });
    handler.on('lifecycle_release_incomplete', (event) => incomplete.push(event));

    const outcome = await handler.handle(terminateAction(predecessor));

    expect(outcome).toMatchObject({
      result: 'CONTINUE',
      reason: 'budget-exhausted',
      networkInterfaceIds: [],
    });
    expect(incomplete).toEqual([expect.objectContaining({ networkInterfaceIds: [eni] })]);
  });
});

describe('LifecycleHookHandler detectTerminating', () => {
  let members: string[] = [];
  beforeEach(() => {
    members = [];
  });

  /** A member of the group `web-asg`, tagged by Auto Scaling as it tags the instances it launches. */
  function groupMember(): string {
    const instanceId = ec2.addInstance({ pool: 'web', tags: { 'aws:autoscaling:groupName': 'web-asg' } });
    members.push(instanceId);
    return instanceId;
  }

  function terminatingInAutoScaling(...instanceIds: string[]) {
    asMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'web-asg',
          MinSize: 0,
          MaxSize: 4,
          DesiredCapacity: 2,
          DefaultCooldown: 300,
          AvailabilityZones: ['us-east-1a'],
          HealthCheckType: 'EC2',
          CreatedTime: new Date(0),
          Instances: members.map((InstanceId) => ({
            InstanceId,
            AvailabilityZone: 'us-east-1a',
            LifecycleState: instanceIds.includes(InstanceId) ? 'Terminating:Wait' : 'InService',
            HealthStatus: 'Healthy',
            ProtectedFromScaleIn: false,
          })),
        },
      ],
    });
  }

  it("takes a terminating predecessor's interface during the launch, without its terminate action", async () => {
    const predecessor = groupMember();
    const eni = ec2.addInterface({ pool: 'web', attachedTo: predecessor });
    const successor = groupMember();
    terminatingInAutoScaling(predecessor);

    const outcome = await handlerFor({ detectTerminating: true }).handle(launchAction(successor));

    expect(outcome).toMatchObject({
      result: 'CONTINUE',
      reason: 'interface-attached',
      networkInterfaceIds: [eni],
    });
    expect(asMock.commandCalls(DescribeAutoScalingGroupsCommand)[0]?.args[0].input).toMatchObject({
      AutoScalingGroupNames: ['web-asg'],
    });
    expect(ec2.attachmentOf(predecessor)).toBeUndefined();
  });

  it('keeps a terminating predecessor that already let go from taking the interface back', async () => {
    const predecessor = groupMember();
    const eni = ec2.addInterface({ pool: 'web' });
    const successor = groupMember();
    terminatingInAutoScaling(predecessor);

    const outcome = await handlerFor({ detectTerminating: true }).handle(launchAction(successor));

    expect(outcome).toMatchObject({ reason: 'interface-attached', networkInterfaceIds: [eni] });
    expect(ec2.calls.filter((call) => call.operation === 'AttachNetworkInterface')).toEqual([
      expect.objectContaining({ input: expect.objectContaining({ instanceId: successor }) }),
    ]);
  });

  it('leaves an in-service holder alone', async () => {
    const holder = groupMember();
    ec2.addInterface({ pool: 'web', attachedTo: holder });
    const extra = groupMember();
    terminatingInAutoScaling();

    const outcome = await handlerFor({ detectTerminating: true, launchBudgetMs: 60 }).handle(
      launchAction(extra),
    );

    expect(outcome).toMatchObject({ result: 'ABANDON', unsatisfied: { reason: 'pool-exhausted' } });
    expect(ec2.calls.some((call) => call.operation === 'DetachNetworkInterface')).toBe(false);
  });

  it('turns itself off when Auto Scaling refuses the describe', async () => {
    const holder = groupMember();
    ec2.addInterface({ pool: 'web', attachedTo: holder });
    const extra = groupMember();
    asMock.on(DescribeAutoScalingGroupsCommand).rejects(awsError('AccessDenied', 'not authorized', 403));

    const outcome = await handlerFor({ detectTerminating: true, launchBudgetMs: 100 }).handle(
      launchAction(extra),
    );

    expect(outcome).toMatchObject({ result: 'ABANDON', reason: 'budget-exhausted' });
    expect(asMock.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(1);
  });

  it('can be turned off', async () => {
    const predecessor = groupMember();
    ec2.addInterface({ pool: 'web', attachedTo: predecessor });
    const successor = groupMember();
    terminatingInAutoScaling(predecessor);

    const outcome = await handlerFor({ detectTerminating: false, launchBudgetMs: 60 }).handle(
      launchAction(successor),
    );

    expect(outcome).toMatchObject({ result: 'ABANDON', unsatisfied: { reason: 'pool-exhausted' } });
    expect(asMock.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(0);
  });
});

describe('LifecycleHookHandler completion protocol', () => {
  it('treats "No active Lifecycle Action found" on completion as already over, without retrying', async () => {
    ec2.addInterface({ pool: 'web' });
    const instance = ec2.addInstance({ pool: 'web' });
    asMock.on(CompleteLifecycleActionCommand).rejects(noActiveAction());

    const outcome = await handlerFor().handle(launchAction(instance));

    expect(outcome).toMatchObject({
      status: 'already-over',
      result: 'CONTINUE',
      reason: 'interface-attached',
    });
    expect(completions()).toHaveLength(1);
  });

  it('stops waiting when a heartbeat finds the action over, and completes nothing', async () => {
    ec2.addInterface({ pool: 'web', attachedTo: ec2.addInstance({ pool: 'web' }) });
    const extra = ec2.addInstance({ pool: 'web' });
    asMock.on(RecordLifecycleActionHeartbeatCommand).rejects(noActiveAction());

    const outcome = await handlerFor({ launchBudgetMs: 5000, heartbeatIntervalMs: 30 }).handle(
      launchAction(extra),
    );

    expect(outcome).toMatchObject({ status: 'already-over', reason: 'action-over' });
    expect(outcome).not.toHaveProperty('result');
    expect(completions()).toEqual([]);
    expect(asMock.commandCalls(RecordLifecycleActionHeartbeatCommand)).toHaveLength(1);
  });

  it('retries a throttled completion with backoff', async () => {
    ec2.addInterface({ pool: 'web' });
    const instance = ec2.addInstance({ pool: 'web' });
    asMock
      .on(CompleteLifecycleActionCommand)
      .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
      .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
      .resolves({});

    const outcome = await handlerFor().handle(launchAction(instance));

    expect(outcome.status).toBe('completed');
    expect(completions()).toHaveLength(3);
  });

  it('gives up on a completion after the retry budget, with a typed error', async () => {
    ec2.addInterface({ pool: 'web' });
    const instance = ec2.addInstance({ pool: 'web' });
    asMock.on(CompleteLifecycleActionCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    const failure = handlerFor({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } }).handle(
      launchAction(instance),
    );

    await expect(failure).rejects.toBeInstanceOf(AwsCallError);
    await expect(failure).rejects.toMatchObject({
      operation: 'CompleteLifecycleAction',
      code: 'Throttling',
      attempts: 3,
    });
    expect(completions()).toHaveLength(3);
  });

  it('does not retry a client error on completion', async () => {
    ec2.addInterface({ pool: 'web' });
    const instance = ec2.addInstance({ pool: 'web' });
    asMock.on(CompleteLifecycleActionCommand).rejects(awsError('AccessDenied', 'not authorized'));

    // Thrown as core's AwsCallError, whose code and cause are the AWS error.
    await expect(handlerFor().handle(launchAction(instance))).rejects.toMatchObject({
      name: 'AwsCallError',
      code: 'AccessDenied',
      attempts: 1,
    });
    expect(completions()).toHaveLength(1);
  });

  it('handles a duplicate delivery of the same action harmlessly', async () => {
    const eni = ec2.addInterface({ pool: 'web' });
    ec2.addInterface({ pool: 'web' });
    const instance = ec2.addInstance({ pool: 'web' });
    const action = launchAction(instance);
    const handler = handlerFor();
    asMock.on(CompleteLifecycleActionCommand).resolvesOnce({}).rejects(noActiveAction());

    const [first, second] = await Promise.all([handler.handle(action), handler.handle(action)]);
    const third = await handler.handle(action);

    expect([first.status, second.status].sort()).toEqual(['already-over', 'completed']);
    expect(third).toMatchObject({ status: 'already-over', networkInterfaceIds: [eni] });
    expect(ec2.attachmentOf(instance)).toEqual({ networkInterfaceId: eni, status: 'attached' });
    const attached = ec2.calls.filter((call) => call.operation === 'AttachNetworkInterface');
    expect(attached.length).toBeLessThanOrEqual(2);
  });

  it('stops on abort without completing the action', async () => {
    const extra = ec2.addInstance({ pool: 'web' });
    const controller = new AbortController();
    clock.setTimeout(() => controller.abort(), 30);

    await expect(
      handlerFor({ launchBudgetMs: 5000 }).handle(launchAction(extra), controller.signal),
    ).rejects.toBeInstanceOf(LifecycleHandlingAbortedError);
    expect(completions()).toEqual([]);
  });

  it('keeps going when an event listener throws', async () => {
    ec2.addInterface({ pool: 'web' });
    const instance = ec2.addInstance({ pool: 'web' });
    const handler = handlerFor();
    handler.on('lifecycle_action_received', () => {
      throw new Error('listener bug');
    });

    await expect(handler.handle(launchAction(instance))).resolves.toMatchObject({ status: 'completed' });
  });
});

describe('LifecycleHookHandler messages', () => {
  it('acknowledges and drops a test notification', async () => {
    const handler = handlerFor();
    const seen: unknown[] = [];
    handler.on('lifecycle_test_notification', (event) => seen.push(event));

    await expect(handler.handle(testNotification())).resolves.toMatchObject({
      kind: 'test-notification',
      status: 'acknowledged',
    });
    await expect(
      handler.handleMessage(JSON.stringify(testNotificationMessage({ autoScalingGroupName: GROUP }))),
    ).resolves.toMatchObject({
      status: 'acknowledged',
    });
    expect(seen).toHaveLength(2);
    expect(asMock.calls()).toEqual([]);
    expect(ec2.calls).toEqual([]);
  });

  it('parses and handles an EventBridge lifecycle event and a raw hook notification', async () => {
    ec2.addInterface({ pool: 'web' });
    ec2.addInterface({ pool: 'web' });
    const first = ec2.addInstance({ pool: 'web' });
    const second = ec2.addInstance({ pool: 'web' });
    const handler = handlerFor();

    await expect(handler.handleMessage(lifecycleActionEvent(launchAction(first)))).resolves.toMatchObject({
      instanceId: first,
      reason: 'interface-attached',
    });
    await expect(
      handler.handleMessage(JSON.stringify(lifecycleNotification(launchAction(second)))),
    ).resolves.toMatchObject({
      instanceId: second,
      reason: 'interface-attached',
    });
  });

  it('rejects a body that is not a lifecycle event with a typed error and no call', async () => {
    const handler = handlerFor();

    await expect(handler.handleMessage('{not json')).rejects.toBeInstanceOf(UnsupportedEventError);
    await expect(
      handler.handleMessage({
        ...lifecycleActionEvent(launchAction('i-1')),
        detail: { LifecycleTransition: 'x' },
      }),
    ).rejects.toBeInstanceOf(InvalidEventError);
    await expect(
      handler.handleMessage(
        instanceStateChangeEvent({ instanceId: 'i-0123456789abcdef0', state: 'running' }),
      ),
    ).rejects.toThrow(
      'expected an Auto Scaling lifecycle action or test notification, got instance-state-change',
    );
    expect(asMock.calls()).toEqual([]);
    expect(ec2.calls).toEqual([]);
  });
});
