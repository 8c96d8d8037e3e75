import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '@tfjs-vit/ops';
import { describeBackends, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { Dropout } from './dropout';

describeBackends('Dropout', () => {
  it('zeroes about p of the elements and scales the rest by 1/(1-p) while training', () => {
    const x = tf.ones([100, 100]);
    const y = new Dropout(0.25).forward(x);
    const v = Array.from(y.dataSync());
    const zeros = v.filter((e) => e === 0).length / v.length;
    expect(zeros).toBeGreaterThan(0.2);
    expect(zeros).toBeLessThan(0.3);
    for (const e of v) if (e !== 0) expect(e).toBeCloseTo(1 / 0.75, 5);
    tf.dispose([x, y]);
  });

  it('is the identity in eval mode and for p = 0', () => {
    const x = tf.ones([4, 4]);
    expect(new Dropout(0.5).eval().forward(x)).toBe(x);
    expect(new Dropout(0).forward(x)).toBe(x);
    expect(() => new Dropout(1)).toThrow(ArgumentError);
    x.dispose();
  });

  it('does not leak tensors', () => {
    const x = tf.ones([8, 8]);
    const d = new Dropout(0.5);
    expect(tensorGrowth(() => d.forward(x))).toBe(0);
    x.dispose();
  });
});
