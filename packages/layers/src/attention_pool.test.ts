import * as tf from '@tensorflow/tfjs-core';
import { describeBackends } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { AttentionPoolLatent } from './attention_pool';

// Values against timm are checked through the SigLIP models (models/src/family.fixture.test.ts).
describeBackends('AttentionPoolLatent', () => {
  it("has timm's keys and pools [B, N, dim] to [B, dim] (or keeps the latents)", () => {
    const pool = new AttentionPoolLatent(16, { numHeads: 4, mlpRatio: 2 });
    expect([...pool.stateDict()].map(([k, t]) => `${k} ${t.shape.join('x')}`)).toEqual([
      'latent 1x1x16', 'q.weight 16x16', 'q.bias 16', 'kv.weight 32x16', 'kv.bias 32', 'proj.weight 16x16', 'proj.bias 16',
      'norm.weight 16', 'norm.bias 16', 'mlp.fc1.weight 32x16', 'mlp.fc1.bias 32', 'mlp.fc2.weight 16x32', 'mlp.fc2.bias 16',
    ]);
    const x = tf.randomNormal([3, 7, 16], 0, 1, 'float32', 1);
    expect(pool.forward(x).shape).toEqual([3, 16]);
    const multi = new AttentionPoolLatent(16, { numHeads: 4, latentLen: 2, poolType: '' });
    const y = multi.forward(x);
    expect(y.shape).toEqual([3, 2, 16]);
    const avg = new AttentionPoolLatent(16, { numHeads: 4, latentLen: 2, poolType: 'avg' });
    avg.loadStateDict(multi.stateDict());
    expect(Math.max(...tf.abs(tf.sub(avg.forward(x), tf.mean(y, 1))).dataSync())).toBeLessThan(1e-6);
    // the latent attends over the tokens: permuting them changes nothing
    const perm = tf.gather(x, [6, 0, 5, 1, 4, 2, 3], 1);
    expect(Math.max(...tf.abs(tf.sub(pool.forward(perm), pool.forward(x))).dataSync())).toBeLessThan(1e-5);
    tf.dispose([x, y, perm]);
  });

  it('refuses bad sizes with typed errors', () => {
    expect(() => new AttentionPoolLatent(10, { numHeads: 4 })).toThrow(/dim \(10\) must be a positive multiple of numHeads \(4\)/);
    expect(() => new AttentionPoolLatent(16, { latentLen: 0 })).toThrow(/latentLen must be a positive integer/);
    const pool = new AttentionPoolLatent(16, { numHeads: 4 });
    expect(() => pool.forward(tf.zeros([1, 5, 8]))).toThrow(/expected input \[B, N, 16\], got \[1, 5, 8\]/);
    expect(() => pool.forward(tf.zeros([5, 16]))).toThrow(/rank/);
  });
});
