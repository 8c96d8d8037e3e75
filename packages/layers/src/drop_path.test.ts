import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '@tfjs-vit/ops';
import { describeBackends, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { DropPath } from './drop_path';

describeBackends('DropPath', () => {
  it('drops whole samples while training, scaling kept ones by 1/(1-rate)', () => {
    const x = tf.ones([400, 3, 4]);
    const y = new DropPath(0.3).forward(x);
    const perSample = tf.tidy(() => tf.sum(y, [1, 2]));
    const sums = Array.from(perSample.dataSync());
    for (const s of sums) expect([0, 12 / 0.7].some((t) => Math.abs(s - t) < 1e-4)).toBe(true);
    const dropped = sums.filter((s) => s === 0).length / sums.length;
    expect(dropped).toBeGreaterThan(0.2);
    expect(dropped).toBeLessThan(0.4);
    tf.dispose([x, y, perSample]);
  });

  it('is the identity in eval mode; has no parameters', () => {
    const x = tf.ones([4, 2]);
    const dp = new DropPath(0.5).eval();
    expect(dp.forward(x)).toBe(x);
    expect(dp.namedParameters()).toEqual([]);
    expect(() => new DropPath(1.5)).toThrow(ArgumentError);
    x.dispose();
  });

  it('does not leak tensors', () => {
    const x = tf.ones([8, 3]);
    const dp = new DropPath(0.2);
    expect(tensorGrowth(() => dp.forward(x))).toBe(0);
    x.dispose();
  });
});
