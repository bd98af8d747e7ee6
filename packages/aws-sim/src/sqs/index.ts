export * from './errors';
export * from './handler';
export * from './md5';
export * from './model';
export type { MessageState, QueueSettings, RedrivePolicy } from './queue';
