import { readFileSync } from 'node:fs';
import { matchesPattern, normalisePattern } from '@eni-pool/aws-sim';
import type { LifecycleTransition } from '@eni-pool/core';
import { lifecycleActionEvent } from '@eni-pool/core/testing';
import { describe, expect, it } from 'vitest';
import {
  type Json,
  loadTemplate,
  type ParameterValues,
  parameterValues,
  parseTemplate,
  resolveVariant,
  substitute,
} from '../helpers/cloudformation';

const ENI_POOL = loadTemplate();
const LIFECYCLE_HOOKS = parseTemplate(
  readFileSync(
    new URL('../../../lifecycle-hook-adapter/cloudformation/lifecycle-hooks.yaml', import.meta.url),
    'utf8',
  ),
);
const CODE = { CodeS3Bucket: 'artifacts', CodeS3Key: 'eni-pool-lambda.zip' };

/** One stack: which template, deployed with which parameters. */
interface Stack {
  readonly name: string;
  readonly template: Json;
  readonly parameters: ParameterValues;
}

/** The hooks a deployment creates, per group: what Auto Scaling fires lifecycle actions for. */
function hooksOf(stacks: readonly Stack[]): { group: string; hook: string; transition: string }[] {
  return stacks.flatMap(({ template, parameters }) => {
    const resolved = resolveVariant(template, parameters);
    const values = parameterValues(template, parameters);
    return Object.values<Json>(resolved.Resources)
      .filter((resource) => resource.Type === 'AWS::AutoScaling::LifecycleHook')
      .map((resource) => substitute(resource.Properties, values))
      .map((hook) => ({
        group: hook.AutoScalingGroupName,
        hook: hook.LifecycleHookName,
        transition: hook.LifecycleTransition,
      }));
  });
}

/** The lifecycle action event EventBridge receives for one hook firing, as the templates name it (aws-facts §4.3). */
function lifecycleEvent(group: string, hook: string, transition: string): Json {
  return lifecycleActionEvent({
    autoScalingGroupName: group,
    lifecycleHookName: hook,
    transition: transition as LifecycleTransition,
    region: 'eu-west-1',
  });
}

/**
 * Which eni-pool functions `event` reaches, once per delivery: every rule of every stack whose pattern
 * matches, each target counted (a queue target counts for the function that consumes the queue).
 */
function deliveries(stacks: readonly Stack[], event: Json): string[] {
  return stacks.flatMap(({ name, template, parameters }) => {
    const resolved = resolveVariant(template, parameters);
    const values = parameterValues(template, parameters);
    return Object.values<Json>(resolved.Resources)
      .filter((resource) => resource.Type === 'AWS::Events::Rule' && resource.Properties.EventPattern)
      .filter((rule) =>
        matchesPattern(normalisePattern(substitute(rule.Properties.EventPattern, values)), event),
      )
      .flatMap((rule) => rule.Properties.Targets.map(() => `${name}/Function`));
  });
}

const FOREIGN = [
  { group: 'web', hook: 'app-bootstrap', transition: 'autoscaling:EC2_INSTANCE_LAUNCHING' },
  { group: 'web', hook: 'app-drain', transition: 'autoscaling:EC2_INSTANCE_TERMINATING' },
  { group: 'other-team', hook: 'warmup', transition: 'autoscaling:EC2_INSTANCE_LAUNCHING' },
];

const hooksStack = (group: string, extra: ParameterValues = {}): Stack => ({
  name: `hooks-${group}`,
  template: LIFECYCLE_HOOKS,
  parameters: { AutoScalingGroupName: group, ...extra },
});

const DEPLOYMENTS: { name: string; stacks: Stack[] }[] = [
  {
    name: 'eni-pool.yaml beside lifecycle-hooks.yaml for two groups',
    stacks: [{ name: 'eni-pool', template: ENI_POOL, parameters: CODE }, hooksStack('web'), hooksStack('db')],
  },
  {
    name: 'the SQS-buffered eni-pool.yaml beside lifecycle-hooks.yaml',
    stacks: [
      { name: 'eni-pool', template: ENI_POOL, parameters: { ...CODE, UseQueue: 'true' } },
      hooksStack('web'),
    ],
  },
  {
    name: 'both with the hook prefix blue',
    stacks: [
      { name: 'eni-pool', template: ENI_POOL, parameters: { ...CODE, LifecycleHookPrefix: 'blue' } },
      hooksStack('web', { LifecycleHookPrefix: 'blue', FunctionRoleName: 'role' }),
    ],
  },
];

describe('lifecycle actions, with both templates deployed', () => {
  describe.each(DEPLOYMENTS)('$name', ({ stacks }) => {
    const own = hooksOf(stacks);

    it('creates a launch and a terminate hook per group', () => {
      expect(own.length).toBe(2 * stacks.filter((s) => s.template === LIFECYCLE_HOOKS).length);
    });

    it.each(own)('delivers the action of $hook on $group exactly once', ({ group, hook, transition }) => {
      expect(deliveries(stacks, lifecycleEvent(group, hook, transition))).toEqual(['eni-pool/Function']);
    });

    it.each(FOREIGN)('never delivers another team’s hook $hook on $group', ({ group, hook, transition }) => {
      expect(deliveries(stacks, lifecycleEvent(group, hook, transition))).toEqual([]);
    });
  });

  it('gives no lifecycle action to a stack with LifecycleHooks=disabled (the hooks then end with their default result)', () => {
    const stacks = [
      { name: 'eni-pool', template: ENI_POOL, parameters: { ...CODE, LifecycleHooks: 'disabled' } },
      hooksStack('web'),
    ];
    for (const { group, hook, transition } of hooksOf(stacks)) {
      expect(deliveries(stacks, lifecycleEvent(group, hook, transition))).toEqual([]);
    }
  });

  it('gives each one-pool stack each eni-pool action once; the function of the other pool ignores it', () => {
    const stacks = [
      { name: 'pool-a', template: ENI_POOL, parameters: { ...CODE, PoolName: 'a' } },
      { name: 'pool-b', template: ENI_POOL, parameters: { ...CODE, PoolName: 'b' } },
      hooksStack('web'),
    ];
    for (const { group, hook, transition } of hooksOf(stacks)) {
      expect(deliveries(stacks, lifecycleEvent(group, hook, transition)).sort()).toEqual([
        'pool-a/Function',
        'pool-b/Function',
      ]);
    }
  });
});
