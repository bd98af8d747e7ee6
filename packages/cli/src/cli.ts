import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { createEc2Client, type Logger } from '@eni-pool/core';
import packageJson from '../package.json' with { type: 'json' };
import { type CliArgs, parseCliArgs } from './args';
import type { CommandContext, CommandResult } from './context';
import { runDoctor } from './doctor';
import { CliError, UsageError } from './errors';
import { helpText } from './help';
import { runPlan } from './plan';
import { createStyle } from './render';
import { type ErrorReport, JSON_SCHEMA_VERSION } from './report';
import { runStatus } from './status';
import { runSync } from './sync';

/** The streams and environment the CLI runs with; `process`'s by default. */
export interface CliIo {
  readonly stdout: Writable & { readonly isTTY?: boolean };
  readonly stderr: Writable & { readonly isTTY?: boolean };
  readonly stdin: Readable & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Options of {@link runCli}: clients to use instead of building them from the command line. */
export interface RunCliOptions {
  readonly ec2?: EC2Client;
  readonly autoScaling?: AutoScalingClient;
  /** Aborts a running `sync` between actions (the executable wires it to SIGINT and SIGTERM). */
  readonly signal?: AbortSignal;
}

const COMMANDS = { status: runStatus, plan: runPlan, sync: runSync, doctor: runDoctor } as const;

function stderrLogger(io: CliIo): Logger {
  const write = (level: string) => (message: string) => {
    io.stderr.write(`eni-pool: ${level}: ${message}\n`);
  };
  return { debug() {}, info() {}, warn: write('warning'), error: write('error') };
}

function clientConfig(args: CliArgs) {
  return {
    ...(args.region !== undefined ? { region: args.region } : {}),
    ...(args.profile !== undefined ? { profile: args.profile } : {}),
    ...(args.endpointUrl !== undefined ? { endpoint: args.endpointUrl } : {}),
  };
}

async function resolveRegion(ec2: EC2Client): Promise<string> {
  try {
    const region = await ec2.config.region();
    if (region) return region;
  } catch {
    // Reported below: the SDK's own message names no flag.
  }
  throw new UsageError('no AWS region: pass --region, or set AWS_REGION or a region in the profile');
}

function terminalConfirm(io: CliIo): CommandContext['confirm'] {
  if (io.stdin.isTTY !== true || io.stderr.isTTY !== true) return undefined;
  return async (question) => {
    const rl = createInterface({ input: io.stdin, output: io.stderr });
    try {
      const answer = await rl.question(`${question} [y/N] `);
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      rl.close();
    }
  };
}

function errorCodeOf(error: unknown): string {
  const name = (error as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== 'Error' ? name : 'Error';
}

/**
 * Runs `eni-pool` with `argv` (without the node and script paths) and resolves to the exit code: 0 all
 * well, 1 something to fix or a failed call, 2 a bad command line. Never throws for those; writes the
 * result on `io.stdout` and everything else on `io.stderr`.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(['status', '--pool', 'bastion', '--json']);
 * ```
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo = process,
  options: RunCliOptions = {},
): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`eni-pool: ${error.message}\nRun \`eni-pool --help\` for usage.\n`);
    return 2;
  }
  if (args.command === 'help') {
    io.stdout.write(helpText(args.helpFor));
    return 0;
  }
  if (args.command === 'version') {
    io.stdout.write(`${packageJson.version}\n`);
    return 0;
  }
  const command = args.command;
  try {
    const config = clientConfig(args);
    const ec2 = options.ec2 ?? createEc2Client(config);
    const autoScaling = options.autoScaling ?? new AutoScalingClient(config);
    const region = await resolveRegion(ec2);
    const style = createStyle(io.stdout.isTTY, io.env);
    const context: CommandContext = {
      args,
      aws: {
        ec2,
        autoScaling,
        logger: stderrLogger(io),
        planner: { poolTagKey: args.tagKey, placement: args.placement },
      },
      region,
      style: args.json ? createStyle(false, {}) : style,
      showProgress: args.progress || io.stderr.isTTY === true,
      progress: (line) => io.stderr.write(`${line}\n`),
      confirm: terminalConfirm(io),
      ...(options.signal ? { signal: options.signal } : {}),
    };
    const result: CommandResult = await COMMANDS[command](context);
    io.stdout.write(
      args.json ? `${JSON.stringify(result.report, null, 2)}\n` : `${result.text.join('\n')}\n`,
    );
    return result.exitCode;
  } catch (error) {
    const exitCode = error instanceof CliError ? error.exitCode : 1;
    const code = errorCodeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(
      exitCode === 2
        ? `eni-pool: ${message}\nRun \`eni-pool ${command} --help\` for usage.\n`
        : `eni-pool: ${command} failed: ${code === 'Error' ? '' : `${code}: `}${message}\n`,
    );
    if (args.json && exitCode === 1) {
      const report: ErrorReport = {
        schemaVersion: JSON_SCHEMA_VERSION,
        command,
        ok: false,
        error: { code, message },
      };
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    }
    return exitCode;
  }
}
