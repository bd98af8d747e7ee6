import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Ec2Port } from './ec2-port';

/** The `Ec2Port` on `@aws-sdk/client-ec2`. */
export function createSdkEc2Port(_client: EC2Client): Ec2Port {
  throw new Error('not implemented yet');
}
