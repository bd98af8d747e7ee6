import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

/** Whether the standard SDK configuration names an endpoint for SQS (`AWS_ENDPOINT_URL[_SQS]`). */
export function endpointConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  const ignored = (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '').toLowerCase() === 'true';
  return !ignored && Boolean(env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL);
}

/**
 * The default SQS client: standard credentials and region. When an endpoint is configured, the client
 * stays on it rather than following the queue URL's host (the SDK's `useQueueUrlAsEndpoint`), so a queue
 * URL of the real service still reaches a local or VPC endpoint. Requests are bounded: a long poll gets
 * its wait plus 10 s before it counts as failed.
 */
export function createSqsClient(waitTimeSeconds: number, env: NodeJS.ProcessEnv = process.env): SQSClient {
  return new SQSClient({
    ...(endpointConfigured(env) ? { useQueueUrlAsEndpoint: false } : {}),
    requestHandler: { connectionTimeout: 5_000, requestTimeout: (waitTimeSeconds + 10) * 1_000 },
  });
}

/** By class, or by name when the poller resolved another copy of the SDK. */
function isReceive(command: unknown): boolean {
  return (
    command instanceof ReceiveMessageCommand ||
    (command as { constructor?: { name?: string } } | null)?.constructor?.name === 'ReceiveMessageCommand'
  );
}

/** What the gate reports about receives. */
export interface ReceiveObserver {
  succeeded(): void;
  failed(error: unknown): void;
}

/**
 * The client handed to the pollers: receives carry `signal`, so `stop()` ends a pending long poll at once,
 * while deletes and visibility changes of handled messages are never aborted with it. Every receive's
 * outcome is reported to `observer` (readiness, backoff, metrics).
 */
export function gateReceives(sqs: SQSClient, signal: AbortSignal, observer: ReceiveObserver): SQSClient {
  const gated = Object.create(sqs) as SQSClient;
  const send = sqs.send.bind(sqs) as (command: unknown, options?: unknown) => Promise<unknown>;
  gated.send = (async (command: unknown) => {
    if (!isReceive(command)) return send(command);
    try {
      const output = await send(command, { abortSignal: signal });
      observer.succeeded();
      return output;
    } catch (error) {
      if (!signal.aborted) observer.failed(error);
      throw error;
    }
  }) as SQSClient['send'];
  return gated;
}
