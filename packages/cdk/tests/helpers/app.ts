import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AutoScalingGroup } from 'aws-cdk-lib/aws-autoscaling';
import {
  InstanceClass,
  InstanceSize,
  InstanceType,
  LaunchTemplate,
  MachineImage,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';

/** A stack in a fixed account and region, so ARNs and names are stable in snapshots. */
export function testStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
}

/** A VPC with two public and two private subnets, without NAT gateways. */
export function testVpc(stack: Stack): Vpc {
  return new Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'public', subnetType: SubnetType.PUBLIC },
      { name: 'private', subnetType: SubnetType.PRIVATE_ISOLATED },
    ],
  });
}

/** A small Auto Scaling group in the VPC's isolated subnets. */
export function testGroup(stack: Stack, vpc: Vpc, id = 'Group'): AutoScalingGroup {
  return new AutoScalingGroup(stack, id, {
    vpc,
    vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
    launchTemplate: new LaunchTemplate(stack, `${id}Template`, {
      instanceType: InstanceType.of(InstanceClass.T4G, InstanceSize.MICRO),
      machineImage: MachineImage.genericLinux({ 'eu-west-1': 'ami-0123456789abcdef0' }),
      requireImdsv2: true,
    }),
    minCapacity: 2,
    maxCapacity: 2,
  });
}

/** The synthesized template as JSON, with asset hashes replaced so the snapshot does not follow every source edit. */
export function stableJson(stack: Stack): unknown {
  const text = JSON.stringify(Template.fromStack(stack).toJSON());
  return JSON.parse(text.replace(/[0-9a-f]{64}(\.zip)?/g, '<asset-hash>$1'));
}
