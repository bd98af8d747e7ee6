import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import type { SimResponse } from '../../src/contracts';
import { AwsSim } from '../../src/sim';
import { handleSqsJson } from '../../src/sqs/handler';
import { SqsModel, type SqsModelOptions } from '../../src/sqs/model';

/** An SQS model served over HTTP on 127.0.0.1, with a real SDK client pointed at it. */
export interface SqsHarness {
  readonly model: SqsModel;
  readonly client: SQSClient;
  readonly endpoint: string;
  /** Endpoint, region and dummy credentials for further SDK clients. */
  readonly clientConfig: SQSClientConfig;
  close(): Promise<void>;
}

/** Rewrites a response on its way out, to show what the SDK does with a wrong one. */
export type ResponseTamper = (response: SimResponse, target: string) => SimResponse;

/**
 * Starts SQS for a test: the whole `AwsSim` by default, or — when a `tamper` is given or the options
 * need a custom identity or clock — a bare HTTP server that forwards every request to `handleSqsJson`.
 */
export async function startSqsHarness(
  options: SqsModelOptions = {},
  tamper?: ResponseTamper,
): Promise<SqsHarness> {
  if (!tamper && !options.identity && !options.endpoint) return startInSim(options);
  return startBare(options, tamper ?? ((response) => response));
}

async function startInSim(options: SqsModelOptions): Promise<SqsHarness> {
  const sim = await AwsSim.start({ sqs: options });
  const clientConfig: SQSClientConfig = sim.clientConfig();
  const client = new SQSClient({ ...clientConfig, maxAttempts: 1 });
  return {
    model: sim.sqs,
    client,
    endpoint: sim.endpoint,
    clientConfig,
    async close() {
      client.destroy();
      await sim.stop();
    },
  };
}

async function startBare(options: SqsModelOptions, tamper: ResponseTamper): Promise<SqsHarness> {
  const model = new SqsModel(options);
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      handleSqsJson(model, target, Buffer.concat(chunks).toString('utf8')).then(
        (answer) => {
          const result = tamper(answer, target);
          response.writeHead(result.status, result.headers);
          response.end(result.body);
        },
        (error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(String(error));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  model.endpoint = endpoint;
  const clientConfig: SQSClientConfig = {
    endpoint,
    region: model.identity.region,
    credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator' },
  };
  const client = new SQSClient({ ...clientConfig, maxAttempts: 1 });
  return {
    model,
    client,
    endpoint,
    clientConfig,
    async close() {
      client.destroy();
      model.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
