import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, expectRelClose, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { ShapeError } from './errors';
import { linear, matMul } from './matmul';

describeBackends('matMul', () => {
  for (const [name, sa, sb] of [
    ['2-D', [5, 3], [3, 4]],
    ['3-D', [2, 5, 3], [2, 3, 4]],
  ] as const) {
    it(`${name}: same value and gradients as tf.matMul`, () => {
      const a = tf.randomNormal([...sa], 0, 1, 'float32', 1);
      const b = tf.randomNormal([...sb], 0, 1, 'float32', 2);
      const r = tf.randomNormal([...sa.slice(0, -1), sb[sb.length - 1]], 0, 1, 'float32', 3);
      expectClose(matMul(a, b), tf.matMul(a, b), 1e-5);
      const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(matMul(x, y), r)))([a, b]);
      const ref = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y), r)))([a, b]);
      expectRelClose(ours[0], ref[0], 1e-5, 1e-6, 'dA');
      expectRelClose(ours[1], ref[1], 1e-5, 1e-6, 'dB');
    });
  }

  it('gives variables their gradient', () => {
    const w = tf.variable(tf.randomNormal([3, 2], 0, 1, 'float32', 4));
    const x = tf.randomNormal([4, 3], 0, 1, 'float32', 5);
    const { grads } = tf.variableGrads(() => tf.sum(matMul(x, w)), [w]);
    expectClose(grads[w.name], tf.matMul(x, tf.ones([4, 2]), true, false), 1e-5);
    w.dispose();
  });

  it('refuses operands whose inner sizes differ, quoting both shapes', () => {
    expect(() => matMul(tf.ones([2, 3]), tf.ones([4, 2]))).toThrow(ShapeError);
    expect(() => matMul(tf.ones([2, 3]), tf.ones([4, 2]))).toThrow('[2, 3]·[4, 2]');
  });

  it('does not leak', () => {
    const a = tf.ones([4, 3]);
    const b = tf.ones([3, 2]);
    expect(tensorGrowth(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(matMul(x, y)))([a, b]))).toBe(0);
  });

  it('linear: x·w + b with the same value and gradients as autodiff of tf.add(tf.matMul(x, w), b)', () => {
    const [x, w, b] = [tf.randomNormal([6, 5], 0, 1, 'float32', 6), tf.randomNormal([5, 3], 0, 1, 'float32', 7), tf.randomNormal([3], 0, 1, 'float32', 8)];
    const r = tf.randomNormal([6, 3], 0, 1, 'float32', 9);
    expect(Array.from(linear(x, w, b).dataSync())).toEqual(Array.from(tf.add(tf.matMul(x, w), b).dataSync()));
    const ours = tf.grads((u: tf.Tensor, v: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(linear(u, v, c), r)))([x, w, b]);
    const ref = tf.grads((u: tf.Tensor, v: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.matMul(u, v), c), r)))([x, w, b]);
    for (const [i, what] of ['dx', 'dw', 'db'].entries()) expectRelClose(ours[i], ref[i], 1e-5, 1e-6, what);
    expectClose(linear(x, w), tf.matMul(x, w), 1e-6);
  });

  it('linear keeps x and w for the backward pass, not the product before the bias', () => {
    const [x, w, b] = [tf.ones([64, 32]), tf.ones([32, 48]), tf.ones([48])];
    const held = (f: (u: tf.Tensor) => tf.Tensor) => {
      let n = 0;
      tf.dispose(tf.grads((u: tf.Tensor) => {
        const before = tf.memory().numBytes;
        const y = tf.tidy(() => f(u));
        n = tf.memory().numBytes - before - y.size * 4; // bytes beyond the output
        return tf.sum(y);
      })([x]));
      return n;
    };
    // numBytes counts a clone's bytes again even where it shares the data: compare like with like.
    const ours = held((u) => linear(u, w, b));
    const autodiff = held((u) => tf.add(tf.matMul(u, w), b));
    expect(autodiff - ours).toBeGreaterThanOrEqual(64 * 48 * 4); // the [64, 48] product
  });

  it('linear refuses mismatched shapes and a bias of the wrong size', () => {
    expect(() => linear(tf.ones([2, 3]), tf.ones([4, 2]))).toThrow(ShapeError);
    expect(() => linear(tf.ones([2, 3]), tf.ones([3, 2]), tf.ones([3]))).toThrow('expected bias [2], got [3]');
  });
});
