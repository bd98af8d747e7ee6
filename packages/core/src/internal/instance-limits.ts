import type { InstanceTypeLimits } from '../ec2-port';
import type { Logger } from '../logger';
import type { InstanceView } from '../model';
import type { Clock } from './clock';
import type { Ec2Calls } from './ec2-calls';

/**
 * The interface limits of instance types, from `DescribeInstanceTypes`, cached per process for `ttlMs`
 * (they change only with new instance types), and the limits learnt from `AttachmentLimitExceeded`.
 */
export class InstanceLimits {
  private readonly cache = new Map<
    string,
    { readonly limits: InstanceTypeLimits | null; readonly until: number }
  >();

  /** Types being described now, so a later `apply` waits for that call instead of making another. */
  private readonly loading = new Map<string, Promise<void>>();

  constructor(
    private readonly calls: Ec2Calls,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly ttlMs: number,
  ) {}

  /**
   * Starts describing the `types` not cached yet, without waiting: for the instance an event is about,
   * while the pool is still being read. A failure is logged by the call and leaves the limits unknown.
   */
  prefetch(types: Iterable<string>, signal?: AbortSignal): void {
    void this.load(new Set(types), signal);
  }

  private async load(types: ReadonlySet<string>, signal: AbortSignal | undefined): Promise<void> {
    const now = this.clock.now();
    const waits: Promise<void>[] = [];
    const missing: string[] = [];
    for (const type of types) {
      const pending = this.loading.get(type);
      if (pending !== undefined) waits.push(pending);
      else {
        const cached = this.cache.get(type);
        if (cached === undefined || cached.until <= now) missing.push(type);
      }
    }
    if (missing.length > 0) {
      const sorted = missing.sort();
      const call = this.describe(sorted, now, signal).finally(() => {
        for (const type of sorted) if (this.loading.get(type) === call) this.loading.delete(type);
      });
      for (const type of sorted) this.loading.set(type, call);
      waits.push(call);
    }
    await Promise.all(waits);
  }

  private async describe(types: readonly string[], now: number, signal: AbortSignal | undefined) {
    try {
      const found = new Map(
        (await this.calls.instanceTypeLimits(types, signal)).map((l) => [l.instanceType, l]),
      );
      for (const type of types)
        this.cache.set(type, { limits: found.get(type) ?? null, until: now + this.ttlMs });
    } catch (error) {
      this.logger.warn('could not read instance type limits; planning without them', {
        instanceTypes: types,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /**
   * `instances` with `maxInterfaces` set from their type, for the planned `networkCardIndex`: the
   * smaller of the type's total and that card's limit plus what sits on other cards. Types not cached
   * yet are described in one batched call, for the instances in `needed` only (those about to get an
   * interface); a failure is logged and leaves the limit unknown (EC2's own check still stands).
   */
  async apply(
    instances: readonly InstanceView[],
    needed: ReadonlySet<string>,
    networkCardIndex: number,
    signal?: AbortSignal,
  ): Promise<InstanceView[]> {
    const types = new Set<string>();
    for (const instance of instances) {
      if (instance.instanceType !== undefined && needed.has(instance.instanceId))
        types.add(instance.instanceType);
    }
    if (types.size > 0) await this.load(types, signal);
    return instances.map((instance) => {
      const limits =
        instance.instanceType === undefined ? undefined : this.cache.get(instance.instanceType)?.limits;
      if (!limits || instance.maxInterfaces !== undefined) return instance;
      const card = limits.networkCards.find((c) => c.networkCardIndex === networkCardIndex);
      const elsewhere = instance.attachments.filter(
        (a) => a.networkCardIndex !== networkCardIndex && a.status !== 'detached',
      ).length;
      const maxInterfaces =
        card === undefined
          ? limits.maxInterfaces
          : Math.min(limits.maxInterfaces, card.maxInterfaces + elsewhere);
      return { ...instance, maxInterfaces };
    });
  }
}

/** `instances` with the ones EC2 refused for `AttachmentLimitExceeded` capped at what they hold now. */
export function capAtCurrent(instances: readonly InstanceView[], full: ReadonlySet<string>): InstanceView[] {
  if (full.size === 0) return [...instances];
  return instances.map((instance) =>
    full.has(instance.instanceId)
      ? { ...instance, maxInterfaces: instance.attachments.filter((a) => a.status !== 'detached').length }
      : instance,
  );
}
