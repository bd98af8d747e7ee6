import {
  AttachNetworkInterfaceCommand,
  CreateTagsCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  EC2Client,
  type EC2ClientConfig,
  type Filter,
  type Instance,
  type NetworkInterface,
  type Tag,
} from '@aws-sdk/client-ec2';
import {
  AdaptiveRetryStrategy,
  DEFAULT_RETRY_DELAY_BASE,
  MAXIMUM_RETRY_DELAY,
  THROTTLING_RETRY_DELAY_BASE,
} from '@smithy/core/retry';
import type { DescribePageInput, Ec2Port } from './ec2-port';
import { AwsCallError, ConfigurationError } from './errors';
import { MAX_PAGE_SIZE, MIN_PAGE_SIZE } from './internal/limits';
import type {
  AttachmentStatus,
  InstanceAttachmentView,
  InstanceStateName,
  InstanceView,
  InterfaceStatus,
  InterfaceView,
  Tags,
} from './model';

const INSTANCE_STATES: ReadonlySet<string> = new Set<InstanceStateName>([
  'pending',
  'running',
  'stopping',
  'stopped',
  'shutting-down',
  'terminated',
]);
const INTERFACE_STATUSES: ReadonlySet<string> = new Set<InterfaceStatus>([
  'available',
  'associated',
  'attaching',
  'in-use',
  'detaching',
]);
const ATTACHMENT_STATUSES: ReadonlySet<string> = new Set<AttachmentStatus>([
  'attaching',
  'attached',
  'detaching',
  'detached',
]);

/**
 * The SDK request for one describe page. Throws unless the describe is filtered and its page size is within
 * EC2's bounds.
 */
function pageRequest(input: DescribePageInput): {
  Filters: Filter[];
  MaxResults: number;
  NextToken?: string;
} {
  if (input.filters.length === 0) {
    throw new ConfigurationError('refusing an unfiltered describe: pass at least one filter', 'filters');
  }
  for (const filter of input.filters) {
    if (filter.name === '' || filter.values.length === 0) {
      throw new ConfigurationError(`filter "${filter.name}" needs a name and at least one value`, 'filters');
    }
  }
  if (
    !Number.isInteger(input.maxResults) ||
    input.maxResults < MIN_PAGE_SIZE ||
    input.maxResults > MAX_PAGE_SIZE
  ) {
    throw new ConfigurationError(
      `maxResults must be an integer from ${MIN_PAGE_SIZE} to ${MAX_PAGE_SIZE}, got ${input.maxResults}`,
      'maxResults',
    );
  }
  return {
    Filters: input.filters.map((filter) => ({ Name: filter.name, Values: [...filter.values] })),
    MaxResults: input.maxResults,
    ...(input.nextToken !== undefined ? { NextToken: input.nextToken } : {}),
  };
}

function toTags(tags: readonly Tag[] | undefined): Tags {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) {
    if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? '';
  }
  return record;
}

function toAttachmentStatus(status: string | undefined): AttachmentStatus {
  // An attachment without a status is treated as still settling, so the planner leaves it alone.
  return status !== undefined && ATTACHMENT_STATUSES.has(status) ? (status as AttachmentStatus) : 'attaching';
}

function toInstanceView(instance: Instance): InstanceView | undefined {
  if (instance.InstanceId === undefined) return undefined;
  const stateName = instance.State?.Name;
  const attachments: InstanceAttachmentView[] = [];
  for (const eni of instance.NetworkInterfaces ?? []) {
    if (eni.NetworkInterfaceId === undefined) continue;
    const attachment = eni.Attachment;
    attachments.push({
      networkInterfaceId: eni.NetworkInterfaceId,
      ...(attachment?.AttachmentId !== undefined ? { attachmentId: attachment.AttachmentId } : {}),
      deviceIndex: attachment?.DeviceIndex ?? 0,
      networkCardIndex: attachment?.NetworkCardIndex ?? 0,
      status: toAttachmentStatus(attachment?.Status),
    });
  }
  return {
    instanceId: instance.InstanceId,
    // A state EC2 may add later is not `running`, so the planner releases rather than assigns.
    state:
      stateName !== undefined && INSTANCE_STATES.has(stateName)
        ? (stateName as InstanceStateName)
        : 'pending',
    subnetId: instance.SubnetId ?? '',
    availabilityZone: instance.Placement?.AvailabilityZone ?? '',
    launchTime: instance.LaunchTime?.toISOString() ?? new Date(0).toISOString(),
    ...(instance.InstanceType !== undefined ? { instanceType: instance.InstanceType } : {}),
    tags: toTags(instance.Tags),
    attachments,
  };
}

function toInterfaceView(eni: NetworkInterface): InterfaceView | undefined {
  if (eni.NetworkInterfaceId === undefined) return undefined;
  const attachment = eni.Attachment;
  const status = eni.Status;
  return {
    networkInterfaceId: eni.NetworkInterfaceId,
    subnetId: eni.SubnetId ?? '',
    availabilityZone: eni.AvailabilityZone ?? '',
    // An unknown status is never mistaken for `available`.
    status:
      status !== undefined && INTERFACE_STATUSES.has(status) ? (status as InterfaceStatus) : 'associated',
    ...(eni.PrivateIpAddress !== undefined ? { privateIpAddress: eni.PrivateIpAddress } : {}),
    tags: toTags(eni.TagSet),
    ...(attachment?.AttachmentId !== undefined
      ? {
          attachment: {
            attachmentId: attachment.AttachmentId,
            instanceId: attachment.InstanceId ?? '',
            deviceIndex: attachment.DeviceIndex ?? 0,
            networkCardIndex: attachment.NetworkCardIndex ?? 0,
            status: toAttachmentStatus(attachment.Status),
            ...(attachment.AttachTime !== undefined
              ? { attachTime: attachment.AttachTime.toISOString() }
              : {}),
          },
        }
      : {}),
  };
}

/**
 * The `Ec2Port` on `@aws-sdk/client-ec2`. It imports only the five commands it sends, so bundles stay
 * lean. Describes must be filtered (an empty filter list throws `ConfigurationError` before any call);
 * SDK errors are rethrown as they are, so `classifyAwsError` can read their code.
 *
 * The client's own retry strategy is the only retry of throttling and server errors: the port says so
 * (`retriesTransientErrors`), and eni-pool sends each call once. Build the client with
 * {@link createEc2Client} for eni-pool's budget (5 attempts, throttled calls spread over 15–30 s, adaptive mode, which also slows the whole
 * client down while EC2 throttles it).
 *
 * @example
 * ```ts
 * import { EC2Client } from '@aws-sdk/client-ec2';
 * const ec2 = createSdkEc2Port(new EC2Client({ region: 'eu-west-1' }));
 * const page = await ec2.describeNetworkInterfaces({
 *   filters: [{ name: 'tag:network-interface-manager-pool', values: ['bastion'] }],
 *   maxResults: 1000,
 * });
 * ```
 */
export function createSdkEc2Port(client: EC2Client): Ec2Port {
  return {
    retriesTransientErrors: true,

    async describeInstanceTypes(input) {
      const output = await client.send(
        new DescribeInstanceTypesCommand({
          InstanceTypes: [...input.instanceTypes] as never,
          ...(input.nextToken !== undefined ? { NextToken: input.nextToken } : {}),
        }),
      );
      const instanceTypes = (output.InstanceTypes ?? []).flatMap((type) => {
        const max = type.NetworkInfo?.MaximumNetworkInterfaces;
        if (type.InstanceType === undefined || max === undefined) return [];
        return [
          {
            instanceType: type.InstanceType,
            maxInterfaces: max,
            networkCards: (type.NetworkInfo?.NetworkCards ?? []).flatMap((card) =>
              card.NetworkCardIndex === undefined || card.MaximumNetworkInterfaces === undefined
                ? []
                : [{ networkCardIndex: card.NetworkCardIndex, maxInterfaces: card.MaximumNetworkInterfaces }],
            ),
          },
        ];
      });
      return output.NextToken ? { instanceTypes, nextToken: output.NextToken } : { instanceTypes };
    },

    async describeInstances(input) {
      const output = await client.send(new DescribeInstancesCommand(pageRequest(input)));
      const instances: InstanceView[] = [];
      for (const reservation of output.Reservations ?? []) {
        for (const instance of reservation.Instances ?? []) {
          const view = toInstanceView(instance);
          if (view) instances.push(view);
        }
      }
      return output.NextToken ? { instances, nextToken: output.NextToken } : { instances };
    },

    async describeNetworkInterfaces(input) {
      const output = await client.send(new DescribeNetworkInterfacesCommand(pageRequest(input)));
      const interfaces: InterfaceView[] = [];
      for (const eni of output.NetworkInterfaces ?? []) {
        const view = toInterfaceView(eni);
        if (view) interfaces.push(view);
      }
      return output.NextToken ? { interfaces, nextToken: output.NextToken } : { interfaces };
    },

    async attachNetworkInterface(input) {
      const output = await client.send(
        new AttachNetworkInterfaceCommand({
          NetworkInterfaceId: input.networkInterfaceId,
          InstanceId: input.instanceId,
          DeviceIndex: input.deviceIndex,
          // Always explicit: omitting it trips a multi-card bug that reports a free index as taken.
          NetworkCardIndex: input.networkCardIndex,
        }),
      );
      if (!output.AttachmentId) {
        throw new AwsCallError(
          `AttachNetworkInterface for ${input.networkInterfaceId} returned no attachment id`,
          'AttachNetworkInterface',
          'MissingAttachmentId',
          1,
        );
      }
      return { attachmentId: output.AttachmentId };
    },

    async detachNetworkInterface(input) {
      await client.send(
        new DetachNetworkInterfaceCommand({
          AttachmentId: input.attachmentId,
          ...(input.force !== undefined ? { Force: input.force } : {}),
        }),
      );
    },

    async createTags(input) {
      if (input.resourceIds.length === 0) {
        throw new ConfigurationError('createTags needs at least one resource id', 'resourceIds');
      }
      await client.send(
        new CreateTagsCommand({
          Resources: [...input.resourceIds],
          Tags: Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    },
  };
}

/** Attempts per EC2 call (the first included) of the clients eni-pool builds: botocore's budget. */
export const DEFAULT_MAX_ATTEMPTS = 5;

/** The first wait before a throttled call is sent again; each further wait doubles it (default). */
export const DEFAULT_THROTTLING_DELAY_MS = 2_000;

/**
 * The SDK's exponential backoff, widened for throttling. The SDK waits a random 0–100 % of each step
 * (1 s, 2 s, 4 s, 8 s after a throttle), so the 5 attempts of a throttled call may all fall within a
 * second or two. When a burst of separate workers has drained EC2's describe bucket (100 requests, then
 * 20 per second), working off their reads takes about 15 s: calls whose attempts fell in that window
 * failed. Here a throttled call waits 50–100 % of steps that start at `throttlingDelayMs` (1–2 s, 2–4 s,
 * 4–8 s, 8–16 s by default), so its attempts span 15–30 s. Other retries (5xx, network) keep the
 * SDK's delays. `random` is injectable for tests.
 */
export class ThrottlingBackoff {
  private throttled = false;
  private base = DEFAULT_RETRY_DELAY_BASE;

  constructor(
    private readonly throttlingDelayMs: number = DEFAULT_THROTTLING_DELAY_MS,
    private readonly random: () => number = Math.random,
  ) {}

  /** The SDK sets its throttling base (500 ms or more) before a throttled call's wait, else its base. */
  setDelayBase(delay: number): void {
    this.throttled = delay >= THROTTLING_RETRY_DELAY_BASE;
    this.base = delay;
  }

  computeNextBackoffDelay(retryAttempt: number): number {
    if (!this.throttled) {
      return Math.floor(this.random() * Math.min(this.base * 2 ** retryAttempt, MAXIMUM_RETRY_DELAY));
    }
    const step = Math.min(this.throttlingDelayMs * 2 ** retryAttempt, MAXIMUM_RETRY_DELAY);
    return Math.floor(step / 2 + (this.random() * step) / 2);
  }
}

/** Options of {@link createEc2Client} beyond the SDK's own configuration. */
export interface Ec2ClientOptions {
  /**
   * The first wait before a throttled call is sent again (doubling per retry, 50–100 % of each step).
   * @defaultValue 2000
   */
  readonly throttlingDelayMs?: number;
}

/**
 * An `EC2Client` configured as eni-pool expects: the SDK's adaptive retry strategy (a client-side rate
 * limiter that backs the whole client off while EC2 answers `RequestLimitExceeded`) with
 * `maxAttempts` attempts per call in all, and a throttled call's retries spread over 15–30 s
 * ({@link ThrottlingBackoff}). The standard configuration (region, credentials, `AWS_ENDPOINT_URL`)
 * applies; `config` overrides any of it, and a `retryMode` or `retryStrategy` of its own replaces
 * eni-pool's strategy.
 *
 * @throws ConfigurationError when `throttlingDelayMs` is not a positive number.
 * @example
 * ```ts
 * const manager = new EniPoolManager({ ec2: createEc2Client({ region: 'eu-west-1' }) });
 * ```
 */
export function createEc2Client(config: EC2ClientConfig = {}, options: Ec2ClientOptions = {}): EC2Client {
  const throttlingDelayMs = options.throttlingDelayMs ?? DEFAULT_THROTTLING_DELAY_MS;
  if (!(throttlingDelayMs > 0) || !Number.isFinite(throttlingDelayMs)) {
    throw new ConfigurationError(
      `throttlingDelayMs must be a positive number, got ${throttlingDelayMs}`,
      'throttlingDelayMs',
    );
  }
  if (config.retryMode !== undefined || config.retryStrategy !== undefined) {
    return new EC2Client({ maxAttempts: DEFAULT_MAX_ATTEMPTS, ...config });
  }
  // The strategy takes a number of attempts; a provider function is left to the SDK's own adaptive mode.
  if (typeof config.maxAttempts === 'function') return new EC2Client({ retryMode: 'adaptive', ...config });
  const maxAttempts = config.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  return new EC2Client({
    ...config,
    maxAttempts,
    retryStrategy: new AdaptiveRetryStrategy(maxAttempts, {
      maxAttempts,
      backoff: new ThrottlingBackoff(throttlingDelayMs),
    }),
  });
}
