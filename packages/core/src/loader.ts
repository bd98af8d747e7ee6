import type { Ec2Port } from './ec2-port';
import type { PoolScope, PoolState } from './model';

export interface LoadOptions {
  /** @defaultValue `'network-interface-manager-pool'` */
  readonly poolTagKey?: string;
  /** Page size, 5–1000. @defaultValue `1000` */
  readonly pageSize?: number;
}

/** Reads the pool state with filtered, paginated describes only. */
export async function loadPoolState(
  _ec2: Ec2Port,
  _scope: PoolScope,
  _options: LoadOptions = {},
): Promise<PoolState> {
  throw new Error('not implemented yet');
}
