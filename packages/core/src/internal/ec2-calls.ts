import type { AwsErrorClass } from '../aws-errors';
import type { DescribePageInput, Ec2Filter, Ec2Port, InstanceTypeLimits } from '../ec2-port';
import { ConfigurationError } from '../errors';
import type { Logger } from '../logger';
import type { InstanceView, InterfaceView } from '../model';
import type { Clock } from './clock';
import { type RetryPolicy, withRetry } from './retry';
import { TokenBucket, type TokenBucketOptions } from './token-bucket';

/** The EC2 operations eni-pool calls, each with its own client-side bucket, as EC2 meters them. */
export type Ec2Operation =
  | 'DescribeInstances'
  | 'DescribeNetworkInterfaces'
  | 'DescribeInstanceTypes'
  | 'AttachNetworkInterface'
  | 'DetachNetworkInterface'
  | 'CreateTags';

/** Client-side buckets: mutating calls, describes, and `CreateTags`. */
export interface Ec2CallLimits {
  readonly mutating: TokenBucketOptions;
  readonly describe: TokenBucketOptions;
  readonly tags: TokenBucketOptions;
}

/**
 * A tenth below EC2's own buckets (50/5 per mutating action, 100/20 per describe, 100/10 for
 * `CreateTags`): a client within them leaves room for the account's other tools and for the SDK's
 * retries, which pass no client-side bucket.
 */
export const EC2_CALL_LIMITS: Ec2CallLimits = {
  mutating: { capacity: 45, refillPerSecond: 4.5 },
  describe: { capacity: 90, refillPerSecond: 18 },
  tags: { capacity: 90, refillPerSecond: 9 },
};

/** Per-call settings. */
export interface CallOptions {
  readonly signal?: AbortSignal;
  /** Error classes retried besides transient ones (`incorrect-state` for a fresh instance's attach). */
  readonly alsoRetry?: readonly AwsErrorClass[];
  readonly logContext?: Record<string, unknown>;
}

/** Options of {@link Ec2Calls}. */
export interface Ec2CallsOptions {
  readonly port: Ec2Port;
  readonly policy: RetryPolicy;
  readonly limits: Ec2CallLimits;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Logger;
}

/**
 * Every EC2 call of a manager goes through here: the operation's token bucket, then the one retry loop
 * (which leaves throttling to the SDK client when the port retries it), with the caller's abort signal.
 * It also holds the one paginator.
 */
export class Ec2Calls {
  private readonly buckets: Readonly<Record<Ec2Operation, TokenBucket>>;

  constructor(private readonly options: Ec2CallsOptions) {
    const { clock, limits } = options;
    this.buckets = {
      DescribeInstances: new TokenBucket(limits.describe, clock),
      DescribeNetworkInterfaces: new TokenBucket(limits.describe, clock),
      DescribeInstanceTypes: new TokenBucket(limits.describe, clock),
      AttachNetworkInterface: new TokenBucket(limits.mutating, clock),
      DetachNetworkInterface: new TokenBucket(limits.mutating, clock),
      CreateTags: new TokenBucket(limits.tags, clock),
    };
  }

  /** The port as given, for what this class does not wrap. */
  get port(): Ec2Port {
    return this.options.port;
  }

  /** Runs one EC2 call under its bucket and the retry budget. */
  call<T>(
    operation: Ec2Operation,
    send: () => Promise<T>,
    call: CallOptions = {},
  ): Promise<{ value: T; attempts: number }> {
    const bucket = this.buckets[operation];
    return withRetry(
      {
        operation,
        policy: this.options.policy,
        clock: this.options.clock,
        random: this.options.random,
        logger: this.options.logger,
        retriedBelow: this.options.port.retriesTransientErrors === true,
        beforeAttempt: (signal) => bucket.take(signal),
        ...(call.alsoRetry ? { alsoRetry: call.alsoRetry } : {}),
        ...(call.logContext ? { logContext: call.logContext } : {}),
        ...(call.signal ? { signal: call.signal } : {}),
      },
      send,
    );
  }

  async describeInstances(input: DescribePageInput, signal?: AbortSignal) {
    const { value } = await this.call('DescribeInstances', () => this.port.describeInstances(input), {
      ...(signal ? { signal } : {}),
    });
    return value;
  }

  async describeNetworkInterfaces(input: DescribePageInput, signal?: AbortSignal) {
    const { value } = await this.call(
      'DescribeNetworkInterfaces',
      () => this.port.describeNetworkInterfaces(input),
      { ...(signal ? { signal } : {}) },
    );
    return value;
  }

  /**
   * Every page of a filtered describe, following `NextToken` until it is absent, at most `maxPages`
   * pages (a token that never ends cannot loop forever).
   */
  async allPages<K extends 'DescribeInstances' | 'DescribeNetworkInterfaces'>(
    operation: K,
    filters: readonly Ec2Filter[],
    paging: { readonly pageSize: number; readonly maxPages: number; readonly signal?: AbortSignal },
  ): Promise<K extends 'DescribeInstances' ? InstanceView[] : InterfaceView[]> {
    const items: (InstanceView | InterfaceView)[] = [];
    let nextToken: string | undefined;
    for (let page = 0; ; page++) {
      if (page >= paging.maxPages) {
        throw new ConfigurationError(
          `${operation}: more than ${paging.maxPages} pages; raise maxPages or pageSize`,
          'maxPages',
        );
      }
      const input = { filters, maxResults: paging.pageSize, ...(nextToken ? { nextToken } : {}) };
      const result =
        operation === 'DescribeInstances'
          ? await this.describeInstances(input, paging.signal).then((r) => ({
              items: r.instances as (InstanceView | InterfaceView)[],
              nextToken: r.nextToken,
            }))
          : await this.describeNetworkInterfaces(input, paging.signal).then((r) => ({
              items: r.interfaces as (InstanceView | InterfaceView)[],
              nextToken: r.nextToken,
            }));
      items.push(...result.items);
      // A filtered page may hold fewer items than asked for: only the token says whether more follow.
      if (!result.nextToken) return items as K extends 'DescribeInstances' ? InstanceView[] : InterfaceView[];
      nextToken = result.nextToken;
    }
  }

  /** The interface limits of `types` (100 per call, every page); `[]` when the port cannot tell. */
  async instanceTypeLimits(types: readonly string[], signal?: AbortSignal): Promise<InstanceTypeLimits[]> {
    const describe = this.port.describeInstanceTypes?.bind(this.port);
    if (describe === undefined || types.length === 0) return [];
    const found: InstanceTypeLimits[] = [];
    for (let start = 0; start < types.length; start += 100) {
      const chunk = types.slice(start, start + 100);
      let nextToken: string | undefined;
      do {
        const token = nextToken;
        const { value } = await this.call(
          'DescribeInstanceTypes',
          () => describe({ instanceTypes: chunk, ...(token ? { nextToken: token } : {}) }),
          { ...(signal ? { signal } : {}) },
        );
        found.push(...value.instanceTypes);
        nextToken = value.nextToken;
      } while (nextToken);
    }
    return found;
  }

  /** A plain `Ec2Port` whose describes go through the buckets and the retry budget (for adapters). */
  describePort(): Ec2Port {
    return {
      retriesTransientErrors: true,
      describeInstances: (input) => this.describeInstances(input),
      describeNetworkInterfaces: (input) => this.describeNetworkInterfaces(input),
      attachNetworkInterface: (input) =>
        this.call('AttachNetworkInterface', () => this.port.attachNetworkInterface(input)).then(
          (r) => r.value,
        ),
      detachNetworkInterface: (input) =>
        this.call('DetachNetworkInterface', () => this.port.detachNetworkInterface(input)).then(
          (r) => r.value,
        ),
      createTags: (input) => this.call('CreateTags', () => this.port.createTags(input)).then((r) => r.value),
    };
  }
}
