import { describe, expect, it } from 'vitest';
import { DEFAULT_POOL_TAG_KEY, EniPoolManager, parseEvent, silentLogger } from '../../src/index';
import { awsError, FakeEc2, instanceStateChangeEvent, VirtualClock } from '../../src/testing';

const byPool = (pool: string) => ({
  filters: [{ name: `tag:${DEFAULT_POOL_TAG_KEY}`, values: [pool] }],
  maxResults: 1000,
});
const attach = (networkInterfaceId: string, instanceId: string, deviceIndex = 1) => ({
  networkInterfaceId,
  instanceId,
  deviceIndex,
  networkCardIndex: 0,
});

describe('FakeEc2', () => {
  it('records every call with its input, in order', async () => {
    const ec2 = new FakeEc2();
    const instanceId = ec2.addInstance({ pool: 'web' });
    const eni = ec2.addInterface({ pool: 'web' });

    await ec2.describeNetworkInterfaces(byPool('web'));
    await ec2.attachNetworkInterface(attach(eni, instanceId));
    await ec2.createTags({ resourceIds: [eni], tags: { owner: 'team' } });

    expect(ec2.calls.map((call) => call.operation)).toEqual([
      'DescribeNetworkInterfaces',
      'AttachNetworkInterface',
      'CreateTags',
    ]);
    expect(ec2.callsOf('AttachNetworkInterface').map((call) => call.input)).toEqual([
      attach(eni, instanceId),
    ]);
    expect(ec2.mutatingCalls().map((call) => call.operation)).toEqual([
      'AttachNetworkInterface',
      'CreateTags',
    ]);
    expect(ec2.getInterface(eni)?.tags).toMatchObject({ owner: 'team', [DEFAULT_POOL_TAG_KEY]: 'web' });
  });

  it('answers the describe filters eni-pool sends, and refuses an unfiltered or unknown one', async () => {
    const ec2 = new FakeEc2();
    const web = ec2.addInstance({ instanceId: 'i-web', pool: 'web', subnetId: 'subnet-b' });
    ec2.addInstance({ instanceId: 'i-db', pool: 'db' });
    ec2.addInstance({ instanceId: 'i-loose' });
    ec2.addInterface({ networkInterfaceId: 'eni-1', pool: 'web', attachedTo: web });
    ec2.addInterface({ networkInterfaceId: 'eni-2', pool: 'web' });

    const ids = async (filters: { name: string; values: string[] }[]) =>
      (await ec2.describeInstances({ filters, maxResults: 1000 })).instances.map((i) => i.instanceId);
    expect(await ids([{ name: 'tag-key', values: [DEFAULT_POOL_TAG_KEY] }])).toEqual(['i-web', 'i-db']);
    expect(await ids([{ name: `tag:${DEFAULT_POOL_TAG_KEY}`, values: ['db'] }])).toEqual(['i-db']);
    expect(await ids([{ name: 'availability-zone', values: ['us-east-1b'] }])).toEqual(['i-web']);
    expect(await ids([{ name: 'instance-id', values: ['i-loose', 'i-none'] }])).toEqual(['i-loose']);
    const held = await ec2.describeNetworkInterfaces({
      filters: [{ name: 'attachment.instance-id', values: [web] }],
      maxResults: 1000,
    });
    expect(held.interfaces.map((eni) => [eni.networkInterfaceId, eni.status])).toEqual([['eni-1', 'in-use']]);
    await expect(ec2.describeInstances({ filters: [], maxResults: 1000 })).rejects.toThrow('without filters');
    await expect(ids([{ name: 'vpc-id', values: ['vpc-1'] }])).rejects.toThrow('vpc-id');
  });

  it('pages a describe by maxResults', async () => {
    const ec2 = new FakeEc2();
    for (let n = 1; n <= 7; n++) ec2.addInterface({ networkInterfaceId: `eni-${n}`, pool: 'web' });

    const first = await ec2.describeNetworkInterfaces({ ...byPool('web'), maxResults: 5 });
    const second = await ec2.describeNetworkInterfaces({
      ...byPool('web'),
      maxResults: 5,
      nextToken: first.nextToken!,
    });

    expect(first.interfaces).toHaveLength(5);
    expect(second.interfaces.map((eni) => eni.networkInterfaceId)).toEqual(['eni-6', 'eni-7']);
    expect(second.nextToken).toBeUndefined();
  });

  it('fails the next call of an operation once, and every call after failAlways until reset', async () => {
    const ec2 = new FakeEc2();
    const throttled = awsError('RequestLimitExceeded', 'Request limit exceeded.', 503);
    ec2.failNext('DescribeInstances', throttled);

    await expect(ec2.describeInstances(byPool('web'))).rejects.toBe(throttled);
    await expect(ec2.describeInstances(byPool('web'))).resolves.toEqual({ instances: [] });

    const denied = awsError('UnauthorizedOperation', 'You are not authorized');
    ec2.failAlways('DetachNetworkInterface', denied);
    await expect(ec2.detachNetworkInterface({ attachmentId: 'eni-attach-1' })).rejects.toBe(denied);
    await expect(ec2.detachNetworkInterface({ attachmentId: 'eni-attach-1' })).rejects.toBe(denied);
    expect(ec2.calls).toHaveLength(4);

    ec2.reset();
    await expect(ec2.detachNetworkInterface({ attachmentId: 'eni-attach-1' })).rejects.toMatchObject({
      name: 'InvalidAttachmentID.NotFound',
    });
  });

  it('forgets its instances, interfaces and calls on reset', async () => {
    const ec2 = new FakeEc2();
    const instanceId = ec2.addInstance({ pool: 'web' });
    ec2.addInterface({ pool: 'web', attachedTo: instanceId });
    await ec2.describeInstances(byPool('web'));

    ec2.reset();

    expect(ec2.calls).toEqual([]);
    expect(ec2.getInstance(instanceId)).toBeUndefined();
    expect((await ec2.describeNetworkInterfaces(byPool('web'))).interfaces).toEqual([]);
  });

  it('keeps an attach attaching until settleMs has passed on the clock, and a detach detaching', async () => {
    const clock = new VirtualClock();
    const ec2 = new FakeEc2({ settleMs: 500, timers: clock });
    const instanceId = ec2.addInstance({ pool: 'web' });
    const eni = ec2.addInterface({ pool: 'web' });

    const { attachmentId } = await ec2.attachNetworkInterface(attach(eni, instanceId));
    expect(ec2.attachmentOf(instanceId)).toEqual({ networkInterfaceId: eni, status: 'attaching' });
    expect(ec2.getInterface(eni)?.status).toBe('attaching');
    await clock.sleep(499);
    expect(ec2.attachmentOf(instanceId)?.status).toBe('attaching');
    await clock.sleep(1);
    expect(ec2.attachmentOf(instanceId)?.status).toBe('attached');
    expect(ec2.getInterface(eni)?.status).toBe('in-use');

    await ec2.detachNetworkInterface({ attachmentId });
    expect(ec2.getInterface(eni)?.status).toBe('detaching');
    await clock.sleep(500);
    expect(ec2.getInterface(eni)?.status).toBe('available');
    expect(ec2.attachmentOf(instanceId)).toBeUndefined();
    expect(clock.now()).toBe(1000);
  });

  it('refuses what EC2 refuses: an interface in use, a taken device index, an instance not running', async () => {
    const ec2 = new FakeEc2();
    const holder = ec2.addInstance({ pool: 'web' });
    const other = ec2.addInstance({ pool: 'web' });
    const stopping = ec2.addInstance({ pool: 'web', state: 'stopping' });
    const taken = ec2.addInterface({ pool: 'web', attachedTo: holder });
    const free = ec2.addInterface({ pool: 'web' });

    await expect(ec2.attachNetworkInterface(attach(taken, other))).rejects.toMatchObject({
      name: 'InvalidNetworkInterface.InUse',
    });
    await expect(ec2.attachNetworkInterface(attach(free, holder))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    await expect(ec2.attachNetworkInterface(attach(free, stopping))).rejects.toMatchObject({
      name: 'IncorrectInstanceState',
    });
    await expect(ec2.attachNetworkInterface(attach(free, 'i-gone'))).rejects.toMatchObject({
      name: 'InvalidInstanceID.NotFound',
    });
  });

  it('hides an instance until revealed, and lets a terminated instance’s interfaces go', async () => {
    const ec2 = new FakeEc2();
    const instanceId = ec2.addInstance({ pool: 'web', hidden: true });
    const eni = ec2.addInterface({ pool: 'web', attachedTo: instanceId });
    expect((await ec2.describeInstances(byPool('web'))).instances).toEqual([]);

    ec2.reveal(instanceId);
    expect((await ec2.describeInstances(byPool('web'))).instances.map((i) => i.instanceId)).toEqual([
      instanceId,
    ]);
    ec2.setState(instanceId, 'shutting-down');
    expect(ec2.poolInterfacesOf(instanceId)).toEqual([eni]);
    ec2.terminate(instanceId);
    expect(ec2.getInstance(instanceId)?.state).toBe('terminated');
    expect(ec2.poolInterfacesOf(instanceId)).toEqual([]);
  });

  it('needs timers to settle later than within the call', () => {
    expect(() => new FakeEc2({ settleMs: 5 })).toThrow('needs timers');
  });

  it('serves a new member through one throttled attach, on the virtual clock (the README example)', async () => {
    const clock = new VirtualClock();
    const ec2 = new FakeEc2({ settleMs: 2_000, timers: clock });
    const instanceId = ec2.addInstance({ pool: 'web' });
    const eni = ec2.addInterface({ pool: 'web' });
    ec2.failNext('AttachNetworkInterface', awsError('RequestLimitExceeded', 'Request limit exceeded.', 503));
    const manager = new EniPoolManager({
      ec2,
      logger: silentLogger,
      executor: { now: clock.now, sleep: clock.sleep },
    });

    const event = instanceStateChangeEvent({ instanceId, state: 'running' });
    const result = await manager.handle(parseEvent(event), { awaitSettled: true });

    expect(result.reconcile?.converged).toBe(true);
    expect(ec2.attachmentOf(instanceId)).toEqual({ networkInterfaceId: eni, status: 'attached' });
    expect(ec2.callsOf('AttachNetworkInterface')).toHaveLength(2);
  });
});
