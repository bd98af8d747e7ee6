/**
 * Shapes shared by the simulator's parts (EC2 and Auto Scaling models, SQS, event delivery, HTTP server).
 */

/** What a protocol handler returns to the HTTP server. */
export interface SimResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** An EventBridge event envelope, field for field as AWS delivers it. */
export interface EventBridgeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

/** Something that accepts message bodies for a queue (given by URL, ARN or name). */
export interface QueueSink {
  sendMessageTo(queue: string, body: string): void;
}

/** Account and region the simulator pretends to be. */
export interface SimIdentity {
  readonly account: string;
  readonly region: string;
}

export const DEFAULT_IDENTITY: SimIdentity = { account: '123456789012', region: 'us-east-1' };

export type SimInstanceState =
  | 'pending'
  | 'running'
  | 'stopping'
  | 'stopped'
  | 'shutting-down'
  | 'terminated';

/**
 * What the Auto Scaling model needs from the EC2 model: launch and terminate instances, and hear
 * about their state changes.
 */
export interface InstanceFleet {
  /** Launches an instance (`pending`, then `running` after the configured delay); returns its id. */
  launchInstance(spec: {
    readonly subnetId: string;
    readonly instanceType?: string;
    readonly tags: Readonly<Record<string, string>>;
  }): string;
  terminateInstance(instanceId: string): void;
  /**
   * Stops a running instance (`stopping`, then `stopped`); used for warm pools in the `Stopped` state.
   * Optional: without it, warm pools can only be kept `Running`.
   */
  stopInstance?(instanceId: string): void;
  /** Starts a stopped instance (`pending`, then `running`); used when an instance leaves a warm pool. */
  startInstance?(instanceId: string): void;
  instanceState(instanceId: string): SimInstanceState | undefined;
  /** Returns an unsubscribe function. */
  onInstanceStateChange(listener: (instanceId: string, state: SimInstanceState) => void): () => void;
  availabilityZoneOfSubnet(subnetId: string): string | undefined;
}

/** Accepts events for delivery to subscribers (in-process callbacks and SQS rule targets). */
export interface EventSink {
  publish(event: EventBridgeEvent): void;
}
