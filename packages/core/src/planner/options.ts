import { ConfigurationError } from '../errors';
import {
  DEFAULT_DEVICE_INDEX_TAG_KEY,
  DEFAULT_LAST_INSTANCE_TAG_KEY,
  DEFAULT_POOL_TAG_KEY,
  type Placement,
  type PlannerOptions,
} from '../model';

/** Planner options with defaults applied and every value checked. */
export interface ResolvedPlannerOptions {
  readonly poolTagKey: string;
  readonly placement: Placement;
  /** The pool-wide fixed device index, when `deviceIndex.mode` is `fixed`. */
  readonly fixedDeviceIndex: number | undefined;
  readonly deviceIndexTagKey: string;
  readonly lastInstanceTagKey: string;
  readonly networkCardIndex: number;
}

function tagKey(value: unknown, fallback: string, setting: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0 || value.length > 128) {
    throw new ConfigurationError(`${setting} must be a tag key of 1 to 128 characters`, setting);
  }
  return value;
}

/**
 * Applies defaults and validates, so a bad option fails before anything is planned.
 * @throws ConfigurationError naming the option at fault.
 */
export function resolvePlannerOptions(options: PlannerOptions = {}): ResolvedPlannerOptions {
  const placement = options.placement ?? 'subnet';
  if (placement !== 'subnet' && placement !== 'availability-zone') {
    throw new ConfigurationError(
      `placement must be 'subnet' or 'availability-zone', got ${JSON.stringify(placement)}`,
      'placement',
    );
  }

  let fixedDeviceIndex: number | undefined;
  const policy = options.deviceIndex ?? { mode: 'lowest-free' };
  if (policy.mode === 'fixed') {
    if (!Number.isSafeInteger(policy.index) || policy.index < 1) {
      throw new ConfigurationError(
        `deviceIndex.index must be an integer >= 1 (0 is the primary interface), got ${String(policy.index)}`,
        'deviceIndex.index',
      );
    }
    fixedDeviceIndex = policy.index;
  } else if (policy.mode !== 'lowest-free') {
    throw new ConfigurationError(
      `deviceIndex.mode must be 'lowest-free' or 'fixed', got ${JSON.stringify((policy as { mode: unknown }).mode)}`,
      'deviceIndex.mode',
    );
  }

  const networkCardIndex = options.networkCardIndex ?? 0;
  if (!Number.isSafeInteger(networkCardIndex) || networkCardIndex < 0) {
    throw new ConfigurationError(
      `networkCardIndex must be an integer >= 0, got ${String(networkCardIndex)}`,
      'networkCardIndex',
    );
  }

  return {
    poolTagKey: tagKey(options.poolTagKey, DEFAULT_POOL_TAG_KEY, 'poolTagKey'),
    placement,
    fixedDeviceIndex,
    deviceIndexTagKey: tagKey(options.deviceIndexTagKey, DEFAULT_DEVICE_INDEX_TAG_KEY, 'deviceIndexTagKey'),
    lastInstanceTagKey: tagKey(
      options.lastInstanceTagKey,
      DEFAULT_LAST_INSTANCE_TAG_KEY,
      'lastInstanceTagKey',
    ),
    networkCardIndex,
  };
}
