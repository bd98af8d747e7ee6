import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AutoScalingModel } from '../../src/autoscaling';
import type { EventBridgeEvent, QueueSink } from '../../src/contracts';
import { Ec2Model } from '../../src/ec2/model';
import { RecordingEvents, waitFor } from '../helpers/autoscaling-harness';

const LAUNCHING = 'autoscaling:EC2_INSTANCE_LAUNCHING';
const noQueues: QueueSink = {
  sendMessageTo() {
    throw new Error('no queues in this test');
  },
};

/** The Auto Scaling model driving the real EC2 model, without HTTP in between. */
describe('AutoScalingModel on the EC2 model', () => {
  let ec2: Ec2Model;
  let events: RecordingEvents;
  let model: AutoScalingModel;
  let subnets: string[];

  beforeEach(() => {
    events = new RecordingEvents();
    ec2 = new Ec2Model({ delays: { launchMs: 15, stopMs: 15, terminateMs: 15 } });
    const vpc = ec2.createVpc('10.0.0.0/16');
    subnets = [
      ec2.createSubnet({ vpcId: vpc, cidr: '10.0.1.0/24', az: 'us-east-1a' }),
      ec2.createSubnet({ vpcId: vpc, cidr: '10.0.2.0/24', az: 'us-east-1b' }),
    ];
    model = new AutoScalingModel({ fleet: ec2, events, queues: noQueues, timeScale: 10, throttle: false });
  });
  afterEach(() => {
    model.close();
    ec2.dispose();
  });

  const actionEvents = (): EventBridgeEvent[] =>
    events.published.filter((e) => e['detail-type'].endsWith('Lifecycle Action'));

  it('launches tagged instances into each subnet and keeps the group at capacity', async () => {
    model.createGroup({
      name: 'web',
      minSize: 2,
      maxSize: 2,
      subnetIds: subnets,
      tags: [{ key: 'network-interface-manager-pool', value: 'web', propagateAtLaunch: true }],
    });
    await waitFor(
      () => model.describeGroup('web')?.instances.every((i) => i.lifecycleState === 'InService'),
      'InService',
    );
    const launched = ec2.snapshot().instances;
    expect(launched.map((i) => i.subnetId).sort()).toEqual([...subnets].sort());
    expect(launched[0]?.tags).toMatchObject({
      'network-interface-manager-pool': 'web',
      'aws:autoscaling:groupName': 'web',
    });

    ec2.terminateInstance(launched[0]?.instanceId ?? '');

    await waitFor(() => {
      const group = model.describeGroup('web');
      return group?.instances.length === 2 && group.instances.every((i) => i.lifecycleState === 'InService');
    }, 'a replacement in service');
    expect(ec2.snapshot().instances.filter((i) => i.state === 'running')).toHaveLength(2);
  });

  it('moves a warm-pool instance through both launch hooks with real stop and start', async () => {
    model.createGroup({
      name: 'web',
      minSize: 0,
      maxSize: 1,
      subnetIds: subnets,
      lifecycleHooks: [
        { name: 'attach', transition: LAUNCHING, heartbeatTimeout: 300, defaultResult: 'ABANDON' },
      ],
    });
    model.putWarmPool('web', { minSize: 1, poolState: 'Stopped' });
    const [intoPool] = actionEvents();
    const instanceId = String(intoPool?.detail.EC2InstanceId);
    model.completeLifecycleAction({ groupName: 'web', hookName: 'attach', instanceId }, 'CONTINUE');
    await waitFor(
      () => model.describeInstance(instanceId)?.lifecycleState === 'Warmed:Stopped',
      'Warmed:Stopped',
    );
    expect(ec2.instanceState(instanceId)).toBe('stopped');

    model.setDesiredCapacity('web', 1);
    expect(actionEvents()[1]?.detail).toMatchObject({ EC2InstanceId: instanceId, Origin: 'WarmPool' });
    await waitFor(() => ec2.instanceState(instanceId) === 'running', 'started again');
    model.completeLifecycleAction({ groupName: 'web', hookName: 'attach', instanceId }, 'CONTINUE');

    expect(model.describeInstance(instanceId)?.lifecycleState).toBe('InService');
  });
});
