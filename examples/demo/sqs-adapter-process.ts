/**
 * `demo.ts --sqs`: the demo's story with eni-pool running as a separate process, the `eni-pool-sqs` CLI of
 * `@eni-pool/sqs-adapter`, instead of the Lambda handler in process. The simulator's event bus delivers
 * the template's rules into an SQS queue (as cloudformation/eni-pool-sqs.yaml wires EventBridge), and the
 * CLI drains it over HTTP through `AWS_ENDPOINT_URL`, exactly as a container would against AWS.
 *
 * The demo narrates attaches and detaches from the events of its in-process manager; here the manager is in
 * another process, so the same facts are read from what the simulator saw: its call log (attach and detach
 * calls, when they arrived) and its interfaces (which attachment belongs to which interface and instance).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { AwsSim, EventPattern } from '@eni-pool/aws-sim';

const CLI = fileURLToPath(new URL('../../packages/sqs-adapter/dist/cli.js', import.meta.url));
const QUEUE = 'eni-pool-events';
const DLQ = 'eni-pool-events-dlq';

/** The part of an attach or detach the demo narrates. */
export interface ObservedAction {
  readonly id: string;
  readonly kind: 'attach' | 'detach';
  readonly networkInterfaceId: string;
  readonly instanceId: string;
  readonly deviceIndex: number;
  readonly attachmentId: string;
  readonly reason: string;
}

/** The demo's manager events, as observed on the simulator. */
export type ObservedActionEvents = {
  action_started: [{ readonly action: ObservedAction }];
  action_succeeded: [{ readonly action: ObservedAction }];
  action_conflicted: [];
  action_failed: [{ readonly action: ObservedAction; readonly error: Error }];
};

/** The running CLI and what the demo needs from it. */
export interface SqsAdapterProcess {
  /** Attach and detach calls the CLI made, as the demo's manager listeners expect them. */
  readonly actions: EventEmitter<ObservedActionEvents>;
  /** Nothing is waiting in the queue or being handled. */
  idle(): boolean;
  /** Messages that reached the dead-letter queue. */
  deadLetters(): number;
  /** The CLI's output so far (JSON log lines). */
  output(): string;
  /** The last full sync the CLI logged, in the shape of the Lambda handler's result. */
  lastSync():
    | { readonly status: 'reconciled'; readonly trigger: 'scheduled-sync'; readonly converged: boolean }
    | undefined;
  /** SIGTERM, then the exit code; the CLI stops within its shutdown bound. */
  stop(): Promise<number | null>;
}

/**
 * Creates the queue and its dead-letter queue, routes `rules` into it, and starts `eni-pool-sqs` against
 * the simulator. Resolves once the CLI polls.
 */
export async function startSqsAdapterProcess(
  sim: AwsSim,
  rules: readonly { readonly name: string; readonly pattern: EventPattern }[],
  options: { readonly fast: boolean; readonly timeoutMs: number },
): Promise<SqsAdapterProcess> {
  const dlq = sim.sqs.createQueue(DLQ);
  const queue = sim.sqs.createQueue(QUEUE, {
    VisibilityTimeout: '60',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }),
  });
  for (const rule of rules) sim.events.addRule({ name: rule.name, pattern: rule.pattern, queue: QUEUE });

  let output = '';
  const child: ChildProcess = spawn(process.execPath, [CLI], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      AWS_ENDPOINT_URL: sim.endpoint,
      AWS_REGION: sim.identity.region,
      AWS_ACCESS_KEY_ID: 'demo',
      AWS_SECRET_ACCESS_KEY: 'demo',
      ENI_POOL_QUEUE_URL: queue.url,
      ENI_POOL_HEALTH_PORT: '0',
      ENI_POOL_SQS_WAIT_TIME_SECONDS: '1',
      // The demo cues the sync itself (a scheduled event into the queue); the container's own stays off.
      ENI_POOL_SYNC_INTERVAL_MS: '0',
      ENI_POOL_SHUTDOWN_TIMEOUT_MS: '5000',
      ENI_POOL_WAIT_TIMEOUT_MS: String(Math.max(1_000, options.timeoutMs)),
      ENI_POOL_LOG_LEVEL: 'info',
      NODE_NO_WARNINGS: '1',
    },
  });
  child.stdout?.on('data', (data: Buffer) => {
    output += data.toString();
  });
  child.stderr?.on('data', (data: Buffer) => {
    output += data.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await sim.world.waitFor(
    'eni-pool-sqs polling the queue',
    () => output.includes('"polling the queue"') || child.exitCode !== null,
    { timeoutMs: options.timeoutMs, intervalMs: 10 },
  );
  if (child.exitCode !== null) throw new Error(`eni-pool-sqs exited at start: ${output.trim()}`);

  const actions = new EventEmitter<ObservedActionEvents>();
  const attachments = new Map<
    string,
    { networkInterfaceId: string; instanceId: string; deviceIndex: number }
  >();
  let last: unknown;
  let seq = 0;
  const observe = () => {
    for (const eni of sim.world.interfaces()) {
      const a = eni.attachment;
      if (a?.attachmentId) {
        attachments.set(a.attachmentId, {
          networkInterfaceId: eni.networkInterfaceId,
          instanceId: a.instanceId,
          deviceIndex: a.deviceIndex,
        });
      }
    }
    const log = sim.calls.log;
    const from = last === undefined ? 0 : log.lastIndexOf(last as (typeof log)[number]) + 1;
    for (const call of log.slice(from)) {
      last = call;
      const params = new URLSearchParams(call.params);
      if (call.action === 'AttachNetworkInterface') {
        const action: ObservedAction = {
          id: `observed-${++seq}`,
          kind: 'attach',
          networkInterfaceId: params.get('NetworkInterfaceId') ?? '?',
          instanceId: params.get('InstanceId') ?? '?',
          deviceIndex: Number(params.get('DeviceIndex') ?? '0'),
          attachmentId: '',
          reason: 'eni-pool-sqs',
        };
        actions.emit('action_started', { action });
        if (call.outcome === 'ok') actions.emit('action_succeeded', { action });
        else actions.emit('action_failed', { action, error: new Error(call.outcome) });
      } else if (call.action === 'DetachNetworkInterface' && call.outcome === 'ok') {
        const attachmentId = params.get('AttachmentId') ?? '';
        const held = attachments.get(attachmentId);
        actions.emit('action_succeeded', {
          action: {
            id: `observed-${++seq}`,
            kind: 'detach',
            networkInterfaceId: held?.networkInterfaceId ?? '?',
            instanceId: held?.instanceId ?? '?',
            deviceIndex: held?.deviceIndex ?? 0,
            attachmentId,
            reason: 'released by eni-pool-sqs',
          },
        });
      }
    }
  };
  const timer = setInterval(observe, options.fast ? 2 : 10);
  timer.unref();

  return {
    actions,
    idle: () => {
      observe();
      return sim.sqs.messages(QUEUE).length === 0;
    },
    deadLetters: () => sim.sqs.messages(DLQ).length,
    output: () => output,
    lastSync() {
      const line = output
        .split('\n')
        .filter((l) => l.startsWith('{') && l.includes('"pools reconciled'))
        .map((l) => JSON.parse(l) as { message: string; scope?: { kind?: string }; converged?: boolean })
        .filter((entry) => entry.scope?.kind === 'all')
        .at(-1);
      return line && { status: 'reconciled', trigger: 'scheduled-sync', converged: line.converged === true };
    },
    async stop() {
      observe();
      clearInterval(timer);
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
