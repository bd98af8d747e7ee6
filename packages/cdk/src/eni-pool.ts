import { Aws, Duration, Stack, Tags, Token, Validations } from 'aws-cdk-lib';
import { type AutoScalingGroup, CfnAutoScalingGroup } from 'aws-cdk-lib/aws-autoscaling';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  ApplicationLogLevel,
  Architecture,
  CfnPermission,
  type Code,
  EventSourceMapping,
  Function as LambdaFunctionResource,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { bundledCode } from './bundle';
import {
  DEFAULT_LIFECYCLE_HOOK_PREFIX,
  DEFAULT_POOL_TAG_KEY,
  LAST_INSTANCE_TAG_KEY,
  METRICS_NAMESPACE,
} from './constants';
import { InvalidEniPoolPropsError } from './errors';
import { checkHookPrefix, checkInteger, checkPoolName, checkTagKey } from './validation';

/** The SQS event source of `useQueue`: records per batch, and batches at once. */
const QUEUE_BATCH_SIZE = 10;
const QUEUE_MAX_CONCURRENCY = 5;

/**
 * Bounded invocations: the queue's event source runs at most QUEUE_MAX_CONCURRENCY batches at once, so
 * the other batches' attaches are all that can be due ahead of one; a reserved concurrency of N leaves
 * at most N - 1 other events in flight. Members beyond them wait in a queue and are not counted ahead.
 */
function pacingMaxAhead(props: EniPoolProps): { ENI_POOL_PACING_MAX_AHEAD?: string } {
  if (props.useQueue) {
    return { ENI_POOL_PACING_MAX_AHEAD: String((QUEUE_MAX_CONCURRENCY - 1) * QUEUE_BATCH_SIZE) };
  }
  const reserved = props.reservedConcurrency;
  if (reserved === undefined) return {};
  // A token (a deploy-time parameter) cannot be counted down here; N itself bounds N - 1 too.
  return {
    ENI_POOL_PACING_MAX_AHEAD: Token.isUnresolved(reserved) ? Token.asString(reserved) : String(reserved - 1),
  };
}

/** The runtimes the bundle is built and tested for. */
const SUPPORTED_RUNTIMES = ['nodejs24.x', 'nodejs22.x'];

/** Options of {@link EniPool}. Every field has a safe default; none is required. */
export interface EniPoolProps {
  /**
   * Manage only this pool, on every path including the sync: the function gets it as `ENI_POOL_POOLS` and
   * IAM requires the pool tag to have exactly this value. Leave it out to manage every pool in the account
   * and region (IAM then requires the tag to exist).
   * @defaultValue every pool
   */
  readonly poolName?: string;
  /** The pool tag key on interfaces, instances and groups. @defaultValue `'network-interface-manager-pool'` */
  readonly poolTagKey?: string;
  /** Where a free interface may come from for an instance. @defaultValue `'subnet'` */
  readonly placement?: 'subnet' | 'availability-zone';
  /** The function's code. @defaultValue the bundle shipped with this package ({@link bundledCode}) */
  readonly code?: Code;
  /** `nodejs24.x` or `nodejs22.x`. @defaultValue `Runtime.NODEJS_24_X` */
  readonly runtime?: Runtime;
  /** @defaultValue `Architecture.ARM_64` */
  readonly architecture?: Architecture;
  /** MiB. @defaultValue `256` */
  readonly memorySize?: number;
  /**
   * Keep it above the lifecycle launch budget (240 s) when lifecycle hooks are used; the queue's visibility
   * timeout is six times this. @defaultValue 300 seconds
   */
  readonly timeout?: Duration;
  /** Application log level (JSON log format). @defaultValue `'INFO'` */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** @defaultValue one year */
  readonly logRetention?: RetentionDays;
  /** A KMS key for the log group; its policy must allow the `logs.<region>.amazonaws.com` principal. @defaultValue CloudWatch Logs' own key */
  readonly logEncryptionKey?: IKey;
  /** X-Ray tracing. @defaultValue `Tracing.ACTIVE` */
  readonly tracing?: Tracing;
  /** At most this many concurrent invocations (reserved concurrency). @defaultValue no reservation */
  readonly reservedConcurrency?: number;
  /** Complete lifecycle actions of eni-pool's own hooks. @defaultValue `true` */
  readonly lifecycleHooks?: boolean;
  /** eni-pool acts only on hooks whose name starts with this. @defaultValue `'eni-pool'` */
  readonly lifecycleHookPrefix?: string;
  /** Result of a launch action whose instance got no interface in time. @defaultValue `'ABANDON'` */
  readonly lifecycleResultOnFailure?: 'ABANDON' | 'CONTINUE';
  /** How often the pools are fully reconciled. @defaultValue every 5 minutes */
  readonly syncSchedule?: Schedule;
  /** Deliver events through an SQS queue (with a dead-letter queue) consumed in batches. @defaultValue `false` */
  readonly useQueue?: boolean;
  /** The topic every alarm notifies. @defaultValue a topic created here (TLS only), see {@link EniPool.alarmTopic} */
  readonly alarmTopic?: ITopic;
}

/** Options of {@link EniPool.addAutoScalingGroup}. */
export interface AutoScalingGroupOptions {
  /**
   * Tag the group with this pool (propagated to its instances). Must equal the construct's `poolName` when
   * that is set. @defaultValue the construct's `poolName`, else no tag (tag the group yourself)
   */
  readonly pool?: string;
  /** Seconds; at least twice the handler's heartbeat interval (60 s). @defaultValue 300 seconds */
  readonly launchHeartbeatTimeout?: Duration;
  /** @defaultValue 180 seconds */
  readonly terminateHeartbeatTimeout?: Duration;
}

/** The two hooks {@link EniPool.addAutoScalingGroup} put on a group. */
export interface EniPoolHooks {
  readonly launchHookName: string;
  readonly terminateHookName: string;
}

/**
 * The eni-pool manager: the bundled function, its EventBridge rules (EC2 state changes, eni-pool's own
 * lifecycle actions, a periodic sync), an optional SQS buffer, the failed-events queue, alarms, and a
 * least-privilege role — the same deployment as `cloudformation/eni-pool.yaml` of
 * `@eni-pool/lambda-adapter`.
 *
 * @example
 * ```ts
 * const eniPool = new EniPool(this, 'EniPool', { poolName: 'bastion' });
 * eniPool.addAutoScalingGroup(bastionGroup); // hooks on the group, in place before its first launch
 * new EniPoolInterfaces(this, 'Addresses', { vpc, pool: 'bastion' });
 * ```
 */
export class EniPool extends Construct {
  readonly function: LambdaFunctionResource;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** Where events end that could not be handled (failed asynchronous invokes, undeliverable events). */
  readonly failedEventsQueue: Queue;
  /** The buffering queue, with `useQueue: true`. */
  readonly eventQueue?: Queue;
  /** Its dead-letter queue, with `useQueue: true`. */
  readonly eventDeadLetterQueue?: Queue;
  /** The topic every alarm notifies (the one passed in, or the one created here). */
  readonly alarmTopic: ITopic;
  readonly alarms: readonly Alarm[];
  readonly poolName?: string;
  readonly poolTagKey: string;
  readonly lifecycleHookPrefix: string;
  readonly lifecycleHooks: boolean;

  constructor(scope: Construct, id: string, props: EniPoolProps = {}) {
    super(scope, id);
    const poolTagKey = props.poolTagKey ?? DEFAULT_POOL_TAG_KEY;
    checkTagKey(poolTagKey, 'poolTagKey');
    if (props.poolName !== undefined) checkPoolName(props.poolName, 'poolName');
    const prefix = props.lifecycleHookPrefix ?? DEFAULT_LIFECYCLE_HOOK_PREFIX;
    checkHookPrefix(prefix, 'lifecycleHookPrefix');
    const runtime = props.runtime ?? Runtime.NODEJS_24_X;
    if (!SUPPORTED_RUNTIMES.includes(runtime.name)) {
      throw new InvalidEniPoolPropsError(
        `runtime must be one of ${SUPPORTED_RUNTIMES.join(', ')}, got ${runtime.name}`,
        'runtime',
      );
    }
    const memorySize = props.memorySize ?? 256;
    checkInteger(memorySize, 'memorySize', 128, 10_240);
    const timeout = props.timeout ?? Duration.seconds(300);
    checkInteger(timeout.toSeconds(), 'timeout', 60, 900);
    if (props.reservedConcurrency !== undefined) {
      // With the queue, the event source runs up to 5 batches at once; fewer reserved would throttle them.
      checkInteger(props.reservedConcurrency, 'reservedConcurrency', props.useQueue ? 5 : 1, 10_000);
    }
    const lifecycleHooks = props.lifecycleHooks ?? true;
    this.poolName = props.poolName;
    this.poolTagKey = poolTagKey;
    this.lifecycleHookPrefix = prefix;
    this.lifecycleHooks = lifecycleHooks;

    const stack = Stack.of(this);
    const tagCondition = (key: string) =>
      props.poolName === undefined
        ? { Null: { [`${key}/${poolTagKey}`]: 'false' } }
        : { StringEquals: { [`${key}/${poolTagKey}`]: props.poolName } };
    // Pseudo parameters rather than the stack's environment, so the ARNs (and the findings that name them)
    // read the same in every stack.
    const ec2Arn = (resource: string) =>
      `arn:${Aws.PARTITION}:ec2:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}/*`;

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      encryptionKey: props.logEncryptionKey,
    });
    this.failedEventsQueue = new Queue(this, 'FailedEventsQueue', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });

    const statements = [
      // Describe* supports no resource-level permissions: "*" is the only valid resource.
      new PolicyStatement({
        sid: 'DescribePoolState',
        actions: ['ec2:DescribeInstances', 'ec2:DescribeNetworkInterfaces'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:RequestedRegion': Aws.REGION } },
      }),
      new PolicyStatement({
        sid: 'DescribeAutoScalingLifecycleStates',
        actions: ['autoscaling:DescribeAutoScalingGroups'],
        resources: ['*'],
      }),
      new PolicyStatement({
        sid: 'AttachDetachPoolInterfaces',
        actions: ['ec2:AttachNetworkInterface', 'ec2:DetachNetworkInterface'],
        resources: [ec2Arn('network-interface')],
        conditions: tagCondition('aws:ResourceTag'),
      }),
      new PolicyStatement({
        sid: 'AttachDetachPoolInstances',
        actions: ['ec2:AttachNetworkInterface', 'ec2:DetachNetworkInterface'],
        resources: [ec2Arn('instance')],
        conditions: tagCondition('aws:ResourceTag'),
      }),
      new PolicyStatement({
        sid: 'TagPoolInterfacesWithLastInstance',
        actions: ['ec2:CreateTags'],
        resources: [ec2Arn('network-interface')],
        // Only the one tag key eni-pool writes, on pool interfaces (Null on aws:TagKeys: a request that sets
        // no tag cannot pass the ForAllValues test vacuously).
        conditions:
          props.poolName === undefined
            ? {
                Null: { [`aws:ResourceTag/${poolTagKey}`]: 'false', 'aws:TagKeys': 'false' },
                'ForAllValues:StringEquals': { 'aws:TagKeys': [LAST_INSTANCE_TAG_KEY] },
              }
            : {
                StringEquals: { [`aws:ResourceTag/${poolTagKey}`]: props.poolName },
                Null: { 'aws:TagKeys': 'false' },
                'ForAllValues:StringEquals': { 'aws:TagKeys': [LAST_INSTANCE_TAG_KEY] },
              },
      }),
      ...(lifecycleHooks
        ? [
            new PolicyStatement({
              sid: 'CompleteLifecycleActionsOfPoolGroups',
              actions: ['autoscaling:CompleteLifecycleAction', 'autoscaling:RecordLifecycleActionHeartbeat'],
              resources: [
                `arn:${Aws.PARTITION}:autoscaling:${Aws.REGION}:${Aws.ACCOUNT_ID}:autoScalingGroup:*:autoScalingGroupName/*`,
              ],
              conditions: tagCondition('autoscaling:ResourceTag'),
            }),
          ]
        : []),
      new PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    ];

    if (props.useQueue) {
      this.eventDeadLetterQueue = new Queue(this, 'EventDeadLetterQueue', {
        retentionPeriod: Duration.days(14),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      });
      this.eventQueue = new Queue(this, 'EventQueue', {
        // Lambda's guidance for SQS event sources: at least six times the function timeout.
        visibilityTimeout: Duration.seconds(6 * timeout.toSeconds()),
        retentionPeriod: Duration.days(4),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        deadLetterQueue: { queue: this.eventDeadLetterQueue, maxReceiveCount: 5 },
      });
      statements.push(
        new PolicyStatement({
          sid: 'ConsumeOwnQueue',
          actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
          resources: [this.eventQueue.queueArn],
        }),
      );
    }

    this.role = new Role(this, 'FunctionRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: { 'eni-pool': new PolicyDocument({ statements }) },
    });

    const environment: Record<string, string> = {
      ENI_POOL_PLACEMENT: props.placement ?? 'subnet',
      ENI_POOL_LOG_LEVEL: props.logLevel ?? 'INFO',
      ENI_POOL_LIFECYCLE_HOOKS: lifecycleHooks ? 'enabled' : 'disabled',
      ENI_POOL_LIFECYCLE_RESULT_ON_FAILURE: props.lifecycleResultOnFailure ?? 'ABANDON',
      ENI_POOL_LIFECYCLE_HOOK_PREFIX: prefix,
      ENI_POOL_POOLS: props.poolName ?? '',
      POWERTOOLS_SERVICE_NAME: 'eni-pool',
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      ...(poolTagKey === DEFAULT_POOL_TAG_KEY ? {} : { ENI_POOL_TAG_KEY: poolTagKey }),
      ...pacingMaxAhead(props),
    };

    this.function = new LambdaFunctionResource(this, 'Function', {
      description:
        'Attaches pool network interfaces to running pool instances and releases them when they stop.',
      runtime,
      handler: 'index.handler',
      code: props.code ?? bundledCode(),
      architecture: props.architecture ?? Architecture.ARM_64,
      memorySize,
      timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel[props.logLevel ?? 'INFO'],
      systemLogLevelV2: SystemLogLevel.WARN,
      tracing: props.tracing ?? Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment,
      // Asynchronous invokes (the rules) that still fail after Lambda's retries.
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(this.failedEventsQueue),
    });

    const deliveryOptions = {
      deadLetterQueue: this.failedEventsQueue,
      retryAttempts: 24,
      maxEventAge: Duration.hours(1),
    };
    const eventTarget = this.eventQueue
      ? new SqsQueue(this.eventQueue, deliveryOptions)
      : new LambdaFunction(this.function, deliveryOptions);

    new Rule(this, 'StateChangeRule', {
      description: 'EC2 state changes that can move a pool interface.',
      eventPattern: {
        source: ['aws.ec2'],
        detailType: ['EC2 Instance State-change Notification'],
        detail: { state: ['running', 'stopping', 'stopped', 'shutting-down', 'terminated'] },
      },
      targets: [eventTarget],
    });
    if (lifecycleHooks) {
      new Rule(this, 'LifecycleRule', {
        description: `Auto Scaling lifecycle actions of eni-pool's own hooks (name starting with ${prefix}).`,
        eventPattern: {
          source: ['aws.autoscaling'],
          detailType: ['EC2 Instance-launch Lifecycle Action', 'EC2 Instance-terminate Lifecycle Action'],
          detail: { LifecycleHookName: [{ prefix }] },
        },
        targets: [eventTarget],
      });
    }
    new Rule(this, 'SyncRule', {
      description: 'Periodic full reconcile of the pools this function manages.',
      schedule: props.syncSchedule ?? Schedule.rate(Duration.minutes(5)),
      // A sync that could not run within five minutes is superseded by the next one.
      targets: [
        new LambdaFunction(this.function, {
          deadLetterQueue: this.failedEventsQueue,
          retryAttempts: 5,
          maxEventAge: Duration.minutes(5),
        }),
      ],
    });

    if (this.eventQueue) {
      new EventSourceMapping(this, 'EventQueueMapping', {
        target: this.function,
        eventSourceArn: this.eventQueue.queueArn,
        batchSize: QUEUE_BATCH_SIZE,
        maxBatchingWindow: Duration.seconds(5),
        reportBatchItemFailures: true,
        maxConcurrency: QUEUE_MAX_CONCURRENCY,
      });
    }

    // Control Tower's proactive check: service principals may invoke only on behalf of this account.
    for (const child of this.node.findAll()) {
      if (child instanceof CfnPermission) child.sourceAccount = stack.account;
    }

    this.alarmTopic =
      props.alarmTopic ?? new Topic(this, 'AlarmTopic', { displayName: 'eni-pool alarms', enforceSSL: true });
    const action = new SnsAction(this.alarmTopic);
    const alarms: Alarm[] = [
      new Alarm(this, 'UnsatisfiedInstancesAlarm', {
        alarmDescription:
          'A running pool instance has had no pool interface for 10 minutes (pool exhausted, no interface in its subnet, attachment limit...). Look for "unsatisfied" in the function\'s logs.',
        metric: new MathExpression({
          expression: `SELECT MAX(UnsatisfiedInstances) FROM SCHEMA("${METRICS_NAMESPACE}", Pool)`,
          usingMetrics: {},
          period: Duration.minutes(5),
        }),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold: 0,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'FunctionErrorsAlarm', {
        alarmDescription: 'The eni-pool function failed (AWS errors after retries, timeouts).',
        metric: this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      queueAlarm(
        this,
        'FailedEventsAlarm',
        this.failedEventsQueue,
        'Events that could not be handled are waiting in the failed-events queue.',
      ),
    ];
    if (this.eventDeadLetterQueue) {
      alarms.push(
        queueAlarm(
          this,
          'PoisonEventsAlarm',
          this.eventDeadLetterQueue,
          'Messages the function could not process were moved to the dead-letter queue.',
        ),
      );
    }
    for (const alarm of alarms) alarm.addAlarmAction(action);
    this.alarms = alarms;
    this.acknowledgeFindings(lifecycleHooks);
  }

  /**
   * The cdk-nag findings this construct's design answers, each acknowledged with its reason, so an
   * application running cdk-nag sees them justified rather than hidden.
   */
  private acknowledgeFindings(lifecycleHooks: boolean): void {
    const arn = (rest: string) => `Resource::arn:<AWS::Partition>:${rest}`;
    const acknowledge = (construct: Construct, id: string, reason: string) =>
      Validations.of(construct).acknowledge({ id, reason });
    acknowledge(
      this.role,
      'AwsSolutions-IAM5[Resource::*]',
      'Only actions with no resource type are on "*": ec2:DescribeInstances and ec2:DescribeNetworkInterfaces (limited to the stack\'s region), autoscaling:DescribeAutoScalingGroups, and X-Ray\'s PutTraceSegments and PutTelemetryRecords when tracing is active.',
    );
    acknowledge(
      this.role,
      `AwsSolutions-IAM5[${arn('ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*')}]`,
      'Attach, detach and the last-instance tag act on whichever pool interface is free; the statements require the pool tag on the interface (its exact value with poolName), and CreateTags is limited to the one tag key eni-pool writes.',
    );
    acknowledge(
      this.role,
      `AwsSolutions-IAM5[${arn('ec2:<AWS::Region>:<AWS::AccountId>:instance/*')}]`,
      'Instances are replaced by Auto Scaling and cannot be named in advance; attach and detach require the pool tag on the instance (its exact value with poolName).',
    );
    if (lifecycleHooks) {
      acknowledge(
        this.role,
        `AwsSolutions-IAM5[${arn('autoscaling:<AWS::Region>:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/*')}]`,
        'A group ARN contains a UUID unknown before the group exists, and the function serves every group of its pools; the statement requires the pool tag on the group (its exact value with poolName).',
      );
    }
    acknowledge(
      this.role,
      'Serverless-LambdaStarPermissions',
      'The statements of AwsSolutions-IAM5 above: no action is a wildcard, and each "*" in a resource is required (Describe, X-Ray) or narrowed by the pool tag condition.',
    );
    acknowledge(
      this.function,
      'Serverless-LambdaDLQ',
      'Failed asynchronous invokes go to the failed-events queue through the on-failure destination, which records the error with the event; a dead-letter queue as well would record each failure twice.',
    );
    acknowledge(
      this.failedEventsQueue,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter destination of the function and of the rules.',
    );
    acknowledge(
      this.failedEventsQueue,
      'Serverless-SQSRedrivePolicy',
      'This queue is itself the dead-letter destination of the function and of the rules; an operator reads it.',
    );
    if (this.eventDeadLetterQueue) {
      acknowledge(
        this.eventDeadLetterQueue,
        'Serverless-SQSRedrivePolicy',
        'The dead-letter queue of the event queue; its messages are for an operator (PoisonEventsAlarm).',
      );
      acknowledge(
        this.node.findChild('EventQueueMapping'),
        'Serverless-LambdaEventSourceMappingDestination',
        "Lambda takes no on-failure destination for an SQS event source; the queue's redrive policy moves a message that keeps failing to the dead-letter queue after 5 receives.",
      );
    }
  }

  /**
   * Wires eni-pool's lifecycle hooks to `group`: a launch hook (`<prefix>-launch`, default result ABANDON)
   * and a terminate hook (`<prefix>-terminate`, CONTINUE), written into the group's own
   * `LifecycleHookSpecificationList` so they exist before its first instance launches (a separate
   * `AWS::AutoScaling::LifecycleHook` is created after the group, too late for the first launches). The
   * construct's lifecycle rule delivers their actions; nothing else is created, so each action arrives once.
   *
   * @throws InvalidEniPoolPropsError when lifecycle hooks are disabled, a timeout is out of range, or the
   *   pool contradicts `poolName`.
   * @example
   * ```ts
   * const group = new AutoScalingGroup(this, 'Bastions', { vpc, launchTemplate, minCapacity: 2 });
   * eniPool.addAutoScalingGroup(group, { pool: 'bastion' });
   * ```
   */
  addAutoScalingGroup(
    group: AutoScalingGroup | CfnAutoScalingGroup,
    options: AutoScalingGroupOptions = {},
  ): EniPoolHooks {
    if (!this.lifecycleHooks) {
      throw new InvalidEniPoolPropsError(
        'addAutoScalingGroup needs lifecycle hooks: this EniPool was created with lifecycleHooks: false',
        'lifecycleHooks',
      );
    }
    const launch = options.launchHeartbeatTimeout ?? Duration.seconds(300);
    const terminate = options.terminateHeartbeatTimeout ?? Duration.seconds(180);
    // At least twice the handler's 60-second heartbeat interval; at most Auto Scaling's 7200 seconds.
    checkInteger(launch.toSeconds(), 'launchHeartbeatTimeout', 120, 7200);
    checkInteger(terminate.toSeconds(), 'terminateHeartbeatTimeout', 120, 7200);
    const pool = options.pool ?? this.poolName;
    if (pool !== undefined) checkPoolName(pool, 'pool');
    if (this.poolName !== undefined && pool !== this.poolName) {
      throw new InvalidEniPoolPropsError(
        `pool '${pool}' is not this EniPool's pool '${this.poolName}'`,
        'pool',
      );
    }
    const cfn =
      group instanceof CfnAutoScalingGroup ? group : (group.node.defaultChild as CfnAutoScalingGroup);
    const existing = cfn.lifecycleHookSpecificationList;
    if (existing !== undefined && !Array.isArray(existing)) {
      throw new InvalidEniPoolPropsError(
        `the group ${cfn.node.path} has a lifecycle hook list that is a token; add eni-pool's hooks to it yourself`,
        'group',
      );
    }
    const hooks: EniPoolHooks = {
      launchHookName: `${this.lifecycleHookPrefix}-launch`,
      terminateHookName: `${this.lifecycleHookPrefix}-terminate`,
    };
    const names = new Set(
      (existing ?? []).map((hook) =>
        Token.isUnresolved(hook)
          ? undefined
          : (hook as CfnAutoScalingGroup.LifecycleHookSpecificationProperty).lifecycleHookName,
      ),
    );
    if (names.has(hooks.launchHookName) || names.has(hooks.terminateHookName)) {
      throw new InvalidEniPoolPropsError(`the group ${cfn.node.path} already has eni-pool's hooks`, 'group');
    }
    cfn.lifecycleHookSpecificationList = [
      ...(existing ?? []),
      {
        lifecycleHookName: hooks.launchHookName,
        lifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
        heartbeatTimeout: launch.toSeconds(),
        // An instance that never got its address is replaced, also when the handler itself is gone.
        defaultResult: 'ABANDON',
      },
      {
        lifecycleHookName: hooks.terminateHookName,
        lifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
        heartbeatTimeout: terminate.toSeconds(),
        // Termination goes ahead either way; CONTINUE lets other terminate hooks run too.
        defaultResult: 'CONTINUE',
      },
    ];
    if (pool !== undefined) Tags.of(group).add(this.poolTagKey, pool, { applyToLaunchedInstances: true });
    return hooks;
  }
}

function queueAlarm(scope: Construct, id: string, queue: Queue, description: string): Alarm {
  return new Alarm(scope, id, {
    alarmDescription: description,
    metric: new Metric({
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensionsMap: { QueueName: queue.queueName },
      statistic: 'Maximum',
      period: Duration.minutes(5),
    }),
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    threshold: 0,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}
