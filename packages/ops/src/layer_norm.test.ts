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

  // The reference: autodiff of the plain composition (what layerNorm was before its customGrad).
  const composed = (x: tf.Tensor, g?: tf.Tensor, b?: tf.Tensor) => {
    const centered = tf.sub(x, tf.mean(x, -1, true));
    let y = tf.mul(centered, tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), eps)));
    if (g) y = tf.mul(y, g);
    return b ? tf.add(y, b) : y;
  };

  it('gradients without affine and with gamma only equal autodiff of the composition', () => {
    tf.tidy(() => {
      const [x, g, r] = [fx.tensor('x'), fx.tensor('gamma'), fx.tensor('r')];
      const plain = (f: typeof composed) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), r)))(x);
      expectRelClose(plain((v) => layerNorm(v, undefined, undefined, eps)), plain(composed), 1e-4, 1e-6, 'grad x (no affine)');
      const scaled = (f: typeof composed) => tf.grads((v: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(f(v, w), r)))([x, g]);
      const [ours, ref] = [scaled((v, w) => layerNorm(v, w, undefined, eps)), scaled(composed)];
      expectRelClose(ours[0], ref[0], 1e-4, 1e-6, 'grad x (gamma only)');
      expectRelClose(ours[1], ref[1], 1e-4, 1e-6, 'grad gamma (gamma only)');
    });
  });

  it('keeps x̂ and rstd for the backward pass, not the composition\'s five intermediates', () => {
    const [x, g, b] = [fx.tensor('x'), fx.tensor('gamma'), fx.tensor('beta')];
    const held = (f: typeof composed) => {
      let n = 0;
      const grads = tf.grads((v: tf.Tensor) => {
        const before = tf.memory().numDataBuffers;
        const y = tf.tidy(() => f(v, g, b));
        n = tf.memory().numDataBuffers - before - 1; // beyond the output
        return tf.sum(y);
      })([x]);
      tf.dispose(grads);
      return n;
    };
    expect(held(composed)).toBeGreaterThanOrEqual(5);
    expect(held((v, w, c) => layerNorm(v, w, c, eps))).toBeLessThanOrEqual(3); // x̂, rstd (+ a copy of gamma where clone copies)
    tf.dispose([x, g, b]);
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
