/**
 * Time as eni-pool sees it; injected in tests so nothing really waits. Every wait in eni-pool goes
 * through `sleep`, which ends early (it resolves, never rejects) once `signal` aborts: the caller then
 * checks its signal and stops.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Real timers: `performance.now()` and `setTimeout`, cleared when the signal aborts. */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/**
 * A clock from the separate `now` and `sleep` options some APIs take; a `sleep` that ignores the signal
 * is raced against it, so an abort still ends the wait at once.
 */
export function clockOf(
  options: {
    readonly now?: () => number;
    readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  },
  fallback: Clock = systemClock,
): Clock {
  const sleep = options.sleep;
  return {
    now: options.now ?? fallback.now,
    sleep:
      sleep === undefined
        ? fallback.sleep
        : (ms, signal) => {
            if (signal === undefined) return sleep(ms);
            if (signal.aborted) return Promise.resolve();
            return new Promise<void>((resolve, reject) => {
              const onAbort = () => resolve();
              signal.addEventListener('abort', onAbort, { once: true });
              sleep(ms, signal).then(
                () => {
                  signal.removeEventListener('abort', onAbort);
                  resolve();
                },
                (error: unknown) => {
                  signal.removeEventListener('abort', onAbort);
                  reject(error);
                },
              );
            });
          },
  };
}
