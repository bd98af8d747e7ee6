// A worker thread does not inherit the main thread's TypeScript loader: this entry registers it
// (with the bench's tsconfig, as run.ts passes it) and then loads the thread's module.
import { register } from 'tsx/esm/api';

register({ tsconfig: process.env.TSX_TSCONFIG_PATH });
await import('./burst-thread-main.ts');
