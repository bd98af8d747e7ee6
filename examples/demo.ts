/**
 * The eni-pool demo: an Auto Scaling group keeps its fixed private addresses while instances come and go,
 * on the built-in simulator, with the real Lambda handler and lifecycle-hook adapter. The story's steps
 * are in demo/steps/, in the order `runDemo` (demo/run-demo.ts) tells them.
 *
 *   npx -y pnpm@12.4.2 install && npx -y pnpm@12.4.2 demo
 *   npx tsx examples/demo.ts --fast      # tiny simulated delays, a few seconds in all
 *   npx tsx examples/demo.ts --sqs       # eni-pool as a separate process: the eni-pool-sqs CLI on a queue
 *
 * The demo checks its own claims: it exits 0 when every expected outcome happened, and 1 with the first
 * claim that did not hold otherwise.
 */
import { pathToFileURL } from 'node:url';
import { runDemo } from './demo/run-demo';

export type { CallCounts } from './demo/calls';
export { DemoCheckError } from './demo/check';
export { type DemoOptions, type DemoReport, runDemo } from './demo/run-demo';

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = new Set(process.argv.slice(2));
  try {
    await runDemo({ fast: args.has('--fast'), quiet: args.has('--quiet'), sqs: args.has('--sqs') });
  } catch (error) {
    console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
