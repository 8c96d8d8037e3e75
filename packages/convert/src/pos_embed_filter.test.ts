// Numerical parity with PyTorch for each method is checked end to end by from_timm.fixture.test.ts
// (the *_24 logits); here: shapes, prefix handling, errors, and leaks.
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { CheckpointError } from './errors';
import { POS_EMBED_RESAMPLING, resampleAbsPosEmbed } from './pos_embed_filter';

describeBackends('resampleAbsPosEmbed', () => {
  it('keeps the prefix tokens and resizes the grid', () => {
    const pos = tf.randomNormal([1, 2 + 16, 8]);
    for (const method of Object.values(POS_EMBED_RESAMPLING)) {
      const out = resampleAbsPosEmbed(pos, [6, 5], { ...method, numPrefixTokens: 2 });
      expect(out.shape).toEqual([1, 2 + 30, 8]);
      const head = tf.slice(out, [0, 0, 0], [1, 2, 8]);
      const want = tf.slice(pos, [0, 0, 0], [1, 2, 8]);
      expectClose(head, want, 0, 'prefix tokens');
      tf.dispose([out, head, want]);
    }
    pos.dispose();
  });

  it('without prefix tokens (noEmbedClass), and to a smaller grid', () => {
    const pos = tf.randomNormal([1, 36, 4]);
    const out = resampleAbsPosEmbed(pos, [3, 3], { numPrefixTokens: 0 });
    expect(out.shape).toEqual([1, 9, 4]);
    tf.dispose([pos, out]);
  });

  it('a constant embedding stays constant (the filters are normalised)', () => {
    const pos = tf.fill([1, 1 + 16, 3], 0.7);
    for (const method of Object.values(POS_EMBED_RESAMPLING)) {
      const out = resampleAbsPosEmbed(pos, [7, 7], method);
      expectClose(out, tf.fill([1, 50, 3], 0.7), 1e-6, `${method.mode} aa=${method.antialias}`);
      out.dispose();
    }
    pos.dispose();
  });

  it('a token count that is not prefix + a square grid is a typed error', () => {
    const pos = tf.zeros([1, 1 + 15, 4]);
    expect(() => resampleAbsPosEmbed(pos, [4, 4])).toThrow(CheckpointError);
    expect(() => resampleAbsPosEmbed(pos, [4, 4], { oldSize: [3, 5] })).not.toThrow();
    expect(() => resampleAbsPosEmbed(tf.zeros([2, 17, 4]), [4, 4])).toThrow(/expected \[1, tokens, dim\]/);
    pos.dispose();
  });

  it('does not leak', () => {
    const pos = tf.randomNormal([1, 17, 4]);
    expect(tensorGrowth(() => resampleAbsPosEmbed(pos, [5, 5]))).toBe(0);
    pos.dispose();
  });
});
