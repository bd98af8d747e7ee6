import {
  AttachNetworkInterfaceCommand,
  CreateTagsCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AttachConflictError,
  AwsCallError,
  ConfigurationError,
  createSdkEc2Port,
  type Ec2Port,
  Executor,
  type ExecutorOptions,
  type Logger,
  OperationAbortedError,
  WaitTimeoutError,
} from '../../src/index';
import { awsError } from '../../src/testing';
import {
  attachAction,
  detachAction,
  fakeClock,
  inUse,
  planOf,
  sdkInterface,
  testEc2Client,
  throttled,
} from '../helpers/ec2-mock';

/** The port as a plain object that does not retry throttling itself, so the executor's budget applies. */
function withoutOwnRetries(port: Ec2Port): Ec2Port {
  return { ...port, retriesTransientErrors: false };
}

function recordingLogger() {
  const entries: { level: string; message: string; context?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, context?: Record<string, unknown>) => {
    entries.push({ level, message, ...(context ? { context } : {}) });
  };
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, entries };
}

const attached = (eni: string, instance: string, attachmentId: string) => ({
  NetworkInterfaces: [sdkInterface(eni, { pool: 'web', attachedTo: instance, attachmentId })],
});
const available = (eni: string) => ({ NetworkInterfaces: [sdkInterface(eni, { pool: 'web' })] });

describe('Executor', () => {
  let mock: ReturnType<typeof mockClient>;
  let port: Ec2Port;
  let clock: ReturnType<typeof fakeClock>;
  let log: ReturnType<typeof recordingLogger>;

  const executor = (options: Partial<ExecutorOptions> = {}) =>
    new Executor({
      ec2: port,
      logger: log.logger,
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0.5,
      ...options,
    });

  beforeEach(() => {
    const client = testEc2Client();
    mock = mockClient(client);
    port = createSdkEc2Port(client);
    clock = fakeClock();
    log = recordingLogger();
  });

  describe('attach', () => {
    it('attaches and waits until the attachment is attached, polling the interface by id', async () => {
      mock.on(AttachNetworkInterfaceCommand).resolves({ AttachmentId: 'eni-attach-1' });
      mock
        .on(DescribeNetworkInterfacesCommand)
        .resolvesOnce({
          NetworkInterfaces: [
            sdkInterface('eni-1', {
              pool: 'web',
              attachedTo: 'i-1',
              attachmentId: 'eni-attach-1',
              attachmentStatus: 'attaching',
            }),
          ],
        })
        .resolves(attached('eni-1', 'i-1', 'eni-attach-1'));
      mock.on(CreateTagsCommand).resolves({});
      const exec = executor();
      const events: string[] = [];
      exec.on('action_started', ({ action }) => events.push(`started ${action.id}`));
      exec.on('action_succeeded', ({ action, attachmentId }) =>
        events.push(`succeeded ${action.id} ${attachmentId}`),
      );

      const result = await exec.apply(planOf([attachAction('eni-1', 'i-1', { deviceIndex: 2 })]));

      expect(result).toMatchObject({ succeeded: 1, failed: 0, conflicts: 0, skipped: 0 });
      expect(result.outcomes[0]).toMatchObject({ status: 'succeeded', attachmentId: 'eni-attach-1' });
      expect(events).toEqual(['started attach:eni-1:i-1', 'succeeded attach:eni-1:i-1 eni-attach-1']);
      expect(mock.commandCalls(AttachNetworkInterfaceCommand)[0]!.args[0].input).toEqual({
        NetworkInterfaceId: 'eni-1',
        InstanceId: 'i-1',
        DeviceIndex: 2,
        NetworkCardIndex: 0,
      });
      const polls = mock.commandCalls(DescribeNetworkInterfacesCommand).map((call) => call.args[0].input);
      expect(polls).toHaveLength(2);
      for (const poll of polls) {
        expect(poll).toEqual({
          Filters: [{ Name: 'network-interface-id', Values: ['eni-1'] }],
          MaxResults: 1000,
        });
      }
      // Serving a launch costs no tag: the last-instance tag is written when the interface is taken back.
      expect(mock.commandCalls(CreateTagsCommand)).toHaveLength(0);
      // Polls every initial delay for the first 5 s.
      expect(clock.sleeps).toEqual([250, 250]);
    });

    it('retries a throttled attach with jittered backoff, then succeeds', async () => {
      mock
        .on(AttachNetworkInterfaceCommand)
        .rejectsOnce(throttled())
        .resolves({ AttachmentId: 'eni-attach-1' });
      mock.on(DescribeNetworkInterfacesCommand).resolves(attached('eni-1', 'i-1', 'eni-attach-1'));
      mock.on(CreateTagsCommand).resolves({});
      let succeededAttempt: number | undefined;
      // A port that does not retry by itself: the executor's budget is the only retry layer.
      const exec = executor({
        ec2: withoutOwnRetries(port),
        retry: { baseDelayMs: 100 },
        random: () => 0.25,
      });
      exec.on('action_succeeded', ({ attempt }) => {
        succeededAttempt = attempt;
      });

      const result = await exec.apply(planOf([attachAction('eni-1', 'i-1')]));

      expect(result.succeeded).toBe(1);
      expect(mock.commandCalls(AttachNetworkInterfaceCommand)).toHaveLength(2);
      expect(succeededAttempt).toBe(2);
      // Full jitter: random (0.25) × base (100) for the first retry, then the wait's initial delay.
      expect(clock.sleeps).toEqual([25, 250]);
    });

    it('retries a 5xx server error', async () => {
      mock
        .on(AttachNetworkInterfaceCommand)
        .rejectsOnce(awsError('InternalError', 'An internal error has occurred', 500))
        .resolves({ AttachmentId: 'eni-attach-1' });
      mock.on(DescribeNetworkInterfacesCommand).resolves(attached('eni-1', 'i-1', 'eni-attach-1'));
      mock.on(CreateTagsCommand).resolves({});

      const result = await executor({ ec2: withoutOwnRetries(port) }).apply(
        planOf([attachAction('eni-1', 'i-1')]),
      );

      expect(result.succeeded).toBe(1);
      expect(mock.commandCalls(AttachNetworkInterfaceCommand)).toHaveLength(2);
    });

    it('leaves throttling to the SDK client when the port retries it: one request per planned attach', async () => {
      mock.on(AttachNetworkInterfaceCommand).rejects(throttled());

      const result = await executor({ retry: { maxAttempts: 5 } }).apply(
        planOf([attachAction('eni-1', 'i-1')]),
      );

      // The SDK port's client (maxAttempts 1 in tests) is the retry layer; nothing retries on top of it.
      expect(mock.commandCalls(AttachNetworkInterfaceCommand)).toHaveLength(1);
      expect(result.outcomes[0]!.error).toMatchObject({ code: 'RequestLimitExceeded', attempts: 1 });
    });

    it('does not retry a client error and reports it as a failed action', async () => {
      mock
        .on(AttachNetworkInterfaceCommand)
        .rejects(
          awsError(
            'InvalidParameterCombination',
            'You may not attach a network interface to an instance if they are not in the same availability zone',
          ),
        );
      const exec = executor();
      const failures: unknown[] = [];
      exec.on('action_failed', ({ error }) => failures.push(error));

      const result = await exec.apply(planOf([attachAction('eni-1', 'i-1')]));

      expect(result).toMatchObject({ failed: 1, succeeded: 0 });
      expect(mock.commandCalls(AttachNetworkInterfaceCommand)).toHaveLength(1);
      const error = result.outcomes[0]!.error;
      expect(error).toBeInstanceOf(AwsCallError);
      expect(error).toMatchObject({
        operation: 'AttachNetworkInterface',
        code: 'InvalidParameterCombination',
        attempts: 1,
      });
      expect(failures).toEqual([error]);
      expect(clock.sleeps).toEqual([]);
      expect(mock.commandCalls(DescribeNetworkInterfacesCommand)).toHaveLength(0);
    });

    it('gives up after maxAttempts throttled attempts with a typed error', async () => {
      mock.on(AttachNetworkInterfaceCommand).rejects(throttled());

      const result = await executor({
        ec2: withoutOwnRetries(port),
        retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 300 },
        random: () => 1,
      }).apply(planOf([attachAction('eni-1', 'i-1')]));

      expect(mock.commandCalls(AttachNetworkInterfaceCommand)).toHaveLength(4);
      expect(result.outcomes[0]).toMatchObject({ status: 'failed' });
      expect(result.outcomes[0]!.error).toMatchObject({
        name: 'AwsCallError',
        code: 'RequestLimitExceeded',
        attempts: 4,
      });
      // Exponential, capped at maxDelayMs.
      expect(clock.sleeps).toEqual([100, 200, 300]);
    });

    it('reports an interface taken by another worker as a conflict, not a failure', async () => {
      mock.on(AttachNetworkInterfaceCommand).rejects(inUse('eni-1'));
      const exec = executor();
      const conflicts: string[] = [];
      const failures: string[] = [];
      exec.on('action_conflicted', ({ action }) => conflicts.push(action.id));
      exec.on('action_failed', ({ action }) => failures.push(action.id));

      const result = await exec.apply(planOf([attachAction('eni-1', 'i-1')]));

      expect(result).toMatchObject({ conflicts: 1, failed: 0 });
      expect(result.outcomes[0]!.error).toBeInstanceOf(AttachConflictError);
      expect(conflicts).toEqual(['attach:eni-1:i-1']);
      expect(failures).toEqual([]);
      expect(mock.commandCalls(AttachNetworkInterfaceCommand)).toHaveLength(1);
    });

    it('reports InvalidParameterValue "in use" and a taken device index as conflicts', async () => {
      mock
        .on(AttachNetworkInterfaceCommand, { NetworkInterfaceId: 'eni-1' })
        .rejects(awsError('InvalidParameterValue', "Network interface 'eni-1' is currently in use."))
        .on(AttachNetworkInterfaceCommand, { NetworkInterfaceId: 'eni-2' })
        .rejects(
          awsError(
            'InvalidParameterValue',
            "Instance 'i-2' already has an interface attached at device index '1'.",
          ),
        );

      const result = await executor().apply(
        planOf([attachAction('eni-1', 'i-1'), attachAction('eni-2', 'i-2')]),
      );

      expect(result.outcomes.map((outcome) => outcome.status)).toEqual(['conflict', 'conflict']);
    });

    it('retries IncorrectInstanceState within the budget, then fails', async () => {
      mock
        .on(AttachNetworkInterfaceCommand)
        .rejects(
          awsError(
            'IncorrectInstanceState',
            "The instance 'i-1' is not in a valid state for this operation.",
          ),
        );

      const result = await executor({ retry: { maxAttempts: 3 } }).apply(
        planOf([attachAction('eni-1', 'i-1')]),
      );

      expect(mock.commandCalls(AttachNetworkInterfaceCommand)).toHaveLength(3);
      expect(result.outcomes[0]!.error).toMatchObject({ code: 'IncorrectInstanceState', attempts: 3 });
    });

    it('ends a wait that never settles with a WaitTimeoutError within its bound', async () => {
      mock.on(AttachNetworkInterfaceCommand).resolves({ AttachmentId: 'eni-attach-1' });
      mock.on(DescribeNetworkInterfacesCommand).resolves({
        NetworkInterfaces: [
          sdkInterface('eni-1', {
            attachedTo: 'i-1',
            attachmentId: 'eni-attach-1',
            attachmentStatus: 'attaching',
          }),
        ],
      });

      const result = await executor({
        wait: { initialDelayMs: 100, maxDelayMs: 400, timeoutMs: 1500 },
      }).apply(planOf([attachAction('eni-1', 'i-1')]));

      const error = result.outcomes[0]!.error;
      expect(error).toBeInstanceOf(WaitTimeoutError);
      expect(error).toMatchObject({ resourceId: 'eni-1', expected: 'attached', waitedMs: 1500 });
      expect((error as WaitTimeoutError).lastSeen).toContain('attaching');
      // Every initial delay for the first 5 s: 15 × 100 = 1500.
      expect(clock.sleeps).toEqual(Array(15).fill(100));
      expect(mock.commandCalls(DescribeNetworkInterfacesCommand)).toHaveLength(15);
      expect(mock.commandCalls(CreateTagsCommand)).toHaveLength(0);
    });

    it('keeps the wait bounded even when the clock does not move', async () => {
      const attaching = {
        networkInterfaceId: 'eni-1',
        subnetId: 'subnet-a',
        availabilityZone: 'zone-1',
        status: 'in-use' as const,
        tags: {},
        attachment: {
          attachmentId: 'eni-attach-1',
          instanceId: 'i-1',
          deviceIndex: 1,
          networkCardIndex: 0,
          status: 'attaching' as const,
        },
      };
      const port: Ec2Port = {
        describeInstances: vi.fn(),
        attachNetworkInterface: async () => ({ attachmentId: 'eni-attach-1' }),
        describeNetworkInterfaces: vi.fn(async () => ({ interfaces: [attaching] })),
        detachNetworkInterface: vi.fn(),
        createTags: vi.fn(),
      };
      const result = await new Executor({
        ec2: port,
        logger: log.logger,
        now: () => 0,
        sleep: async () => {},
        wait: { initialDelayMs: 1000, maxDelayMs: 1000, timeoutMs: 3000 },
      }).apply(planOf([attachAction('eni-1', 'i-1')]));

      expect(result.outcomes[0]!.error).toMatchObject({ name: 'WaitTimeoutError' });
      expect(port.describeNetworkInterfaces).toHaveBeenCalledTimes(3);
    });

    it('logs a tagging failure without failing the release', async () => {
      mock.on(DetachNetworkInterfaceCommand).resolves({});
      mock.on(DescribeNetworkInterfacesCommand).resolves(available('eni-1'));
      mock.on(CreateTagsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized'));

      const result = await executor().apply(planOf([detachAction('eni-1', 'i-1')]));

      expect(result.outcomes[0]!.status).toBe('succeeded');
      expect(log.entries.some((e) => e.level === 'warn' && /tag/.test(e.message))).toBe(true);
    });

    it('writes no tag when the last-instance tag is disabled', async () => {
      mock.on(AttachNetworkInterfaceCommand).resolves({ AttachmentId: 'eni-attach-1' });
      mock.on(DescribeNetworkInterfacesCommand).resolves(attached('eni-1', 'i-1', 'eni-attach-1'));

      await executor({ lastInstanceTagKey: false }).apply(planOf([attachAction('eni-1', 'i-1')]));

      expect(mock.commandCalls(CreateTagsCommand)).toHaveLength(0);
    });
  });

  describe('detach', () => {
    it('detaches by attachment id and waits until the interface is available', async () => {
      mock.on(DetachNetworkInterfaceCommand).resolves({});
      mock
        .on(DescribeNetworkInterfacesCommand)
        .resolvesOnce({
          NetworkInterfaces: [
            sdkInterface('eni-1', { status: 'detaching', attachedTo: 'i-1', attachmentStatus: 'detaching' }),
          ],
        })
        .resolves(available('eni-1'));

      const result = await executor().apply(planOf([detachAction('eni-1', 'i-1')]));

      expect(result.outcomes[0]!.status).toBe('succeeded');
      expect(mock.commandCalls(DetachNetworkInterfaceCommand)[0]!.args[0].input).toEqual({
        AttachmentId: 'eni-1-attach',
      });
      expect(mock.commandCalls(DescribeNetworkInterfacesCommand)).toHaveLength(2);
    });

    it('treats InvalidAttachmentID.NotFound as already detached', async () => {
      mock
        .on(DetachNetworkInterfaceCommand)
        .rejects(
          awsError('InvalidAttachmentID.NotFound', "The interface attachment 'eni-1-attach' does not exist."),
        );
      mock.on(DescribeNetworkInterfacesCommand).resolves(available('eni-1'));

      const result = await executor().apply(planOf([detachAction('eni-1', 'i-1')]));

      expect(result).toMatchObject({ succeeded: 1, failed: 0 });
      expect(mock.commandCalls(DetachNetworkInterfaceCommand)).toHaveLength(1);
    });
  });

  describe('hand-over', () => {
    it('attaches only after the detach it depends on has left the interface available', async () => {
      const order: string[] = [];
      let attachedNow = false;
      mock.on(DetachNetworkInterfaceCommand).callsFake(() => {
        order.push('detach');
        return {};
      });
      mock.on(DescribeNetworkInterfacesCommand).callsFake(() => {
        order.push(attachedNow ? 'poll: in-use' : 'poll: available');
        return attachedNow ? attached('eni-1', 'i-new', 'eni-attach-2') : available('eni-1');
      });
      mock.on(AttachNetworkInterfaceCommand).callsFake(() => {
        order.push('attach');
        attachedNow = true;
        return { AttachmentId: 'eni-attach-2' };
      });
      mock.on(CreateTagsCommand).resolves({});
      const detach = detachAction('eni-1', 'i-old');
      // Listed attach-first on purpose: the executor must still order them.
      const plan = planOf([attachAction('eni-1', 'i-new', { after: detach.id }), detach]);

      const result = await executor().apply(plan);

      expect(result.succeeded).toBe(2);
      expect(order).toEqual(['detach', 'poll: available', 'attach', 'poll: in-use']);
    });

    it('skips the attach when its detach failed', async () => {
      mock
        .on(DetachNetworkInterfaceCommand)
        .rejects(awsError('UnauthorizedOperation', 'You are not authorized'));
      const detach = detachAction('eni-1', 'i-old');

      const result = await executor().apply(
        planOf([detach, attachAction('eni-1', 'i-new', { after: detach.id })]),
      );

      expect(result.outcomes.map((o) => [o.action.kind, o.status])).toEqual([
        ['detach', 'failed'],
        ['attach', 'skipped'],
      ]);
      expect(result.skipped).toBe(1);
      expect(mock.commandCalls(AttachNetworkInterfaceCommand)).toHaveLength(0);
    });
  });

  describe('rate limiting and concurrency', () => {
    it('spaces attaches by the token bucket once its burst is spent', async () => {
      const sentAt: number[] = [];
      mock.on(AttachNetworkInterfaceCommand).callsFake((input: { NetworkInterfaceId: string }) => {
        sentAt.push(clock.now());
        return { AttachmentId: `${input.NetworkInterfaceId}-attach` };
      });
      // Waits in progress are polled together: one describe names every interface due.
      mock.on(DescribeNetworkInterfacesCommand).callsFake((input: { Filters: { Values: string[] }[] }) => ({
        NetworkInterfaces: input.Filters[0]!.Values.flatMap(
          (eni) => attached(eni, `i-${eni}`, `${eni}-attach`).NetworkInterfaces,
        ),
      }));
      const actions = [1, 2, 3, 4, 5].map((n) => attachAction(`eni-${n}`, `i-eni-${n}`));

      const result = await executor({
        concurrency: 5,
        rateLimit: { capacity: 2, refillPerSecond: 1 },
        wait: { initialDelayMs: 0 },
        lastInstanceTagKey: false,
      }).apply(planOf(actions));

      expect(result.succeeded).toBe(5);
      expect(sentAt).toEqual([0, 0, 1000, 2000, 3000]);
    });

    it('keeps at most `concurrency` actions in flight', async () => {
      let inFlight = 0;
      let peak = 0;
      const port: Ec2Port = {
        describeInstances: vi.fn(),
        attachNetworkInterface: async (input) => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 1));
          inFlight--;
          return { attachmentId: `${input.networkInterfaceId}-attach` };
        },
        describeNetworkInterfaces: async (input) => {
          const eni = input.filters[0]!.values[0]!;
          return {
            interfaces: [
              {
                networkInterfaceId: eni,
                subnetId: 'subnet-a',
                availabilityZone: 'us-east-1a',
                status: 'in-use',
                tags: {},
                attachment: {
                  attachmentId: `${eni}-attach`,
                  instanceId: 'i',
                  deviceIndex: 1,
                  networkCardIndex: 0,
                  status: 'attached',
                },
              },
            ],
          };
        },
        detachNetworkInterface: vi.fn(),
        createTags: vi.fn(async () => {}),
      };
      const actions = Array.from({ length: 10 }, (_, n) => attachAction(`eni-${n}`, `i-${n}`));

      const result = await new Executor({
        ec2: port,
        logger: log.logger,
        concurrency: 3,
        sleep: async () => {},
      }).apply(planOf(actions));

      expect(result.succeeded).toBe(10);
      expect(peak).toBe(3);
    });
  });

  describe('events and signals', () => {
    it('emits instance_unsatisfied for every unsatisfied instance', async () => {
      const seen: string[] = [];
      const exec = executor();
      exec.on('instance_unsatisfied', (u) => seen.push(`${u.instanceId}:${u.reason}`));

      await exec.apply(
        planOf(
          [],
          [
            { pool: 'web', instanceId: 'i-1', reason: 'pool-exhausted', detail: 'no free interface' },
            { pool: 'web', instanceId: 'i-2', reason: 'no-interface-in-subnet', detail: 'none in subnet-b' },
          ],
        ),
      );

      expect(seen).toEqual(['i-1:pool-exhausted', 'i-2:no-interface-in-subnet']);
    });

    it('survives listeners that throw, and still calls the other listeners', async () => {
      mock.on(AttachNetworkInterfaceCommand).rejects(inUse());
      const exec = executor();
      const later: string[] = [];
      exec.on('action_started', () => {
        throw new Error('listener bug');
      });
      exec.on('action_conflicted', async () => {
        throw new Error('async listener bug');
      });
      exec.on('action_started', ({ action }) => later.push(action.id));

      const result = await exec.apply(planOf([attachAction('eni-1', 'i-1')]));
      await new Promise((resolve) => setImmediate(resolve));

      expect(result.conflicts).toBe(1);
      expect(later).toEqual(['attach:eni-1:i-1']);
      expect(log.entries.filter((e) => e.message.includes('listener threw'))).toHaveLength(2);
    });

    it('skips actions not yet started once the signal is aborted', async () => {
      const controller = new AbortController();
      mock.on(DetachNetworkInterfaceCommand).callsFake(() => {
        controller.abort();
        return {};
      });
      mock.on(DescribeNetworkInterfacesCommand).resolves(available('eni-1'));

      const result = await executor({ concurrency: 1 }).apply(
        planOf([detachAction('eni-1', 'i-1'), attachAction('eni-2', 'i-2')]),
        controller.signal,
      );

      // The detach was sent, and its wait ended with the abort; the attach never started.
      expect(result.outcomes.map((o) => o.status)).toEqual(['failed', 'skipped']);
      expect(result.outcomes[0]!.error).toBeInstanceOf(OperationAbortedError);
      expect(mock.commandCalls(AttachNetworkInterfaceCommand)).toHaveLength(0);
    });
  });

  it('rejects invalid options with a ConfigurationError', () => {
    expect(() => executor({ concurrency: 0 })).toThrow(ConfigurationError);
    expect(() => executor({ rateLimit: { refillPerSecond: 0 } })).toThrow(/rateLimit.refillPerSecond/);
    expect(() => executor({ retry: { maxAttempts: 1.5 } })).toThrow(/retry.maxAttempts/);
  });
});
