import { EniPoolError } from '../errors';

/**
 * The state handed to the planner contradicts itself (the same id described twice, differently) or holds
 * a value the planner cannot order (an unparseable launch time). Nothing was planned.
 */
export class InvalidPoolStateError extends EniPoolError {
  constructor(
    message: string,
    /** The instance or interface id at fault. */
    readonly resourceId: string,
    /** The offending field, e.g. `launchTime`, or `id` for a conflicting duplicate. */
    readonly field: string,
  ) {
    super(message);
  }
}
