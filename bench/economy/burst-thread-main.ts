/** The workers' thread of a burst (see burst-thread.ts): one worker per event, as the main thread asks. */
import { setMaxListeners } from 'node:events';
import { parentPort } from 'node:worker_threads';
import type { FromThread, ToThread } from './burst-thread';
import {
  type BatchWorker,
  managerWorker,
  originalWorker,
  type SimEndpoint,
  sharedManagerWorker,
  sqsBatchWorker,
  type Worker,
} from './workers';

const port = parentPort;
if (port === null) throw new Error('burst-thread-main.ts runs as a worker thread');
const reply = (message: FromThread) => port.postMessage(message);

let run:
  | {
      readonly newWorker: (onError: (error: unknown) => void) => Worker;
      readonly newBatchWorker: (onError: (error: unknown) => void) => BatchWorker;
      readonly deadline: AbortController;
      readonly workers: Pick<Worker, 'close'>[];
      readonly close: () => void;
    }
  | undefined;

function begin(contender: Extract<ToThread, { type: 'begin' }>['contender'], clientConfig: unknown) {
  const endpoint = { clientConfig: () => clientConfig } as SimEndpoint;
  const deadline = new AbortController();
  // Every worker listens to the one deadline.
  setMaxListeners(0, deadline.signal);
  const signal = deadline.signal;
  const shared =
    contender === 'eni-pool, one shared manager' ? managerWorker(endpoint, { signal }) : undefined;
  const newWorker = (onError: (error: unknown) => void): Worker => {
    if (shared) return sharedManagerWorker(shared.manager, { signal, onError });
    if (contender === 'original') return originalWorker(endpoint, { signal, onError });
    return managerWorker(endpoint, { signal, onError });
  };
  const newBatchWorker = (onError: (error: unknown) => void) => sqsBatchWorker(endpoint, { signal, onError });
  return {
    newWorker,
    newBatchWorker,
    deadline,
    workers: [] as Pick<Worker, 'close'>[],
    close: () => shared?.close(),
  };
}

port.on('message', (message: ToThread) => {
  switch (message.type) {
    case 'begin':
      run = begin(message.contender, message.clientConfig);
      return;
    case 'event':
    case 'batch': {
      if (run === undefined)
        throw new Error(`${message.type === 'event' ? 'an event' : 'a batch'} before begin`);
      let error: string | undefined;
      const onError = (e: unknown) => {
        error = e instanceof Error ? e.message : String(e);
      };
      let invocation: Promise<void>;
      if (message.type === 'event') {
        const worker = run.newWorker(onError);
        run.workers.push(worker);
        invocation = worker.handle(message.event);
      } else {
        const worker = run.newBatchWorker(onError);
        run.workers.push(worker);
        invocation = worker.handleBatch(message.events);
      }
      void invocation.then(() =>
        reply({ type: 'done', id: message.id, ...(error !== undefined ? { error } : {}) }),
      );
      return;
    }
    case 'abort':
      run?.deadline.abort(new Error('bench deadline'));
      return;
    case 'end':
      run?.deadline.abort(new Error('bench deadline'));
      for (const worker of run?.workers ?? []) worker.close();
      run?.close();
      run = undefined;
      reply({ type: 'ended' });
      return;
  }
});
reply({ type: 'ready' });
