export {
  type CliRequest,
  readCliConfig,
  SETTINGS,
  type SettingSpec,
  type SqsCliConfig,
  usage,
} from './config';
export { createSqsEventSource, SqsEventSource, type SqsEventSourceHealth } from './event-source';
export type { MessageRef, SqsEventSourceEvents } from './events';
export { type HealthServer, startHealthServer } from './health-server';
export { type MessageResult, SqsMetrics } from './metrics';
export {
  type ResolvedSqsOptions,
  realTimers,
  resolveSqsOptions,
  type SqsEventSourceOptions,
  type Timers,
  type UnparseablePolicy,
} from './options';
export type { SqsRuntime } from './runtime';
export { createSqsClient, endpointConfigured } from './sqs-client';
