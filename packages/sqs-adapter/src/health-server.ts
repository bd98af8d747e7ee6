import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SqsEventSource } from './event-source';

/** A running health and metrics server. */
export interface HealthServer {
  /** The port it listens on (useful with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves the event source's health over HTTP:
 *
 * - `GET /healthz`: 200 while the process is live (started, or stopping), else 503;
 * - `GET /readyz`: 200 while ready (the last receive succeeded and the pollers are making progress), else
 *   503 with the reason as JSON;
 * - `GET /metrics`: the Prometheus text format (prom-client).
 *
 * @example
 * ```ts
 * const server = await startHealthServer(source, { port: 8080 });
 * // curl localhost:8080/readyz → {"ready":true,…}
 * await server.close();
 * ```
 */
export async function startHealthServer(
  source: SqsEventSource,
  options: { readonly port: number; readonly host?: string },
): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(`${JSON.stringify(body)}\n`);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      json(405, { error: 'method not allowed' });
      return;
    }
    const health = source.health();
    if (path === '/healthz') {
      json(health.live ? 200 : 503, { live: health.live });
    } else if (path === '/readyz') {
      json(health.ready ? 200 : 503, health);
    } else if (path === '/metrics') {
      source.metrics.text().then(
        (text) => {
          response.writeHead(200, { 'content-type': source.metrics.registry.contentType });
          response.end(text);
        },
        (error: unknown) => json(500, { error: String(error) }),
      );
    } else {
      json(404, { error: 'not found' });
    }
  });
  // A stuck client must not hold the server open at shutdown.
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
