export * from './bus';
export * from './envelope';
export * from './errors';
export * from './pattern';
