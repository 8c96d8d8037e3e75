// tfjs-core registers gradient configs only through this ESM side-effect module (not in its Node bundle).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, expectRelClose, loadFixture, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { ShapeError } from './errors';
import { layerNorm } from './layer_norm';

const fx = loadFixture(new URL('../fixtures/layer_norm.safetensors', import.meta.url));
const eps = Number(fx.meta.eps);

describeBackends('layerNorm', () => {
  it('forward matches PyTorch, with and without affine', () => {
    tf.tidy(() => {
      const x = fx.tensor('x');
      expectClose(layerNorm(x, fx.tensor('gamma'), fx.tensor('beta'), eps), fx.tensor('out'), 1e-5);
      expectClose(layerNorm(x, undefined, undefined, eps), fx.tensor('out_plain'), 1e-5);
    });
  });

  it('gradients w.r.t. x, gamma, beta match PyTorch autograd', () => {
    tf.tidy(() => {
      const r = fx.tensor('r');
      const f = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(layerNorm(x, g, b, eps), r));
      const [gx, gg, gb] = tf.grads(f)([fx.tensor('x'), fx.tensor('gamma'), fx.tensor('beta')]);
      expectRelClose(gx, fx.tensor('grad.x'), 1e-4, 1e-6, 'grad x');
      expectRelClose(gg, fx.tensor('grad.gamma'), 1e-4, 1e-6, 'grad gamma');
      expectRelClose(gb, fx.tensor('grad.beta'), 1e-4, 1e-6, 'grad beta');
    });
  });

  it('rejects a gamma of the wrong size, quoting the shapes', () => {
    tf.tidy(() => {
      expect(() => layerNorm(tf.zeros([2, 8]), tf.ones([7]))).toThrow(ShapeError);
      expect(() => layerNorm(tf.zeros([2, 8]), tf.ones([7]))).toThrow('expected [8], got [7]');
    });
  });

  it('a constant row gives beta (no NaN from zero variance)', () => {
    tf.tidy(() => {
      const y = layerNorm(tf.fill([1, 4], 3), tf.ones([4]), tf.tensor([1, 2, 3, 4]));
      expectClose(y, tf.tensor([[1, 2, 3, 4]]), 1e-6);
    });
  });

  it('does not leak', () => {
    const [x, g, b] = [fx.tensor('x'), fx.tensor('gamma'), fx.tensor('beta')];
    expect(tensorGrowth(() => layerNorm(x, g, b))).toBe(0);
    tf.dispose([x, g, b]);
  });
});
