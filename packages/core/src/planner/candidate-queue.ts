import { compareStrings } from './compare';
import type { PoolInterface } from './state-index';

/** Interfaces sharing one fixed device index (or none), in interface-id order. */
interface Bucket {
  readonly fixedIndex: number | undefined;
  readonly items: PoolInterface[];
  next: number;
}

interface HeapEntry {
  readonly headId: string;
  readonly bucket: Bucket;
}

/**
 * The interfaces one instance may draw from (one pool, one subnet or zone), handed out in id order.
 *
 * Interfaces are bucketed by the device index they fix, because whether an instance can take an
 * interface depends only on that index: when a bucket's head does not fit, no member of the bucket does.
 * A heap of bucket heads then yields the lowest-id interface that fits in O(log b) per rejected bucket,
 * instead of a scan of every interface. Interfaces taken elsewhere (`taken`) are skipped lazily.
 */
export class CandidateQueue {
  private readonly heap: HeapEntry[] = [];
  private readonly buckets = new Map<number | undefined, Bucket>();
  private sorted = false;

  constructor(private readonly taken: ReadonlySet<string>) {}

  add(iface: PoolInterface): void {
    let bucket = this.buckets.get(iface.fixedIndex);
    if (bucket === undefined) {
      bucket = { fixedIndex: iface.fixedIndex, items: [], next: 0 };
      this.buckets.set(iface.fixedIndex, bucket);
    }
    bucket.items.push(iface);
    this.sorted = false;
  }

  /**
   * Removes and returns the lowest-id interface for which `fits(fixedIndex)` holds, or undefined.
   * `fits` is asked once per distinct fixed index at most.
   */
  take(fits: (fixedIndex: number | undefined) => boolean): PoolInterface | undefined {
    this.prepare();
    const rejected: HeapEntry[] = [];
    let found: PoolInterface | undefined;
    while (this.heap.length > 0) {
      const entry = this.heap[0]!;
      const head = this.head(entry.bucket);
      if (head === undefined) {
        this.pop();
      } else if (head.view.networkInterfaceId !== entry.headId) {
        this.pop();
        this.push({ headId: head.view.networkInterfaceId, bucket: entry.bucket });
      } else if (!fits(entry.bucket.fixedIndex)) {
        rejected.push(this.pop());
      } else {
        this.pop();
        entry.bucket.next += 1;
        const following = this.head(entry.bucket);
        if (following !== undefined)
          this.push({ headId: following.view.networkInterfaceId, bucket: entry.bucket });
        found = head;
        break;
      }
    }
    for (const entry of rejected) this.push(entry);
    return found;
  }

  private head(bucket: Bucket): PoolInterface | undefined {
    while (bucket.next < bucket.items.length) {
      const item = bucket.items[bucket.next]!;
      if (!this.taken.has(item.view.networkInterfaceId)) return item;
      bucket.next += 1;
    }
    return undefined;
  }

  private prepare(): void {
    if (this.sorted) return;
    this.heap.length = 0;
    for (const bucket of this.buckets.values()) {
      bucket.items.sort((a, b) => compareStrings(a.view.networkInterfaceId, b.view.networkInterfaceId));
      bucket.next = 0;
      const head = this.head(bucket);
      if (head !== undefined) this.push({ headId: head.view.networkInterfaceId, bucket });
    }
    this.sorted = true;
  }

  private push(entry: HeapEntry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compareStrings(heap[parent]!.headId, entry.headId) <= 0) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): HeapEntry {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child =
          right < heap.length && compareStrings(heap[right]!.headId, heap[left]!.headId) < 0 ? right : left;
        if (compareStrings(heap[child]!.headId, last.headId) >= 0) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
