import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidEventError, UnsupportedEventError } from '../../src/errors';
import type { InstanceStateName } from '../../src/model';
import { parseEvent } from '../../src/parse-event';
import {
  instanceStateChangeEvent,
  keyValueMessage,
  LAUNCHING,
  type LifecycleOptions,
  lifecycleActionEvent,
  lifecycleNotification,
  scheduledEvent,
  snsEnvelope,
  TERMINATING,
  testNotification,
} from '../../src/testing';
import type { LifecycleLocation, LifecycleTransition, Trigger } from '../../src/trigger';
import { REMOVE, withField } from '../helpers/with-field';

const STATES: InstanceStateName[] = [
  'pending',
  'running',
  'stopping',
  'stopped',
  'shutting-down',
  'terminated',
];
const LOCATIONS: LifecycleLocation[] = ['EC2', 'AutoScalingGroup', 'WarmPool'];

/** Runs `parseEvent` and returns what came out; fails the property on any other kind of exception. */
function outcome(input: unknown): Trigger | InvalidEventError | UnsupportedEventError {
  try {
    return parseEvent(input);
  } catch (error) {
    if (error instanceof InvalidEventError || error instanceof UnsupportedEventError) return error;
    throw new Error(`parseEvent threw a ${String((error as Error)?.name)}: ${String(error)}`);
  }
}

/** A structural check of the result, so a half-built trigger cannot pass as one. */
function expectWellFormed(result: ReturnType<typeof outcome>): void {
  if (result instanceof InvalidEventError) {
    expect(typeof result.field).toBe('string');
    expect(typeof result.eventKind).toBe('string');
    return;
  }
  if (result instanceof UnsupportedEventError) return;
  switch (result.kind) {
    case 'instance-state-change':
      expect(result.instanceId).toMatch(/^i-[0-9a-f]{8,17}$/);
      expect(STATES).toContain(result.state);
      break;
    case 'scheduled-sync':
      expect(typeof result.origin).toBe('object');
      break;
    case 'lifecycle-action':
      expect([LAUNCHING, TERMINATING]).toContain(result.transition);
      expect(result.instanceId).toMatch(/^i-[0-9a-f]{8,17}$/);
      expect(result.autoScalingGroupName.length).toBeGreaterThan(0);
      expect(result.lifecycleHookName.length).toBeGreaterThan(0);
      expect(['eventbridge', 'notification']).toContain(result.source);
      break;
    case 'test-notification':
      expect(typeof result.from).toBe('object');
      break;
    default:
      throw new Error(`unknown trigger ${JSON.stringify(result)}`);
  }
}

const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const instanceId = fc.oneof(hex(8), hex(17)).map((digits) => `i-${digits}`);
/** Names as the key-value form can carry them: no line breaks, no trailing blanks. */
const plainName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_/-]{0,40}$/);
const anyName = fc.string({ minLength: 1, maxLength: 60 });

const lifecycleOptions = (names: fc.Arbitrary<string>) =>
  fc.record({
    transition: fc.constantFrom<LifecycleTransition>(LAUNCHING, TERMINATING),
    instanceId,
    autoScalingGroupName: names,
    lifecycleHookName: names.filter((name) => name.length <= 255),
    lifecycleActionToken: fc.option(fc.uuid(), { nil: null }),
    notificationMetadata: fc.option(names, { nil: null }),
    origin: fc.option(fc.constantFrom(...LOCATIONS), { nil: undefined }),
    destination: fc.option(fc.constantFrom(...LOCATIONS), { nil: undefined }),
  });

/** Valid events of every shape, each with the transport variants they arrive in. */
const validEvent: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ instanceId, state: fc.constantFrom(...STATES) }).map((o) => instanceStateChangeEvent(o)),
  fc.constant(null).map(() => scheduledEvent()),
  lifecycleOptions(anyName).map((o) => lifecycleActionEvent(o)),
  lifecycleOptions(anyName).map((o) => lifecycleNotification(o)),
  lifecycleOptions(anyName).map((o) => snsEnvelope(lifecycleNotification(o))),
  lifecycleOptions(plainName).map((o) => snsEnvelope(keyValueMessage(lifecycleNotification(o)))),
  fc.constant(null).map(() => testNotification()),
  fc.constant(null).map(() => snsEnvelope(testNotification())),
);

/** Every dotted path in an event, including inside a JSON `Message` string. */
function pathsOf(value: unknown, prefix = ''): string[] {
  let node = value;
  if (typeof node === 'string' && prefix !== '') {
    try {
      node = JSON.parse(node);
    } catch {
      return [];
    }
  }
  if (typeof node !== 'object' || node === null) return [];
  return Object.keys(node).flatMap((key) => {
    const path = `${prefix}${key}`;
    return [path, ...pathsOf((node as Record<string, unknown>)[key], `${path}.`)];
  });
}

const mutatedEvent = validEvent.chain((event) => {
  const paths = pathsOf(event);
  return fc.record({
    event: fc.constant(event),
    path: fc.constantFrom(...paths),
    value: fc.oneof(fc.constant(REMOVE), fc.jsonValue({ maxDepth: 2 })),
  });
});

// Generous bound for a loaded 2-core runner; the properties finish in a few seconds.
describe('parseEvent properties', { timeout: 30_000 }, () => {
  it('answers any JSON value with a trigger or one of the two typed errors', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expectWellFormed(outcome(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('answers any string, JSON or not, with a trigger or one of the two typed errors', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.json(), fc.string({ unit: fc.constantFrom(...'{}[]":,.-0e1 \\nulfalse') })),
        (text) => {
          expectWellFormed(outcome(text));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('answers arbitrary JavaScript values the same way', () => {
    fc.assert(
      fc.property(
        fc.anything({ withMap: true, withSet: true, withBigInt: true, withNullPrototype: true }),
        (value) => {
          expectWellFormed(outcome(value));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('answers a valid event with one field deleted or replaced by a random value, and leaves it untouched', () => {
    fc.assert(
      fc.property(mutatedEvent, ({ event, path, value }) => {
        const mutated = withField(event, path, value);
        const before = JSON.stringify(mutated);
        expectWellFormed(outcome(mutated));
        expectWellFormed(outcome(before));
        expect(JSON.stringify(mutated)).toBe(before);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects a mutation of a field it checks with an InvalidEventError naming that field', () => {
    // Replacing a required instance id with a number can only be reported at that exact path.
    const cases = fc.oneof(
      fc.constant(null).map(() => ({ event: instanceStateChangeEvent(), path: 'detail.instance-id' })),
      fc.constant(null).map(() => ({ event: instanceStateChangeEvent(), path: 'detail.state' })),
      fc.constant(null).map(() => ({ event: lifecycleActionEvent(), path: 'detail.EC2InstanceId' })),
      fc.constant(null).map(() => ({ event: lifecycleActionEvent(), path: 'detail.AutoScalingGroupName' })),
      fc.constant(null).map(() => ({ event: lifecycleNotification(), path: 'EC2InstanceId' })),
      fc.constant(null).map(() => ({ event: lifecycleNotification(), path: 'LifecycleHookName' })),
      fc
        .constant(null)
        .map(() => ({ event: snsEnvelope(lifecycleNotification()), path: 'Message.EC2InstanceId' })),
    );
    const wrongValue = fc.oneof(
      fc.constant(REMOVE),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 2 }),
      // The one string every one of these fields refuses.
      fc.constant(''),
    );
    fc.assert(
      fc.property(cases, wrongValue, ({ event, path }, value) => {
        const result = outcome(withField(event, path, value));
        expect(result).toBeInstanceOf(InvalidEventError);
        expect((result as InvalidEventError).field).toBe(path);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads back exactly the fields a state-change event was built from', () => {
    fc.assert(
      fc.property(instanceId, fc.constantFrom(...STATES), fc.uuid(), (id, state, eventId) => {
        expect(parseEvent(instanceStateChangeEvent({ instanceId: id, state, id: eventId }))).toMatchObject({
          kind: 'instance-state-change',
          instanceId: id,
          state,
          origin: { id: eventId },
        });
      }),
      { numRuns: 300 },
    );
  });

  it('reads the same lifecycle action from EventBridge, SQS JSON, SNS JSON and the SNS key-value form', () => {
    fc.assert(
      fc.property(lifecycleOptions(plainName), (options: LifecycleOptions) => {
        const expected = {
          kind: 'lifecycle-action',
          transition: options.transition,
          autoScalingGroupName: options.autoScalingGroupName,
          lifecycleHookName: options.lifecycleHookName,
          instanceId: options.instanceId,
          ...(options.lifecycleActionToken != null && { lifecycleActionToken: options.lifecycleActionToken }),
          ...(options.notificationMetadata != null && { notificationMetadata: options.notificationMetadata }),
          ...(options.origin !== undefined && { origin: options.origin }),
          ...(options.destination !== undefined && { destination: options.destination }),
        };
        const strip = (trigger: Trigger) => {
          const {
            from: _from,
            source: _source,
            ...rest
          } = trigger as Trigger & { from?: unknown; source?: unknown };
          return rest;
        };
        const notification = lifecycleNotification(options);

        expect(strip(parseEvent(lifecycleActionEvent(options)))).toEqual(expected);
        expect(strip(parseEvent(JSON.stringify(notification)))).toEqual(expected);
        expect(strip(parseEvent(snsEnvelope(notification)))).toEqual(expected);
        expect(strip(parseEvent(snsEnvelope(keyValueMessage(notification))))).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same answer for an event and its JSON string', () => {
    fc.assert(
      fc.property(mutatedEvent, ({ event, path, value }) => {
        const mutated = withField(event, path, value);
        const direct = outcome(mutated);
        const viaString = outcome(JSON.stringify(mutated));
        if (direct instanceof Error) {
          expect(viaString).toBeInstanceOf(direct.constructor);
          expect(viaString).toMatchObject(
            direct instanceof InvalidEventError ? { field: direct.field } : { seen: direct.seen },
          );
        } else {
          expect(viaString).toEqual(direct);
        }
      }),
      { numRuns: 800 },
    );
  });
});
