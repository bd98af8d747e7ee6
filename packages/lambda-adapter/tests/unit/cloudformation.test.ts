import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localCodeTemplate } from '../../scripts/package.mjs';
import { LAMBDA_ENVIRONMENT_DEFAULTS, readLambdaConfig } from '../../src/config';
import {
  type Json,
  loadTemplate,
  type ParameterValues,
  parseTemplate,
  resolveVariant,
  TEMPLATE_PATH,
  variants,
} from '../helpers/cloudformation';

const template = loadTemplate();
const resources: Record<string, Json> = template.Resources;
const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);

/** Actions with no resource type (the Describe actions, X-Ray's writes), whose only valid resource is "*". */
const DESCRIBE_ONLY = [
  'ec2:DescribeInstances',
  'ec2:DescribeNetworkInterfaces',
  'autoscaling:DescribeAutoScalingGroups',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
];

const CODE = { CodeS3Bucket: 'artifacts', CodeS3Key: 'eni-pool-lambda.zip' };

/** Every combination of the parameters that switch a condition, each resolved as CloudFormation would. */
const DEPLOYMENTS: ParameterValues[] = ['true', 'false'].flatMap((UseQueue) =>
  ['enabled', 'disabled'].flatMap((LifecycleHooks) =>
    ['', 'bastion'].flatMap((PoolName) =>
      [
        { AlarmTopicArn: '', Tracing: 'Active', ReservedConcurrency: '', LogGroupKmsKeyArn: '' },
        {
          AlarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops',
          Tracing: 'PassThrough',
          ReservedConcurrency: '10',
          LogGroupKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/k',
        },
      ].map((rest) => ({ ...CODE, UseQueue, LifecycleHooks, PoolName, ...rest })),
    ),
  ),
);
const deployed = DEPLOYMENTS.map((parameters) => ({
  parameters,
  template: resolveVariant(template, parameters),
}));
const label = (parameters: ParameterValues) =>
  Object.entries(parameters)
    .filter(([name]) => !name.startsWith('Code'))
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');

/** Every statement of the function role's policies, for every combination of conditions. */
function roleStatements(): Json[] {
  const role = resources.FunctionRole;
  const all = role.Properties.Policies.flatMap((policy: Json) =>
    variants(policy.PolicyDocument.Statement).flatMap((statements: Json[]) => statements),
  );
  return [...new Map(all.map((statement: Json) => [JSON.stringify(statement), statement])).values()];
}

const asList = (value: Json): Json[] => (Array.isArray(value) ? value : [value]);
const TAG = 'aws:ResourceTag/network-interface-manager-pool';

describe('cloudformation/eni-pool.yaml', () => {
  it('runs the bundle on nodejs24.x (or nodejs22.x), arm64 by default, with JSON logs to its own log group', () => {
    const fn = resources.Function.Properties;
    expect(fn.Runtime).toEqual({ Ref: 'Runtime' });
    expect(template.Parameters.Runtime).toMatchObject({
      Default: 'nodejs24.x',
      AllowedValues: ['nodejs24.x', 'nodejs22.x'],
    });
    expect(fn.Handler).toBe('index.handler');
    expect(fn.Architectures).toEqual([{ Ref: 'Architecture' }]);
    expect(template.Parameters.Architecture.Default).toBe('arm64');
    expect(fn.LoggingConfig).toMatchObject({ LogFormat: 'JSON', LogGroup: { Ref: 'LogGroup' } });
    expect(resources.LogGroup.Properties.RetentionInDays).toEqual({ Ref: 'LogRetentionInDays' });
    expect(fn.Code).toEqual({ S3Bucket: { Ref: 'CodeS3Bucket' }, S3Key: { Ref: 'CodeS3Key' } });
  });

  it('exports the handler the template names from the bundle entry', () => {
    const entry = readFileSync(new URL('../../src/lambda.ts', import.meta.url), 'utf8');
    expect(entry).toMatch(/export const handler\b/);
  });

  it('sets only environment variables the function reads, with values it accepts', () => {
    const variables: Record<string, Json> = resources.Function.Properties.Environment.Variables;
    // ENI_POOL_POOLS and ENI_POOL_LIFECYCLE_HOOK_PREFIX are read by the pool and hook filters of the handler.
    const known = new Set([
      ...Object.keys(LAMBDA_ENVIRONMENT_DEFAULTS),
      'ENI_POOL_POOLS',
      'ENI_POOL_LIFECYCLE_HOOK_PREFIX',
    ]);
    for (const name of Object.keys(variables)) expect(known, name).toContain(name);
    // What a variable can be: its string, its parameter's default, or either branch of a condition.
    const values = (value: Json): string[] =>
      typeof value === 'string'
        ? [value]
        : 'Fn::If' in value
          ? value['Fn::If'].slice(1).flatMap(values)
          : [String(template.Parameters[value.Ref].Default)];
    const env = Object.fromEntries(
      Object.entries(variables).map(([name, value]) => [name, values(value)[0]]),
    );
    expect(() => readLambdaConfig(env)).not.toThrow();
    for (const [name, value] of Object.entries(variables)) {
      for (const each of values(value)) {
        expect(() => readLambdaConfig({ [name]: each }), `${name}=${each}`).not.toThrow();
      }
      if (typeof value === 'object' && 'Ref' in value) {
        for (const allowed of template.Parameters[value.Ref].AllowedValues ?? []) {
          expect(() => readLambdaConfig({ [name]: String(allowed) }), `${name}=${allowed}`).not.toThrow();
        }
      }
    }
  });

  it('bounds the attaches counted ahead by the queue’s other batches, else by the reserved concurrency', () => {
    const mapping = resources.EventQueueMapping.Properties;
    const others = (mapping.ScalingConfig.MaximumConcurrency - 1) * mapping.BatchSize;
    expect(resources.Function.Properties.Environment.Variables.ENI_POOL_PACING_MAX_AHEAD).toEqual({
      'Fn::If': [
        'Buffered',
        String(others),
        { 'Fn::If': ['HasReservedConcurrency', { Ref: 'ReservedConcurrency' }, ''] },
      ],
    });
  });

  it('filters state changes to the states that move an interface', () => {
    expect(resources.StateChangeRule.Properties.EventPattern).toEqual({
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['running', 'stopping', 'stopped', 'shutting-down', 'terminated'] },
    });
  });

  it('routes the lifecycle actions of its own hooks and a five-minute schedule to the function', () => {
    expect(resources.LifecycleRule.Properties.EventPattern).toEqual({
      source: ['aws.autoscaling'],
      'detail-type': ['EC2 Instance-launch Lifecycle Action', 'EC2 Instance-terminate Lifecycle Action'],
      detail: { LifecycleHookName: [{ prefix: { Ref: 'LifecycleHookPrefix' } }] },
    });
    expect(template.Parameters.LifecycleHookPrefix.Default).toBe('eni-pool');
    expect(resources.Function.Properties.Environment.Variables.ENI_POOL_LIFECYCLE_HOOK_PREFIX).toEqual({
      Ref: 'LifecycleHookPrefix',
    });
    expect(template.Parameters.SyncSchedule.Default).toBe('rate(5 minutes)');
    expect(resources.SyncRule.Properties).toMatchObject({
      ScheduleExpression: { Ref: 'SyncSchedule' },
      Targets: [{ Arn: { 'Fn::GetAtt': ['Function', 'Arn'] } }],
    });
  });

  it('grants EventBridge one invoke permission per rule, scoped by SourceArn', () => {
    const permissions = ofType('AWS::Lambda::Permission');
    const rules = ofType('AWS::Events::Rule').map(([name]) => name);
    expect(permissions.map(([, p]) => p.Properties.SourceArn['Fn::GetAtt'][0]).sort()).toEqual(
      [...rules].sort(),
    );
    for (const [, permission] of permissions) {
      expect(permission.Properties).toMatchObject({
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': ['Function', 'Arn'] },
        SourceAccount: { Ref: 'AWS::AccountId' },
      });
    }
  });

  it('sends asynchronous invokes that keep failing to an SQS on-failure destination', () => {
    expect(resources.FunctionEventInvokeConfig.Properties).toMatchObject({
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['FailedEventsQueue', 'Arn'] } } },
    });
    expect(roleStatements()).toContainEqual(
      expect.objectContaining({
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': ['FailedEventsQueue', 'Arn'] },
      }),
    );
  });

  it('alarms on unsatisfied instances (EMF metric), function errors and failed events', () => {
    const alarms = Object.fromEntries(ofType('AWS::CloudWatch::Alarm'));
    expect(alarms.UnsatisfiedInstancesAlarm.Properties.Metrics[0].Expression).toBe(
      'SELECT MAX(UnsatisfiedInstances) FROM SCHEMA("EniPool", Pool)',
    );
    expect(alarms.FunctionErrorsAlarm.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
    });
    expect(alarms.FailedEventsAlarm.Properties.Dimensions[0].Value).toEqual({
      'Fn::GetAtt': ['FailedEventsQueue', 'QueueName'],
    });
  });

  describe('the SQS-buffered variant', () => {
    it('exists only when UseQueue is true', () => {
      for (const name of [
        'EventQueue',
        'EventDeadLetterQueue',
        'EventQueuePolicy',
        'EventQueueMapping',
        'PoisonEventsAlarm',
      ]) {
        expect(resources[name].Condition, name).toBe('Buffered');
      }
      expect(template.Conditions.Buffered).toEqual({ 'Fn::Equals': [{ Ref: 'UseQueue' }, 'true'] });
      expect(resources.StateChangePermission.Condition).toBe('Direct');
    });

    it('redrives to a dead-letter queue and reports batch item failures', () => {
      expect(resources.EventQueue.Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': ['EventDeadLetterQueue', 'Arn'] },
        maxReceiveCount: 5,
      });
      expect(resources.EventQueueMapping.Properties.FunctionResponseTypes).toEqual([
        'ReportBatchItemFailures',
      ]);
    });

    it('keeps the visibility timeout at least six times the function timeout', () => {
      const timeouts: number[] = template.Parameters.Timeout.AllowedValues;
      expect(resources.EventQueue.Properties.VisibilityTimeout).toEqual({
        'Fn::FindInMap': ['QueueVisibility', { Ref: 'Timeout' }, 'Seconds'],
      });
      for (const timeout of timeouts) {
        expect(template.Mappings.QueueVisibility[String(timeout)].Seconds).toBeGreaterThanOrEqual(
          6 * timeout,
        );
      }
    });

    it('lets only this stack’s rules send to the queue', () => {
      const statement = resources.EventQueuePolicy.Properties.PolicyDocument.Statement.find(
        (s: Json) => s.Effect === 'Allow',
      );
      expect(statement).toMatchObject({
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': ['EventQueue', 'Arn'] },
      });
      const sources = variants(statement.Condition.ArnEquals['aws:SourceArn']);
      expect(sources).toContainEqual([
        { 'Fn::GetAtt': ['StateChangeRule', 'Arn'] },
        { 'Fn::GetAtt': ['LifecycleRule', 'Arn'] },
      ]);
      for (const list of sources) expect(list.length).toBeGreaterThan(0);
    });

    it('routes both event rules to the queue instead of the function', () => {
      for (const rule of ['StateChangeRule', 'LifecycleRule']) {
        const targets = resources[rule].Properties.Targets['Fn::If'];
        expect(targets[0]).toBe('Buffered');
        expect(targets[1][0].Arn).toEqual({ 'Fn::GetAtt': ['EventQueue', 'Arn'] });
        expect(targets[2][0].Arn).toEqual({ 'Fn::GetAtt': ['Function', 'Arn'] });
      }
    });
  });

  describe('in every deployment (each combination of conditions)', () => {
    it.each(deployed.map(({ parameters, template }) => [label(parameters), template]))(
      '%s: every queue refuses requests without TLS',
      (_label, variant: Json) => {
        const all = Object.entries<Json>(variant.Resources);
        const queues = all.filter(([, r]) => r.Type === 'AWS::SQS::Queue').map(([name]) => name);
        expect(queues.length).toBeGreaterThan(0);
        for (const queue of queues) {
          const policies = all.filter(
            ([, r]) =>
              r.Type === 'AWS::SQS::QueuePolicy' &&
              r.Properties.Queues.some((q: Json) => q.Ref === queue) &&
              r.Properties.PolicyDocument.Statement.some(
                (s: Json) =>
                  s.Effect === 'Deny' &&
                  s.Principal === '*' &&
                  s.Action === 'sqs:*' &&
                  s.Resource['Fn::GetAtt']?.[0] === queue &&
                  s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
              ),
          );
          expect(policies.length, queue).toBe(1);
        }
      },
    );

    it.each(deployed.map(({ parameters, template }) => [label(parameters), template]))(
      '%s: every rule target retries within a bound and dead-letters to the failed-events queue, which lets exactly those rules send',
      (_label, variant: Json) => {
        const rules = Object.entries<Json>(variant.Resources).filter(
          ([, r]) => r.Type === 'AWS::Events::Rule',
        );
        for (const [name, rule] of rules) {
          for (const target of rule.Properties.Targets) {
            expect(target.DeadLetterConfig, name).toEqual({
              Arn: { 'Fn::GetAtt': ['FailedEventsQueue', 'Arn'] },
            });
            expect(target.RetryPolicy.MaximumRetryAttempts, name).toBeLessThanOrEqual(185);
            expect(target.RetryPolicy.MaximumEventAgeInSeconds, name).toBeLessThanOrEqual(3600);
          }
        }
        const allow = variant.Resources.FailedEventsQueuePolicy.Properties.PolicyDocument.Statement.find(
          (s: Json) => s.Effect === 'Allow',
        );
        expect(allow).toMatchObject({
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
        });
        expect(
          allow.Condition.ArnEquals['aws:SourceArn'].map((arn: Json) => arn['Fn::GetAtt'][0]).sort(),
        ).toEqual(rules.map(([name]) => name).sort());
      },
    );

    it.each(deployed.map(({ parameters, template }) => [label(parameters), template]))(
      '%s: every alarm has an action',
      (_label, variant: Json) => {
        const alarms = Object.values<Json>(variant.Resources).filter(
          (r) => r.Type === 'AWS::CloudWatch::Alarm',
        );
        expect(alarms.length).toBeGreaterThanOrEqual(3);
        for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
      },
    );
  });

  it('notifies a topic of its own unless AlarmTopicArn is given, and that topic takes only TLS and this account’s alarms', () => {
    const own = resolveVariant(template, CODE);
    expect(own.Resources.UnsatisfiedInstancesAlarm.Properties.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
    const statements = own.Resources.AlarmTopicPolicy.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    );
    const given = resolveVariant(template, {
      ...CODE,
      AlarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops',
    });
    expect(given.Resources.AlarmTopic).toBeUndefined();
    expect(given.Resources.FunctionErrorsAlarm.Properties.AlarmActions).toEqual([{ Ref: 'AlarmTopicArn' }]);
  });

  it('keeps logs a year by default, encrypted with a KMS key when one is given', () => {
    expect(template.Parameters.LogRetentionInDays.Default).toBeGreaterThanOrEqual(365);
    expect(template.Parameters.LogRetentionInDays.AllowedValues).toContain(
      template.Parameters.LogRetentionInDays.Default,
    );
    expect(resolveVariant(template, CODE).Resources.LogGroup.Properties.KmsKeyId).toBeUndefined();
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/k';
    expect(
      resolveVariant(template, { ...CODE, LogGroupKmsKeyArn: key }).Resources.LogGroup.Properties.KmsKeyId,
    ).toEqual({ Ref: 'LogGroupKmsKeyArn' });
  });

  it('traces with X-Ray by default, granting the trace writes only then', () => {
    expect(resources.Function.Properties.TracingConfig).toEqual({ Mode: { Ref: 'Tracing' } });
    expect(template.Parameters.Tracing).toMatchObject({
      Default: 'Active',
      AllowedValues: ['Active', 'PassThrough'],
    });
    const sids = (parameters: ParameterValues) =>
      resolveVariant(
        template,
        parameters,
      ).Resources.FunctionRole.Properties.Policies[0].PolicyDocument.Statement.map((s: Json) => s.Sid);
    expect(sids(CODE)).toContain('WriteTraces');
    expect(sids({ ...CODE, Tracing: 'PassThrough' })).not.toContain('WriteTraces');
  });

  it('bounds concurrency only when ReservedConcurrency is set, and never to 0', () => {
    const pattern = new RegExp(template.Parameters.ReservedConcurrency.AllowedPattern);
    for (const ok of ['', '1', '10', '1000']) expect(ok).toMatch(pattern);
    for (const bad of ['0', '-1', '01', 'ten']) expect(bad).not.toMatch(pattern);
    expect(
      resolveVariant(template, CODE).Resources.Function.Properties.ReservedConcurrentExecutions,
    ).toBeUndefined();
    expect(
      resolveVariant(template, { ...CODE, ReservedConcurrency: '10' }).Resources.Function.Properties
        .ReservedConcurrentExecutions,
    ).toEqual({ Ref: 'ReservedConcurrency' });
  });

  it('tells the function its pool, so a one-pool stack reconciles only that pool on every path', () => {
    expect(resources.Function.Properties.Environment.Variables.ENI_POOL_POOLS).toEqual({ Ref: 'PoolName' });
    const pattern = new RegExp(template.Parameters.PoolName.AllowedPattern);
    expect('').toMatch(pattern);
    expect('bastion').toMatch(pattern);
    // ENI_POOL_POOLS is a comma-separated list; one stack serves one pool (or all).
    expect('a,b').not.toMatch(pattern);
  });

  describe('the function role', () => {
    it('grants no mutating action on "*": only the Describe actions may use it', () => {
      const statements = roleStatements();
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        expect(statement.NotAction, statement.Sid).toBeUndefined();
        expect(statement.NotResource, statement.Sid).toBeUndefined();
        const actions = asList(statement.Action);
        for (const action of actions) expect(action, statement.Sid).not.toMatch(/\*/);
        const resourcesOf = asList(statement.Resource);
        if (resourcesOf.some((resource) => resource === '*')) {
          expect(DESCRIBE_ONLY, statement.Sid).toEqual(expect.arrayContaining(actions));
        }
      }
      expect(statements.filter((s) => asList(s.Resource).includes('*')).map((s) => s.Sid)).toEqual(
        expect.arrayContaining(['DescribePoolState', 'DescribeAutoScalingLifecycleStates']),
      );
    });

    it('lets every path read Auto Scaling lifecycle states, in a statement of its own without conditions', () => {
      const describe = roleStatements().filter((s) =>
        asList(s.Action).includes('autoscaling:DescribeAutoScalingGroups'),
      );
      expect(describe).toEqual([
        {
          Sid: 'DescribeAutoScalingLifecycleStates',
          Effect: 'Allow',
          Action: 'autoscaling:DescribeAutoScalingGroups',
          Resource: '*',
        },
      ]);
    });

    it('limits Describe to the stack’s region', () => {
      const describe = roleStatements().find((s) => s.Sid === 'DescribePoolState');
      expect(describe.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } } });
    });

    it('limits attach and detach to pool-tagged interfaces and instances, one statement per resource type', () => {
      const statements = roleStatements().filter((s) =>
        asList(s.Action).includes('ec2:AttachNetworkInterface'),
      );
      const byResource = new Map<string, Json[]>();
      for (const statement of statements) {
        expect(asList(statement.Action).sort()).toEqual([
          'ec2:AttachNetworkInterface',
          'ec2:DetachNetworkInterface',
        ]);
        const resource = statement.Resource['Fn::Sub'];
        byResource.set(resource, [...(byResource.get(resource) ?? []), statement.Condition]);
      }
      const prefix = ['arn:', 'AWS::Partition', ':ec2:', 'AWS::Region', ':', 'AWS::AccountId', ':']
        .map((part) => (part.startsWith('AWS::') ? `\${${part}}` : part))
        .join('');
      expect([...byResource.keys()].sort()).toEqual([`${prefix}instance/*`, `${prefix}network-interface/*`]);
      for (const conditions of byResource.values()) {
        // Any pool: the tag must exist. One pool: it must have exactly the pool's name.
        expect(conditions).toContainEqual({ Null: { [TAG]: 'false' } });
        expect(conditions).toContainEqual({ StringEquals: { [TAG]: { Ref: 'PoolName' } } });
      }
    });

    it('lets the function write only the last-instance tag, only on pool interfaces', () => {
      const statements = roleStatements().filter((s) => asList(s.Action).includes('ec2:CreateTags'));
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        expect(statement.Resource['Fn::Sub']).toMatch(/:network-interface\/\*$/);
        expect(statement.Condition['ForAllValues:StringEquals']).toEqual({
          'aws:TagKeys': ['network-interface-manager-last-instance'],
        });
        expect(statement.Condition.Null['aws:TagKeys']).toBe('false');
        expect(statement.Condition.Null[TAG] ?? statement.Condition.StringEquals[TAG]).toBeDefined();
      }
    });

    it('completes lifecycle actions only of groups carrying the pool tag', () => {
      const statements = roleStatements().filter((s) =>
        asList(s.Action).includes('autoscaling:CompleteLifecycleAction'),
      );
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        expect(asList(statement.Action).sort()).toEqual([
          'autoscaling:CompleteLifecycleAction',
          'autoscaling:RecordLifecycleActionHeartbeat',
        ]);
        expect(statement.Resource['Fn::Sub']).toMatch(/:autoScalingGroup:\*:autoScalingGroupName\/\*$/);
        const key = 'autoscaling:ResourceTag/network-interface-manager-pool';
        expect(statement.Condition.Null?.[key] ?? statement.Condition.StringEquals?.[key]).toBeDefined();
      }
    });

    it('writes logs only to its own group and consumes only its own queue', () => {
      const statements = roleStatements();
      const logs = statements.filter((s) => asList(s.Action).some((a: string) => a.startsWith('logs:')));
      expect(logs).toEqual([
        expect.objectContaining({
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': ['LogGroup', 'Arn'] },
        }),
      ]);
      const consume = statements.filter((s) => asList(s.Action).includes('sqs:ReceiveMessage'));
      expect(consume.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': ['EventQueue', 'Arn'] }]);
    });
  });

  it('becomes a template with a local Code path for `aws cloudformation package`', () => {
    const local = parseTemplate(localCodeTemplate(readFileSync(TEMPLATE_PATH, 'utf8')));
    expect(local.Resources.Function.Properties.Code).toBe('./eni-pool-lambda.zip');
    expect(local.Parameters.CodeS3Bucket).toBeUndefined();
    expect(local.Parameters.CodeS3Key).toBeUndefined();
    expect(JSON.stringify(local)).not.toMatch(/CodeS3/);
    expect({ ...local.Resources, Function: undefined }).toEqual({ ...resources, Function: undefined });
  });

  // cfn-lint checks the template against the CloudFormation resource schemas, where it is installed.
  const hasCfnLint = spawnSync('cfn-lint', ['--version']).status === 0;

  it.skipIf(!hasCfnLint)(
    'passes cfn-lint, and so does the copy for `aws cloudformation package`',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'eni-pool-cfn-'));
      try {
        const local = join(dir, 'eni-pool.yaml');
        writeFileSync(local, localCodeTemplate(readFileSync(TEMPLATE_PATH, 'utf8')));
        // One run for both (cfn-lint's start-up dominates). W3002 is the notice that a local Code path needs
        // `aws cloudformation package`: that is the point of the copy, and the source template has none.
        const lint = spawnSync('cfn-lint', ['--ignore-checks', 'W3002', '--', TEMPLATE_PATH, local], {
          encoding: 'utf8',
        });
        expect(lint.status, lint.stdout).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});

describe('lifecycle-hook-adapter cloudformation/lifecycle-hooks.yaml', () => {
  const lifecycle = parseTemplate(
    readFileSync(
      new URL('../../../lifecycle-hook-adapter/cloudformation/lifecycle-hooks.yaml', import.meta.url),
      'utf8',
    ),
  );
  const statements: Json[] = lifecycle.Resources.LifecyclePolicy.Properties.PolicyDocument.Statement;

  it('names both hooks from the same prefix as the eni-pool stack, so the rule and the function take them', () => {
    const { Type, Default, AllowedPattern } = template.Parameters.LifecycleHookPrefix;
    expect(lifecycle.Parameters.LifecycleHookPrefix).toMatchObject({ Type, Default, AllowedPattern });
    const sub = (suffix: string) => ({ 'Fn::Sub': `\${LifecycleHookPrefix}-${suffix}` });
    expect(lifecycle.Resources.LaunchHook.Properties.LifecycleHookName).toEqual(sub('launch'));
    expect(lifecycle.Resources.TerminateHook.Properties.LifecycleHookName).toEqual(sub('terminate'));
    // The longest prefix still leaves a valid hook name (at most 255 characters).
    const longest = Number(/\{1,(\d+)\}/.exec(lifecycle.Parameters.LifecycleHookPrefix.AllowedPattern)?.[1]);
    expect(longest + '-terminate'.length).toBeLessThanOrEqual(255);
  });

  it('creates no rule and no invoke permission: the eni-pool stack’s rule is the one that delivers', () => {
    const types = Object.values<Json>(lifecycle.Resources).map((r) => r.Type);
    expect(types).not.toContain('AWS::Events::Rule');
    expect(types).not.toContain('AWS::Lambda::Permission');
  });

  it('attaches its Auto Scaling policy only to a role it is given', () => {
    expect(
      resolveVariant(lifecycle, { AutoScalingGroupName: 'web' }).Resources.LifecyclePolicy,
    ).toBeUndefined();
    expect(
      resolveVariant(lifecycle, { AutoScalingGroupName: 'web', FunctionRoleName: 'r' }).Resources
        .LifecyclePolicy.Properties.Roles,
    ).toEqual([{ Ref: 'FunctionRoleName' }]);
  });

  it('reads Auto Scaling lifecycle states on "*" in a statement of its own, and mutates nothing on "*"', () => {
    expect(statements.find((s) => s.Sid === 'DescribeAutoScalingLifecycleStates')).toEqual({
      Sid: 'DescribeAutoScalingLifecycleStates',
      Effect: 'Allow',
      Action: 'autoscaling:DescribeAutoScalingGroups',
      Resource: '*',
    });
    for (const statement of statements.filter((s) => asList(s.Resource).includes('*'))) {
      expect(DESCRIBE_ONLY).toEqual(expect.arrayContaining(asList(statement.Action)));
    }
  });
});
