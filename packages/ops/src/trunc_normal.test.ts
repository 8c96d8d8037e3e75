import * as tf from '@tensorflow/tfjs-core';
import { describeBackends } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { ArgumentError } from './errors';
import { truncNormal } from './trunc_normal';

// Independent reference: the standard normal CDF by Simpson integration of the density.
function phiCdf(z: number): number {
  const lo = -12;
  if (z <= lo) return 0;
  const n = 4000;
  const h = (z - lo) / n;
  const f = (t: number) => Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI);
  let s = f(lo) + f(z);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(lo + i * h);
  return (s * h) / 3;
}

/** Kolmogorov–Smirnov statistic of `xs` against N(mean, std) truncated to [a, b]. */
function ksStatistic(xs: Float32Array, mean: number, std: number, a: number, b: number): number {
  const sorted = Float64Array.from(xs).sort();
  const lo = phiCdf((a - mean) / std);
  const hi = phiCdf((b - mean) / std);
  let d = 0;
  const step = Math.max(1, Math.floor(sorted.length / 400)); // evaluate the CDF at 400 points
  for (let i = 0; i < sorted.length; i += step) {
    const f = (phiCdf((sorted[i] - mean) / std) - lo) / (hi - lo);
    d = Math.max(d, Math.abs(f - i / sorted.length), Math.abs(f - (i + 1) / sorted.length));
  }
  return d;
}

describeBackends('truncNormal', () => {
  const n = 20000;
  const ksCritical = 1.63 / Math.sqrt(n); // 1% level

  it('default: timm ViT init, std 0.02, mean 0', () => {
    const t = truncNormal([100, 200], { seed: 1 });
    expect(t.shape).toEqual([100, 200]);
    expect(t.dtype).toBe('float32');
    const v = t.dataSync() as Float32Array;
    t.dispose();
    const mean = v.reduce((s, e) => s + e, 0) / v.length;
    const std = Math.sqrt(v.reduce((s, e) => s + (e - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean)).toBeLessThan((4 * 0.02) / Math.sqrt(v.length));
    expect(Math.abs(std / 0.02 - 1)).toBeLessThan(0.03);
    expect(ksStatistic(v, 0, 0.02, -2, 2)).toBeLessThan(1.63 / Math.sqrt(v.length));
  });

  for (const [label, mean, std, a, b] of [
    ['cut at ±2 std', 0, 1, -2, 2],
    ['asymmetric window', 0.5, 2, -1, 2],
    ['window deep in the upper tail', 0, 1, 3, 3.5],
    ['window deep in the lower tail', 1, 0.5, -2, -1],
  ] as const) {
    it(`${label}: within [a, b] and distributed as the truncated normal (KS test)`, () => {
      const t = truncNormal([n], { mean, std, a, b, seed: 42 });
      const v = t.dataSync() as Float32Array;
      t.dispose();
      for (const e of v) {
        expect(e).toBeGreaterThanOrEqual(Math.fround(a));
        expect(e).toBeLessThanOrEqual(Math.fround(b));
      }
      expect(ksStatistic(v, mean, std, a, b)).toBeLessThan(ksCritical);
    });
  }

  it('the KS check can fail: an untruncated-std draw is rejected against a tighter window', () => {
    const t = truncNormal([n], { std: 1, a: -3, b: 3, seed: 5 });
    const v = t.dataSync() as Float32Array;
    t.dispose();
    expect(ksStatistic(v, 0, 1, -1, 1)).toBeGreaterThan(ksCritical);
  });

  it('is reproducible with a seed and differs across seeds', () => {
    const [x, y, z] = [truncNormal([50], { seed: 3 }), truncNormal([50], { seed: 3 }), truncNormal([50], { seed: 4 })];
    expect(Array.from(x.dataSync())).toEqual(Array.from(y.dataSync()));
    expect(Array.from(x.dataSync())).not.toEqual(Array.from(z.dataSync()));
    tf.dispose([x, y, z]);
  });

  it('rejects std <= 0 and a >= b', () => {
    expect(() => truncNormal([2], { std: 0 })).toThrow(ArgumentError);
    expect(() => truncNormal([2], { a: 1, b: 1 })).toThrow(ArgumentError);
  });
});
