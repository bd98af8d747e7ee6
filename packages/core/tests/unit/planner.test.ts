import { describe, expect, it } from 'vitest';
import { ConfigurationError, EniPoolError } from '../../src/errors';
import type { InstanceStateName, Plan, PlannerOptions, PoolState } from '../../src/model';
import { InvalidPoolStateError, planAssignments } from '../../src/planner';
import { applyPlanToState, eni, instance, poolState } from '../helpers/state-factory';

const plan = (state: PoolState, options?: PlannerOptions): Plan => planAssignments(state, options);
const actionIds = (p: Plan) => p.actions.map((a) => a.id);
const reasons = (p: Plan) => p.unsatisfied.map((u) => `${u.instanceId}:${u.reason}`);

describe('planAssignments', () => {
  describe('keeping valid attachments', () => {
    it('keeps the interface a running member already holds, with no action', () => {
      const result = plan(
        poolState([instance({ id: 'i-1' })], [eni({ id: 'eni-1', attachedTo: { instanceId: 'i-1' } })]),
      );
      expect(result.actions).toEqual([]);
      expect(result.keep).toEqual([{ pool: 'web', instanceId: 'i-1', networkInterfaceId: 'eni-1' }]);
      expect(result).toMatchSnapshot();
    });

    it('counts an interface still attaching to a running member as held', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1' })],
          [
            eni({ id: 'eni-1', status: 'attaching', attachedTo: { instanceId: 'i-1', status: 'attaching' } }),
            eni({ id: 'eni-2' }),
          ],
        ),
      );
      expect(result.actions).toEqual([]);
      expect(result.keep.map((k) => k.networkInterfaceId)).toEqual(['eni-1']);
      expect(result).toMatchSnapshot();
    });

    it('reads an attach seen only on the instance (the describes are not one snapshot) as arriving', () => {
      // i-1 (older) got eni-1 between the interface describe and the instance describe.
      const result = plan(
        poolState(
          [
            instance({
              id: 'i-1',
              launchedAt: 0,
              attachments: [
                { networkInterfaceId: 'eni-1', deviceIndex: 1, networkCardIndex: 0, status: 'attaching' },
              ],
            }),
            instance({ id: 'i-2', launchedAt: 1 }),
          ],
          [eni({ id: 'eni-1' }), eni({ id: 'eni-2' })],
        ),
      );
      // Not eni-1 to i-2 (its attach would meet InvalidNetworkInterface.InUse), nor a second to i-1.
      expect(actionIds(result)).toEqual(['attach:eni-2:i-2']);
      expect(result.unsatisfied).toEqual([]);
    });

    it('keeps a held interface from another subnet rather than churning the address', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1', subnet: 'subnet-a' })],
          [eni({ id: 'eni-b', subnet: 'subnet-b', attachedTo: { instanceId: 'i-1' } }), eni({ id: 'eni-a' })],
        ),
      );
      expect(result.actions).toEqual([]);
      expect(result.keep.map((k) => k.networkInterfaceId)).toEqual(['eni-b']);
    });
  });

  describe('releasing', () => {
    it.each<InstanceStateName>(['stopping', 'stopped', 'shutting-down', 'terminated'])(
      'detaches the interface of a %s member as instance-not-running',
      (state) => {
        const result = plan(
          poolState(
            [instance({ id: 'i-1', state })],
            [eni({ id: 'eni-1', attachedTo: { instanceId: 'i-1', deviceIndex: 2 } })],
          ),
        );
        expect(result.actions).toEqual([
          {
            kind: 'detach',
            id: 'detach:eni-1:i-1',
            pool: 'web',
            networkInterfaceId: 'eni-1',
            instanceId: 'i-1',
            attachmentId: 'eni-attach-eni-1',
            reason: 'instance-not-running',
          },
        ]);
      },
    );

    it('detaches from a running instance whose pool tag was removed, as not-a-member', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1', pool: null })],
          [eni({ id: 'eni-1', attachedTo: { instanceId: 'i-1' } })],
        ),
      );
      expect(result.actions.map((a) => a.kind === 'detach' && a.reason)).toEqual(['not-a-member']);
      expect(result).toMatchSnapshot();
    });

    it('detaches from an instance tagged for another pool and serves it from its own pool', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1', pool: 'api' })],
          [eni({ id: 'eni-web', attachedTo: { instanceId: 'i-1' } }), eni({ id: 'eni-api', pool: 'api' })],
        ),
      );
      expect(actionIds(result)).toEqual(['detach:eni-web:i-1', 'attach:eni-api:i-1']);
      // Index 1 is still held by the leaving interface, so the new one goes to 2 and need not wait.
      expect(result.actions[1]).toMatchObject({ deviceIndex: 2 });
      expect(result.actions[1]).not.toHaveProperty('after');
      expect(result).toMatchSnapshot();
    });

    it('detaches from an instance absent from the state, as instance-unknown', () => {
      const result = plan(poolState([], [eni({ id: 'eni-1', attachedTo: { instanceId: 'i-gone' } })]));
      expect(result.actions).toMatchObject([
        { kind: 'detach', instanceId: 'i-gone', reason: 'instance-unknown' },
      ]);
    });

    it('releases the higher device index when a member holds two interfaces of its pool', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1' })],
          [
            eni({ id: 'eni-1', attachedTo: { instanceId: 'i-1', deviceIndex: 2 } }),
            eni({ id: 'eni-2', attachedTo: { instanceId: 'i-1', deviceIndex: 1 } }),
          ],
        ),
      );
      expect(result.keep.map((k) => k.networkInterfaceId)).toEqual(['eni-2']);
      expect(result.actions).toMatchObject([
        { kind: 'detach', networkInterfaceId: 'eni-1', reason: 'duplicate' },
      ]);
      expect(result).toMatchSnapshot();
    });

    it('breaks a device-index tie between two held interfaces by network card, then interface id', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1' })],
          [
            eni({ id: 'eni-b', attachedTo: { instanceId: 'i-1', deviceIndex: 1, networkCardIndex: 0 } }),
            eni({ id: 'eni-a', attachedTo: { instanceId: 'i-1', deviceIndex: 1, networkCardIndex: 1 } }),
          ],
        ),
      );
      expect(result.keep.map((k) => k.networkInterfaceId)).toEqual(['eni-b']);
      expect(result.actions).toMatchObject([{ networkInterfaceId: 'eni-a', reason: 'duplicate' }]);
    });

    it('leaves a duplicate that is still attaching alone until it settles', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1' })],
          [
            eni({ id: 'eni-1', attachedTo: { instanceId: 'i-1', deviceIndex: 1 } }),
            eni({
              id: 'eni-2',
              status: 'attaching',
              attachedTo: { instanceId: 'i-1', deviceIndex: 2, status: 'attaching' },
            }),
          ],
        ),
      );
      expect(result.actions).toEqual([]);
      expect(result.keep.map((k) => k.networkInterfaceId)).toEqual(['eni-1']);
    });

    it('never detaches a pool-tagged primary interface and does not count it as free', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1', state: 'stopped', primary: false }), instance({ id: 'i-2' })],
          [eni({ id: 'eni-primary', attachedTo: { instanceId: 'i-1', deviceIndex: 0 } })],
        ),
      );
      expect(result.actions).toEqual([]);
      expect(reasons(result)).toEqual(['i-2:pool-exhausted']);
      expect(result.pools[0]).toMatchObject({ interfaces: 1, freeInterfaces: 0 });
      expect(result).toMatchSnapshot();
    });

    it('leaves an interface held by a pending instance alone, since EC2 refuses the detach', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1', state: 'pending' })],
          [eni({ id: 'eni-1', attachedTo: { instanceId: 'i-1' } })],
        ),
      );
      expect(result.actions).toEqual([]);
    });

    it('releases interfaces of stopped holders even when nobody is waiting for them', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1', state: 'stopped' }), instance({ id: 'i-2', state: 'stopped' })],
          [
            eni({ id: 'eni-1', attachedTo: { instanceId: 'i-1' } }),
            eni({ id: 'eni-2', subnet: 'subnet-b', attachedTo: { instanceId: 'i-2' } }),
          ],
        ),
      );
      expect(actionIds(result)).toEqual(['detach:eni-1:i-1', 'detach:eni-2:i-2']);
    });
  });

  describe('assigning', () => {
    it('attaches a free interface from the instance subnet at the lowest free device index', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1', subnet: 'subnet-a' })],
          [eni({ id: 'eni-b', subnet: 'subnet-b' }), eni({ id: 'eni-a', subnet: 'subnet-a' })],
        ),
      );
      expect(result.actions).toEqual([
        {
          kind: 'attach',
          id: 'attach:eni-a:i-1',
          pool: 'web',
          networkInterfaceId: 'eni-a',
          instanceId: 'i-1',
          deviceIndex: 1,
          networkCardIndex: 0,
        },
      ]);
      expect(result).toMatchSnapshot();
    });

    it('serves the oldest launch first when interfaces run short', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-young', launchedAt: 30 }), instance({ id: 'i-old', launchedAt: 10 })],
          [eni({ id: 'eni-1' })],
        ),
      );
      expect(actionIds(result)).toEqual(['attach:eni-1:i-old']);
      expect(reasons(result)).toEqual(['i-young:pool-exhausted']);
      expect(result).toMatchSnapshot();
    });

    it('breaks launch-time ties by instance id', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-b', launchedAt: 5 }), instance({ id: 'i-a', launchedAt: 5 })],
          [eni({ id: 'eni-1' })],
        ),
      );
      expect(actionIds(result)).toEqual(['attach:eni-1:i-a']);
    });

    it('hands out free interfaces in interface-id order', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1', launchedAt: 1 }), instance({ id: 'i-2', launchedAt: 2 })],
          [eni({ id: 'eni-c' }), eni({ id: 'eni-a' }), eni({ id: 'eni-b' })],
        ),
      );
      expect(actionIds(result)).toEqual(['attach:eni-a:i-1', 'attach:eni-b:i-2']);
    });

    it('gives an instance back the interface that last served it, ahead of older instances', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-old', launchedAt: 1 }), instance({ id: 'i-back', launchedAt: 2 })],
          [eni({ id: 'eni-1', lastInstance: 'i-back' }), eni({ id: 'eni-2' })],
        ),
      );
      expect(result.actions).toMatchObject([
        { instanceId: 'i-back', networkInterfaceId: 'eni-1' },
        { instanceId: 'i-old', networkInterfaceId: 'eni-2' },
      ]);
      expect(result).toMatchSnapshot();
    });

    it('ignores the last-instance preference across subnets', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1', subnet: 'subnet-a' })],
          [
            eni({ id: 'eni-b', subnet: 'subnet-b', lastInstance: 'i-1' }),
            eni({ id: 'eni-z', subnet: 'subnet-a' }),
          ],
        ),
      );
      expect(actionIds(result)).toEqual(['attach:eni-z:i-1']);
    });

    it('draws from any subnet of the same zone with placement availability-zone', () => {
      const state = poolState(
        [instance({ id: 'i-1', subnet: 'subnet-a1', az: 'eu-west-1a' })],
        [
          eni({ id: 'eni-1', subnet: 'subnet-a2', az: 'eu-west-1a' }),
          eni({ id: 'eni-0', subnet: 'subnet-b1', az: 'eu-west-1b' }),
        ],
      );
      expect(actionIds(plan(state, { placement: 'availability-zone' }))).toEqual(['attach:eni-1:i-1']);
      expect(reasons(plan(state))).toEqual(['i-1:no-interface-in-subnet']);
    });

    it('assigns nothing to stopped or pending members', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1', state: 'stopped' }), instance({ id: 'i-2', state: 'pending' })],
          [eni({ id: 'eni-1' })],
        ),
      );
      expect(result.actions).toEqual([]);
      expect(result.unsatisfied).toEqual([]);
    });

    it('gives a running member the interface an older pending member reserved, when it fits no other', () => {
      // i-run's device index 3 is taken by a foreign interface, so the tagged eni-3 does not fit it.
      const result = plan(
        poolState(
          [
            instance({ id: 'i-boot', state: 'pending', launchedAt: 0 }),
            instance({
              id: 'i-run',
              launchedAt: 1,
              attachments: [
                {
                  networkInterfaceId: 'eni-foreign',
                  deviceIndex: 3,
                  networkCardIndex: 0,
                  status: 'attached',
                },
              ],
            }),
          ],
          [eni({ id: 'eni-2' }), eni({ id: 'eni-3', deviceIndexTag: '3' })],
        ),
      );
      expect(actionIds(result)).toEqual(['attach:eni-2:i-run']);
      expect(result.unsatisfied).toEqual([]);
    });
  });

  describe('handing over', () => {
    it('hands a released interface to the waiting instance in the same subnet', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-old', state: 'shutting-down' }), instance({ id: 'i-new' })],
          [eni({ id: 'eni-1', attachedTo: { instanceId: 'i-old' } })],
        ),
      );
      expect(result.actions).toEqual([
        expect.objectContaining({ kind: 'detach', id: 'detach:eni-1:i-old' }),
        expect.objectContaining({ kind: 'attach', id: 'attach:eni-1:i-new', after: 'detach:eni-1:i-old' }),
      ]);
      expect(result).toMatchSnapshot();
    });

    it('prefers a free interface over a hand-over', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-old', state: 'stopped' }), instance({ id: 'i-new' })],
          [eni({ id: 'eni-1', attachedTo: { instanceId: 'i-old' } }), eni({ id: 'eni-2' })],
        ),
      );
      expect(actionIds(result)).toEqual(['detach:eni-1:i-old', 'attach:eni-2:i-new']);
      expect(result.actions[1]).not.toHaveProperty('after');
    });

    it('does not hand over an interface from another subnet', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-old', state: 'stopped', subnet: 'subnet-b' }), instance({ id: 'i-new' })],
          [eni({ id: 'eni-1', subnet: 'subnet-b', attachedTo: { instanceId: 'i-old' } })],
        ),
      );
      expect(actionIds(result)).toEqual(['detach:eni-1:i-old']);
      expect(reasons(result)).toEqual(['i-new:no-interface-in-subnet']);
      expect(result).toMatchSnapshot();
    });

    it('hands over a released duplicate to an instance still waiting', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1', launchedAt: 1 }), instance({ id: 'i-2', launchedAt: 2 })],
          [
            eni({ id: 'eni-1', attachedTo: { instanceId: 'i-1', deviceIndex: 1 } }),
            eni({ id: 'eni-2', attachedTo: { instanceId: 'i-1', deviceIndex: 2 } }),
          ],
        ),
      );
      expect(actionIds(result)).toEqual(['detach:eni-2:i-1', 'attach:eni-2:i-2']);
      expect(result.actions[1]).toMatchObject({ after: 'detach:eni-2:i-1' });
    });
  });

  describe('interfaces in transition', () => {
    it('neither assigns nor releases attaching or detaching interfaces, and says so', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-gone', state: 'stopped' }), instance({ id: 'i-1' })],
          [
            eni({
              id: 'eni-1',
              status: 'detaching',
              attachedTo: { instanceId: 'i-gone', status: 'detaching' },
            }),
            eni({
              id: 'eni-2',
              status: 'attaching',
              attachedTo: { instanceId: 'i-gone', status: 'attaching' },
            }),
          ],
        ),
      );
      expect(result.actions).toEqual([]);
      expect(reasons(result)).toEqual(['i-1:interface-in-transition']);
      expect(result).toMatchSnapshot();
    });

    it('reports in-transition for only as many instances as there are such interfaces', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1', launchedAt: 1 }), instance({ id: 'i-2', launchedAt: 2 })],
          [eni({ id: 'eni-1', status: 'detaching' })],
        ),
      );
      expect(reasons(result)).toEqual(['i-1:interface-in-transition', 'i-2:pool-exhausted']);
    });

    it('does not count a transition in another subnet', () => {
      const result = plan(
        poolState([instance({ id: 'i-1' })], [eni({ id: 'eni-1', subnet: 'subnet-b', status: 'detaching' })]),
      );
      expect(reasons(result)).toEqual(['i-1:pool-exhausted']);
    });
  });

  describe('device index', () => {
    it('picks the lowest index at or above 1 that is free on the planned network card', () => {
      const result = plan(
        poolState(
          [
            instance({
              id: 'i-1',
              attachments: [
                { networkInterfaceId: 'eni-x', deviceIndex: 1, networkCardIndex: 0, status: 'attached' },
                { networkInterfaceId: 'eni-y', deviceIndex: 2, networkCardIndex: 1, status: 'attached' },
                { networkInterfaceId: 'eni-z', deviceIndex: 3, networkCardIndex: 0, status: 'detaching' },
              ],
            }),
          ],
          [eni({ id: 'eni-1' })],
        ),
      );
      expect(result.actions).toMatchObject([{ deviceIndex: 2, networkCardIndex: 0 }]);
    });

    it('passes the configured network card and counts only indices on that card', () => {
      const result = plan(
        poolState(
          [
            instance({
              id: 'i-1',
              attachments: [
                { networkInterfaceId: 'eni-x', deviceIndex: 1, networkCardIndex: 1, status: 'attached' },
              ],
            }),
          ],
          [eni({ id: 'eni-1' })],
        ),
        { networkCardIndex: 1 },
      );
      expect(result.actions).toMatchObject([{ deviceIndex: 2, networkCardIndex: 1 }]);
    });

    it('counts an attachment seen only on the interface side as using its index', () => {
      const state = poolState([instance({ id: 'i-1' })], [eni({ id: 'eni-1' })]);
      const foreign = eni({ id: 'eni-other', pool: null, attachedTo: { instanceId: 'i-1', deviceIndex: 1 } });
      const result = plan({ instances: state.instances, interfaces: [...state.interfaces, foreign] });
      expect(result.actions).toMatchObject([{ networkInterfaceId: 'eni-1', deviceIndex: 2 }]);
    });

    it('uses the index fixed by the deviceIndex option', () => {
      const result = plan(poolState([instance({ id: 'i-1' })], [eni({ id: 'eni-1' })]), {
        deviceIndex: { mode: 'fixed', index: 3 },
      });
      expect(result.actions).toMatchObject([{ deviceIndex: 3 }]);
    });

    it('reports device-index-taken when the fixed index is used on the instance', () => {
      const result = plan(
        poolState(
          [
            instance({
              id: 'i-1',
              attachments: [
                { networkInterfaceId: 'eni-x', deviceIndex: 1, networkCardIndex: 0, status: 'attached' },
              ],
            }),
          ],
          [eni({ id: 'eni-1' })],
        ),
        { deviceIndex: { mode: 'fixed', index: 1 } },
      );
      expect(result.actions).toEqual([]);
      expect(reasons(result)).toEqual(['i-1:device-index-taken']);
      expect(result).toMatchSnapshot();
    });

    it('lets the interface device-index tag override the option', () => {
      const result = plan(poolState([instance({ id: 'i-1' })], [eni({ id: 'eni-1', deviceIndexTag: '4' })]), {
        deviceIndex: { mode: 'fixed', index: 2 },
      });
      expect(result.actions).toMatchObject([{ deviceIndex: 4 }]);
    });

    it.each(['0', '-1', 'abc', '1.5', '', ' 2', '1e3'])('ignores a device-index tag of %j', (tag) => {
      const result = plan(poolState([instance({ id: 'i-1' })], [eni({ id: 'eni-1', deviceIndexTag: tag })]));
      expect(result.actions).toMatchObject([{ deviceIndex: 1 }]);
    });

    it('skips an interface whose fixed index is taken and takes the next one that fits', () => {
      const result = plan(
        poolState(
          [
            instance({
              id: 'i-1',
              attachments: [
                { networkInterfaceId: 'eni-x', deviceIndex: 1, networkCardIndex: 0, status: 'attached' },
              ],
            }),
          ],
          [
            eni({ id: 'eni-1', deviceIndexTag: '1' }),
            eni({ id: 'eni-2', deviceIndexTag: '1' }),
            eni({ id: 'eni-3' }),
          ],
        ),
      );
      expect(result.actions).toMatchObject([{ networkInterfaceId: 'eni-3', deviceIndex: 2 }]);
    });

    it('hands out interfaces of several fixed indices in id order, each to an instance where it fits', () => {
      const usesIndex1 = [
        { networkInterfaceId: 'eni-x', deviceIndex: 1, networkCardIndex: 0, status: 'attached' as const },
      ];
      const result = plan(
        poolState(
          [
            instance({ id: 'i-1', launchedAt: 1, attachments: usesIndex1 }),
            instance({ id: 'i-2', launchedAt: 2 }),
            instance({ id: 'i-3', launchedAt: 3, attachments: usesIndex1 }),
          ],
          [
            eni({ id: 'eni-1', deviceIndexTag: '1' }),
            eni({ id: 'eni-2', deviceIndexTag: '2' }),
            eni({ id: 'eni-3', deviceIndexTag: '1' }),
          ],
        ),
      );
      expect(result.actions).toMatchObject([
        { instanceId: 'i-1', networkInterfaceId: 'eni-2', deviceIndex: 2 },
        { instanceId: 'i-2', networkInterfaceId: 'eni-1', deviceIndex: 1 },
      ]);
      expect(reasons(result)).toEqual(['i-3:device-index-taken']);
    });

    it('reports attachment-limit when the instance already holds as many interfaces as its type allows', () => {
      const result = plan(
        poolState(
          [
            instance({
              id: 'i-1',
              maxInterfaces: 2,
              attachments: [
                { networkInterfaceId: 'eni-x', deviceIndex: 1, networkCardIndex: 0, status: 'attached' },
              ],
            }),
          ],
          [eni({ id: 'eni-1' })],
        ),
      );
      expect(result.actions).toEqual([]);
      expect(result.unsatisfied).toEqual([
        {
          pool: 'web',
          instanceId: 'i-1',
          reason: 'attachment-limit',
          detail: expect.stringContaining('2 of its 2'),
        },
      ]);
    });

    it('counts interfaces the instance view has not caught up with against the limit', () => {
      const result = plan({
        instances: [instance({ id: 'i-1', primary: false, maxInterfaces: 2 })],
        interfaces: [
          eni({ id: 'eni-primary', attachedTo: { instanceId: 'i-1', deviceIndex: 0 } }),
          eni({
            id: 'eni-leaving',
            status: 'detaching',
            attachedTo: { instanceId: 'i-1', status: 'detaching' },
          }),
          eni({ id: 'eni-1' }),
        ],
      });
      expect(result.actions).toEqual([]);
      expect(reasons(result)).toEqual(['i-1:attachment-limit']);
    });

    it('waits for the detach that frees the fixed index on the same instance', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1', pool: 'api' })],
          [
            eni({ id: 'eni-web', attachedTo: { instanceId: 'i-1', deviceIndex: 1 } }),
            eni({ id: 'eni-api', pool: 'api' }),
          ],
        ),
        { deviceIndex: { mode: 'fixed', index: 1 } },
      );
      expect(result.actions).toMatchObject([
        { kind: 'detach', id: 'detach:eni-web:i-1' },
        { kind: 'attach', id: 'attach:eni-api:i-1', deviceIndex: 1, after: 'detach:eni-web:i-1' },
      ]);
      expect(result).toMatchSnapshot();
    });

    it('waits for the detach that makes room under the interface limit', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1', pool: 'api', maxInterfaces: 2 })],
          [
            eni({ id: 'eni-web', attachedTo: { instanceId: 'i-1', deviceIndex: 1 } }),
            eni({ id: 'eni-api', pool: 'api' }),
          ],
        ),
      );
      expect(result.actions).toMatchObject([
        { kind: 'detach', id: 'detach:eni-web:i-1' },
        { kind: 'attach', id: 'attach:eni-api:i-1', deviceIndex: 2, after: 'detach:eni-web:i-1' },
      ]);
    });

    it('defers a hand-over that would also wait for a slot on the instance to the next round', () => {
      const state = poolState(
        [
          instance({ id: 'i-1', pool: 'api', maxInterfaces: 2 }),
          instance({ id: 'i-old', pool: 'api', state: 'stopped' }),
        ],
        [
          eni({ id: 'eni-web', attachedTo: { instanceId: 'i-1', deviceIndex: 1 } }),
          eni({ id: 'eni-api', pool: 'api', attachedTo: { instanceId: 'i-old' } }),
        ],
      );
      const first = plan(state);
      expect(actionIds(first)).toEqual(['detach:eni-api:i-old', 'detach:eni-web:i-1']);
      expect(reasons(first)).toEqual(['i-1:attachment-limit']);
      expect(first.unsatisfied[0]?.detail).toContain('detach:eni-web:i-1');
      const second = plan(applyPlanToState(state, first));
      expect(actionIds(second)).toEqual(['attach:eni-api:i-1']);
    });
  });

  describe('unsatisfied instances', () => {
    it('reports pool-exhausted when the pool has no free interface anywhere', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1', launchedAt: 1 }), instance({ id: 'i-2', launchedAt: 2 })],
          [eni({ id: 'eni-1', attachedTo: { instanceId: 'i-1' } })],
        ),
      );
      expect(result.unsatisfied).toEqual([
        {
          pool: 'web',
          instanceId: 'i-2',
          reason: 'pool-exhausted',
          detail: expect.stringContaining('pool web'),
        },
      ]);
      expect(result).toMatchSnapshot();
    });

    it('reports no-interface-in-subnet when free interfaces exist only elsewhere', () => {
      const result = plan(
        poolState([instance({ id: 'i-1', subnet: 'subnet-a' })], [eni({ id: 'eni-1', subnet: 'subnet-b' })]),
      );
      expect(result.unsatisfied).toEqual([
        {
          pool: 'web',
          instanceId: 'i-1',
          reason: 'no-interface-in-subnet',
          detail: 'pool web has 1 interface free or being released, none in subnet subnet-a',
        },
      ]);
    });

    it('reports every waiting instance, none dropped', () => {
      const instances = Array.from({ length: 5 }, (_, i) => instance({ id: `i-${i}`, launchedAt: i }));
      const result = plan(poolState(instances, [eni({ id: 'eni-1' }), eni({ id: 'eni-2' })]));
      expect(result.actions).toHaveLength(2);
      expect(result.unsatisfied.map((u) => u.instanceId)).toEqual(['i-2', 'i-3', 'i-4']);
      expect(result.pools).toEqual([
        {
          pool: 'web',
          interfaces: 2,
          freeInterfaces: 2,
          runningInstances: 5,
          attached: 0,
          attaches: 2,
          detaches: 0,
          unsatisfied: 3,
        },
      ]);
    });
  });

  describe('untagged resources', () => {
    it('never assigns to an instance without the pool tag', () => {
      const result = plan(poolState([instance({ id: 'i-1', pool: null })], [eni({ id: 'eni-1' })]));
      expect(result.actions).toEqual([]);
      expect(result.unsatisfied).toEqual([]);
    });

    it('never touches an interface without the pool tag, even on a stopped pool instance', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1', state: 'stopped' }), instance({ id: 'i-2' })],
          [
            eni({ id: 'eni-1', pool: null, attachedTo: { instanceId: 'i-1' } }),
            eni({ id: 'eni-2', pool: null }),
          ],
        ),
      );
      expect(result.actions).toEqual([]);
      expect(reasons(result)).toEqual(['i-2:pool-exhausted']);
    });

    it('treats an empty pool tag value as no tag', () => {
      const result = plan(poolState([instance({ id: 'i-1', pool: '' })], [eni({ id: 'eni-1', pool: '' })]));
      expect(result).toEqual({ actions: [], keep: [], unsatisfied: [], pools: [] });
    });

    it('reads pool membership from a custom tag key', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1', pool: 'web', poolTagKey: 'team-pool' })],
          [eni({ id: 'eni-1', pool: 'web', poolTagKey: 'team-pool' })],
        ),
        { poolTagKey: 'team-pool' },
      );
      expect(actionIds(result)).toEqual(['attach:eni-1:i-1']);
    });
  });

  describe('several pools', () => {
    it('plans each pool from its own interfaces and sorts the result by pool', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1', pool: 'web' }), instance({ id: 'i-2', pool: 'api' })],
          [eni({ id: 'eni-1', pool: 'web' }), eni({ id: 'eni-2', pool: 'api' })],
        ),
      );
      expect(actionIds(result)).toEqual(['attach:eni-2:i-2', 'attach:eni-1:i-1']);
      expect(result.pools.map((p) => p.pool)).toEqual(['api', 'web']);
      expect(result).toMatchSnapshot();
    });

    it('lists detaches before attaches', () => {
      const result = plan(
        poolState(
          [instance({ id: 'i-1', pool: 'api' }), instance({ id: 'i-2', pool: 'zed', state: 'stopped' })],
          [
            eni({ id: 'eni-1', pool: 'api' }),
            eni({ id: 'eni-2', pool: 'zed', attachedTo: { instanceId: 'i-2' } }),
          ],
        ),
      );
      expect(result.actions.map((a) => a.kind)).toEqual(['detach', 'attach']);
    });
  });

  describe('input validation', () => {
    it.each<[string, PlannerOptions, string]>([
      ['placement', { placement: 'region' as never }, 'placement'],
      ['a fixed index of 0', { deviceIndex: { mode: 'fixed', index: 0 } }, 'deviceIndex.index'],
      ['a fractional fixed index', { deviceIndex: { mode: 'fixed', index: 1.5 } }, 'deviceIndex.index'],
      ['an unknown device-index mode', { deviceIndex: { mode: 'random' } as never }, 'deviceIndex.mode'],
      ['a negative network card', { networkCardIndex: -1 }, 'networkCardIndex'],
      ['an empty pool tag key', { poolTagKey: '' }, 'poolTagKey'],
      ['an empty last-instance tag key', { lastInstanceTagKey: '' }, 'lastInstanceTagKey'],
    ])('rejects %s with a ConfigurationError naming the option', (_label, options, setting) => {
      const attempt = () => planAssignments(poolState([instance()], [eni()]), options);
      expect(attempt).toThrow(ConfigurationError);
      expect(attempt).toThrow(expect.objectContaining({ setting }));
    });

    it('rejects one instance described twice with different facts', () => {
      const attempt = () =>
        planAssignments({
          instances: [instance({ id: 'i-1' }), instance({ id: 'i-1', state: 'stopped' })],
          interfaces: [],
        });
      expect(attempt).toThrow(InvalidPoolStateError);
      expect(attempt).toThrow(EniPoolError);
      expect(attempt).toThrow(expect.objectContaining({ resourceId: 'i-1', field: 'id' }));
    });

    it('collapses an identical duplicate, as a resource seen on two pages', () => {
      const twice = eni({ id: 'eni-1' });
      const result = planAssignments({
        instances: [instance({ id: 'i-1' })],
        interfaces: [twice, { ...twice }],
      });
      expect(actionIds(result)).toEqual(['attach:eni-1:i-1']);
    });

    it('rejects a running member whose launch time is not a date', () => {
      const attempt = () =>
        planAssignments({
          instances: [{ ...instance({ id: 'i-1' }), launchTime: 'yesterday' }],
          interfaces: [],
        });
      expect(attempt).toThrow(
        expect.objectContaining({ name: 'InvalidPoolStateError', field: 'launchTime' }),
      );
    });

    it('rejects a state without instance or interface lists', () => {
      expect(() => planAssignments({ instances: [] } as never)).toThrow(InvalidPoolStateError);
    });
  });
});
