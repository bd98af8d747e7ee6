import { Tags } from 'aws-cdk-lib';
import {
  CfnNetworkInterface,
  type ISecurityGroup,
  type ISubnet,
  type IVpc,
  SecurityGroup,
  type SubnetSelection,
} from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { DEFAULT_POOL_TAG_KEY } from './constants';
import { InvalidEniPoolPropsError } from './errors';
import { checkInteger, checkPoolName, checkTagKey } from './validation';

/** Options of {@link EniPoolInterfaces}. */
export interface EniPoolInterfacesProps {
  readonly vpc: IVpc;
  /** The pool the interfaces belong to (the value of the pool tag). */
  readonly pool: string;
  /** The subnets to create interfaces in; each instance takes one from its own subnet. @defaultValue the VPC's private subnets */
  readonly vpcSubnets?: SubnetSelection;
  /** Interfaces per subnet: how many pool instances each subnet can serve at once. @defaultValue `1` */
  readonly interfacesPerSubnet?: number;
  /** @defaultValue one new security group of the VPC, no inbound rule, all outbound */
  readonly securityGroups?: readonly ISecurityGroup[];
  /** `false` for NAT instances and other routers that forward traffic. @defaultValue `true` */
  readonly sourceDestCheck?: boolean;
  /** @defaultValue `'network-interface-manager-pool'` */
  readonly poolTagKey?: string;
}

/** One interface of the pool. */
export interface PoolInterface {
  readonly subnet: ISubnet;
  readonly networkInterface: CfnNetworkInterface;
  /** Its ID (a token). */
  readonly networkInterfaceId: string;
  /** Its fixed primary private address (a token): what clients talk to. */
  readonly privateIpAddress: string;
}

/**
 * A pool of tagged network interfaces, one or more per subnet, for eni-pool to attach to the pool's
 * instances. The interfaces keep their addresses when instances come and go; removing the construct
 * deletes them (detach them first, or retain them with a removal policy).
 *
 * @example
 * ```ts
 * const addresses = new EniPoolInterfaces(this, 'BastionAddresses', {
 *   vpc,
 *   pool: 'bastion',
 *   vpcSubnets: { subnetType: SubnetType.PUBLIC },
 *   interfacesPerSubnet: 2,
 * });
 * addresses.interfaces.map((i) => i.privateIpAddress);
 * ```
 */
export class EniPoolInterfaces extends Construct {
  readonly interfaces: readonly PoolInterface[];
  readonly securityGroups: readonly ISecurityGroup[];

  constructor(scope: Construct, id: string, props: EniPoolInterfacesProps) {
    super(scope, id);
    checkPoolName(props.pool, 'pool');
    const tagKey = props.poolTagKey ?? DEFAULT_POOL_TAG_KEY;
    checkTagKey(tagKey, 'poolTagKey');
    const perSubnet = props.interfacesPerSubnet ?? 1;
    checkInteger(perSubnet, 'interfacesPerSubnet', 1, 50);
    const { subnets } = props.vpc.selectSubnets(props.vpcSubnets);
    if (subnets.length === 0) {
      throw new InvalidEniPoolPropsError('vpcSubnets selects no subnet of the VPC', 'vpcSubnets');
    }
    if (props.securityGroups !== undefined && props.securityGroups.length === 0) {
      throw new InvalidEniPoolPropsError('securityGroups must list at least one group', 'securityGroups');
    }
    this.securityGroups = props.securityGroups ?? [
      new SecurityGroup(this, 'SecurityGroup', {
        vpc: props.vpc,
        description: `eni-pool interfaces of pool ${props.pool}`,
        allowAllOutbound: true,
      }),
    ];
    const interfaces: PoolInterface[] = [];
    subnets.forEach((subnet, subnetIndex) => {
      for (let n = 0; n < perSubnet; n++) {
        const networkInterface = new CfnNetworkInterface(this, `Interface${subnetIndex + 1}x${n + 1}`, {
          subnetId: subnet.subnetId,
          description: `eni-pool ${props.pool}`,
          groupSet: this.securityGroups.map((group) => group.securityGroupId),
          sourceDestCheck: props.sourceDestCheck,
        });
        Tags.of(networkInterface).add(tagKey, props.pool);
        interfaces.push({
          subnet,
          networkInterface,
          networkInterfaceId: networkInterface.attrId,
          privateIpAddress: networkInterface.attrPrimaryPrivateIpAddress,
        });
      }
    });
    this.interfaces = interfaces;
  }
}
