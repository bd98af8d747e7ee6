/** The tag key on pool interfaces, instances and groups (that of the original `ec2-network-interface-manager`). */
export const DEFAULT_POOL_TAG_KEY = 'network-interface-manager-pool';

/** The tag the executor writes on a pool interface: the instance it last served, for stop/start affinity. */
export const LAST_INSTANCE_TAG_KEY = 'network-interface-manager-last-instance';

/** The default hook-name prefix: hooks `eni-pool-launch` and `eni-pool-terminate`. */
export const DEFAULT_LIFECYCLE_HOOK_PREFIX = 'eni-pool';

/** The CloudWatch namespace of the per-pool metrics. */
export const METRICS_NAMESPACE = 'EniPool';
