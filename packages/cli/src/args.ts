import { parseArgs } from 'node:util';
import { DEFAULT_POOL_TAG_KEY, type Placement } from '@eni-pool/core';
import { UsageError } from './errors';

/** The commands of `eni-pool`. */
export type CommandName = 'status' | 'plan' | 'sync' | 'doctor';

export const COMMANDS: readonly CommandName[] = ['status', 'plan', 'sync', 'doctor'];

/** The hook-name prefix of eni-pool's own lifecycle hooks (`eni-pool-launch`, `eni-pool-terminate`). */
export const DEFAULT_HOOK_PREFIX = 'eni-pool';

/** A parsed command line. */
export interface CliArgs {
  readonly command: CommandName | 'help' | 'version';
  /** The command whose help was asked for, with `help <command>` or `<command> --help`. */
  readonly helpFor?: CommandName;
  /** Pool names; empty means every pool (every resource carrying the tag key). */
  readonly pools: readonly string[];
  /** Auto Scaling group names (`doctor`); empty means the groups found by the pool tag. */
  readonly groups: readonly string[];
  readonly yes: boolean;
  readonly json: boolean;
  readonly progress: boolean;
  readonly region?: string;
  readonly profile?: string;
  readonly endpointUrl?: string;
  readonly tagKey: string;
  readonly placement: Placement;
  readonly hookPrefix: string;
}

const OPTIONS = {
  pool: { type: 'string', multiple: true },
  group: { type: 'string', multiple: true },
  yes: { type: 'boolean', short: 'y' },
  json: { type: 'boolean' },
  progress: { type: 'boolean' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'endpoint-url': { type: 'string' },
  'tag-key': { type: 'string' },
  placement: { type: 'string' },
  'hook-prefix': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/** The flags each command accepts beyond the common ones; any other is a usage error, not ignored. */
const COMMAND_FLAGS: Readonly<Record<CommandName, readonly string[]>> = {
  status: [],
  plan: [],
  sync: ['yes', 'progress'],
  doctor: ['group', 'hook-prefix'],
};

const COMMON_FLAGS = [
  'pool',
  'json',
  'region',
  'profile',
  'endpoint-url',
  'tag-key',
  'placement',
  'help',
  'version',
];

function isCommand(value: string | undefined): value is CommandName {
  return value !== undefined && (COMMANDS as readonly string[]).includes(value);
}

function nonEmpty(values: readonly string[] | undefined, flag: string): string[] {
  for (const value of values ?? []) {
    if (value.trim() === '') throw new UsageError(`--${flag} needs a non-empty value`);
  }
  return [...new Set(values ?? [])];
}

function optional(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError(`--${flag} needs a non-empty value`);
  return value;
}

/**
 * Parses `argv` (without the node and script paths). Throws `UsageError` for an unknown command or flag,
 * a flag the command does not take, or a bad value; nothing else happens before that check.
 *
 * @example
 * ```ts
 * parseCliArgs(['doctor', '--pool', 'bastion', '--group', 'bastion-asg']);
 * // { command: 'doctor', pools: ['bastion'], groups: ['bastion-asg'], hookPrefix: 'eni-pool', … }
 * ```
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split('\n')[0]! : String(error));
  }
  const { values, positionals } = parsed;
  const [first, second, ...rest] = positionals;

  const defaults = {
    pools: [] as string[],
    groups: [] as string[],
    yes: false,
    json: false,
    progress: false,
    tagKey: DEFAULT_POOL_TAG_KEY,
    placement: 'subnet' as Placement,
    hookPrefix: DEFAULT_HOOK_PREFIX,
  };
  if (values.version) return { command: 'version', ...defaults };
  if (first === undefined || first === 'help') {
    if (second !== undefined && !isCommand(second)) throw new UsageError(`unknown command "${second}"`);
    return { command: 'help', ...(isCommand(second) ? { helpFor: second } : {}), ...defaults };
  }
  if (!isCommand(first)) {
    throw new UsageError(`unknown command "${first}"; expected one of ${COMMANDS.join(', ')}`);
  }
  if (values.help) return { command: 'help', helpFor: first, ...defaults };
  const extra = [second, ...rest].filter((p) => p !== undefined);
  if (extra.length > 0)
    throw new UsageError(`unexpected argument "${extra[0]}" (pools are given with --pool)`);

  const allowed = new Set([...COMMON_FLAGS, ...COMMAND_FLAGS[first]]);
  for (const flag of Object.keys(values)) {
    if (!allowed.has(flag)) throw new UsageError(`${first} does not take --${flag}`);
  }
  const placement = values.placement ?? 'subnet';
  if (placement !== 'subnet' && placement !== 'availability-zone') {
    throw new UsageError(`--placement must be "subnet" or "availability-zone", got "${placement}"`);
  }
  const endpointUrl = optional(values['endpoint-url'], 'endpoint-url');
  if (endpointUrl !== undefined && !URL.canParse(endpointUrl)) {
    throw new UsageError(`--endpoint-url must be a URL, got "${endpointUrl}"`);
  }
  const region = optional(values.region, 'region');
  const profile = optional(values.profile, 'profile');
  return {
    command: first,
    pools: nonEmpty(values.pool, 'pool'),
    groups: nonEmpty(values.group, 'group'),
    yes: values.yes ?? false,
    json: values.json ?? false,
    progress: values.progress ?? false,
    ...(region !== undefined ? { region } : {}),
    ...(profile !== undefined ? { profile } : {}),
    ...(endpointUrl !== undefined ? { endpointUrl } : {}),
    tagKey: optional(values['tag-key'], 'tag-key') ?? DEFAULT_POOL_TAG_KEY,
    placement,
    hookPrefix: optional(values['hook-prefix'], 'hook-prefix') ?? DEFAULT_HOOK_PREFIX,
  };
}
