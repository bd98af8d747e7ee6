import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../src/bin.ts', import.meta.url));
// The child runs the sources of the CLI and of its workspace dependencies, as the tests do.
const tsconfig = fileURLToPath(new URL('./tsconfig.sources.json', import.meta.url));

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  /** stderr without the SDK's Node-version notice, which says nothing about the CLI. */
  readonly stderr: string;
}

/** The SDK prints a multi-line NodeVersionSupportWarning on Node 20; it is not the CLI's output. */
function withoutSdkNotice(stderr: string): string {
  return stderr.replace(
    /\(node:\d+\) Warning: NodeVersionSupportWarning:[\s\S]*?to show where the warning was created\)\n?/g,
    '',
  );
}

/**
 * Runs `eni-pool` in its own process with a clean AWS environment (test credentials, us-east-1, no
 * profile) plus `env`, where `undefined` removes a variable; killed after `timeoutMs`.
 */
export function runEniPool(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
  timeoutMs = 60_000,
): Promise<ProcessResult> {
  const base: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('AWS_') && key !== 'NO_COLOR' && key !== 'FORCE_COLOR') {
      base[key] = value;
    }
  }
  const childEnv: Record<string, string | undefined> = {
    ...base,
    TSX_TSCONFIG_PATH: tsconfig,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_MAX_ATTEMPTS: '2',
    ...env,
  };
  for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key];
  const child = spawn(process.execPath, ['--import', 'tsx', bin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr: withoutSdkNotice(stderr) });
    });
  });
}
