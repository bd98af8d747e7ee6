import type { CommandName } from './args';

const COMMON = `Common options:
  --pool NAME           a pool (the value of the pool tag); repeat for several; default: every pool
  --json                print one JSON document on stdout (shape: README, "JSON output")
  --region REGION       AWS region (default: the SDK's: AWS_REGION, the profile)
  --profile NAME        shared config/credentials profile (default: AWS_PROFILE, "default")
  --endpoint-url URL    send every AWS call to this endpoint (a simulator, a VPC endpoint)
  --tag-key KEY         the pool tag key (default: network-interface-manager-pool)
  --placement P         subnet | availability-zone, as the deployed function is set (default: subnet)
  -h, --help            this help; \`eni-pool <command> --help\` for one command
  --version             the version

Exit codes: 0 all well; 1 something to fix, or an AWS call or action failed; 2 bad command line.
Results go to stdout, progress, questions and errors to stderr; colour only on a terminal (NO_COLOR
turns it off). Credentials, region and endpoints also come from the standard AWS SDK environment.`;

const COMMAND_HELP: Readonly<Record<CommandName, string>> = {
  status: `eni-pool status [--pool P]…

Per pool, a table of its interfaces: private IP (and the public IP of an associated Elastic IP),
subnet and zone, status, the instance holding it and its state, and the instance it last served;
then the running members without an interface of their pool, with the planner's reason.
Read-only (describes only). Exit 1 when a running member holds no interface of its pool.`,
  plan: `eni-pool plan [--pool P]…

The dry run: the exact attaches and detaches a reconcile would make now, and the reason for each,
planned as the deployed function plans (including members Auto Scaling is terminating).
Read-only (describes only). Exit 0 when there is nothing to do, 1 when there are actions or members
that cannot be served.`,
  sync: `eni-pool sync [--pool P]… [--yes] [--progress]

Reconciles now: attaches and detaches as the deployed function would, then prints a summary.
On a terminal it shows the plan and asks first; --yes (-y) skips the question and is required when
there is no terminal. Progress goes to stderr on a terminal, or with --progress.
Exit 0 when the pools converged, 1 when an action failed, members are left unserved, or the
question was answered no.`,
  doctor: `eni-pool doctor [--pool P]… [--group ASG]… [--hook-prefix PREFIX]

Checks, each as pass / warn / fail with the fix:
  pool-interfaces      the pool has interfaces
  groups               the pool's Auto Scaling groups (tagged with the pool, named by its members,
                       or given with --group)
  subnet-coverage      every subnet (zone, with --placement availability-zone) a group can launch in
                       has pool interfaces, against an even share of the group's MaxSize
  capacity             interfaces where the group launches, against its MaxSize
  tag-propagation      the group carries the pool tag with PropagateAtLaunch
  untagged-members     every instance of the group carries the pool tag
  lifecycle-hooks      eni-pool's launch and terminate hooks (names starting with --hook-prefix,
                       default eni-pool), with their heartbeat timeout and default result
  foreign-attachments  pool interfaces attached outside the pool (by another manager or a person),
                       or as an instance's primary interface
  permission-attach    ec2:AttachNetworkInterface and ec2:DetachNetworkInterface, asked with
  permission-detach    DryRun: EC2 answers whether it would allow them and changes nothing
Describes and DryRun calls only. Exit 1 when a check fails.`,
};

/**
 * `eni-pool --help`, or one command's help.
 *
 * @example
 * ```ts
 * process.stdout.write(helpText('doctor'));
 * ```
 */
export function helpText(command?: CommandName): string {
  if (command !== undefined) return `${COMMAND_HELP[command]}\n\n${COMMON}\n`;
  return `eni-pool: see and fix the ENI pools of an AWS account

Usage: eni-pool <command> [options]

Commands:
  status   each pool's interfaces, who holds them, and the members left without one
  plan     what a reconcile would change now, and why (read-only)
  sync     reconcile now (asks first on a terminal unless --yes)
  doctor   check subnets, tags, lifecycle hooks, foreign attachments and permissions

${Object.values(COMMAND_HELP).join('\n\n')}

${COMMON}
`;
}
