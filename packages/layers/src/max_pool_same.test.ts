// MaxPool2dSame against timm's (gen_timm_hybrid.py).
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError } from '@tfjs-vit/ops';
import { describeBackends, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { MaxPool2dSame } from './max_pool_same';
import { checkParity, fixture, nchwToNhwc } from './parity.testutil';

const nhwc = { input: nchwToNhwc, output: nchwToNhwc };

describeBackends('MaxPool2dSame', () => {
  it('matches timm MaxPool2dSame(3, 2) on a negative 9x10 input (padding never wins), with the input gradient', () => {
    const pool = new MaxPool2dSame(3, { stride: 2 });
    expect(pool.outputSize(9, 10)).toEqual([5, 5]);
    checkParity(pool, fixture('max_pool_same'), (x) => pool.forward(x), nhwc);
  });

  it('no padding needed: the plain valid pool; stride defaults to the kernel', () => {
    const pool = new MaxPool2dSame(2);
    tf.tidy(() => {
      const y = pool.forward(tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 4, 4, 1]));
      expect(Array.from(y.dataSync())).toEqual([6, 8, 14, 16]);
      // 5 wide: one pixel of padding at the right/bottom
      expect(Array.from(pool.forward(tf.neg(tf.ones([1, 5, 5, 1]))).dataSync())).toEqual(Array(9).fill(-1));
    });
  });

  it('typed errors; no leaks', () => {
    expect(() => new MaxPool2dSame(0)).toThrow(ArgumentError);
    const pool = new MaxPool2dSame(3, { stride: 2 });
    expect(() => pool.forward(tf.zeros([4, 4, 2]))).toThrow(ShapeError);
    const x = tf.ones([1, 7, 6, 2]);
    expect(tensorGrowth(() => pool.forward(x))).toBe(0);
    x.dispose();
  });
});
