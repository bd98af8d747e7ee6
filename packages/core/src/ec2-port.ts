import type { InstanceView, InterfaceView } from './model';

/** An EC2 describe filter: values are OR'ed, filters are AND'ed. */
export interface Ec2Filter {
  /** The filter name, e.g. `tag:network-interface-manager-pool`, `tag-key` or `instance-id`. */
  readonly name: string;
  /** At least one value. */
  readonly values: readonly string[];
}

/** One page of a filtered describe. */
export interface DescribePageInput {
  /** Never empty: eni-pool makes no unfiltered describe. */
  readonly filters: readonly Ec2Filter[];
  /** 5–1000. */
  readonly maxResults: number;
  /** The previous page's `nextToken`; absent for the first page. */
  readonly nextToken?: string;
}

/** An `AttachNetworkInterface` request. */
export interface AttachInput {
  /** The interface to attach, `eni-…`. */
  readonly networkInterfaceId: string;
  /** The instance to attach it to, `i-…`. */
  readonly instanceId: string;
  /** 1 or more: eni-pool never attaches at the primary index 0. */
  readonly deviceIndex: number;
  /** Sent explicitly on every attach, `0` on single-card instance types. */
  readonly networkCardIndex: number;
}

/** A `CreateTags` request: every tag is written on every resource. */
export interface TagInput {
  /** At least one resource id. */
  readonly resourceIds: readonly string[];
  /** Key → value; an existing tag with the same key is overwritten. */
  readonly tags: Readonly<Record<string, string>>;
}

/** The interface limits of one instance type, from `DescribeInstanceTypes` (`NetworkInfo`). */
export interface InstanceTypeLimits {
  /** e.g. `t3.medium`. */
  readonly instanceType: string;
  /** `MaximumNetworkInterfaces`: interfaces over every network card. */
  readonly maxInterfaces: number;
  /** `NetworkCards[]`: the limit of each card, when the type reports them. */
  readonly networkCards: readonly { readonly networkCardIndex: number; readonly maxInterfaces: number }[];
}

/**
 * The EC2 operations eni-pool uses, and nothing else. The default implementation wraps
 * `@aws-sdk/client-ec2` (see `createSdkEc2Port`); tests may pass any object of this shape.
 * Errors are thrown as the SDK throws them (`err.name` is the AWS code).
 */
export interface Ec2Port {
  /**
   * True when the port retries throttling and server errors itself (the SDK port does, through the
   * client's retry strategy): eni-pool then sends each call once and does not retry on top, so a
   * throttled call is attempted at most the client's `maxAttempts` in all. @defaultValue `false`
   */
  readonly retriesTransientErrors?: boolean;
  /** One page of `DescribeInstances`, flattened out of its reservations. */
  describeInstances(input: DescribePageInput): Promise<{
    /** The instances of this page, in any state. */
    instances: InstanceView[];
    /** Present when more pages follow; a page may be short (or empty) and still have one. */
    nextToken?: string;
  }>;
  /** One page of `DescribeNetworkInterfaces`. */
  describeNetworkInterfaces(input: DescribePageInput): Promise<{
    /** The interfaces of this page. */
    interfaces: InterfaceView[];
    /** Present when more pages follow. */
    nextToken?: string;
  }>;
  /**
   * `AttachNetworkInterface`. Resolves once EC2 accepted the request; the attachment is then `attaching`
   * until it settles, which the executor waits for.
   */
  attachNetworkInterface(input: AttachInput): Promise<{
    /** The new attachment, `eni-attach-…`. */
    attachmentId: string;
  }>;
  /** `DetachNetworkInterface` of one attachment; `force` is never set by eni-pool itself. */
  detachNetworkInterface(input: { readonly attachmentId: string; readonly force?: boolean }): Promise<void>;
  /** `CreateTags`: adds or overwrites tags on the given resources. */
  createTags(input: TagInput): Promise<void>;
  /**
   * `DescribeInstanceTypes` of at most 100 named types (one page; follow `nextToken`). Optional: without
   * it, attachment limits are learnt only from `AttachmentLimitExceeded`.
   */
  describeInstanceTypes?(input: {
    readonly instanceTypes: readonly string[];
    readonly nextToken?: string;
  }): Promise<{ instanceTypes: InstanceTypeLimits[]; nextToken?: string }>;
}
