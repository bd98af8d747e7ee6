import {
  CompleteLifecycleActionCommand,
  CreateAutoScalingGroupCommand,
  type CreateAutoScalingGroupCommandInput,
  DeleteLifecycleHookCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeLifecycleHooksCommand,
  PutLifecycleHookCommand,
  type PutLifecycleHookCommandInput,
  RecordLifecycleActionHeartbeatCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AutoScalingModel } from '../../src/autoscaling';
import type { EventBridgeEvent } from '../../src/contracts';
import {
  type AutoScalingHarness,
  FakeFleet,
  QUEUE_ARN,
  RecordingEvents,
  RecordingQueues,
  ROLE_ARN,
  startAutoScalingHarness,
  waitFor,
} from '../helpers/autoscaling-harness';

const LAUNCHING = 'autoscaling:EC2_INSTANCE_LAUNCHING' as const;
const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';

/** The documented EventBridge lifecycle event (aws-facts §4.3), used for its keys and value types. */
const REFERENCE_LIFECYCLE_EVENT = {
  version: '0',
  id: '12345678-1234-1234-1234-123456789012',
  'detail-type': 'EC2 Instance-launch Lifecycle Action',
  source: 'aws.autoscaling',
  account: '123456789012',
  time: '2026-01-01T00:00:00Z',
  region: 'us-west-2',
  resources: ['auto-scaling-group-arn'],
  detail: {
    LifecycleActionToken: '87654321-4321-4321-4321-210987654321',
    AutoScalingGroupName: 'my-asg',
    LifecycleHookName: 'my-lifecycle-hook',
    EC2InstanceId: 'i-1234567890abcdef0',
    LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
    NotificationMetadata: 'additional-info',
  },
};

/** The observed raw SQS notification body (aws-facts §4.5). */
const REFERENCE_NOTIFICATION = {
  LifecycleHookName: 'valheim-default-terminate',
  AccountId: '456410706824',
  RequestId: 'a7b2d01b-69d3-4940-910a-3a2ee0cbe1f9',
  LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
  AutoScalingGroupName: 'valheim-default',
  Service: 'AWS Auto Scaling',
  Time: '2021-02-26T06:40:06.663Z',
  EC2InstanceId: 'i-016a0e69d8b5ae49d',
  NotificationMetadata: '…',
  LifecycleActionToken: 'dce60e5a-ffe3-4a47-bd57-56effbaefd60',
};

const REFERENCE_TEST_NOTIFICATION = {
  AccountId: '609519224176',
  RequestId: 'b36d6757-57c7-11e8-a9ca-b3409db76d91',
  AutoScalingGroupARN:
    'arn:aws:autoscaling:us-west-2:609519224176:autoScalingGroup:d3ab46f5:autoScalingGroupName/x',
  AutoScalingGroupName: 'MarketDataECS-AutoScalingGroup-TZI0DMYKJBJG',
  Service: 'AWS Auto Scaling',
  Event: 'autoscaling:TEST_NOTIFICATION',
  Time: '2018-05-14T22:39:45.555Z',
};

/** Keys (in order) and the JS type of each value, recursively: two shapes are equal when these are. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value && typeof value === 'object') {
    return Object.entries(value).map(([k, v]) => [k, shapeOf(v)]);
  }
  return typeof value;
}

function groupInput(
  overrides: Partial<CreateAutoScalingGroupCommandInput> = {},
): CreateAutoScalingGroupCommandInput {
  return {
    AutoScalingGroupName: 'web',
    MinSize: 0,
    MaxSize: 4,
    DesiredCapacity: 0,
    VPCZoneIdentifier: 'subnet-a,subnet-b',
    LaunchTemplate: { LaunchTemplateId: 'lt-0123456789abcdef0' },
    ...overrides,
  };
}

function hookInput(overrides: Partial<PutLifecycleHookCommandInput> = {}): PutLifecycleHookCommandInput {
  return {
    AutoScalingGroupName: 'web',
    LifecycleHookName: 'attach-eni',
    LifecycleTransition: LAUNCHING,
    HeartbeatTimeout: 30,
    DefaultResult: 'ABANDON',
    NotificationMetadata: 'pool=web',
    ...overrides,
  };
}

/** Lifecycle-action events only (Auto Scaling also reports launch/terminate activities). */
function lifecycleEvents(h: AutoScalingHarness, detailType?: string): EventBridgeEvent[] {
  return h.events.published.filter((e) =>
    detailType ? e['detail-type'] === detailType : e['detail-type'].endsWith('Lifecycle Action'),
  );
}

async function lifecycleState(h: AutoScalingHarness, instanceId: string): Promise<string | undefined> {
  const out = await h.client.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }));
  return out.AutoScalingInstances?.[0]?.LifecycleState;
}

/** Creates the group with a launch hook, scales to one instance and returns its first lifecycle event. */
async function launchWithHook(
  h: AutoScalingHarness,
  hook: Partial<PutLifecycleHookCommandInput> = {},
): Promise<EventBridgeEvent> {
  await h.client.send(new CreateAutoScalingGroupCommand(groupInput()));
  await h.client.send(new PutLifecycleHookCommand(hookInput(hook)));
  await h.client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 1 }));
  return waitFor(() => lifecycleEvents(h)[0], 'a lifecycle event');
}

describe('AutoScalingModel lifecycle hooks over the awsQuery wire', () => {
  let h: AutoScalingHarness;
  beforeEach(async () => {
    h = await startAutoScalingHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('holds a launching instance in Pending:Wait and publishes the documented EventBridge event', async () => {
    const event = await launchWithHook(h);
    const instanceId = String(event.detail.EC2InstanceId);

    expect(shapeOf(event)).toEqual(shapeOf(REFERENCE_LIFECYCLE_EVENT));
    expect(event).toMatchObject({
      'detail-type': 'EC2 Instance-launch Lifecycle Action',
      source: 'aws.autoscaling',
      account: '123456789012',
      region: 'us-east-1',
      detail: {
        AutoScalingGroupName: 'web',
        LifecycleHookName: 'attach-eni',
        LifecycleTransition: LAUNCHING,
        NotificationMetadata: 'pool=web',
      },
    });
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(event.resources[0]).toMatch(/:autoScalingGroup:[0-9a-f-]{36}:autoScalingGroupName\/web$/);
    expect(event.detail.LifecycleActionToken).toMatch(/^[0-9a-f-]{36}$/);
    // The instance keeps booting while it waits: it reaches `running` and stays in Pending:Wait.
    await waitFor(() => h.fleet.instanceState(instanceId) === 'running', 'instance running');
    expect(await lifecycleState(h, instanceId)).toBe('Pending:Wait');
  });

  it('puts the instance in service when CONTINUE arrives by token, and records the completion', async () => {
    const event = await launchWithHook(h);
    const instanceId = String(event.detail.EC2InstanceId);
    await waitFor(() => h.fleet.instanceState(instanceId) === 'running', 'instance running');

    await h.client.send(
      new CompleteLifecycleActionCommand({
        AutoScalingGroupName: 'web',
        LifecycleHookName: 'attach-eni',
        LifecycleActionToken: String(event.detail.LifecycleActionToken),
        LifecycleActionResult: 'CONTINUE',
      }),
    );

    expect(await lifecycleState(h, instanceId)).toBe('InService');
    expect(h.model.completions).toEqual([
      expect.objectContaining({
        instanceId,
        token: event.detail.LifecycleActionToken,
        transition: LAUNCHING,
        result: 'CONTINUE',
        how: 'api',
        attachmentsAtCompletion: [{ instanceId, state: 'running' }],
      }),
    ]);
    expect(h.model.completions[0]?.completedAt).toBeInstanceOf(Date);
    expect(h.model.activeActions()).toEqual([]);
  });

  it('completes by instance id as well as by token', async () => {
    const event = await launchWithHook(h);
    const instanceId = String(event.detail.EC2InstanceId);

    await h.client.send(
      new CompleteLifecycleActionCommand({
        AutoScalingGroupName: 'web',
        LifecycleHookName: 'attach-eni',
        InstanceId: instanceId,
        LifecycleActionResult: 'CONTINUE',
      }),
    );

    await waitFor(
      async () => (await lifecycleState(h, instanceId)) === 'InService',
      'InService once running',
    );
    expect(h.model.completions.map((c) => [c.instanceId, c.how, c.result])).toEqual([
      [instanceId, 'api', 'CONTINUE'],
    ]);
  });

  it('answers ValidationError "No active Lifecycle Action found" once the action is over', async () => {
    const event = await launchWithHook(h);
    const instanceId = String(event.detail.EC2InstanceId);
    const token = String(event.detail.LifecycleActionToken);
    const byToken = {
      AutoScalingGroupName: 'web',
      LifecycleHookName: 'attach-eni',
      LifecycleActionToken: token,
    };
    await h.client.send(
      new CompleteLifecycleActionCommand({ ...byToken, LifecycleActionResult: 'CONTINUE' }),
    );

    const again = await h.client
      .send(new CompleteLifecycleActionCommand({ ...byToken, LifecycleActionResult: 'CONTINUE' }))
      .catch((e: Error) => e);
    const heartbeat = await h.client
      .send(
        new RecordLifecycleActionHeartbeatCommand({
          AutoScalingGroupName: 'web',
          LifecycleHookName: 'attach-eni',
          InstanceId: instanceId,
        }),
      )
      .catch((e: Error) => e);

    expect(again).toMatchObject({
      name: 'ValidationError',
      message: `No active Lifecycle Action found with token ${token}`,
      $metadata: { httpStatusCode: 400 },
    });
    expect(heartbeat).toMatchObject({
      name: 'ValidationError',
      message: `No active Lifecycle Action found with instance ID ${instanceId}`,
    });
    expect(h.model.completions).toHaveLength(1);
  });

  it('applies the DefaultResult ABANDON on timeout: the instance is terminated and replaced', async () => {
    const event = await launchWithHook(h, { HeartbeatTimeout: 30 });
    const first = String(event.detail.EC2InstanceId);

    await waitFor(
      () => h.fleet.instances.get(first)?.state === 'terminated',
      'abandoned instance terminated',
    );

    expect(h.model.completions[0]).toMatchObject({ instanceId: first, result: 'ABANDON', how: 'timeout' });
    const replacement = await waitFor(() => lifecycleEvents(h)[1], 'the replacement lifecycle event');
    expect(replacement.detail.EC2InstanceId).not.toBe(first);
    expect(h.model.describeGroup('web')?.instances.map((i) => i.instanceId)).toEqual([
      replacement.detail.EC2InstanceId,
    ]);
  });

  it('applies the DefaultResult CONTINUE on timeout: the instance goes in service', async () => {
    const event = await launchWithHook(h, { HeartbeatTimeout: 30, DefaultResult: 'CONTINUE' });
    const instanceId = String(event.detail.EC2InstanceId);

    await waitFor(
      async () => (await lifecycleState(h, instanceId)) === 'InService',
      'InService after timeout',
    );
    expect(h.model.completions[0]).toMatchObject({ result: 'CONTINUE', how: 'timeout' });
  });

  it('terminates and replaces the instance when the launch action is completed with ABANDON', async () => {
    const event = await launchWithHook(h);
    const first = String(event.detail.EC2InstanceId);

    await h.client.send(
      new CompleteLifecycleActionCommand({
        AutoScalingGroupName: 'web',
        LifecycleHookName: 'attach-eni',
        InstanceId: first,
        LifecycleActionResult: 'ABANDON',
      }),
    );

    await waitFor(
      () => h.fleet.instances.get(first)?.state === 'terminated',
      'abandoned instance terminated',
    );
    expect(lifecycleEvents(h)).toHaveLength(2);
    expect(lifecycleEvents(h)[1]?.detail.EC2InstanceId).not.toBe(first);
  });

  it('extends the wait by HeartbeatTimeout on each heartbeat', async () => {
    await h.close();
    // 30 simulated seconds = 600 ms; heartbeats every 50 ms keep the action alive well past that.
    h = await startAutoScalingHarness({ timeScale: 20 });
    const event = await launchWithHook(h, { HeartbeatTimeout: 30 });
    const instanceId = String(event.detail.EC2InstanceId);
    const before = h.model.activeActions()[0];
    const ref = { AutoScalingGroupName: 'web', LifecycleHookName: 'attach-eni', InstanceId: instanceId };
    expect(before?.globalTimeoutAt.getTime()).toBe((before?.startedAt.getTime() ?? 0) + 3000 * 20);

    while (Date.now() < (before?.timeoutAt.getTime() ?? 0) + 400) {
      const sentAt = Date.now();
      await h.client.send(new RecordLifecycleActionHeartbeatCommand(ref));
      expect(h.model.activeActions()[0]?.timeoutAt.getTime()).toBeGreaterThanOrEqual(sentAt + 600);
      await new Promise((r) => setTimeout(r, 50));
    }

    expect(h.model.completions).toEqual([]);
    expect(await lifecycleState(h, instanceId)).toBe('Pending:Wait');
  });

  it('caps heartbeats at the global timeout of 100 × HeartbeatTimeout', () => {
    // Driven on fake timers so the heartbeats cannot fall behind a loaded machine: 1 simulated s = 1 ms,
    // a 30 s heartbeat timeout is 30 ms and the global timeout (3000 s) is 3 s.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const fleet = new FakeFleet({ 'subnet-a': 'us-east-1a' }, 5);
      const events = new RecordingEvents();
      const model = new AutoScalingModel({
        fleet,
        events,
        queues: new RecordingQueues(new Set()),
        timeScale: 1,
        throttle: false,
      });
      model.createGroup({
        name: 'web',
        minSize: 1,
        maxSize: 1,
        subnetIds: ['subnet-a'],
        lifecycleHooks: [
          { name: 'attach-eni', transition: LAUNCHING, heartbeatTimeout: 30, defaultResult: 'CONTINUE' },
        ],
      });
      const [action] = model.activeActions();
      expect(action).toBeDefined();
      const ref = { groupName: 'web', hookName: 'attach-eni', token: action!.token };
      expect(action!.globalTimeoutAt.getTime() - Date.now()).toBe(3000);

      let clamped = false;
      for (let elapsed = 0; elapsed < 3000; elapsed += 10) {
        model.recordHeartbeat(ref);
        const [current] = model.activeActions();
        clamped ||= current?.timeoutAt.getTime() === current?.globalTimeoutAt.getTime();
        vi.advanceTimersByTime(10);
      }
      vi.advanceTimersByTime(30);

      expect(clamped).toBe(true);
      expect(() => model.recordHeartbeat(ref)).toThrow(/No active Lifecycle Action found/);
      expect(model.completions[0]).toMatchObject({ how: 'timeout', result: 'CONTINUE' });
      model.close();
      fleet.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends autoscaling:TEST_NOTIFICATION to a new notification target, then each action as raw JSON', async () => {
    await h.client.send(new CreateAutoScalingGroupCommand(groupInput()));
    await h.client.send(
      new PutLifecycleHookCommand(
        hookInput({ NotificationTargetARN: QUEUE_ARN, RoleARN: ROLE_ARN, LifecycleTransition: TERMINATING }),
      ),
    );
    const [test] = h.queues.bodies(QUEUE_ARN);
    expect(shapeOf(test)).toEqual(shapeOf(REFERENCE_TEST_NOTIFICATION));
    expect(test).toMatchObject({ Event: 'autoscaling:TEST_NOTIFICATION', AutoScalingGroupName: 'web' });

    h.model.setDesiredCapacity('web', 1);
    const instanceId = [...h.fleet.instances.keys()][0] ?? '';
    await waitFor(
      async () => (await lifecycleState(h, instanceId)) === 'InService',
      'InService (no launch hook)',
    );
    await h.client.send(
      new TerminateInstanceInAutoScalingGroupCommand({
        InstanceId: instanceId,
        ShouldDecrementDesiredCapacity: true,
      }),
    );

    const notification = h.queues.bodies(QUEUE_ARN)[1];
    expect(shapeOf(notification)).toEqual(shapeOf(REFERENCE_NOTIFICATION));
    expect(notification).toMatchObject({
      LifecycleTransition: TERMINATING,
      EC2InstanceId: instanceId,
      AccountId: '123456789012',
      NotificationMetadata: 'pool=web',
    });
    const [event] = lifecycleEvents(h, 'EC2 Instance-terminate Lifecycle Action');
    expect(event?.detail.LifecycleActionToken).toBe(notification?.LifecycleActionToken);
  });

  it('sends the test notification for hooks created with the group', async () => {
    await h.client.send(
      new CreateAutoScalingGroupCommand(
        groupInput({
          LifecycleHookSpecificationList: [
            {
              LifecycleHookName: 'attach-eni',
              LifecycleTransition: LAUNCHING,
              NotificationTargetARN: QUEUE_ARN,
              RoleARN: ROLE_ARN,
            },
          ],
        }),
      ),
    );

    expect(h.queues.bodies(QUEUE_ARN)).toEqual([
      expect.objectContaining({ Event: 'autoscaling:TEST_NOTIFICATION', AutoScalingGroupName: 'web' }),
    ]);
  });

  it('refuses a notification target it cannot reach, or one without a role, and stores no hook', async () => {
    await h.client.send(new CreateAutoScalingGroupCommand(groupInput()));

    const unreachable = await h.client
      .send(
        new PutLifecycleHookCommand(
          hookInput({
            NotificationTargetARN: 'arn:aws:sqs:us-east-1:123456789012:missing',
            RoleARN: ROLE_ARN,
          }),
        ),
      )
      .catch((e: Error) => e);
    const noRole = await h.client
      .send(new PutLifecycleHookCommand(hookInput({ NotificationTargetARN: QUEUE_ARN })))
      .catch((e: Error) => e);

    expect(unreachable).toMatchObject({ name: 'ValidationError' });
    expect((unreachable as Error).message).toMatch(/^Unable to publish test message to notification target/);
    expect(noRole).toMatchObject({ name: 'ValidationError' });
    const hooks = await h.client.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: 'web' }));
    expect(hooks.LifecycleHooks).toEqual([]);
  });

  it('validates HeartbeatTimeout, DefaultResult and the transition', async () => {
    await h.client.send(new CreateAutoScalingGroupCommand(groupInput()));

    const errors = await Promise.all(
      [
        hookInput({ HeartbeatTimeout: 29 }),
        hookInput({ HeartbeatTimeout: 7201 }),
        hookInput({ DefaultResult: 'MAYBE' }),
        hookInput({ LifecycleTransition: 'autoscaling:EC2_INSTANCE_REBOOTING' }),
        hookInput({ AutoScalingGroupName: 'nope' }),
      ].map((input) => h.client.send(new PutLifecycleHookCommand(input)).catch((e: Error) => e)),
    );

    expect(errors.map((e) => (e as Error).name)).toEqual(Array(5).fill('ValidationError'));
    expect((errors[4] as Error).message).toBe('Group nope not found');
  });

  it('describes hooks with their global timeout and defaults', async () => {
    await h.client.send(new CreateAutoScalingGroupCommand(groupInput()));
    await h.client.send(
      new PutLifecycleHookCommand({
        AutoScalingGroupName: 'web',
        LifecycleHookName: 'drain',
        LifecycleTransition: TERMINATING,
      }),
    );

    const out = await h.client.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: 'web' }));

    expect(out.LifecycleHooks).toEqual([
      {
        LifecycleHookName: 'drain',
        AutoScalingGroupName: 'web',
        LifecycleTransition: TERMINATING,
        HeartbeatTimeout: 3600,
        GlobalTimeout: 172800,
        DefaultResult: 'ABANDON',
      },
    ]);
  });

  it('holds a terminating instance in Terminating:Wait until CONTINUE, then terminates it', async () => {
    await h.client.send(
      new CreateAutoScalingGroupCommand(
        groupInput({
          DesiredCapacity: 1,
          LifecycleHookSpecificationList: [
            { LifecycleHookName: 'release-eni', LifecycleTransition: TERMINATING, HeartbeatTimeout: 60 },
          ],
        }),
      ),
    );
    const instanceId = [...h.fleet.instances.keys()][0] ?? '';
    await waitFor(async () => (await lifecycleState(h, instanceId)) === 'InService', 'InService');

    await h.client.send(
      new TerminateInstanceInAutoScalingGroupCommand({
        InstanceId: instanceId,
        ShouldDecrementDesiredCapacity: true,
      }),
    );
    const event = await waitFor(
      () => lifecycleEvents(h, 'EC2 Instance-terminate Lifecycle Action')[0],
      'event',
    );
    expect(await lifecycleState(h, instanceId)).toBe('Terminating:Wait');
    expect(h.fleet.instanceState(instanceId)).toBe('running');
    expect(shapeOf({ ...event, detail: { ...event.detail, NotificationMetadata: '' } })).toEqual(
      shapeOf(REFERENCE_LIFECYCLE_EVENT),
    );

    await h.client.send(
      new CompleteLifecycleActionCommand({
        AutoScalingGroupName: 'web',
        LifecycleHookName: 'release-eni',
        LifecycleActionToken: String(event.detail.LifecycleActionToken),
        LifecycleActionResult: 'CONTINUE',
      }),
    );

    await waitFor(() => h.fleet.instanceState(instanceId) === 'terminated', 'terminated after CONTINUE');
    expect(h.model.completions[0]).toMatchObject({
      transition: TERMINATING,
      result: 'CONTINUE',
      attachmentsAtCompletion: [{ instanceId, state: 'running' }],
    });
    expect(h.model.describeInstance(instanceId)).toBeUndefined();
  });

  it('waits for every hook of a transition before the instance proceeds', async () => {
    await h.client.send(new CreateAutoScalingGroupCommand(groupInput()));
    await h.client.send(new PutLifecycleHookCommand(hookInput({ LifecycleHookName: 'one' })));
    await h.client.send(new PutLifecycleHookCommand(hookInput({ LifecycleHookName: 'two' })));
    h.model.setDesiredCapacity('web', 1);
    const instanceId = [...h.fleet.instances.keys()][0] ?? '';
    const complete = (hook: string) =>
      h.client.send(
        new CompleteLifecycleActionCommand({
          AutoScalingGroupName: 'web',
          LifecycleHookName: hook,
          InstanceId: instanceId,
          LifecycleActionResult: 'CONTINUE',
        }),
      );

    expect(lifecycleEvents(h).map((e) => e.detail.LifecycleHookName)).toEqual(['one', 'two']);
    await complete('one');
    await waitFor(() => h.fleet.instanceState(instanceId) === 'running', 'running');
    expect(await lifecycleState(h, instanceId)).toBe('Pending:Wait');
    await complete('two');
    expect(await lifecycleState(h, instanceId)).toBe('InService');
  });

  it('finishes outstanding launch actions with ABANDON when their hook is deleted', async () => {
    const event = await launchWithHook(h);
    const instanceId = String(event.detail.EC2InstanceId);

    await h.client.send(
      new DeleteLifecycleHookCommand({ AutoScalingGroupName: 'web', LifecycleHookName: 'attach-eni' }),
    );

    expect(h.model.completions[0]).toMatchObject({ instanceId, result: 'ABANDON', how: 'hook-deleted' });
    await waitFor(
      () => h.fleet.instances.get(instanceId)?.state === 'terminated',
      'abandoned instance terminated',
    );
  });

  it('drops the actions of an instance that dies while waiting and replaces it', async () => {
    const event = await launchWithHook(h);
    const instanceId = String(event.detail.EC2InstanceId);
    await waitFor(() => h.fleet.instanceState(instanceId) === 'running', 'running');

    h.fleet.terminateInstance(instanceId);

    await waitFor(() => lifecycleEvents(h)[1], 'a replacement launch event');
    expect(h.model.activeActions().map((a) => a.instanceId)).not.toContain(instanceId);
    const late = await h.client
      .send(
        new CompleteLifecycleActionCommand({
          AutoScalingGroupName: 'web',
          LifecycleHookName: 'attach-eni',
          InstanceId: instanceId,
          LifecycleActionResult: 'CONTINUE',
        }),
      )
      .catch((e: Error) => e);
    expect(late).toMatchObject({ name: 'ValidationError' });
  });
});
