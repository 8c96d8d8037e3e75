import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, loadFixture, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { clipGradNorm } from './clip_grad';

const fx = loadFixture(new URL('../fixtures/clip.safetensors', import.meta.url));

describeBackends('clipGradNorm vs torch.nn.utils.clip_grad_norm_', () => {
  for (const tag of ['l2', 'l1', 'inf', 'noop']) {
    it(tag, () => {
      const m = JSON.parse(fx.meta[tag]) as { max_norm: number; norm_type: number | 'inf'; total_norm: number };
      const grads = Object.fromEntries([...fx.tensors('in.')]);
      const { grads: out, totalNorm } = clipGradNorm(grads, m.max_norm, m.norm_type === 'inf' ? Infinity : m.norm_type);
      expect(Math.abs(totalNorm - m.total_norm)).toBeLessThan(1e-5 * Math.max(1, m.total_norm));
      for (const k of Object.keys(grads)) expectClose(out[k], fx.tensor(`${tag}.${k}`), 1e-6, k);
      expect(tensorGrowth(() => Object.values(clipGradNorm(grads, m.max_norm).grads))).toBe(0);
      tf.dispose([...Object.values(grads), ...Object.values(out)]);
    });
  }

  it('rejects a non-positive maxNorm and handles no gradients', () => {
    expect(() => clipGradNorm({}, 0)).toThrow(/maxNorm/);
    expect(clipGradNorm({}, 1).totalNorm).toBe(0);
  });
});
