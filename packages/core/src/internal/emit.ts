import type { EventEmitter } from 'eventemitter3';
import type { Logger } from '../logger';

/**
 * Emits `event` to every listener, each in its own `try`: a listener that throws is logged and the
 * others still run. eventemitter3 calls listeners synchronously, so a plain `emit` would let one
 * listener's exception escape into the caller (and skip the listeners after it).
 */
export function emitSafely<
  Events extends { [E in keyof Events]: unknown[] },
  K extends keyof Events & string,
>(emitter: EventEmitter<Events>, logger: Logger, event: K, ...args: Events[K]): void {
  const untyped = emitter as unknown as {
    listeners(event: string): ((...args: unknown[]) => unknown)[];
    removeListener(
      event: string,
      fn: (...args: unknown[]) => unknown,
      context?: unknown,
      once?: boolean,
    ): unknown;
  };
  const listeners = untyped.listeners(event);
  // `once` listeners are removed before they run, as eventemitter3 itself does.
  for (const listener of listeners) untyped.removeListener(event, listener, undefined, true);
  for (const listener of listeners) {
    const report = (error: unknown) =>
      logger.warn('event listener threw; ignored', {
        event,
        error: error instanceof Error ? error.message : String(error),
      });
    try {
      const result = listener.apply(emitter, args);
      // An async listener's rejection is reported too, instead of becoming an unhandled rejection.
      if (result instanceof Promise) result.catch(report);
    } catch (error) {
      report(error);
    }
  }
}
