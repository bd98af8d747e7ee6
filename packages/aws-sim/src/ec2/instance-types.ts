/** Network limits of an instance type, as `DescribeInstanceTypes` reports them under `NetworkInfo`. */
export interface InstanceTypeInfo {
  readonly instanceType: string;
  readonly maximumNetworkInterfaces: number;
  readonly maximumNetworkCards: number;
  readonly ipv4AddressesPerInterface: number;
  readonly vcpus: number;
  readonly memoryMiB: number;
}

const row = (
  instanceType: string,
  maximumNetworkInterfaces: number,
  ipv4AddressesPerInterface: number,
  vcpus: number,
  memoryMiB: number,
): InstanceTypeInfo => ({
  instanceType,
  maximumNetworkInterfaces,
  maximumNetworkCards: 1,
  ipv4AddressesPerInterface,
  vcpus,
  memoryMiB,
});

/** A few common types with their published interface limits (EC2 User Guide, "IP addresses per network interface per instance type"). */
export const INSTANCE_TYPES: ReadonlyMap<string, InstanceTypeInfo> = new Map(
  [
    row('t3.nano', 2, 2, 2, 512),
    row('t3.micro', 2, 2, 2, 1024),
    row('t3.small', 3, 4, 2, 2048),
    row('t3.medium', 3, 6, 2, 4096),
    row('t3.large', 3, 12, 2, 8192),
    row('m5.large', 3, 10, 2, 8192),
    row('m5.xlarge', 4, 15, 4, 16384),
    row('c5.large', 3, 10, 2, 4096),
    row('c5.xlarge', 4, 15, 4, 8192),
  ].map((t) => [t.instanceType, t]),
);

export const DEFAULT_INSTANCE_TYPE = 't3.micro';
