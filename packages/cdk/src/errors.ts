/** Base of every error thrown by `@eni-pool/cdk`. */
export class EniPoolCdkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A construct was given a property it cannot deploy (out of range, contradicting another property, or
 * missing). Thrown at synth time, before anything reaches CloudFormation.
 */
export class InvalidEniPoolPropsError extends EniPoolCdkError {
  /** The offending property, as named in the props interface. */
  readonly property: string;

  constructor(message: string, property: string) {
    super(message);
    this.property = property;
  }
}
