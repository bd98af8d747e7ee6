/**
 * The Auto Scaling part of the simulator.
 *
 * Wiring into `AwsSim` (sim.ts) and the server routes:
 * ```ts
 * // AwsSimOptions: readonly autoscaling?: Pick<AutoScalingModelOptions,
 * //   'timeScale' | 'throttle' | 'launchRetryMs' | 'activityEvents' | 'defaultInstanceType'>;
 * this.autoscaling = new AutoScalingModel({
 *   ...options.autoscaling,
 *   fleet: this.ec2,
 *   events: this.events,
 *   queues: this.sqs, // any QueueSink; hook targets are queue ARNs
 *   identity: this.identity,
 *   snapshotAttachments: (instanceId) => this.world.attachmentsOf(instanceId),
 * });
 * // routes: { autoscaling: (query) => handleAutoScalingQuery(sim.autoscaling, query) }
 * // stop(): this.autoscaling.close();
 * ```
 */

export type { TokenBucketOptions } from '../token-bucket';
export { AutoScalingApiError, autoScalingErrors } from './errors';
export { AUTOSCALING_ACTIONS, handleAutoScalingQuery } from './handler';
export { AutoScalingModel, type LifecycleActionRef, type ScalingActivity } from './model';
export type * from './types';
export { AUTOSCALING_XMLNS } from './wire';
