import type { InstanceView, InterfaceView } from './model';

/** An EC2 describe filter: values are OR'ed, filters are AND'ed. */
export interface Ec2Filter {
  readonly name: string;
  readonly values: readonly string[];
}

export interface DescribePageInput {
  /** Never empty: eni-pool makes no unfiltered describe. */
  readonly filters: readonly Ec2Filter[];
  /** 5–1000. */
  readonly maxResults: number;
  readonly nextToken?: string;
}

export interface AttachInput {
  readonly networkInterfaceId: string;
  readonly instanceId: string;
  readonly deviceIndex: number;
  readonly networkCardIndex: number;
}

export interface TagInput {
  readonly resourceIds: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The EC2 operations eni-pool uses, and nothing else. The default implementation wraps
 * `@aws-sdk/client-ec2` (see `createSdkEc2Port`); tests may pass any object of this shape.
 * Errors are thrown as the SDK throws them (`err.name` is the AWS code).
 */
export interface Ec2Port {
  describeInstances(input: DescribePageInput): Promise<{ instances: InstanceView[]; nextToken?: string }>;
  describeNetworkInterfaces(
    input: DescribePageInput,
  ): Promise<{ interfaces: InterfaceView[]; nextToken?: string }>;
  attachNetworkInterface(input: AttachInput): Promise<{ attachmentId: string }>;
  detachNetworkInterface(input: { readonly attachmentId: string; readonly force?: boolean }): Promise<void>;
  createTags(input: TagInput): Promise<void>;
}
