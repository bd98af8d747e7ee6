export * from './config';
export * from './environment';
export * from './eventbridge-handler';
export * from './lambda-handler';
export * from './metrics';
export * from './powertools-logger';
export type { HandlerRuntime, Invocation } from './runtime';
export * from './sqs-handler';
export * from './types';
