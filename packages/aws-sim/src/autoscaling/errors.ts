import { AwsSimError } from '../ec2/errors';

/**
 * An Auto Scaling API error as AWS answers it over awsQuery: `code` becomes `<Code>` (the SDK's
 * `err.name`, with `Fault` appended for modelled faults: `ResourceContentionFault`), `status` the HTTP status, `type` the `<Type>` (`Sender` for 4xx, `Receiver` for 5xx).
 *
 * @example
 * ```ts
 * throw autoScalingErrors.validation('Group my-asg not found');
 * ```
 */
export class AutoScalingApiError extends AwsSimError {
  readonly type: 'Sender' | 'Receiver';

  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.type = status >= 500 ? 'Receiver' : 'Sender';
  }
}

/** The error answers the Auto Scaling simulator gives, with the texts AWS uses where they are known. */
export const autoScalingErrors = {
  validation: (message: string) => new AutoScalingApiError('ValidationError', message),
  missingParameter: (name: string) =>
    new AutoScalingApiError(
      'ValidationError',
      `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
    ),
  groupNotFound: (name: string) => new AutoScalingApiError('ValidationError', `Group ${name} not found`),
  alreadyExists: (message: string) => new AutoScalingApiError('AlreadyExists', message),
  limitExceeded: (message: string) => new AutoScalingApiError('LimitExceeded', message),
  noActiveActionForInstance: (instanceId: string) =>
    new AutoScalingApiError(
      'ValidationError',
      `No active Lifecycle Action found with instance ID ${instanceId}`,
    ),
  noActiveActionForToken: (token: string) =>
    new AutoScalingApiError('ValidationError', `No active Lifecycle Action found with token ${token}`),
  throttling: () => new AutoScalingApiError('Throttling', 'Rate exceeded'),
  resourceContention: () =>
    new AutoScalingApiError(
      'ResourceContention',
      'You already have a pending update to an Amazon EC2 Auto Scaling resource (for example, an Auto Scaling group, instance, or load balancer).',
      500,
    ),
  invalidAction: (action: string) =>
    new AutoScalingApiError('InvalidAction', `The action ${action} is not valid for this web service.`),
};
