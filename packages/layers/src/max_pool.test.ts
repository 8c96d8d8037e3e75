import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError } from '@tfjs-vit/ops';
import { describeBackends, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { MaxPool2d } from './max_pool';
import { checkParity, fixture, nchwToNhwc } from './parity.testutil';

const nhwc = { input: nchwToNhwc, output: nchwToNhwc };

describeBackends('MaxPool2d', () => {
  it('matches torch nn.MaxPool2d(3, stride 2, padding 1) and its input gradient (padding never wins)', () => {
    const pool = new MaxPool2d(3, { stride: 2, padding: 1 });
    expect(pool.outputSize(9, 7)).toEqual([5, 4]);
    checkParity(pool, fixture('max_pool_k3s2p1'), (x) => pool.forward(x), nhwc);
  });

  it('matches nn.MaxPool2d(2): stride defaults to the kernel, odd edges dropped (floor)', () => {
    const pool = new MaxPool2d(2);
    expect(pool.outputSize(7, 6)).toEqual([3, 3]);
    checkParity(pool, fixture('max_pool_k2'), (x) => pool.forward(x), nhwc);
  });

  it('sends a tied window\'s gradient to exactly one element (the first, as PyTorch, on cpu)', () => {
    const pool = new MaxPool2d(2);
    const g = Array.from(tf.grad((x: tf.Tensor) => tf.sum(pool.forward(x)))(tf.ones([1, 4, 4, 1])).dataSync());
    const perWindow = [[0, 1, 4, 5], [2, 3, 6, 7], [8, 9, 12, 13], [10, 11, 14, 15]].map((w) => w.reduce((s, i) => s + g[i], 0));
    expect(perWindow).toEqual([1, 1, 1, 1]);
    if (tf.getBackend() === 'cpu') expect(g).toEqual([1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
  });

  it('rejects bad arguments and inputs with typed errors; leaks nothing', () => {
    expect(() => new MaxPool2d(3, { padding: 2 })).toThrow(ArgumentError);
    expect(() => new MaxPool2d(0)).toThrow(ArgumentError);
    const pool = new MaxPool2d(3);
    expect(() => pool.forward(tf.zeros([4, 4, 2]))).toThrow(ShapeError);
    expect(() => pool.forward(tf.zeros([1, 2, 2, 1]))).toThrow(/smaller than the 3x3 window/);
    const x = tf.ones([1, 6, 6, 2]);
    expect(tensorGrowth(() => pool.forward(x))).toBe(0);
    x.dispose();
  });
});
