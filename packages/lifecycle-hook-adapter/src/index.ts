export * from './auto-scaling';
export * from './errors';
export * from './events';
export * from './handler';
export * from './options';
export * from './types';
