import { ArgumentError } from '@tfjs-vit/ops';
import { describe, expect, it } from 'vitest';
import { chooseSplit } from './pool_split';

const pick = (r: Parameters<typeof chooseSplit>[0]) => {
  const s = chooseSplit(r);
  return [s.workers, s.threadsPerWorker];
};

describe('chooseSplit', () => {
  it('auto: one single-threaded worker per core, spare cores as threads when images are fewer', () => {
    expect(pick({ cores: 2, images: 32 })).toEqual([2, 1]);
    expect(pick({ cores: 2, images: 1 })).toEqual([1, 2]);
    expect(pick({ cores: 2 })).toEqual([2, 1]);
    expect(pick({ cores: 8, images: 3 })).toEqual([3, 2]);
    expect(pick({ cores: 8, images: 0 })).toEqual([1, 8]);
    expect(pick({ cores: 1, images: 100 })).toEqual([1, 1]);
    // threads only for wide models (measured: B/16 gains from a second thread, Ti/16 loses)
    expect(pick({ cores: 2, images: 1, embedDim: 768 })).toEqual([1, 2]);
    expect(pick({ cores: 2, images: 1, embedDim: 192 })).toEqual([1, 1]);
    expect(pick({ cores: 2, images: 32, embedDim: 192 })).toEqual([2, 1]);
    expect(chooseSplit({ cores: 2, images: 1, embedDim: 192 }).reason).toMatch(/width 192 < 768/);
    // a fixed side is the caller's: the width does not change it
    expect(pick({ cores: 2, workers: 1, embedDim: 192 })).toEqual([1, 2]);
  });

  it('a fixed side gets what the cores leave; never more than the cores', () => {
    expect(pick({ cores: 8, workers: 2 })).toEqual([2, 4]);
    expect(pick({ cores: 8, workers: 3 })).toEqual([3, 2]);
    expect(pick({ cores: 8, threadsPerWorker: 2 })).toEqual([4, 2]);
    expect(pick({ cores: 8, threadsPerWorker: 2, images: 1 })).toEqual([1, 2]);
    expect(pick({ cores: 2, workers: 1, threadsPerWorker: 2 })).toEqual([1, 2]);
    expect(pick({ cores: 2, workers: 'auto', threadsPerWorker: 'auto', images: 5 })).toEqual([2, 1]);
    for (const [w, t, n] of [[1, 1, 1], [2, 1, 7], [3, 2, 8]]) {
      const s = chooseSplit({ cores: 8, workers: w, threadsPerWorker: t, images: n });
      expect(s.workers * s.threadsPerWorker).toBeLessThanOrEqual(8);
    }
  });

  it('refuses splits beyond the cores and bad values, naming them', () => {
    expect(() => chooseSplit({ cores: 2, workers: 2, threadsPerWorker: 2 })).toThrow(/2 × 2 = 4 is more than the 2 cores/);
    expect(() => chooseSplit({ cores: 2, workers: 3 })).toThrow(/workers 3 is more than the 2 cores/);
    expect(() => chooseSplit({ cores: 2, threadsPerWorker: 4 })).toThrow(/threadsPerWorker 4 is more than the 2 cores/);
    expect(() => chooseSplit({ cores: 2, workers: 0 })).toThrow(ArgumentError);
    expect(() => chooseSplit({ cores: 2, workers: 1.5 })).toThrow(/workers must be a positive integer or 'auto', got 1.5/);
    expect(() => chooseSplit({ cores: 0 })).toThrow(/cores must be a positive integer, got 0/);
  });
});
