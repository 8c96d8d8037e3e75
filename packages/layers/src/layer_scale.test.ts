import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { ShapeError } from '@tfjs-vit/ops';
import { describeBackends, expectClose, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { LayerScale } from './layer_scale';

describeBackends('LayerScale', () => {
  it('multiplies the last axis by gamma (init initValues), gradient Σ x over leading axes', () => {
    const ls = new LayerScale(3, 0.5);
    expect(ls.namedParameters().map(([k, p]) => [k, p.shape])).toEqual([['gamma', [3]]]);
    const x = tf.tensor3d([[[1, 2, 3], [4, 5, 6]]]);
    expectClose(ls.forward(x), tf.mul(x, 0.5), 0);
    const { grads } = tf.variableGrads(() => tf.sum(ls.forward(x)) as tf.Scalar, ls.trainableVariables());
    expectClose(grads[ls.gamma.variable.name], tf.tensor1d([5, 7, 9]), 0);
    const wrong = tf.zeros([2, 4]);
    expect(() => ls.forward(wrong)).toThrow(ShapeError);
    tf.dispose([x, wrong, ...Object.values(grads)]);
    ls.dispose();
  });

  it('defaults to 1e-5 and does not leak tensors', () => {
    const ls = new LayerScale(4);
    expect(Array.from(ls.gamma.value.dataSync())).toEqual(new Array(4).fill(Math.fround(1e-5)));
    const x = tf.ones([2, 4]);
    expect(tensorGrowth(() => ls.forward(x))).toBe(0);
    x.dispose();
    ls.dispose();
  });
});
