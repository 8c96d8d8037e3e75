import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describeBackends, expectClose, loadFixture, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { crossEntropy, softTargetCrossEntropy } from './cross_entropy';

const fx = loadFixture(new URL('../fixtures/losses.safetensors', import.meta.url));

describeBackends('crossEntropy', () => {
  for (const pct of [0, 10, 35]) {
    it(`matches F.cross_entropy(label_smoothing=${pct / 100}) and its gradient`, () => {
      const logits = fx.tensor('in.logits');
      const labels = fx.tensor('in.labels');
      const f = (x: tf.Tensor) => crossEntropy(x, labels, { labelSmoothing: pct / 100 });
      const loss = f(logits);
      const grad = tf.grad(f)(logits);
      expectClose(Float32Array.from(loss.dataSync()), fx.data(`ce_${pct}.loss`), 1e-5, 'loss');
      expectClose(grad, fx.tensor(`ce_${pct}.grad`), 1e-6, 'grad');
      expect(tensorGrowth(() => f(logits))).toBe(0);
      tf.dispose([logits, labels, loss, grad]);
    });
  }

  it('matches timm SoftTargetCrossEntropy and its gradient', () => {
    const logits = fx.tensor('in.logits');
    const target = fx.tensor('in.soft_target');
    const f = (x: tf.Tensor) => softTargetCrossEntropy(x, target);
    expectClose(Float32Array.from(f(logits).dataSync()), fx.data('soft.loss'), 1e-5, 'loss');
    expectClose(tf.grad(f)(logits), fx.tensor('soft.grad'), 1e-6, 'grad');
    // crossEntropy routes [B, C] targets to the soft-target loss
    expectClose(Float32Array.from(crossEntropy(logits, target).dataSync()), fx.data('soft.loss'), 1e-5, 'crossEntropy(soft)');
    expect(tensorGrowth(() => f(logits))).toBe(0);
  });

  it('rejects labels of the wrong shape and bad smoothing', () => {
    const logits = tf.zeros([2, 3]);
    expect(() => crossEntropy(logits, tf.zeros([3], 'int32'))).toThrow(/expected \[2\]/);
    expect(() => crossEntropy(logits, tf.zeros([2], 'int32'), { labelSmoothing: 1.5 })).toThrow(/labelSmoothing/);
    expect(() => softTargetCrossEntropy(logits, tf.zeros([2, 4]))).toThrow(/expected \[2, 3\]/);
  });

  it('is finite for extreme logits', () => {
    const logits = tf.tensor2d([[1e4, -1e4, 0]]);
    const loss = crossEntropy(logits, tf.tensor1d([1], 'int32'), { labelSmoothing: 0.1 });
    expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
  });
});
