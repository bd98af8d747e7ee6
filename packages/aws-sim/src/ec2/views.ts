import type { SimInstanceState } from '../contracts';

/** ENI status values (`NetworkInterfaceStatus`). */
export type InterfaceStatus = 'available' | 'attaching' | 'in-use' | 'detaching';
/** Attachment status values (`AttachmentStatus`); a detached attachment is removed, never shown. */
export type AttachmentStatus = 'attaching' | 'attached' | 'detaching';

/** A read-only copy of an attachment as Describe* shows it. */
export interface AttachmentSnapshot {
  readonly attachmentId: string;
  readonly instanceId: string;
  readonly instanceOwnerId: string;
  readonly deviceIndex: number;
  readonly networkCardIndex: number;
  readonly status: AttachmentStatus;
  readonly attachTime: string;
  readonly deleteOnTermination: boolean;
}

/** An Elastic IP associated with an interface (`association` in `DescribeNetworkInterfaces`). */
export interface AddressAssociation {
  readonly publicIp: string;
  readonly publicDnsName: string;
  readonly ipOwnerId: string;
  readonly allocationId: string;
  readonly associationId: string;
}

/** A read-only copy of a network interface as `DescribeNetworkInterfaces` shows it. */
export interface InterfaceSnapshot {
  readonly networkInterfaceId: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly availabilityZoneId: string;
  readonly description: string;
  readonly ownerId: string;
  readonly status: InterfaceStatus;
  readonly macAddress: string;
  readonly privateIpAddress: string;
  readonly privateDnsName: string;
  readonly sourceDestCheck: boolean;
  readonly interfaceType: 'interface';
  readonly requesterManaged: false;
  readonly groups: readonly { readonly groupId: string; readonly groupName: string }[];
  readonly attachment?: AttachmentSnapshot;
  /** The Elastic IP associated with the interface, if any. */
  readonly association?: AddressAssociation;
  readonly tags: Readonly<Record<string, string>>;
}

/** A read-only copy of an instance as `DescribeInstances` shows it. */
export interface InstanceSnapshot {
  readonly instanceId: string;
  readonly reservationId: string;
  readonly imageId: string;
  readonly instanceType: string;
  readonly state: SimInstanceState;
  readonly stateCode: number;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly availabilityZoneId: string;
  readonly privateIpAddress: string;
  readonly launchTime: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Attached interfaces (any attachment status), by network card then device index. */
  readonly networkInterfaces: readonly InterfaceSnapshot[];
}

export interface SubnetSnapshot {
  readonly subnetId: string;
  readonly vpcId: string;
  readonly cidrBlock: string;
  readonly availabilityZone: string;
  readonly availabilityZoneId: string;
  readonly availableIpAddressCount: number;
  readonly tags: Readonly<Record<string, string>>;
}

export interface VpcSnapshot {
  readonly vpcId: string;
  readonly cidrBlock: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** EC2 instance state codes (low byte of `instanceState.code`). */
export const STATE_CODES: Readonly<Record<SimInstanceState, number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};
