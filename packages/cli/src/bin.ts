#!/usr/bin/env node
import { runCli } from './cli';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`eni-pool: ${signal}: stopping after the actions in flight\n`);
    controller.abort();
  });
}
runCli(process.argv.slice(2), process, { signal: controller.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `eni-pool: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
