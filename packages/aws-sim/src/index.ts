// The public API of @eni-pool/aws-sim, each export by name: the simulator, its options and what tests,
// benchmarks and examples build worlds and assertions from. The handlers, models' internals and wire
// helpers stay internal; the simulator's own tests import them by path.

export { autoScalingErrors } from './autoscaling/errors';
export type { GroupSpec, LifecycleHookSpec } from './autoscaling/types';
export type { EventBridgeEvent } from './contracts';
export { type BucketSpec, EC2_BUCKETS } from './ec2/controls';
export { EC2_ACTIONS } from './ec2/handler';
export type { Ec2Delays } from './ec2/model';
export type { InterfaceSnapshot } from './ec2/views';
export { type EventPattern, matchesPattern, normalisePattern } from './events/pattern';
export { SeededRandom } from './random';
export { AwsSim, type AwsSimOptions, type DemoWorld, type SimClientConfig } from './sim';
export { DEFAULT_POOL_TAG_KEY } from './world';
