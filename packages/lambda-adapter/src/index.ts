// The public API of @eni-pool/lambda-adapter, each export by name: the handlers, the configuration
// reader, and the types a function's code writes against. How a handler resolves its options, starts an
// invocation and splits an SQS batch stays internal.

export type { LifecycleActionResult } from '@eni-pool/lifecycle-hook-adapter';
export {
  choiceFromEnv,
  type Environment,
  integerFromEnv,
  type LambdaConfig,
  readLambdaConfig,
} from './config';
export { createHandlerFromConfig, createHandlerFromEnvironment } from './environment';
export { createEventBridgeHandler, type EventBridgeHandler } from './eventbridge-handler';
export { createLambdaHandler, isSqsEvent, type LambdaHandler } from './lambda-handler';
export { createEmfPublisher, type PoolMetrics, type PoolMetricsPublisher, poolMetricsOf } from './metrics';
export { createPowertoolsLogger, fromPowertools } from './powertools-logger';
export type { HandlerRuntime } from './runtime';
export { createSqsHandler, processBatch, type SqsHandler, type SqsHandlerOptions } from './sqs-handler';
export type {
  HandlerOptions,
  IgnoredResult,
  InvocationResult,
  LifecycleActionHandler,
  LifecycleHandledResult,
  ManagerLike,
  ReconciledResult,
  RejectedResult,
  TriggerKind,
} from './types';
