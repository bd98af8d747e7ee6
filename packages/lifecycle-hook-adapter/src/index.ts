export * from './auto-scaling';
export * from './eni-pool';
export * from './errors';
export * from './events';
export * from './handler';
export * from './leaving-instances';
export * from './options';
export type { RetryContext, Sleep } from './timing';
export * from './types';
