import { type Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** One unacknowledged cdk-nag finding: the rule (with its finding, `AwsSolutions-IAM5[Resource::*]`) and where. */
export interface NagFinding {
  readonly rule: string;
  /** The construct path below the stack. */
  readonly path: string;
}

/** A suppression: the finding it acknowledges and why, as written beside the resource. */
export interface NagSuppression {
  readonly id: string;
  readonly reason: string;
}

/**
 * Runs the AwsSolutions and Serverless packs over `stack` and returns every finding that is not
 * acknowledged (`Validations.of(construct).acknowledge`), sorted.
 */
export function nagFindings(stack: Stack): NagFinding[] {
  const packs = [new AwsSolutionsChecks(), new ServerlessChecks()];
  const prefix = `${stack.node.path}/`;
  return packs
    .flatMap((pack) => pack.validateScope(stack).violations)
    .flatMap((violation) =>
      violation.violatingResources.map((resource) => {
        const path = resource.constructPath ?? '';
        return { rule: violation.ruleName, path: path.startsWith(prefix) ? path.slice(prefix.length) : path };
      }),
    )
    .sort((a, b) => `${a.path} ${a.rule}`.localeCompare(`${b.path} ${b.rule}`));
}

/** Acknowledges each suppression on `construct`, refusing one without a reason. */
export function acknowledge(construct: IConstruct, suppressions: readonly NagSuppression[]): void {
  for (const { id, reason } of suppressions) {
    if (reason.trim().length < 20)
      throw new Error(`suppression ${id} on ${construct.node.path} has no reason`);
    Validations.of(construct).acknowledge({ id, reason });
  }
}
