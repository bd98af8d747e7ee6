import { describe, expect, it } from 'vitest';
import { BatchedLookup } from '../../src/internal/batched-lookup';

function recorder() {
  const calls: string[][] = [];
  let release: (() => void) | undefined;
  let gate: Promise<void> = Promise.resolve();
  const lookup = new BatchedLookup<number>(async (keys) => {
    calls.push([...keys]);
    await gate;
    return new Map(keys.map((key) => [key, key.length]));
  });
  return {
    lookup,
    calls,
    hold() {
      gate = new Promise((resolve) => {
        release = resolve;
      });
    },
    release: () => release?.(),
  };
}

describe('BatchedLookup', () => {
  it('joins the lookups of one tick into one call, each key once, sorted', async () => {
    const { lookup, calls } = recorder();
    const [a, b] = await Promise.all([lookup.load(['i-bb', 'i-a']), lookup.load(['i-a', 'i-ccc'])]);
    expect(calls).toEqual([['i-a', 'i-bb', 'i-ccc']]);
    expect(a.get('i-bb')).toBe(4);
    expect(b.get('i-ccc')).toBe(5);
  });

  it('sends what was asked while a call is in flight together in the next call', async () => {
    const r = recorder();
    r.hold();
    const first = r.lookup.load(['i-1']);
    await Promise.resolve();
    await Promise.resolve();
    const second = r.lookup.load(['i-2']);
    const third = r.lookup.load(['i-3']);
    r.release();
    await Promise.all([first, second, third]);
    expect(r.calls).toEqual([['i-1'], ['i-2', 'i-3']]);
  });

  it('rejects every lookup of a failed batch, and the next batch goes out', async () => {
    let fail = true;
    const lookup = new BatchedLookup<string>(async (keys) => {
      if (fail) throw new Error('throttled');
      return new Map(keys.map((key) => [key, key]));
    });
    await expect(Promise.all([lookup.load(['a']), lookup.load(['b'])])).rejects.toThrow('throttled');
    fail = false;
    expect((await lookup.load(['c'])).get('c')).toBe('c');
  });
});
