import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import type { AwsSim } from '@eni-pool/aws-sim';
import {
  EniPoolManager,
  InvalidEventError,
  type LifecycleTransition,
  parseEvent,
  silentLogger,
  UnsupportedEventError,
} from '@eni-pool/core';
import {
  instanceStateChangeEvent,
  lifecycleActionEvent,
  lifecycleNotification,
  snsEnvelope,
  sqsEvent,
  sqsRecord,
} from '@eni-pool/core/testing';
import { createLifecycleHookHandler, type LifecycleHookHandler } from '@eni-pool/lifecycle-hook-adapter';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBridgeHandler, type EventBridgeHandler } from '../../src/eventbridge-handler';
import { createLambdaHandler, type LambdaHandler } from '../../src/lambda-handler';
import { createSqsHandler, type SqsHandler } from '../../src/sqs-handler';
import { tokenFor } from '../helpers/ids';
import { mutatingCalls, POOL_TAG, report, settleWorld, startSim, syncEvent, unserved } from './harness';

const POOL = 'rel-input';
const GROUP = 'rel-input-asg';
const STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'];
const LAUNCHING = 'autoscaling:EC2_INSTANCE_LAUNCHING';
const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
const TOKEN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Real instances of the world, so that a misparse would act on something. */
let instanceIds: string[] = [];
// Drawn when a value is generated: the world is built after the generators.
const realInstance = () => fc.nat().map((n) => instanceIds[n % instanceIds.length]!);

// ── well-formed messages, the templates the generators break ───────────────────────────────────────

/** One envelope id and time for every template, so that two messages differ only where a test makes them. */
const ENVELOPE = { id: '7bf73129-1428-4cd3-a780-95db273d1602', time: '2026-12-01T09:00:00Z', resources: [] };
const stateChange = (instanceId: string, state: string) =>
  instanceStateChangeEvent({ instanceId, state, ...ENVELOPE });
const lifecycleOptions = (instanceId: string, transition: string) => ({
  instanceId,
  transition: transition as LifecycleTransition,
  autoScalingGroupName: GROUP,
  lifecycleHookName: transition === LAUNCHING ? 'eni-pool-launch' : 'eni-pool-terminate',
  lifecycleActionToken: tokenFor(instanceId),
});
const lifecycleEvent = (instanceId: string, transition: string) =>
  lifecycleActionEvent({ ...lifecycleOptions(instanceId, transition), ...ENVELOPE });
/** The message a hook's SQS target receives. */
const hookNotification = (instanceId: string, transition: string) =>
  lifecycleNotification({
    ...lifecycleOptions(instanceId, transition),
    origin: 'EC2',
    destination: 'AutoScalingGroup',
    requestId: '0bbf7a4a-6b8c-4d2e-9d1a-2c8b6f4e1a90',
    time: '2026-12-01T09:00:00.000Z',
  });
const sns = (message: string) =>
  snsEnvelope(message, {
    messageId: '6a1f4b52-5e43-5fd4-9a4a-1c7f9b3e2d10',
    topicArn: 'arn:aws:sns:us-east-1:123456789012:eni-pool',
    timestamp: '2026-12-01T09:00:00.000Z',
  });

type Json = Record<string, unknown>;
/** Sets (or, with `undefined`, removes) the value at a dotted path of a copy of `value`. */
function setPath(value: Json, path: string, replacement: unknown): Json {
  const copy = structuredClone(value);
  const keys = path.split('.');
  let node: Json = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Json;
  const last = keys.at(-1)!;
  if (replacement === undefined) delete node[last];
  else node[last] = replacement;
  return copy;
}

// ── the generators ────────────────────────────────────────────────────────────────────────────────

/** A value of a JSON type other than string. */
const notString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);
/** Missing (`undefined`) or of a type other than string. */
const missingOrWrongType = fc.option(notString, { nil: undefined });

/** State changes: required fields missing or mistyped, impossible ids and states. */
const badStateChange = fc.oneof(
  fc
    .record({
      id: realInstance(),
      path: fc.constantFrom('detail', 'detail.instance-id', 'detail.state'),
      value: missingOrWrongType,
    })
    .map(({ id, path, value }) => setPath(stateChange(id, 'running'), path, value)),
  fc
    .record({
      id: fc.string({ maxLength: 30 }).filter((s) => !INSTANCE_ID.test(s)),
      state: fc.constantFrom(...STATES),
    })
    .map(({ id, state }) => stateChange(id, state)),
  fc
    .record({ id: realInstance(), state: fc.string({ maxLength: 20 }).filter((s) => !STATES.includes(s)) })
    .map(({ id, state }) => stateChange(id, state)),
  // Envelope fields of the wrong type, and times that are no ISO-8601 timestamp.
  fc
    .record({
      id: realInstance(),
      path: fc.constantFrom('time', 'resources', 'id', 'region', 'account'),
      value: notString,
    })
    .filter(({ path, value }) => !(path === 'resources' && Array.isArray(value)))
    .map(({ id, path, value }) => setPath(stateChange(id, 'running'), path, value)),
  fc
    .record({
      id: realInstance(),
      time: fc.constantFrom('yesterday', '2026-12-01', '2026-13-01T00:00:00Z', ''),
    })
    .map(({ id, time }) => setPath(stateChange(id, 'running'), 'time', time)),
);

const LIFECYCLE_REQUIRED = [
  'AutoScalingGroupName',
  'LifecycleHookName',
  'EC2InstanceId',
  'LifecycleTransition',
];
/** A lifecycle field made invalid: removed, mistyped, or a value out of its range. */
const badLifecycleField = fc.oneof(
  fc.record({ key: fc.constantFrom(...LIFECYCLE_REQUIRED), value: missingOrWrongType }),
  fc.record({
    key: fc.constant('LifecycleActionToken'),
    value: fc.oneof(
      notString,
      fc.string({ maxLength: 40 }).filter((s) => !TOKEN.test(s)),
    ),
  }),
  fc.record({
    key: fc.constant('EC2InstanceId'),
    value: fc.string({ maxLength: 30 }).filter((s) => !INSTANCE_ID.test(s)),
  }),
  fc.record({
    key: fc.constant('LifecycleTransition'),
    value: fc.string({ maxLength: 40 }).filter((s) => s !== LAUNCHING && s !== TERMINATING),
  }),
  fc.record({ key: fc.constantFrom('AutoScalingGroupName', 'LifecycleHookName'), value: fc.constant('') }),
  fc.record({ key: fc.constant('LifecycleHookName'), value: fc.constant('h'.repeat(256)) }),
  fc.record({
    key: fc.constantFrom('Origin', 'Destination'),
    value: fc.oneof(notString, fc.constantFrom('ec2', 'Warm Pool', 'AutoScaling', '')),
  }),
  fc.record({
    key: fc.constant('NotificationMetadata'),
    value: fc.oneof(fc.integer(), fc.boolean(), fc.constant({})),
  }),
);

/** Lifecycle actions with a bad field, as EventBridge, a hook's SQS target, or SNS delivers them. */
const badLifecycle = fc
  .record({
    id: realInstance(),
    transition: fc.constantFrom(LAUNCHING, TERMINATING),
    field: badLifecycleField,
    carrier: fc.constantFrom('eventbridge', 'notification', 'sns'),
  })
  .map(({ id, transition, field, carrier }) => {
    if (carrier === 'eventbridge') {
      // Origin/Destination are not read from the EventBridge detail's shape check in the same way for the
      // transition: a mismatch with the detail-type is an error of its own, so keep the transition here.
      return setPath(lifecycleEvent(id, transition), `detail.${field.key}`, field.value);
    }
    const message = setPath(hookNotification(id, transition), field.key, field.value);
    // A notification that lost its hook name and its transition is no lifecycle message at all: still bad.
    return carrier === 'sns' ? sns(JSON.stringify(message)) : message;
  });

/** An EventBridge lifecycle action whose transition contradicts its detail-type. */
const contradictoryLifecycle = realInstance().map((id) =>
  setPath(lifecycleEvent(id, LAUNCHING), 'detail.LifecycleTransition', TERMINATING),
);

/** Envelopes of events eni-pool does not handle. */
const foreignEnvelope = fc
  .record({
    detailType: fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.constantFrom(
        'EC2 Spot Instance Interruption Warning',
        'EC2 Instance Launch Successful',
        'AWS API Call via CloudTrail',
      ),
    ),
    source: fc.constantFrom('aws.ec2', 'aws.events', 'aws.autoscaling', 'aws.health', 'custom.app'),
  })
  .filter(
    ({ detailType, source }) =>
      !(
        (source === 'aws.ec2' && detailType === 'EC2 Instance State-change Notification') ||
        (source === 'aws.events' && detailType === 'Scheduled Event') ||
        (source === 'aws.autoscaling' && detailType.endsWith('Lifecycle Action'))
      ),
  )
  .map(({ detailType, source }) => ({
    ...stateChange(instanceIds[0]!, 'running'),
    'detail-type': detailType,
    source,
  }));

/** JSON text cut short, or with a stray character: never valid JSON. */
const malformedJson = fc
  .record({
    template: fc.oneof(
      realInstance().map((id) => stateChange(id, 'running')),
      realInstance().map((id) => hookNotification(id, LAUNCHING)),
      fc.constant(syncEvent(1)),
    ),
    cut: fc.nat(),
    garbage: fc.constantFrom('', '}', ',', '{', '"', 'undefined', "'"),
  })
  .map(({ template, cut, garbage }) => {
    const text = JSON.stringify(template);
    return text.slice(0, cut % text.length) + garbage;
  })
  .filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  });

/** SNS envelopes whose message is missing, not a string, not JSON, or a bad lifecycle message. */
const badSns = fc.oneof(
  missingOrWrongType.map((message) => setPath(sns(''), 'Message', message)),
  malformedJson.map((text) => sns(text)),
  badStateChange.map((event) => sns(JSON.stringify(event))),
  fc
    .constantFrom('SubscriptionConfirmation', 'UnsubscribeConfirmation')
    .map((type) => ({ ...sns('{}'), Type: type })),
);

/** Anything at all that is not an object eni-pool could read as an event. */
const wrongRoot = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 4 }),
  fc.string({ maxLength: 100 }).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }),
  fc.anything({ maxDepth: 3 }),
  fc.json({ maxDepth: 3 }),
);

/** Every kind of bad input, with its kind for the figures. */
const badInput = fc.oneof(
  badStateChange.map((input) => ({ kind: 'state-change', input })),
  badLifecycle.map((input) => ({ kind: 'lifecycle', input })),
  contradictoryLifecycle.map((input) => ({ kind: 'lifecycle', input })),
  foreignEnvelope.map((input) => ({ kind: 'foreign', input })),
  malformedJson.map((input) => ({ kind: 'malformed-json', input })),
  badSns.map((input) => ({ kind: 'sns', input })),
  wrongRoot.map((input) => ({ kind: 'wrong-root', input })),
);
/** Bad lifecycle messages only, for the lifecycle-hook adapter. */
const badLifecycleMessage = fc.oneof(
  badLifecycle,
  contradictoryLifecycle,
  malformedJson,
  badSns,
  // Valid events that are not lifecycle messages are not the adapter's business either.
  realInstance().map((id) => stateChange(id, 'running')),
  fc.constant(syncEvent(2)),
);

/** The body an SQS record carries for an input (strings as they are, everything else as JSON). */
function bodyOf(input: unknown): string {
  if (typeof input === 'string') return input;
  return JSON.stringify(input) ?? String(input);
}

/** SQS records of wrong shape: no message id, a body that is not a string. */
const malformedRecord = fc.oneof(
  fc
    .record({ body: fc.string({ maxLength: 20 }) })
    .map(({ body }) => ({ ...sqsRecord(body), messageId: undefined })),
  fc.record({ body: notString }).map(({ body }) => ({ ...sqsRecord('{}'), body })),
);

const isTypedRejection = (error: unknown) =>
  error instanceof InvalidEventError || error instanceof UnsupportedEventError;

describe('every handler given bad input, on the simulator', { timeout: 90_000 }, () => {
  let sim: AwsSim;
  let ec2: EC2Client;
  let autoScaling: AutoScalingClient;
  let manager: EniPoolManager;
  let lifecycle: LifecycleHookHandler;
  let eventBridge: EventBridgeHandler;
  let sqs: SqsHandler;
  let lambda: LambdaHandler;
  const figures = {
    inputs: 0,
    records: 0,
    escapes: 0,
    calls: 0,
    mutating: 0,
    byKind: {} as Record<string, number>,
  };
  const count = (kind: string) => {
    figures.byKind[kind] = (figures.byKind[kind] ?? 0) + 1;
  };

  beforeAll(async () => {
    sim = await startSim({ seed: 31, autoscaling: { timeScale: 10 } });
    ec2 = new EC2Client(sim.clientConfig());
    autoScaling = new AutoScalingClient(sim.clientConfig());
    const { subnetIds } = sim.world.createNetwork({ azs: 2 });
    sim.world.createPool({ name: POOL, subnets: subnetIds, perSubnet: 2 });
    instanceIds = subnetIds.flatMap((subnetId) =>
      sim.world.launchInstances({ subnetId, count: 2, tags: { [POOL_TAG]: POOL } }),
    );
    manager = new EniPoolManager({
      ec2,
      logger: silentLogger,
      executor: {
        wait: { initialDelayMs: 5, maxDelayMs: 30, timeoutMs: 4_000 },
        retry: { baseDelayMs: 5, maxDelayMs: 40 },
      },
    });
    lifecycle = createLifecycleHookHandler({
      manager,
      ec2,
      autoScaling,
      logger: silentLogger,
      detectTerminating: false,
      launchBudgetMs: 2_000,
      terminateBudgetMs: 2_000,
      poll: { initialDelayMs: 10, maxDelayMs: 50, multiplier: 2 },
    });
    const options = { manager, ec2, autoScaling, logger: silentLogger, lifecycle };
    eventBridge = createEventBridgeHandler(options);
    sqs = createSqsHandler(options);
    lambda = createLambdaHandler(options);
    // A converged world: a valid event mixed into a batch needs reads, never a change.
    await sim.world.waitForState(instanceIds, 'running');
    await eventBridge(syncEvent(1));
    await settleWorld(sim);
    expect(unserved(sim, POOL)).toEqual([]);
    sim.calls.reset();
  });

  afterAll(async () => {
    report('bad input', {
      inputs: figures.inputs,
      sqsRecords: figures.records,
      byKind: figures.byKind,
      escapes: figures.escapes,
      awsCallsForRejections: figures.calls,
      mutatingCalls: figures.mutating,
    });
    ec2.destroy();
    autoScaling.destroy();
    await sim.stop();
  });

  /** Runs `call` and returns the calls the simulator answered meanwhile. */
  async function callsDuring(call: () => Promise<void>): Promise<number> {
    const before = sim.calls.total;
    await call();
    return sim.calls.total - before;
  }

  it('the EventBridge handler returns a typed rejection and calls nothing, for 3,000 events', async () => {
    await fc.assert(
      fc.asyncProperty(badInput, async ({ kind, input }) => {
        figures.inputs++;
        count(kind);
        let result: unknown;
        const calls = await callsDuring(async () => {
          result = await eventBridge(input).catch((error: unknown) => {
            figures.escapes++;
            return error;
          });
        });
        figures.calls += calls;
        expect(result).toMatchObject({
          status: 'rejected',
          error: expect.stringMatching(/^(Invalid|Unsupported)EventError$/),
        });
        expect(calls).toBe(0);
      }),
      { numRuns: 3_000, seed: 9001 },
    );
    expect(mutatingCalls(sim)).toEqual({});
  });

  it('the combined handler rejects bad events and reports exactly the poison records of a batch, for 1,000 events and batches', async () => {
    // Half the runs are single events, half SQS batches of poison and valid records mixed.
    const valid = fc.oneof(
      realInstance().map((id) => stateChange(id, 'running')),
      fc.constant(syncEvent(3)),
    );
    const batch = fc.array(
      fc.oneof(
        {
          weight: 5,
          arbitrary: badInput.map(({ kind, input }) => ({ poison: true, kind, body: bodyOf(input) })),
        },
        {
          weight: 1,
          arbitrary: valid.map((event) => ({ poison: false, kind: 'valid', body: JSON.stringify(event) })),
        },
      ),
      { minLength: 1, maxLength: 10 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          badInput.map((single) => ({ single })),
          batch.map((records) => ({ records })),
        ),
        async (run) => {
          if ('single' in run) {
            figures.inputs++;
            count(run.single.kind);
            let result: unknown;
            const calls = await callsDuring(async () => {
              result = await lambda(run.single.input).catch((error: unknown) => {
                figures.escapes++;
                return error;
              });
            });
            figures.calls += calls;
            expect(result).toMatchObject({ status: 'rejected' });
            expect(calls).toBe(0);
            return;
          }
          const records = run.records.map((r, n) => sqsRecord(r.body, { messageId: `m-${n}` }));
          for (const r of run.records) {
            if (r.poison) count(r.kind);
          }
          figures.inputs += run.records.filter((r) => r.poison).length;
          figures.records += records.length;
          let response: unknown;
          const calls = await callsDuring(async () => {
            response = await lambda(sqsEvent(...records)).catch((error: unknown) => {
              figures.escapes++;
              return error;
            });
          });
          const poison = records
            .filter((_, n) => run.records[n]!.poison)
            .map((r) => ({ itemIdentifier: r.messageId }));
          expect(response).toEqual({ batchItemFailures: poison });
          if (poison.length === records.length) {
            figures.calls += calls;
            expect(calls).toBe(0);
          }
        },
      ),
      { numRuns: 1_000, seed: 9002 },
    );
    expect(mutatingCalls(sim)).toEqual({});
  });

  it('the SQS handler never throws, on poison batches, malformed records and events that are no batch, for 2,000 of them', async () => {
    const record = fc.oneof(
      {
        weight: 4,
        arbitrary: badInput.map(({ kind, input }) => ({
          kind,
          record: sqsRecord(bodyOf(input)) as SQSRecord,
          poison: true,
        })),
      },
      {
        weight: 1,
        arbitrary: malformedRecord.map((r) => ({
          kind: 'malformed-record',
          record: r as unknown as SQSRecord,
          poison: false,
        })),
      },
    );
    const notABatch = fc.oneof(
      wrongRoot,
      badStateChange,
      fc.constant({ Records: 'none' }),
      fc.constant({ Records: [null, 1] }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.array(record, { minLength: 1, maxLength: 10 }).map((records) => ({ records })),
          notABatch.map((event) => ({ event })),
        ),
        async (run) => {
          let response: unknown;
          let calls: number;
          if ('event' in run) {
            figures.inputs++;
            count('not-a-batch');
            calls = await callsDuring(async () => {
              response = await sqs(run.event as never).catch((error: unknown) => {
                figures.escapes++;
                return error;
              });
            });
            expect(response).toEqual({ batchItemFailures: [] });
          } else {
            const records = run.records.map((r, n) => ({
              ...r.record,
              ...(r.poison ? { messageId: `p-${n}` } : {}),
            }));
            for (const r of run.records) count(r.kind);
            figures.inputs += records.length;
            figures.records += records.length;
            calls = await callsDuring(async () => {
              response = await sqs(sqsEvent(...records)).catch((error: unknown) => {
                figures.escapes++;
                return error;
              });
            });
            // A record without a message id cannot be reported; every other one is poison.
            const poison = records
              .filter((_, n) => run.records[n]!.poison)
              .map((r) => ({ itemIdentifier: r.messageId }));
            const malformedWithId = records.filter(
              (r, n) => !run.records[n]!.poison && typeof r.messageId === 'string' && r.messageId !== '',
            );
            const reported = (response as SQSBatchResponse).batchItemFailures.map((f) => f.itemIdentifier);
            expect(reported).toEqual(expect.arrayContaining(poison.map((p) => p.itemIdentifier)));
            expect(reported.length).toBe(poison.length + malformedWithId.length);
          }
          figures.calls += calls;
          expect(calls).toBe(0);
        },
      ),
      { numRuns: 2_000, seed: 9003 },
    );
    expect(mutatingCalls(sim)).toEqual({});
  });

  it('the lifecycle-hook adapter rejects bad lifecycle messages with a typed error and calls nothing, for 2,000 messages', async () => {
    await fc.assert(
      fc.asyncProperty(badLifecycleMessage, async (message) => {
        figures.inputs++;
        count('lifecycle-adapter');
        let error: unknown;
        const calls = await callsDuring(async () => {
          error = await lifecycle.handleMessage(message).then(
            () => undefined,
            (e: unknown) => e,
          );
        });
        figures.calls += calls;
        // Its contract: a typed rejection, before any AWS call. Anything else escaped.
        if (!isTypedRejection(error)) figures.escapes++;
        expect(isTypedRejection(error), String(error)).toBe(true);
        expect(calls).toBe(0);
      }),
      { numRuns: 2_000, seed: 9004 },
    );
    expect(mutatingCalls(sim)).toEqual({});
  });

  it('parseEvent throws only typed errors, for 1,000 more inputs', () => {
    fc.assert(
      fc.property(badInput, ({ kind, input }) => {
        figures.inputs++;
        count(kind);
        let thrown: unknown;
        try {
          parseEvent(input);
        } catch (error) {
          thrown = error;
        }
        if (!isTypedRejection(thrown)) figures.escapes++;
        expect(isTypedRejection(thrown), String(thrown)).toBe(true);
      }),
      { numRuns: 1_000, seed: 9005 },
    );
  });

  // Runs after the tests above (vitest keeps the order within a file) and sums what they counted.
  it('counted at least 10,000 bad inputs with no escape and no mutating call', () => {
    figures.mutating = Object.values(mutatingCalls(sim)).reduce((sum, n) => sum + n, 0);
    expect(figures.inputs).toBeGreaterThanOrEqual(10_000);
    expect(figures.escapes).toBe(0);
    expect(figures.calls).toBe(0);
    expect(figures.mutating).toBe(0);
  });

  // Issue 9, item 1: a well-formed lifecycle action of another team's hook on a pool instance is none of
  // eni-pool's business: no AWS call on any path (before the fix: 32 calls for these 8, among them 8
  // CompleteLifecycleAction and a detach). Last in the file, since a regression would change the world.
  it('ignores the lifecycle actions of hooks it does not own, with no AWS call', async () => {
    const instanceId = instanceIds[0]!;
    const deliveries: { carrier: string; run: () => Promise<unknown> }[] = [];
    for (const [hook, transition] of [
      ['app-bootstrap', LAUNCHING],
      ['app-drain', TERMINATING],
    ] as const) {
      const event = setPath(lifecycleEvent(instanceId, transition), 'detail.LifecycleHookName', hook);
      const message = { ...hookNotification(instanceId, transition), LifecycleHookName: hook };
      deliveries.push(
        { carrier: 'eventbridge', run: () => lambda(event) },
        { carrier: 'sqs', run: () => lambda(sqsEvent(sqsRecord(JSON.stringify(message)))) },
        { carrier: 'sns', run: () => sqs(sqsEvent(sqsRecord(JSON.stringify(sns(JSON.stringify(message)))))) },
        { carrier: 'adapter', run: () => lifecycle.handleMessage(message) },
      );
    }
    const before = { ...mutatingCalls(sim) };
    let calls = 0;
    let threw = 0;
    for (const delivery of deliveries) {
      calls += await callsDuring(async () => {
        await delivery.run().catch((error: unknown) => {
          // The adapter may refuse a foreign action with a typed rejection; the handlers must not throw.
          if (!(delivery.carrier === 'adapter' && isTypedRejection(error))) threw++;
        });
      });
    }
    const after = mutatingCalls(sim);
    const completes = (after.CompleteLifecycleAction ?? 0) - (before.CompleteLifecycleAction ?? 0);
    const detaches = (after.DetachNetworkInterface ?? 0) - (before.DetachNetworkInterface ?? 0);
    report('foreign hooks', { actions: deliveries.length, awsCalls: calls, completes, detaches, threw });
    expect(calls).toBe(0);
    expect(threw).toBe(0);
  });
});
