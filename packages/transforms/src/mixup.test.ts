import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, loadFixture, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { mixBatch, Mixup, mixupTarget, sampleBeta, type CutmixBox } from './mixup';
import { Rng } from './rng';

const fx = loadFixture(new URL('../fixtures/mixup.safetensors', import.meta.url));
const cases = JSON.parse(fx.meta.cases) as { key: string; lam: number; box?: CutmixBox; smoothing: number; numClasses: number }[];

// Measured vs timm's Mixup arithmetic (generator): images ≤ 1 float32 ulp (~5e-7), targets exact;
// asserted ≤ 1e-6.
describeBackends('Mixup / CutMix vs timm', () => {
  for (const c of cases) {
    it(c.key, () => {
      const x = fx.tensor('x') as tf.Tensor4D;
      const labels = fx.tensor('target') as tf.Tensor1D;
      const mixed = mixBatch(x, c.lam, c.box);
      const y = mixupTarget(labels, c.numClasses, c.lam, c.smoothing);
      const wantX = fx.tensor(`${c.key}.x`);
      const wantY = fx.tensor(`${c.key}.y`);
      expectClose(mixed, wantX, 1e-6, 'images');
      expectClose(y, wantY, 1e-6, 'targets');
      expect(tensorGrowth(() => [mixBatch(x, c.lam, c.box), mixupTarget(labels, c.numClasses, c.lam, c.smoothing)])).toBe(0);
      tf.dispose([x, labels, mixed, y, wantX, wantY]);
    });
  }

  it('Mixup.call: seeded, lam matches the cut box, targets sum to 1, no leaks', () => {
    const images = tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const labels = tf.tensor1d([0, 1, 2, 3], 'int32');
    const a = new Mixup({ mixupAlpha: 0.8, cutmixAlpha: 1, numClasses: 4, seed: 3 });
    const b = new Mixup({ mixupAlpha: 0.8, cutmixAlpha: 1, numClasses: 4, seed: 3 });
    for (let i = 0; i < 6; i++) {
      const ra = a.call({ images, labels });
      const rb = b.call({ images, labels });
      expect(ra.lam).toBe(rb.lam);
      expectClose(ra.images, rb.images, 0);
      expectClose(tf.sum(ra.targets, 1), tf.ones([4]), 1e-6);
      // Label 0's weight in row 0 is lam + smoothing/C·(1 − …): check via the smoothed formula.
      const t = ra.targets.arraySync() as number[][];
      expect(t[0][0]).toBeCloseTo(ra.lam * (0.9 + 0.1 / 4) + (1 - ra.lam) * (0.1 / 4), 6);
      tf.dispose([ra.images, ra.targets, rb.images, rb.targets]);
    }
    const m = new Mixup({ cutmixAlpha: 1, mixupAlpha: 0, numClasses: 4, seed: 0 });
    expect(tensorGrowth(() => { const r = m.call({ images, labels }); return [r.images, r.targets]; })).toBe(0);
    expect(() => m.call({ images: tf.zeros([3, 2, 2, 1]) as tf.Tensor4D, labels: tf.tensor1d([0, 1, 2], 'int32') })).toThrow(/even/);
    tf.dispose([images, labels]);
  });
});

it('CutMix box: lam is 1 − box area / image area', () => {
  const m = new Mixup({ cutmixAlpha: 1, mixupAlpha: 0, seed: 1 });
  for (let i = 0; i < 50; i++) {
    const { box, lam } = m.box(20, 30, 0.6);
    expect(box[0]).toBeGreaterThanOrEqual(0);
    expect(box[1]).toBeLessThanOrEqual(20);
    expect(lam).toBeCloseTo(1 - ((box[1] - box[0]) * (box[3] - box[2])) / 600, 12);
  }
});

it('Beta sampler has the right mean and variance', () => {
  const rng = new Rng(0);
  for (const [a, b] of [[0.8, 0.8], [1, 1], [2, 5]]) {
    const n = 20000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = sampleBeta(rng, a, b);
      s += v;
      s2 += v * v;
    }
    const mean = s / n;
    const variance = s2 / n - mean * mean;
    expect(mean).toBeCloseTo(a / (a + b), 1);
    expect(Math.abs(variance - (a * b) / ((a + b) ** 2 * (a + b + 1)))).toBeLessThan(0.005);
  }
});
