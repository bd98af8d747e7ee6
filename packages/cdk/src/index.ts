export { BUNDLED_LAMBDA_ZIP, bundledCode } from './bundle';
export {
  DEFAULT_LIFECYCLE_HOOK_PREFIX,
  DEFAULT_POOL_TAG_KEY,
  LAST_INSTANCE_TAG_KEY,
  METRICS_NAMESPACE,
} from './constants';
export {
  type AutoScalingGroupOptions,
  EniPool,
  type EniPoolHooks,
  type EniPoolProps,
} from './eni-pool';
export { EniPoolInterfaces, type EniPoolInterfacesProps, type PoolInterface } from './eni-pool-interfaces';
export { EniPoolCdkError, InvalidEniPoolPropsError } from './errors';
