import type { Instance, NetworkInterface } from '@aws-sdk/client-ec2';
import { EC2Client } from '@aws-sdk/client-ec2';
import type {
  AttachAction,
  DetachAction,
  DetachReason,
  InstanceStateName,
  InterfaceStatus,
  Plan,
  PlanAction,
  Unsatisfied,
} from '../../src/index';
import { awsError } from '../../src/testing';

export const POOL_TAG = 'network-interface-manager-pool';

/**
 * A real `EC2Client` for `aws-sdk-client-mock`. `maxAttempts: 1` turns the SDK's own retry off, so the
 * tests see eni-pool's retry loop alone.
 */
export function testEc2Client(): EC2Client {
  return new EC2Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    maxAttempts: 1,
  });
}

export const throttled = () => awsError('RequestLimitExceeded', 'Request limit exceeded.', 503);
export const inUse = (eni = 'eni-1') =>
  awsError('InvalidNetworkInterface.InUse', `Interface: [${eni}] in use.`);

// ---- SDK shapes ---------------------------------------------------------------------------------

export function sdkInstance(
  id: string,
  options: {
    state?: InstanceStateName;
    subnet?: string;
    az?: string;
    launchTime?: string;
    pool?: string;
    tags?: Record<string, string>;
    enis?: { id: string; attachmentId?: string; deviceIndex: number; status?: string }[];
  } = {},
): Instance {
  const tags = { ...(options.pool ? { [POOL_TAG]: options.pool } : {}), ...options.tags };
  return {
    InstanceId: id,
    InstanceType: 't3.small',
    State: { Name: options.state ?? 'running', Code: 16 },
    SubnetId: options.subnet ?? 'subnet-a',
    Placement: { AvailabilityZone: options.az ?? 'us-east-1a' },
    LaunchTime: new Date(options.launchTime ?? '2026-11-01T00:00:00.000Z'),
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    NetworkInterfaces: (options.enis ?? []).map((eni) => ({
      NetworkInterfaceId: eni.id,
      Attachment: {
        AttachmentId: eni.attachmentId ?? `${eni.id}-attach`,
        DeviceIndex: eni.deviceIndex,
        NetworkCardIndex: 0,
        Status: (eni.status ?? 'attached') as 'attached',
      },
    })),
  };
}

export function sdkInterface(
  id: string,
  options: {
    status?: InterfaceStatus;
    subnet?: string;
    az?: string;
    pool?: string;
    tags?: Record<string, string>;
    attachedTo?: string;
    attachmentId?: string;
    attachmentStatus?: 'attaching' | 'attached' | 'detaching' | 'detached';
    deviceIndex?: number;
  } = {},
): NetworkInterface {
  const tags = { ...(options.pool ? { [POOL_TAG]: options.pool } : {}), ...options.tags };
  return {
    NetworkInterfaceId: id,
    SubnetId: options.subnet ?? 'subnet-a',
    AvailabilityZone: options.az ?? 'us-east-1a',
    Status: options.status ?? (options.attachedTo ? 'in-use' : 'available'),
    PrivateIpAddress: '10.0.0.10',
    TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    ...(options.attachedTo
      ? {
          Attachment: {
            AttachmentId: options.attachmentId ?? `${id}-attach`,
            InstanceId: options.attachedTo,
            DeviceIndex: options.deviceIndex ?? 1,
            NetworkCardIndex: 0,
            Status: options.attachmentStatus ?? 'attached',
          },
        }
      : {}),
  };
}

// ---- plans --------------------------------------------------------------------------------------

export function attachAction(eni: string, instance: string, extra: Partial<AttachAction> = {}): AttachAction {
  return {
    kind: 'attach',
    id: `attach:${eni}:${instance}`,
    pool: 'web',
    networkInterfaceId: eni,
    instanceId: instance,
    deviceIndex: 1,
    networkCardIndex: 0,
    ...extra,
  };
}

export function detachAction(
  eni: string,
  instance: string,
  reason: DetachReason = 'instance-not-running',
  extra: Partial<DetachAction> = {},
): DetachAction {
  return {
    kind: 'detach',
    id: `detach:${eni}:${instance}`,
    pool: 'web',
    networkInterfaceId: eni,
    instanceId: instance,
    attachmentId: `${eni}-attach`,
    reason,
    ...extra,
  };
}

export function planOf(actions: PlanAction[], unsatisfied: Unsatisfied[] = []): Plan {
  return { actions, keep: [], unsatisfied, pools: [] };
}

// ---- time ---------------------------------------------------------------------------------------

/** A clock whose `sleep` moves time forward at once and records every delay. */
export function fakeClock(start = 0) {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** Yields to the event loop once: passed as a `FakeEc2`'s `pause`, concurrent workers interleave between a read and a write. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
