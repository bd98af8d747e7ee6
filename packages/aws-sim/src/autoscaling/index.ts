/**
 * The Auto Scaling part of the simulator.
 *
 * Wiring (in the composition and the HTTP server):
 * ```ts
 * const autoscaling = new AutoScalingModel({ fleet, events, queues, identity, timeScale,
 *   snapshotAttachments: (id) => ec2.attachmentsOf(id) });
 * // form body with Version=2011-01-01:
 * return handleAutoScalingQuery(autoscaling, new QueryParams(body));
 * // on stop:
 * autoscaling.close();
 * ```
 */
export { AutoScalingApiError, autoScalingErrors } from './errors';
export { AUTOSCALING_ACTIONS, handleAutoScalingQuery } from './handler';
export { AutoScalingModel, type LifecycleActionRef, type ScalingActivity } from './model';
export type { TokenBucketOptions } from './throttle';
export type * from './types';
export { AUTOSCALING_XMLNS } from './wire';
