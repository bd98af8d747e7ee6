import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// The Lambda adapter's template reader (short-form intrinsics, condition variants), shared rather than copied.
import {
  type Json,
  TEMPLATE_PATH as LAMBDA_TEMPLATE,
  parseTemplate,
  variants,
} from '../../../lambda-adapter/tests/helpers/cloudformation';
import { readCliConfig, resolveSqsOptions } from '../../src';

const TEMPLATE = fileURLToPath(new URL('../../cloudformation/eni-pool-sqs.yaml', import.meta.url));
const template = parseTemplate(readFileSync(TEMPLATE, 'utf8'));
const lambda = parseTemplate(readFileSync(LAMBDA_TEMPLATE, 'utf8'));
const resources: Record<string, Json> = template.Resources;

/** Every statement of a role's policies, for every combination of conditions. */
function statementsOf(role: Json): Json[] {
  const all = role.Properties.Policies.flatMap((policy: Json) =>
    variants(policy.PolicyDocument.Statement).flatMap((statements: Json[]) => statements),
  );
  return [...new Map(all.map((statement: Json) => [JSON.stringify(statement), statement])).values()];
}
const asList = (value: Json): Json[] => (Array.isArray(value) ? value : [value]);

describe('cloudformation/eni-pool-sqs.yaml', () => {
  it('sends the same state changes as the Lambda template, and only lifecycle actions of eni-pool hooks', () => {
    expect(resources.StateChangeRule.Properties.EventPattern).toEqual(
      lambda.Resources.StateChangeRule.Properties.EventPattern,
    );
    expect(resources.LifecycleRule.Properties.EventPattern).toEqual({
      source: ['aws.autoscaling'],
      'detail-type': ['EC2 Instance-launch Lifecycle Action', 'EC2 Instance-terminate Lifecycle Action'],
      detail: { LifecycleHookName: [{ prefix: { Ref: 'LifecycleHookPrefix' } }] },
    });
    // The rule's default prefix is the container's.
    const url = 'https://sqs.eu-west-1.amazonaws.com/123456789012/q';
    expect(template.Parameters.LifecycleHookPrefix.Default).toBe(
      resolveSqsOptions({ queueUrl: url }).lifecycleHookPrefix,
    );
    const cli = readCliConfig([], { ENI_POOL_QUEUE_URL: url });
    expect(!cli.help && cli.config.lifecycleHookPrefix).toBe(template.Parameters.LifecycleHookPrefix.Default);
    for (const rule of ['StateChangeRule', 'LifecycleRule']) {
      expect(resources[rule].Properties.Targets).toEqual([
        { Id: 'queue', Arn: { 'Fn::GetAtt': ['EventQueue', 'Arn'] } },
      ]);
    }
    // The container syncs by itself: no schedule.
    expect(Object.values(resources).filter((r) => r.Properties?.ScheduleExpression !== undefined)).toEqual(
      [],
    );
  });

  it('parks failing messages in an encrypted dead-letter queue that keeps them longer than the queue', () => {
    const queue = resources.EventQueue.Properties;
    const dlq = resources.EventDeadLetterQueue.Properties;
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['EventDeadLetterQueue', 'Arn'] },
      maxReceiveCount: { Ref: 'MaxReceiveCount' },
    });
    expect(queue.SqsManagedSseEnabled).toBe(true);
    expect(dlq.SqsManagedSseEnabled).toBe(true);
    expect(dlq.MessageRetentionPeriod).toBeGreaterThan(queue.MessageRetentionPeriod);
    expect(template.Parameters.MaxReceiveCount.Default).toBeGreaterThanOrEqual(5);
  });

  it("lets only this stack's rules send to the queue", () => {
    const [statement, ...others] = resources.EventQueuePolicy.Properties.PolicyDocument.Statement;
    expect(others).toEqual([]);
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': ['EventQueue', 'Arn'] },
    });
    const sources = variants(statement.Condition.ArnEquals['aws:SourceArn']);
    expect(sources).toContainEqual([
      { 'Fn::GetAtt': ['StateChangeRule', 'Arn'] },
      { 'Fn::GetAtt': ['LifecycleRule', 'Arn'] },
    ]);
  });

  it("grants the task role exactly the Lambda role's EC2 and Auto Scaling permissions, and consumes only its own queue", () => {
    const task = statementsOf(resources.TaskRole);
    const fn = statementsOf(lambda.Resources.FunctionRole);
    const awsSide = (statements: Json[]) =>
      statements.filter((s) =>
        asList(s.Action).every((a: string) => a.startsWith('ec2:') || a.startsWith('autoscaling:')),
      );
    expect(awsSide(task)).toEqual(awsSide(fn));
    const sqs = task.filter((s) => asList(s.Action).some((a: string) => a.startsWith('sqs:')));
    expect(sqs).toEqual([
      {
        Sid: 'ConsumeOwnQueue',
        Effect: 'Allow',
        Action: [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueAttributes',
        ],
        Resource: { 'Fn::GetAtt': ['EventQueue', 'Arn'] },
      },
    ]);
    // Nothing else: no logs (the execution role writes them), no mutating action on "*".
    expect(task.length).toBe(awsSide(task).length + sqs.length);
    const describeOnly = [
      'ec2:DescribeInstances',
      'ec2:DescribeNetworkInterfaces',
      'autoscaling:DescribeAutoScalingGroups',
    ];
    for (const statement of task.filter((s) => s.Resource === '*')) {
      for (const action of asList(statement.Action)) expect(describeOnly).toContain(action);
    }
  });

  it('is assumed only by the chosen service of this account', () => {
    const [statement] = resources.TaskRole.Properties.AssumeRolePolicyDocument.Statement;
    expect(statement.Principal).toEqual({ Service: { Ref: 'TrustedService' } });
    expect(statement.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
    expect(template.Parameters.TrustedService.AllowedValues).toEqual([
      'ecs-tasks.amazonaws.com',
      'pods.eks.amazonaws.com',
    ]);
  });

  it('alarms on the dead-letter queue and on an undrained queue', () => {
    expect(resources.DeadLetterAlarm.Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(resources.QueueAgeAlarm.Properties.MetricName).toBe('ApproximateAgeOfOldestMessage');
  });

  const hasCfnLint = spawnSync('cfn-lint', ['--version']).status === 0;
  it.skipIf(!hasCfnLint)(
    'passes cfn-lint',
    () => {
      const lint = spawnSync('cfn-lint', ['--', TEMPLATE], { encoding: 'utf8' });
      expect(lint.status, lint.stdout).toBe(0);
    },
    60_000,
  );
});
