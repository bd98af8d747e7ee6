import type { Plan, PlannerOptions, PoolState } from './model';

/**
 * Plans which pool interfaces to attach and detach. Pure, deterministic and total; O(n log n).
 * The rules are in DESIGN.md ("Planner rules").
 */
export function planAssignments(_state: PoolState, _options: PlannerOptions = {}): Plan {
  throw new Error('not implemented yet');
}
