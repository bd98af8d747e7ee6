import type { Trigger } from '../../src/index';

/** The parsed `running` state change of one instance, as `parseEvent` gives it. */
export const running = (instanceId: string): Trigger => ({
  kind: 'instance-state-change',
  instanceId,
  state: 'running',
  origin: { id: `evt-${instanceId}` },
});
