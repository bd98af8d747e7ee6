import { Semaphore } from '@eni-pool/core';
import type { HandlerRuntime } from '../runtime';

/** One unit of work in a batch, and the messages that are done when it is. */
export interface Job {
  readonly key: string;
  readonly messageIds: string[];
  run(): Promise<void>;
}

/**
 * Runs `jobs` with at most `limit` in flight (core's one bounded-concurrency helper); returns the
 * messages of the jobs that threw, each failure logged.
 */
export async function runBounded(
  jobs: readonly Job[],
  limit: number,
  runtime: HandlerRuntime,
): Promise<string[]> {
  const failed: string[] = [];
  const slots = new Semaphore(limit);
  await Promise.all(
    jobs.map((job) =>
      slots.run(async () => {
        try {
          await job.run();
        } catch (error) {
          failed.push(...job.messageIds);
          runtime.logger.error('batch work failed; its messages go back to the queue', {
            job: job.key,
            messageIds: job.messageIds,
            error,
          });
        }
      }),
    ),
  );
  return failed;
}
