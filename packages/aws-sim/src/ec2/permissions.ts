import { createHash } from 'node:crypto';
import type { SimIdentity } from '../contracts';
import { AwsSimError, Ec2ApiError } from './errors';

/**
 * What a policy grants for one EC2 action:
 * - `'allow'`: on every resource;
 * - `'deny'`: on none (no identity-based policy allows it);
 * - `{ requireTagKey }`: only when every resource the action names carries that tag key, whatever its
 *   value — the `"Null": { "aws:ResourceTag/<key>": "false" }` statement of the least-privilege policy,
 *   which AWS evaluates on each required resource (for attach and detach, the interface and the instance).
 */
export type Ec2Grant = 'allow' | 'deny' | { readonly requireTagKey: string };

/**
 * A stand-in for the caller's IAM policy, per action. Actions it does not name are allowed, as they are
 * when no policy is set (the simulator has no IAM otherwise). Only the actions that name resources by id
 * consult it: `AttachNetworkInterface` and `DetachNetworkInterface`.
 *
 * @example
 * ```ts
 * sim.world.permissions({
 *   principalArn: 'arn:aws:sts::123456789012:assumed-role/eni-pool/cli',
 *   actions: {
 *     AttachNetworkInterface: { requireTagKey: 'network-interface-manager-pool' },
 *     DetachNetworkInterface: 'deny',
 *   },
 * });
 * ```
 */
export interface Ec2PolicySpec {
  /** The caller named in `UnauthorizedOperation` messages. @defaultValue `arn:aws:iam::<account>:user/aws-sim` */
  readonly principalArn?: string;
  /** Grants by action name (`AttachNetworkInterface`, `DetachNetworkInterface`). */
  readonly actions: Readonly<Record<string, Ec2Grant>>;
}

/** A resource an action names, with what IAM conditions look at. */
export interface AuthorizedResource {
  /** `instance` or `network-interface`, as in the ARN. */
  readonly type: 'instance' | 'network-interface';
  readonly id: string;
  readonly tags: ReadonlyMap<string, string>;
}

const GOVERNED_ACTIONS: ReadonlySet<string> = new Set(['AttachNetworkInterface', 'DetachNetworkInterface']);

/** AWS's answer to a request with `DryRun=true` that would have been authorized. */
export function dryRunOperation(): Ec2ApiError {
  return new Ec2ApiError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
}

/**
 * The policy the EC2 model checks before attach and detach (dry run or not). Without a policy every
 * call is authorized.
 */
export class Ec2Permissions {
  private policy: Ec2PolicySpec | undefined;

  constructor(private readonly identity: SimIdentity) {}

  /** Sets the policy, or removes it (`undefined`: everything allowed again). */
  set(policy: Ec2PolicySpec | undefined): void {
    if (policy !== undefined) {
      for (const [action, grant] of Object.entries(policy.actions)) {
        if (!GOVERNED_ACTIONS.has(action)) {
          throw new AwsSimError(
            `permissions: ${action} is not checked by the simulator; use ${[...GOVERNED_ACTIONS].join(' or ')}`,
          );
        }
        const valid =
          grant === 'allow' ||
          grant === 'deny' ||
          (typeof grant === 'object' &&
            typeof grant.requireTagKey === 'string' &&
            grant.requireTagKey !== '');
        if (!valid)
          throw new AwsSimError(`permissions: invalid grant for ${action}: ${JSON.stringify(grant)}`);
      }
    }
    this.policy = policy;
  }

  /**
   * Throws `UnauthorizedOperation` (HTTP 403) naming the first resource the policy does not cover, as
   * AWS does; returns when the call is authorized.
   */
  authorize(action: string, resources: readonly AuthorizedResource[]): void {
    const grant = this.policy?.actions[action];
    if (grant === undefined || grant === 'allow') return;
    const refused =
      grant === 'deny' ? resources[0] : resources.find((resource) => !resource.tags.has(grant.requireTagKey));
    if (refused === undefined) return;
    throw this.unauthorized(action, refused);
  }

  private unauthorized(action: string, resource: AuthorizedResource): Ec2ApiError {
    const { account, region } = this.identity;
    const principal = this.policy?.principalArn ?? `arn:aws:iam::${account}:user/aws-sim`;
    const arn = `arn:aws:ec2:${region}:${account}:${resource.type}/${resource.id}`;
    // AWS appends an opaque encoded message for `sts decode-authorization-message`; this one is a digest.
    const encoded = createHash('sha256').update(`${principal}|${action}|${arn}`).digest('base64url');
    return new Ec2ApiError(
      'UnauthorizedOperation',
      `You are not authorized to perform this operation. User: ${principal} is not authorized to perform: ec2:${action} on resource: ${arn} because no identity-based policy allows the ec2:${action} action. Encoded authorization failure message: ${encoded}`,
      403,
    );
  }
}
