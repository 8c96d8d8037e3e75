import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError } from '@tfjs-vit/ops';
import { describeBackends, expectClose, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { Attention } from './attention';
import { checkParity, expectSameStateDict, fixture } from './parity.testutil';

describeBackends('Attention', () => {
  for (const [name, opts] of [
    ['attention', { qkvBias: false }],
    ['attention_qkv_bias', { qkvBias: true }],
    ['attention_qk_norm', { qkvBias: true, qkNorm: true }],
  ] as const) {
    it(`matches timm Attention (${name}): output, weights and gradients`, () => {
      const attn = new Attention(16, { numHeads: 4, ...opts });
      const fx = fixture(name);
      expectSameStateDict(attn, fx);
      checkParity(attn, fx, (x) => {
        const { output, weights } = attn.forwardWithWeights(x);
        return [output, weights];
      });
      attn.dispose();
    });
  }

  it('forward equals forwardWithWeights().output', () => {
    const attn = new Attention(16, { numHeads: 4, qkvBias: true });
    const x = tf.randomNormal([2, 5, 16]);
    const y = attn.forward(x);
    const { output, weights } = attn.forwardWithWeights(x);
    expectClose(y, output, 1e-6);
    expect(weights.shape).toEqual([2, 4, 5, 5]);
    expectClose(tf.sum(weights, -1), tf.ones([2, 4, 5]), 1e-5);
    tf.dispose([x, y, output, weights]);
    attn.dispose();
  });

  it('has timm child names and the fused qkv layout [3·dim, dim]', () => {
    const attn = new Attention(16, { numHeads: 4, qkvBias: true, qkNorm: true });
    expect(attn.children().map(([k]) => k)).toEqual(['qkv', 'q_norm', 'k_norm', 'attn_drop', 'norm', 'proj', 'proj_drop']);
    expect(attn.qkv.weight.stateShape).toEqual([48, 16]);
    attn.dispose();
  });

  it('rejects bad configurations and inputs', () => {
    expect(() => new Attention(10, { numHeads: 4 })).toThrow(ArgumentError);
    const attn = new Attention(16, { numHeads: 4 });
    const x = tf.zeros([2, 5, 8]);
    expect(() => attn.forward(x)).toThrow(ShapeError);
    expect(() => attn.forward(x)).toThrow('[B, N, 16], got [2, 5, 8]');
    x.dispose();
    attn.dispose();
  });

  it('does not leak tensors (train with dropout, eval, with weights)', () => {
    const attn = new Attention(16, { numHeads: 4, qkNorm: true, attnDrop: 0.1, projDrop: 0.1 });
    const x = tf.randomNormal([2, 5, 16]);
    expect(tensorGrowth(() => attn.forward(x))).toBe(0);
    attn.eval();
    expect(tensorGrowth(() => attn.forward(x))).toBe(0);
    expect(tensorGrowth(() => Object.values(attn.forwardWithWeights(x)))).toBe(0);
    x.dispose();
    attn.dispose();
  });
});
