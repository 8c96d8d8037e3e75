import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { ShapeError } from '@tfjs-vit/ops';
import { describeBackends, expectClose, expectRelClose, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { fixture } from './parity.testutil';
import { learnedPosEmbed, resamplePosEmbed, sincos2dPosEmbed, sinusoidPosEncoding } from './pos_embed';

describeBackends('position embeddings', () => {
  const fx = fixture('pos_embed');

  for (const [tag, opts] of [
    ['bicubic_aa', { interpolation: 'bicubic', antialias: true }],
    ['bicubic', { interpolation: 'bicubic', antialias: false }],
    ['bilinear_aa', { interpolation: 'bilinear', antialias: true }],
  ] as const) {
    it(`resamplePosEmbed 14x14 → 10x17 matches timm resample_abs_pos_embed (${tag})`, () => {
      const pe = fx.tensor('in.posemb');
      const out = resamplePosEmbed(pe, [10, 17], opts);
      const ref = fx.tensor(`out.resample_${tag}`);
      expectClose(out, ref, 1e-4, tag);
      tf.dispose([pe, out, ref]);
    });
  }

  it('gradients flow through resamplePosEmbed as through timm (bicubic, antialias)', () => {
    const pe = fx.tensor('in.posemb');
    const probe = fx.tensor('probe.resample');
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(resamplePosEmbed(t, [10, 17]), probe)))(pe);
    const ref = fx.tensor('grad.resample_bicubic_aa');
    expectRelClose(g, ref, 1e-4, 1e-6, 'grad');
    tf.dispose([pe, probe, g, ref]);
  });

  it('resamplePosEmbed from a non-square 6x9 grid with 2 prefix tokens', () => {
    const pe = fx.tensor('in.posemb_rect');
    const out = resamplePosEmbed(pe, [8, 5], { oldSize: [6, 9], numPrefixTokens: 2 });
    const ref = fx.tensor('out.resample_rect');
    expectClose(out, ref, 1e-4);
    expectClose(tf.slice(out, [0, 0, 0], [1, 2, 8]), tf.slice(pe, [0, 0, 0], [1, 2, 8]), 0);
    expect(() => resamplePosEmbed(pe, [8, 5], { numPrefixTokens: 2 })).toThrow(ShapeError);
    expect(() => resamplePosEmbed(pe, [8, 5], { numPrefixTokens: 2 })).toThrow('pass oldSize');
    tf.dispose([pe, out, ref]);
  });

  it('resamplePosEmbed returns an equal copy when the square size already matches', () => {
    const pe = tf.randomNormal([1, 17, 4]);
    const out = resamplePosEmbed(pe, [4, 4]);
    expect(out).not.toBe(pe);
    expectClose(out, pe, 0);
    tf.dispose([pe, out]);
  });

  it("sincos2dPosEmbed matches timm's build_sincos2d_pos_embed (both option sets) and MAE", () => {
    for (const [name, t] of [
      ['out.sincos2d', sincos2dPosEmbed([6, 5], 16)],
      ['out.sincos2d_rev_inter', sincos2dPosEmbed([6, 5], 16, { reverseCoord: true, interleaveSinCos: true })],
      ['out.mae_sincos2d', sincos2dPosEmbed([6, 5], 16, { style: 'mae' })],
    ] as const) {
      const ref = fx.tensor(name);
      expectClose(t, ref, 1e-5, name);
      tf.dispose([t, ref]);
    }
    const withCls = sincos2dPosEmbed(2, 8, { numPrefixTokens: 1 });
    expect(withCls.shape).toEqual([5, 8]);
    expect(Array.from(withCls.dataSync().slice(0, 8))).toEqual(new Array(8).fill(0));
    withCls.dispose();
  });

  it("sinusoidPosEncoding matches seed 001's get_sinusoid_encoding", () => {
    const t = sinusoidPosEncoding(11, 12);
    const ref = fx.tensor('out.sinusoid');
    expectClose(t, ref, 1e-6);
    tf.dispose([t, ref]);
  });

  it('learnedPosEmbed is [1, prefix + gh·gw, D], trunc normal 0.02', () => {
    const pe = learnedPosEmbed([14, 14], 64);
    expect(pe.shape).toEqual([1, 197, 64]);
    const v = pe.dataSync();
    const std = Math.sqrt(Array.from(v).reduce((s, e) => s + e * e, 0) / v.length);
    expect(std).toBeGreaterThan(0.017);
    expect(std).toBeLessThan(0.023);
    expect(learnedPosEmbed([2, 3], 4, { numPrefixTokens: 0 }).shape).toEqual([1, 6, 4]);
    pe.dispose();
  });

  it('resamplePosEmbed does not leak tensors', () => {
    const pe = tf.randomNormal([1, 1 + 16, 8]);
    expect(tensorGrowth(() => resamplePosEmbed(pe, [3, 5]))).toBe(0);
    pe.dispose();
  });
});
