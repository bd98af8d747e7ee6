import { matchesPattern, normalisePattern } from '@eni-pool/aws-sim';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SubnetType } from 'aws-cdk-lib/aws-ec2';
import { Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { EniPool, EniPoolInterfaces, InvalidEniPoolPropsError } from '../../src';
import { stableJson, testGroup, testStack, testVpc } from '../helpers/app';
import { nagFindings } from '../helpers/nag';

// biome-ignore lint/suspicious/noExplicitAny: synthesized templates are free-form JSON
type Json = any;

const TAG = 'aws:ResourceTag/network-interface-manager-pool';

function deploy(props: ConstructorParameters<typeof EniPool>[2] = {}) {
  const stack = testStack();
  const vpc = testVpc(stack);
  const eniPool = new EniPool(stack, 'EniPool', props);
  return { stack, vpc, eniPool };
}

const resourcesOf = (template: Template, type: string): Json[] => Object.values(template.findResources(type));
const statementsOf = (template: Template): Json[] =>
  [...resourcesOf(template, 'AWS::IAM::Role'), ...resourcesOf(template, 'AWS::IAM::Policy')].flatMap((r) => [
    ...(r.Properties.Policies ?? []).flatMap((p: Json) => p.PolicyDocument.Statement),
    ...(r.Properties.PolicyDocument?.Statement ?? []),
  ]);
const asList = (value: Json): Json[] => (Array.isArray(value) ? value : [value]);

/** What a lifecycle action event looks like on the bus (aws-facts §4.3). */
const lifecycleEvent = (hook: string) => ({
  source: 'aws.autoscaling',
  'detail-type': 'EC2 Instance-launch Lifecycle Action',
  detail: { LifecycleHookName: hook, AutoScalingGroupName: 'g', EC2InstanceId: 'i-0123456789abcdef0' },
});

describe('EniPool', () => {
  it('matches its snapshot (defaults, one group, one pool of interfaces)', () => {
    const { stack, vpc, eniPool } = deploy();
    eniPool.addAutoScalingGroup(testGroup(stack, vpc), { pool: 'bastion' });
    new EniPoolInterfaces(stack, 'Interfaces', { vpc, pool: 'bastion' });
    expect(stableJson(stack)).toMatchSnapshot();
  });

  it('runs the shipped bundle on nodejs24.x, arm64, traced, with JSON logs kept a year', () => {
    const template = Template.fromStack(deploy().stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 300,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' },
      Environment: {
        Variables: {
          ENI_POOL_PLACEMENT: 'subnet',
          ENI_POOL_LIFECYCLE_HOOKS: 'enabled',
          ENI_POOL_LIFECYCLE_HOOK_PREFIX: 'eni-pool',
          ENI_POOL_POOLS: '',
          POWERTOOLS_SERVICE_NAME: 'eni-pool',
          POWERTOOLS_METRICS_NAMESPACE: 'EniPool',
        },
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('listens to state changes, its own lifecycle hooks only, and a five-minute sync', () => {
    const template = Template.fromStack(deploy({ lifecycleHookPrefix: 'blue' }).stack);
    const rules = resourcesOf(template, 'AWS::Events::Rule');
    expect(rules.map((r) => r.Properties.ScheduleExpression).filter(Boolean)).toEqual(['rate(5 minutes)']);
    const lifecycle = rules.find((r) => r.Properties.EventPattern?.source?.[0] === 'aws.autoscaling');
    const pattern = normalisePattern(lifecycle.Properties.EventPattern);
    expect(matchesPattern(pattern, lifecycleEvent('blue-launch'))).toBe(true);
    expect(matchesPattern(pattern, lifecycleEvent('app-bootstrap'))).toBe(false);
    expect(matchesPattern(pattern, lifecycleEvent('eni-pool-launch'))).toBe(false);
  });

  it('gives every rule target a bounded retry and the failed-events queue as dead-letter queue', () => {
    const template = Template.fromStack(deploy().stack);
    const targets = resourcesOf(template, 'AWS::Events::Rule').flatMap((r) => r.Properties.Targets);
    expect(targets).toHaveLength(3);
    for (const target of targets) {
      expect(target.DeadLetterConfig.Arn).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^EniPoolFailedEventsQueue/), 'Arn'],
      });
      expect(target.RetryPolicy.MaximumEventAgeInSeconds).toBeLessThanOrEqual(3600);
    }
  });

  it('lets EventBridge invoke only on behalf of this account, per rule', () => {
    const permissions = resourcesOf(Template.fromStack(deploy().stack), 'AWS::Lambda::Permission');
    expect(permissions).toHaveLength(3);
    for (const permission of permissions) {
      expect(permission.Properties).toMatchObject({
        Principal: 'events.amazonaws.com',
        SourceAccount: '123456789012',
        SourceArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
      });
    }
  });

  it('refuses requests without TLS on every queue and on its alarm topic, and every alarm notifies it', () => {
    const template = Template.fromStack(deploy({ useQueue: true }).stack);
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(3);
    const policies = resourcesOf(template, 'AWS::SQS::QueuePolicy');
    for (const queue of queues) {
      const denies = policies.filter(
        (p) =>
          p.Properties.Queues.some((q: Json) => q.Ref === queue) &&
          p.Properties.PolicyDocument.Statement.some(
            (s: Json) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
          ),
      );
      expect(denies, queue).toHaveLength(1);
    }
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(4);
    for (const alarm of alarms)
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^EniPoolAlarmTopic/) }]);
  });

  it('notifies a topic it is given instead of creating one', () => {
    const stack = testStack();
    const topic = new Topic(stack, 'Ops');
    new EniPool(stack, 'EniPool', { alarmTopic: topic });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    for (const alarm of resourcesOf(template, 'AWS::CloudWatch::Alarm')) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Ops/) }]);
    }
  });

  it('buffers through an SQS queue with a dead-letter queue, consumed in batches with item failures', () => {
    const template = Template.fromStack(deploy({ useQueue: true, timeout: Duration.minutes(5) }).stack);
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 1800,
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    // The other 4 batches' attaches are all that can be due ahead of one: 4 × 10.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ENI_POOL_PACING_MAX_AHEAD: '40' }) },
    });
    const maxAhead = (props: Parameters<typeof deploy>[0]) =>
      resourcesOf(Template.fromStack(deploy(props).stack), 'AWS::Lambda::Function').map(
        (fn) => fn.Properties.Environment?.Variables?.ENI_POOL_PACING_MAX_AHEAD,
      );
    expect(maxAhead({})).not.toContain('40');
    expect(maxAhead({}).every((value) => value === undefined)).toBe(true);
    // Direct, with 20 reserved: at most 19 other events in flight.
    expect(maxAhead({ reservedConcurrency: 20 })).toContain('19');
    const consume = statementsOf(template).filter((s) => asList(s.Action).includes('sqs:ReceiveMessage'));
    expect(consume.map((s) => asList(s.Action).sort())).toEqual([
      ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
    ]);
  });

  describe('its role', () => {
    it('grants no mutating action on "*"', () => {
      const resourceless = [
        'ec2:DescribeInstances',
        'ec2:DescribeNetworkInterfaces',
        'autoscaling:DescribeAutoScalingGroups',
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
      ];
      const statements = statementsOf(Template.fromStack(deploy({ useQueue: true }).stack));
      expect(statements.length).toBeGreaterThan(5);
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        for (const action of asList(statement.Action)) expect(action).not.toMatch(/\*/);
        if (asList(statement.Resource).includes('*')) {
          expect(resourceless).toEqual(expect.arrayContaining(asList(statement.Action)));
        }
      }
    });

    it('requires the pool tag on interfaces, instances and groups, or its exact value with poolName', () => {
      const any = statementsOf(Template.fromStack(deploy().stack));
      const one = statementsOf(Template.fromStack(deploy({ poolName: 'bastion' }).stack));
      for (const sid of ['AttachDetachPoolInterfaces', 'AttachDetachPoolInstances']) {
        expect(any.find((s) => s.Sid === sid).Condition).toEqual({ Null: { [TAG]: 'false' } });
        expect(one.find((s) => s.Sid === sid).Condition).toEqual({ StringEquals: { [TAG]: 'bastion' } });
      }
      const key = 'autoscaling:ResourceTag/network-interface-manager-pool';
      expect(one.find((s) => s.Sid === 'CompleteLifecycleActionsOfPoolGroups')).toMatchObject({
        Resource: {
          'Fn::Join': ['', expect.arrayContaining([':autoScalingGroup:*:autoScalingGroupName/*'])],
        },
        Condition: { StringEquals: { [key]: 'bastion' } },
      });
      expect(one.find((s) => s.Sid === 'TagPoolInterfacesWithLastInstance').Condition).toEqual({
        StringEquals: { [TAG]: 'bastion' },
        Null: { 'aws:TagKeys': 'false' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['network-interface-manager-last-instance'] },
      });
    });

    it('writes a custom pool tag key into the conditions and the environment', () => {
      const template = Template.fromStack(deploy({ poolTagKey: 'team-pool' }).stack);
      const attach = statementsOf(template).find((s) => s.Sid === 'AttachDetachPoolInstances');
      expect(attach.Condition).toEqual({ Null: { 'aws:ResourceTag/team-pool': 'false' } });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ ENI_POOL_TAG_KEY: 'team-pool' }) },
      });
    });

    it('has no lifecycle permission and no lifecycle rule without lifecycle hooks', () => {
      const template = Template.fromStack(deploy({ lifecycleHooks: false }).stack);
      expect(statementsOf(template).map((s) => s.Sid)).not.toContain('CompleteLifecycleActionsOfPoolGroups');
      template.resourceCountIs('AWS::Events::Rule', 2);
    });
  });

  it('passes the options through: runtime, tracing, concurrency, pool', () => {
    const template = Template.fromStack(
      deploy({
        runtime: Runtime.NODEJS_22_X,
        tracing: Tracing.PASS_THROUGH,
        reservedConcurrency: 5,
        poolName: 'bastion',
        placement: 'availability-zone',
      }).stack,
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      TracingConfig: { Mode: 'PassThrough' },
      ReservedConcurrentExecutions: 5,
      Environment: {
        Variables: Match.objectLike({ ENI_POOL_POOLS: 'bastion', ENI_POOL_PLACEMENT: 'availability-zone' }),
      },
    });
  });

  it.each([
    [{ runtime: Runtime.NODEJS_20_X }, 'runtime'],
    [{ poolName: 'a,b' }, 'poolName'],
    [{ poolName: '' }, 'poolName'],
    [{ poolTagKey: 'aws:pool' }, 'poolTagKey'],
    [{ lifecycleHookPrefix: 'has space' }, 'lifecycleHookPrefix'],
    [{ memorySize: 64 }, 'memorySize'],
    [{ timeout: Duration.seconds(30) }, 'timeout'],
    [{ reservedConcurrency: 0 }, 'reservedConcurrency'],
    [{ reservedConcurrency: 4, useQueue: true }, 'reservedConcurrency'],
  ] as const)('refuses %o with an InvalidEniPoolPropsError naming %s', (props, property) => {
    const stack = testStack();
    let error: unknown;
    try {
      new EniPool(stack, 'EniPool', props);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidEniPoolPropsError);
    expect((error as InvalidEniPoolPropsError).property).toBe(property);
    expect(stack.node.tryFindChild('EniPool')?.node.children ?? []).toHaveLength(0);
  });

  describe('addAutoScalingGroup', () => {
    it('puts both hooks in the group’s own hook list, so they exist before its first launch, and tags the group', () => {
      const { stack, vpc, eniPool } = deploy({ poolName: 'bastion' });
      const hooks = eniPool.addAutoScalingGroup(testGroup(stack, vpc));
      expect(hooks).toEqual({ launchHookName: 'eni-pool-launch', terminateHookName: 'eni-pool-terminate' });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::AutoScaling::LifecycleHook', 0);
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
        LifecycleHookSpecificationList: [
          {
            LifecycleHookName: 'eni-pool-launch',
            LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
            HeartbeatTimeout: 300,
            DefaultResult: 'ABANDON',
          },
          {
            LifecycleHookName: 'eni-pool-terminate',
            LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
            HeartbeatTimeout: 180,
            DefaultResult: 'CONTINUE',
          },
        ],
        Tags: Match.arrayWith([
          { Key: 'network-interface-manager-pool', Value: 'bastion', PropagateAtLaunch: true },
        ]),
      });
      // The construct's own rule takes both hooks; nothing else delivers them.
      template.resourceCountIs('AWS::Events::Rule', 3);
      const rule = resourcesOf(template, 'AWS::Events::Rule').find(
        (r) => r.Properties.EventPattern?.source?.[0] === 'aws.autoscaling',
      );
      const pattern = normalisePattern(rule.Properties.EventPattern);
      for (const hook of Object.values(hooks))
        expect(matchesPattern(pattern, lifecycleEvent(hook))).toBe(true);
    });

    it('keeps the group’s other hooks', () => {
      const { stack, vpc, eniPool } = deploy();
      const group = testGroup(stack, vpc);
      group.addLifecycleHook('Bootstrap', {
        lifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING' as never,
      });
      eniPool.addAutoScalingGroup(group, { pool: 'bastion' });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::AutoScaling::LifecycleHook', 1);
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
        LifecycleHookSpecificationList: Match.arrayWith([
          Match.objectLike({ LifecycleHookName: 'eni-pool-launch' }),
        ]),
      });
    });

    it.each([
      ['lifecycle hooks are disabled', { lifecycleHooks: false }, {}, 'lifecycleHooks'],
      ['the pool contradicts poolName', { poolName: 'bastion' }, { pool: 'nat' }, 'pool'],
      [
        'a heartbeat timeout is below two heartbeats',
        {},
        { launchHeartbeatTimeout: Duration.seconds(60) },
        'launchHeartbeatTimeout',
      ],
      [
        'a heartbeat timeout is above 7200 s',
        {},
        { terminateHeartbeatTimeout: Duration.hours(3) },
        'terminateHeartbeatTimeout',
      ],
    ] as const)('refuses when %s, leaving the group unchanged', (_case, props, options, property) => {
      const { stack, vpc, eniPool } = deploy(props);
      const group = testGroup(stack, vpc);
      expect(() => eniPool.addAutoScalingGroup(group, options)).toThrow(
        expect.objectContaining({ name: 'InvalidEniPoolPropsError', property }),
      );
      expect(Template.fromStack(stack).findResources('AWS::AutoScaling::AutoScalingGroup')).not.toMatchObject(
        {
          [Object.keys(
            Template.fromStack(stack).findResources('AWS::AutoScaling::AutoScalingGroup'),
          )[0] as string]: {
            Properties: { LifecycleHookSpecificationList: expect.anything() },
          },
        },
      );
    });

    it('refuses to add the hooks to the same group twice', () => {
      const { stack, vpc, eniPool } = deploy();
      const group = testGroup(stack, vpc);
      eniPool.addAutoScalingGroup(group);
      expect(() => eniPool.addAutoScalingGroup(group)).toThrow(InvalidEniPoolPropsError);
    });
  });
});

describe('EniPoolInterfaces', () => {
  it('creates the given number of tagged interfaces in every selected subnet', () => {
    const stack = testStack();
    const vpc = testVpc(stack);
    const pool = new EniPoolInterfaces(stack, 'Interfaces', {
      vpc,
      pool: 'nat',
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      interfacesPerSubnet: 2,
      sourceDestCheck: false,
    });
    expect(pool.interfaces).toHaveLength(4);
    const template = Template.fromStack(stack);
    const interfaces = resourcesOf(template, 'AWS::EC2::NetworkInterface');
    expect(interfaces).toHaveLength(4);
    const subnets = new Map<string, number>();
    for (const resource of interfaces) {
      expect(resource.Properties.Tags).toEqual([{ Key: 'network-interface-manager-pool', Value: 'nat' }]);
      expect(resource.Properties.SourceDestCheck).toBe(false);
      const subnet = JSON.stringify(resource.Properties.SubnetId);
      subnets.set(subnet, (subnets.get(subnet) ?? 0) + 1);
    }
    expect([...subnets.values()]).toEqual([2, 2]);
    template.resourceCountIs('AWS::EC2::SecurityGroup', 1);
  });

  it.each([
    [{ pool: '' }, 'pool'],
    [{ pool: 'p', interfacesPerSubnet: 0 }, 'interfacesPerSubnet'],
    [{ pool: 'p', securityGroups: [] }, 'securityGroups'],
    [{ pool: 'p', poolTagKey: 'aws:x' }, 'poolTagKey'],
  ] as const)('refuses %o with an InvalidEniPoolPropsError naming %s', (props, property) => {
    const stack = testStack();
    const vpc = testVpc(stack);
    expect(() => new EniPoolInterfaces(stack, 'Interfaces', { vpc, ...props })).toThrow(
      expect.objectContaining({ name: 'InvalidEniPoolPropsError', property }),
    );
  });
});

describe('cdk-nag (AwsSolutions, Serverless) over the constructs', () => {
  it.each([
    ['the defaults', {}],
    ['buffered, one pool, own options', { useQueue: true, poolName: 'bastion', reservedConcurrency: 10 }],
    ['without lifecycle hooks', { lifecycleHooks: false }],
  ] as const)('%s: no unacknowledged finding on their resources', (_name, props) => {
    const { stack, vpc, eniPool } = deploy(props);
    if (eniPool.lifecycleHooks) eniPool.addAutoScalingGroup(testGroup(stack, vpc), { pool: 'bastion' });
    new EniPoolInterfaces(stack, 'Interfaces', { vpc, pool: 'bastion' });
    // The VPC and the group are the test's own, not the constructs'.
    const ours = nagFindings(stack).filter(
      (f) => f.path.startsWith('EniPool/') || f.path.startsWith('Interfaces/'),
    );
    expect(ours).toEqual([]);
  });
});
