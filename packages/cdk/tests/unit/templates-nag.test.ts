import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Json,
  type ParameterValues,
  parameterValues,
  parseTemplate,
  resolveVariant,
} from '../../../lambda-adapter/tests/helpers/cloudformation';
import { acknowledge, type NagFinding, type NagSuppression, nagFindings } from '../helpers/nag';

const ENI_POOL = new URL('../../../lambda-adapter/cloudformation/eni-pool.yaml', import.meta.url);
const LIFECYCLE_HOOKS = new URL(
  '../../../lifecycle-hook-adapter/cloudformation/lifecycle-hooks.yaml',
  import.meta.url,
);
const dir = mkdtempSync(join(tmpdir(), 'eni-pool-nag-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The suppressions a resource carries in its `Metadata.cdk_nag.rules_to_suppress` (the cfn_nag format). */
function suppressionsOf(resource: Json, values: Record<string, string>): NagSuppression[] {
  return (resource.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((rule: Json) => ({
    // A finding names a parameter as <Name>; CloudFormation puts the deployment's value there.
    id: String(rule.id).replace(/<([A-Za-z0-9]+)>/g, (match, name: string) => values[name] ?? match),
    reason: String(rule.reason ?? ''),
  }));
}

let variantCount = 0;

/**
 * The template deployed with `parameters`, included in a CDK app (`CfnInclude`) and checked by cdk-nag:
 * the findings left once the template's own suppressions are applied, and those it had before.
 */
function nagTemplate(file: URL, parameters: ParameterValues) {
  const template = resolveVariant(parseTemplate(readFileSync(file, 'utf8')), parameters);
  const values = parameterValues(template, parameters);
  const templateFile = join(dir, `variant-${variantCount++}.json`);
  writeFileSync(templateFile, JSON.stringify(template));

  const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const included = new CfnInclude(stack, 'Template', { templateFile, parameters: values });
  const raw = nagFindings(stack);
  const suppressions: (NagSuppression & { resource: string })[] = [];
  for (const [logicalId, resource] of Object.entries<Json>(template.Resources)) {
    const own = suppressionsOf(resource, values);
    acknowledge(included.getResource(logicalId), own);
    suppressions.push(...own.map((suppression) => ({ ...suppression, resource: logicalId })));
  }
  return { raw, findings: nagFindings(stack), suppressions };
}

const CODE = { CodeS3Bucket: 'artifacts', CodeS3Key: 'eni-pool/eni-pool-lambda.zip' };
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ops';

/**
 * Variants covering every condition of eni-pool.yaml both ways, and the findings each is expected to keep:
 * only those its parameters opt into (an older runtime, no active tracing).
 */
const ENI_POOL_VARIANTS: { name: string; parameters: ParameterValues; optIn: string[] }[] = [
  { name: 'the defaults (direct, lifecycle hooks, every pool)', parameters: CODE, optIn: [] },
  { name: 'the SQS-buffered variant', parameters: { ...CODE, UseQueue: 'true' }, optIn: [] },
  {
    name: 'buffered, one pool, no lifecycle hooks, reserved concurrency',
    parameters: {
      ...CODE,
      UseQueue: 'true',
      PoolName: 'bastion',
      LifecycleHooks: 'disabled',
      ReservedConcurrency: '10',
    },
    optIn: [],
  },
  {
    name: 'direct, one pool, own alarm topic, KMS-encrypted logs',
    parameters: { ...CODE, PoolName: 'bastion', AlarmTopicArn: TOPIC, LogGroupKmsKeyArn: KEY },
    optIn: [],
  },
  {
    name: 'nodejs22.x without active tracing',
    parameters: { ...CODE, Runtime: 'nodejs22.x', Tracing: 'PassThrough', LifecycleHooks: 'disabled' },
    optIn: [
      'Function AwsSolutions-L1',
      'Function Serverless-LambdaLatestVersion',
      'Function Serverless-LambdaTracing',
    ],
  },
];

const LIFECYCLE_VARIANTS: { name: string; parameters: ParameterValues }[] = [
  {
    name: 'hooks only (the eni-pool stack’s role has the permissions)',
    parameters: { AutoScalingGroupName: 'web' },
  },
  {
    name: 'hooks and a policy for a role of one’s own',
    parameters: {
      AutoScalingGroupName: 'web',
      FunctionRoleName: 'my-function-role',
      LifecycleHookPrefix: 'blue',
    },
  },
];

const describeFinding = (finding: NagFinding) => `${finding.path.split('/')[1]} ${finding.rule}`;

describe('cdk-nag (AwsSolutions, Serverless) over every template variant', () => {
  const used = new Set<string>();
  const declared: { file: string; resource: string; id: string }[] = [];

  describe.each(ENI_POOL_VARIANTS)('eni-pool.yaml: $name', ({ parameters, optIn }) => {
    it('leaves no finding unsuppressed but those the parameters opt into', () => {
      const { raw, findings, suppressions } = nagTemplate(ENI_POOL, parameters);
      for (const finding of raw) used.add(`eni-pool ${describeFinding(finding)}`);
      declared.push(...suppressions.map((s) => ({ file: 'eni-pool', resource: s.resource, id: s.id })));
      expect(findings.map(describeFinding)).toEqual(optIn);
    });
  });

  describe.each(LIFECYCLE_VARIANTS)('lifecycle-hooks.yaml: $name', ({ parameters }) => {
    it('leaves no finding unsuppressed', () => {
      const { raw, findings, suppressions } = nagTemplate(LIFECYCLE_HOOKS, parameters);
      for (const finding of raw) used.add(`lifecycle-hooks ${describeFinding(finding)}`);
      declared.push(
        ...suppressions.map((s) => ({ file: 'lifecycle-hooks', resource: s.resource, id: s.id })),
      );
      expect(findings.map(describeFinding)).toEqual([]);
    });
  });

  it('has no stale suppression: each acknowledges a finding of some variant', () => {
    expect(declared.length).toBeGreaterThan(0);
    for (const { file, resource, id } of declared) {
      expect(used, `${file} ${resource} ${id}`).toContain(`${file} ${resource} ${id}`);
    }
  });
});
