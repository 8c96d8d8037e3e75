// tfjs-core registers gradient configs only through this ESM side-effect module (not in its Node bundle).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, expectRelClose, loadFixture, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { scaledDotProductAttention, scaledDotProductAttentionWithWeights } from './attention';
import { ShapeError } from './errors';

const fx = loadFixture(new URL('../fixtures/attention.safetensors', import.meta.url));

describeBackends('scaledDotProductAttention', () => {
  it('output and weights match PyTorch (default scale)', () => {
    tf.tidy(() => {
      const { output, weights } = scaledDotProductAttentionWithWeights(fx.tensor('q'), fx.tensor('k'), fx.tensor('v'));
      expectClose(output, fx.tensor('out'), 1e-5, 'output');
      expectClose(weights, fx.tensor('weights'), 1e-5, 'weights');
      expectClose(scaledDotProductAttention(fx.tensor('q'), fx.tensor('k'), fx.tensor('v')), fx.tensor('out'), 1e-5);
    });
  });

  it('custom scale and keys of another length', () => {
    tf.tidy(() => {
      const out = scaledDotProductAttention(fx.tensor('q'), fx.tensor('k2'), fx.tensor('v2'), { scale: Number(fx.meta.scale2) });
      expectClose(out, fx.tensor('out2'), 1e-5);
    });
  });

  it('gradients w.r.t. q, k, v match PyTorch autograd', () => {
    tf.tidy(() => {
      const r = fx.tensor('r');
      const f = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.sum(tf.mul(scaledDotProductAttention(q, k, v), r));
      const grads = tf.grads(f)([fx.tensor('q'), fx.tensor('k'), fx.tensor('v')]);
      ['q', 'k', 'v'].forEach((n, i) => expectRelClose(grads[i], fx.tensor(`grad.${n}`), 1e-4, 1e-6, `grad ${n}`));
    });
  });

  it('dropout only in training: rows of kept weights are rescaled, some are zero', () => {
    tf.tidy(() => {
      const [q, k, v] = [fx.tensor('q'), fx.tensor('k'), fx.tensor('v')];
      const evalW = scaledDotProductAttentionWithWeights(q, k, v, { dropout: 0.5 }).weights;
      expectClose(evalW, fx.tensor('weights'), 1e-5, 'eval ignores dropout');
      const w = scaledDotProductAttentionWithWeights(q, k, v, { dropout: 0.5, training: true, seed: 1 }).weights;
      const a = w.dataSync();
      const ref = fx.data('weights');
      let zeros = 0;
      for (let i = 0; i < a.length; i++) {
        if (a[i] === 0) zeros++;
        else expect(Math.abs(a[i] - ref[i] * 2)).toBeLessThan(1e-5);
      }
      expect(zeros / a.length).toBeGreaterThan(0.3);
      expect(zeros / a.length).toBeLessThan(0.7);
    });
  });

  it('huge logits do not overflow: weights stay finite, rows sum to 1, NaN propagates', () => {
    tf.tidy(() => {
      const q = tf.mul(fx.tensor('q'), 1e4);
      const { output, weights } = scaledDotProductAttentionWithWeights(q, fx.tensor('k'), fx.tensor('v'));
      expect(Array.from(output.dataSync()).every(Number.isFinite)).toBe(true);
      expectClose(tf.sum(weights, -1), tf.onesLike(tf.sum(weights, -1)), 1e-5, 'row sums');
      const withNaN = scaledDotProductAttention(tf.fill([1, 1, 2, 8], Number.NaN), tf.slice(fx.tensor('k'), [0, 0, 0, 0], [1, 1, 3, 8]), tf.ones([1, 1, 3, 2]));
      expect(Array.from(withNaN.dataSync()).every(Number.isNaN)).toBe(true);
    });
  });

  it('rejects mismatched shapes, quoting them', () => {
    tf.tidy(() => {
      const q = tf.zeros([1, 2, 4, 8]);
      expect(() => scaledDotProductAttention(q, tf.zeros([1, 2, 4, 6]), tf.zeros([1, 2, 4, 8]))).toThrow(ShapeError);
      expect(() => scaledDotProductAttention(q, q, tf.zeros([1, 2, 5, 8]))).toThrow('got [1, 2, 5, 8]');
      expect(() => scaledDotProductAttention(tf.zeros([2, 4, 8]), q, q)).toThrow('got [2, 4, 8]');
    });
  });

  it('does not leak', () => {
    const [q, k, v] = [fx.tensor('q'), fx.tensor('k'), fx.tensor('v')];
    expect(tensorGrowth(() => scaledDotProductAttention(q, k, v))).toBe(0);
    expect(tensorGrowth(() => {
      const r = scaledDotProductAttentionWithWeights(q, k, v, { dropout: 0.1, training: true });
      return [r.output, r.weights];
    })).toBe(0);
    tf.dispose([q, k, v]);
  });
});

describeBackends('scaledDotProductAttention, per-head path', (backend) => {
  // [2, 3, 40, 32]: 51,200 multiply-adds per head, above the per-slice threshold, so wasm takes
  // one 2-D matMul per head; cpu always runs the batched kernel — the reference here.
  const shape = [2, 3, 40, 32];
  const inputs = () => [1, 2, 3].map((s) => tf.randomNormal(shape, 0, 1, 'float32', s));
  const reference = async () => {
    const active = tf.getBackend();
    await tf.setBackend('cpu');
    const [q, k, v] = inputs();
    const r = tf.randomNormal(shape, 0, 1, 'float32', 4);
    const { output, weights } = scaledDotProductAttentionWithWeights(q, k, v);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(scaledDotProductAttention(a, b, c), r)))([q, k, v]);
    const values = await Promise.all([output, weights, ...grads].map((t) => t.array()));
    tf.dispose([q, k, v, r, output, weights, ...grads]);
    await tf.setBackend(active);
    return values.map((a) => tf.tensor(a as number[]));
  };

  it(`output, weights and gradients equal the batched kernel's [${backend}]`, async () => {
    const [out, weights, ...grads] = await reference();
    const [q, k, v] = inputs();
    const r = tf.randomNormal(shape, 0, 1, 'float32', 4);
    const got = scaledDotProductAttentionWithWeights(q, k, v);
    expectClose(got.output, out, 1e-5, 'output');
    expectClose(got.weights, weights, 1e-6, 'weights');
    expectClose(scaledDotProductAttention(q, k, v), out, 1e-5, 'output without weights');
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(scaledDotProductAttention(a, b, c), r)))([q, k, v]);
    g.forEach((t, i) => expectRelClose(t, grads[i], 1e-4, 1e-6, `grad ${'qkv'[i]}`));
    const dropped = scaledDotProductAttentionWithWeights(q, k, v, { dropout: 0.5, training: true, seed: 3 }).weights.dataSync();
    const zeros = dropped.filter((x) => x === 0).length / dropped.length;
    expect(zeros).toBeGreaterThan(0.4);
    expect(zeros).toBeLessThan(0.6);
    expect(tensorGrowth(() => scaledDotProductAttention(q, k, v))).toBe(0);
    tf.dispose([out, weights, ...grads, q, k, v, r, got.output, got.weights, ...g]);
  });
});
