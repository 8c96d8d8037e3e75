import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { dropPath } from './drop_path';
import { ArgumentError } from './errors';

describeBackends('dropPath', () => {
  it('is the identity (x itself) when not training or rate 0', () => {
    const x = tf.randomNormal([4, 3, 2]);
    expect(dropPath(x, { rate: 0.5, training: false })).toBe(x);
    expect(dropPath(x, { rate: 0, training: true })).toBe(x);
    x.dispose();
  });

  it('drops whole samples with probability rate and scales the kept ones by 1/keep', () => {
    tf.tidy(() => {
      const B = 4000;
      const rate = 0.3;
      const x = tf.add(tf.randomUniform([B, 3, 5], 1, 2), 0); // strictly positive, so zero = dropped
      const y = dropPath(x, { rate, training: true, seed: 7 });
      const ratio = tf.div(y, x).arraySync() as number[][][];
      let dropped = 0;
      for (const sample of ratio) {
        const vals = sample.flat();
        const first = vals[0];
        for (const v of vals) expect(Math.abs(v - first)).toBeLessThan(1e-5); // per sample, not per element
        if (first === 0) dropped++;
        else expect(Math.abs(first - 1 / (1 - rate))).toBeLessThan(1e-5);
      }
      const sigma = Math.sqrt((rate * (1 - rate)) / B);
      expect(Math.abs(dropped / B - rate)).toBeLessThan(4 * sigma);
    });
  });

  it('scaleByKeep: false keeps values unscaled; rate 1 drops everything', () => {
    tf.tidy(() => {
      const x = tf.ones([200, 4]);
      const v = dropPath(x, { rate: 0.5, training: true, scaleByKeep: false, seed: 3 }).dataSync();
      for (const e of v) expect(e === 0 || e === 1).toBe(true);
      expect(Array.from(dropPath(x, { rate: 1, training: true }).dataSync()).every((e) => e === 0)).toBe(true);
    });
  });

  it('gradient is the same per-sample mask / keep (as torch autograd of x * mask)', () => {
    tf.tidy(() => {
      const x = tf.randomUniform([64, 6], 1, 2);
      const r = tf.randomNormal([64, 6]);
      const y = dropPath(x, { rate: 0.25, training: true, seed: 11 });
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(dropPath(t, { rate: 0.25, training: true, seed: 11 }), r)))(x);
      expectClose(g, tf.mul(r, tf.div(y, x)), 1e-5);
    });
  });

  it('rejects a rate outside [0, 1]', () => {
    const x = tf.ones([2, 2]);
    expect(() => dropPath(x, { rate: 1.5, training: true })).toThrow(ArgumentError);
    x.dispose();
  });

  it('does not leak', () => {
    const x = tf.ones([8, 4, 4]);
    expect(tensorGrowth(() => dropPath(x, { rate: 0.2, training: true }))).toBe(0);
    x.dispose();
  });
});
