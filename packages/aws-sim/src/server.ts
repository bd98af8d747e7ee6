import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallLog, CallRecord } from './calls';
import type { SimResponse } from './contracts';
import { QueryParams } from './wire/query';
import { el } from './wire/xml';

/** The protocol handlers the server routes to; a missing one answers a 400 "not wired" error. */
export interface SimRoutes {
  /** EC2 Query (`Version=2016-11-15`). */
  readonly ec2?: (query: QueryParams) => SimResponse | Promise<SimResponse>;
  /** Auto Scaling awsQuery (`Version=2011-01-01`). */
  readonly autoscaling?: (query: QueryParams) => SimResponse | Promise<SimResponse>;
  /** SQS JSON 1.0 (`x-amz-target: AmazonSQS.<Action>`). */
  readonly sqs?: (target: string, body: string) => SimResponse | Promise<SimResponse>;
}

export interface SimServerOptions {
  /** @defaultValue 0 (a free port) */
  readonly port?: number;
  /** @defaultValue '127.0.0.1' */
  readonly host?: string;
  readonly calls?: CallLog;
  /** Largest accepted request body, in bytes. @defaultValue 5 MiB */
  readonly maxBodyBytes?: number;
}

const EC2_VERSION = '2016-11-15';
const AUTOSCALING_VERSION = '2011-01-01';

/** A running HTTP front end for the simulator. */
export interface SimServer {
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts one `node:http` server that routes each request by protocol: `x-amz-target: AmazonSQS.*`
 * to SQS, form bodies with `Version=2016-11-15` to EC2 and `Version=2011-01-01` to Auto Scaling.
 * Any credentials, signature and region are accepted.
 *
 * @example
 * ```ts
 * const server = await startSimServer({ ec2: (q) => handleEc2Query(endpoint, q) });
 * // … point an SDK client at server.endpoint …
 * await server.close();
 * ```
 */
export async function startSimServer(routes: SimRoutes, options: SimServerOptions = {}): Promise<SimServer> {
  const maxBody = options.maxBodyBytes ?? 5 * 1024 * 1024;
  const server: Server = createServer((req, res) => {
    void serve(routes, options.calls, maxBody, req, res);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    endpoint: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(
  routes: SimRoutes,
  calls: CallLog | undefined,
  maxBody: number,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const at = Date.now();
  let service: CallRecord['service'] = 'unknown';
  let action = '';
  let params = '';
  let response: SimResponse;
  try {
    const body = await readBody(req, maxBody);
    const target = header(req, 'x-amz-target');
    if (target !== undefined) {
      service = target.startsWith('AmazonSQS.') ? 'sqs' : 'unknown';
      action = target.slice(target.indexOf('.') + 1);
      params = body.slice(0, 200);
      response =
        service === 'sqs' && routes.sqs
          ? await routes.sqs(target, body)
          : jsonError(
              service === 'sqs' ? 'NotWired' : 'UnknownOperationException',
              `No handler for ${target}`,
            );
    } else if (req.method === 'GET' && (req.url === '/' || req.url === '/health')) {
      response = { status: 200, headers: { 'content-type': 'text/plain' }, body: 'aws-sim ok\n' };
    } else {
      const query = new QueryParams(body);
      action = query.action;
      params = summarise(query);
      const version = query.get('Version');
      if (version === EC2_VERSION) {
        service = 'ec2';
        response = routes.ec2 ? await routes.ec2(query) : ec2StyleError('NotWired', 'EC2 is not wired');
      } else if (version === AUTOSCALING_VERSION) {
        service = 'autoscaling';
        response = routes.autoscaling
          ? await routes.autoscaling(query)
          : queryStyleError('NotWired', 'Auto Scaling is not wired in this simulator');
      } else {
        response = ec2StyleError(
          'InvalidAction',
          `Unsupported request: Version '${version ?? ''}' with Action '${action}' matches no simulated service`,
        );
      }
    }
  } catch (error) {
    response =
      error instanceof BodyTooLargeError
        ? ec2StyleError('RequestEntityTooLarge', error.message, 413)
        : ec2StyleError('InternalError', 'An internal error has occurred', 500);
  }
  calls?.record({ service, action, at, params, outcome: outcomeOf(response), status: response.status });
  if (res.destroyed) return;
  res.writeHead(response.status, {
    ...response.headers,
    'content-length': Buffer.byteLength(response.body),
  });
  res.end(response.body);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        reject(new BodyTooLargeError(`Request body exceeds ${max} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function summarise(query: QueryParams): string {
  const parts: string[] = [];
  for (const [k, v] of query.params) if (k !== 'Action' && k !== 'Version') parts.push(`${k}=${v}`);
  const text = parts.join('&');
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

function outcomeOf(response: SimResponse): string {
  if (response.status < 300) return 'ok';
  const queryError = response.headers['x-amzn-query-error'];
  if (queryError) return queryError.split(';')[0] ?? 'error';
  const xml = /<Code>([^<]*)<\/Code>/.exec(response.body);
  if (xml?.[1]) return xml[1];
  const json = /"__type"\s*:\s*"([^"]*)"/.exec(response.body);
  if (json?.[1]) return json[1].slice(json[1].lastIndexOf('#') + 1);
  return `http-${response.status}`;
}

function ec2StyleError(code: string, message: string, status = 400): SimResponse {
  const requestId = randomUUID();
  return {
    status,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response>${el('Errors', [el('Error', [el('Code', code), el('Message', message)])]).xml}${el('RequestID', requestId).xml}</Response>`,
  };
}

function queryStyleError(code: string, message: string): SimResponse {
  return {
    status: 400,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">${el('Error', [el('Type', 'Sender'), el('Code', code), el('Message', message)]).xml}${el('RequestId', randomUUID()).xml}</ErrorResponse>`,
  };
}

function jsonError(code: string, message: string): SimResponse {
  return {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `${code};Sender` },
    body: JSON.stringify({ __type: `com.amazonaws.sqs#${code}`, message }),
  };
}
