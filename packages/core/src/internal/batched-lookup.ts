/**
 * Joins concurrent lookups by key into one call, one call at a time: the keys asked for in the same
 * tick, or while a call is in flight, go together in the next call (the batching of DataLoader). A
 * manager shared by the events of a burst then asks EC2 about many instances at once, not once per event.
 */
export class BatchedLookup<V> {
  private next: { readonly keys: Set<string>; result?: Promise<ReadonlyMap<string, V>> } | undefined;
  private previous: Promise<unknown> = Promise.resolve();

  /** `fetch` gets every key of a batch once, sorted, and answers with what it found. */
  constructor(private readonly fetch: (keys: readonly string[]) => Promise<ReadonlyMap<string, V>>) {}

  /** What the batch these keys join found, for all of its keys (a failure of the call rejects it). */
  load(keys: Iterable<string>): Promise<ReadonlyMap<string, V>> {
    let batch = this.next;
    if (batch === undefined) {
      const opened: { readonly keys: Set<string>; result?: Promise<ReadonlyMap<string, V>> } = {
        keys: new Set(),
      };
      opened.result = this.previous.then(() => {
        if (this.next === opened) this.next = undefined;
        return this.fetch([...opened.keys].sort());
      });
      this.previous = opened.result.catch(() => undefined);
      this.next = opened;
      batch = opened;
    }
    for (const key of keys) batch.keys.add(key);
    return batch.result as Promise<ReadonlyMap<string, V>>;
  }
}
