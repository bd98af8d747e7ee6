import type { AwsSim } from '@eni-pool/aws-sim';
import { table } from './print';

/** The calls eni-pool makes, in the order the summary lists them, with the summary's column heads. */
const COLUMNS = {
  DescribeInstances: 'DescInst',
  DescribeNetworkInterfaces: 'DescEni',
  AttachNetworkInterface: 'Attach',
  DetachNetworkInterface: 'Detach',
  CreateTags: 'Tags',
  CompleteLifecycleAction: 'Complete',
  RecordLifecycleActionHeartbeat: 'Heartbeat',
  DescribeAutoScalingGroups: 'DescAsg',
} as const;
type Action = keyof typeof COLUMNS;
const ACTIONS = Object.keys(COLUMNS) as Action[];
const MUTATING: readonly Action[] = [
  'AttachNetworkInterface',
  'DetachNetworkInterface',
  'CreateTags',
  'CompleteLifecycleAction',
];

/** API calls per action, for one step of the demo. */
export type CallCounts = Record<Action, number>;

/** The calls eni-pool made during one step. */
export interface StepCalls {
  readonly step: string;
  readonly counts: CallCounts;
}

const perAction = (count: (action: Action) => number): CallCounts =>
  Object.fromEntries(ACTIONS.map((action) => [action, count(action)])) as CallCounts;

/** The simulator's counts so far of the calls eni-pool makes. */
export function countCalls(sim: AwsSim): CallCounts {
  return perAction((action) => sim.calls.count(action));
}

/** The calls made between two counts. */
export function callsBetween(before: CallCounts, after: CallCounts): CallCounts {
  return perAction((action) => after[action] - before[action]);
}

/** Calls so far that change EC2 or Auto Scaling. */
export function mutatingCalls(sim: AwsSim): number {
  return MUTATING.reduce((sum, action) => sum + sim.calls.count(action), 0);
}

/** The summary's table: one row per step, one column per action, and the totals. */
export function callTable(steps: readonly StepCalls[]): string[] {
  const totals = perAction((action) => steps.reduce((sum, { counts }) => sum + counts[action], 0));
  return table([
    ['step', ...ACTIONS.map((a) => COLUMNS[a])],
    ...steps.map(({ step, counts }) => [
      step.split(':')[0]!.slice(0, 36),
      ...ACTIONS.map((a) => String(counts[a])),
    ]),
    ['total', ...ACTIONS.map((a) => String(totals[a]))],
  ]);
}

/** Every operation the simulator answered, with its count: `Action n, …` by name. */
export function simulatorCallCounts(sim: AwsSim): string {
  const actions = new Set(sim.calls.log.map((call) => call.action));
  const line = [...actions]
    .sort()
    .map((action) => `${action} ${sim.calls.count(action)}`)
    .join(', ');
  return `${line} (${sim.calls.total} in all)`;
}
