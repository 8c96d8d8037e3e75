// createBatcher: items submitted together share one call, in order; a failing call fails its items only.
import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher';

describe('createBatcher', () => {
  it('groups concurrent items into batches of at most maxSize, one batch at a time, each output to its item', async () => {
    const calls: number[][] = [];
    let running = 0;
    let overlap = false;
    const square = createBatcher(async (xs: number[]) => {
      calls.push(xs);
      overlap ||= running++ > 0;
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return xs.map((x) => x * x);
    }, { maxSize: 4, maxWaitMs: 10 });
    const out = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(square));
    expect(out).toEqual([1, 4, 9, 16, 25, 36, 49, 64, 81, 100]);
    expect(calls).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]);
    expect(overlap).toBe(false);
  });

  it('a lone item runs after maxWaitMs; a throwing batch rejects its own items and the next batch still runs', async () => {
    const f = createBatcher(async (xs: string[]) => {
      if (xs.includes('bad')) throw new Error('model exploded');
      return xs.map((x) => x.toUpperCase());
    }, { maxSize: 2, maxWaitMs: 5 });
    const t = Date.now();
    expect(await f('a')).toBe('A');
    expect(Date.now() - t).toBeGreaterThanOrEqual(4);
    const [bad, alsoBad, good] = await Promise.allSettled([f('bad'), f('x'), f('y')]);
    expect(bad).toEqual({ status: 'rejected', reason: new Error('model exploded') });
    expect(alsoBad.status).toBe('rejected'); // same batch as 'bad'
    expect(good).toEqual({ status: 'fulfilled', value: 'Y' });
    expect(() => createBatcher(async (x: number[]) => x, { maxSize: 0 })).toThrow(/maxSize must be a positive integer, got 0/);
  });

  it('a run that returns the wrong number of outputs rejects with a message saying so', async () => {
    const f = createBatcher(async () => [1], { maxSize: 2, maxWaitMs: 1 });
    await expect(Promise.all([f(1), f(2)])).rejects.toThrow(/run returned 1 outputs for 2 items/);
  });
});
