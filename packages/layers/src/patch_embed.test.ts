import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError } from '@tfjs-vit/ops';
import { describeBackends, expectClose, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { LayerNorm } from './layer_norm';
import { checkParity, expectSameStateDict, fixture, nchwToNhwc } from './parity.testutil';
import { PatchEmbed } from './patch_embed';

describeBackends('PatchEmbed', () => {
  for (const impl of ['matmul', 'conv'] as const) {
    it(`matches timm PatchEmbed on a non-square 12x20 image, patch 4 (${impl})`, () => {
      const embed = new PatchEmbed({ imgSize: [12, 20], patchSize: 4, inChans: 3, embedDim: 16, impl });
      expect(embed.gridSize).toEqual([3, 5]);
      expect(embed.numPatches).toBe(15);
      const fx = fixture('patch_embed');
      expectSameStateDict(embed, fx);
      checkParity(embed, fx, (x) => embed.forward(x), { input: nchwToNhwc });
      embed.dispose();
    });
  }

  it('matches a 4x5 patch with norm and flatten=false ([B, gh, gw, D] grid)', () => {
    const embed = new PatchEmbed({
      imgSize: [12, 20], patchSize: [4, 5], embedDim: 16, flatten: false, norm: (d) => new LayerNorm(d),
    });
    const fx = fixture('patch_embed_rect_norm');
    expectSameStateDict(embed, fx);
    checkParity(embed, fx, (x) => embed.forward(x), { input: nchwToNhwc });
    embed.dispose();
  });

  it('matches dynamic image padding (10x18 image, patch 4 → 3x5 grid)', () => {
    const embed = new PatchEmbed({ imgSize: [12, 20], patchSize: 4, embedDim: 8, dynamicImgPad: true });
    expect(embed.dynamicGridSize(10, 18)).toEqual([3, 5]);
    checkParity(embed, fixture('patch_embed_dynpad'), (x) => embed.forward(x), { input: nchwToNhwc });
    embed.dispose();
  });

  it('matmul and conv implementations agree', () => {
    const a = new PatchEmbed({ imgSize: 32, patchSize: 8, embedDim: 12 });
    const b = new PatchEmbed({ imgSize: 32, patchSize: 8, embedDim: 12, impl: 'conv' });
    const sd = a.stateDict();
    b.loadStateDict(sd);
    const x = tf.randomNormal([2, 32, 32, 3]);
    expectClose(a.forward(x), b.forward(x), 1e-5);
    tf.dispose([x, ...sd.values()]);
    a.dispose();
    b.dispose();
  });

  it('names the expected and actual image size when the input does not fit', () => {
    const embed = new PatchEmbed({ imgSize: 16, patchSize: 4, embedDim: 8 });
    const x = tf.zeros([1, 16, 20, 3]);
    expect(() => embed.forward(x)).toThrow(ShapeError);
    expect(() => embed.forward(x)).toThrow('expected image size 16x16 ([B, 16, 16, 3]), got 16x20');
    const loose = new PatchEmbed({ imgSize: 16, patchSize: 4, embedDim: 8, strictImgSize: false });
    const y = loose.forward(x);
    expect(y.shape).toEqual([1, 20, 8]);
    const odd = tf.zeros([1, 17, 20, 3]);
    expect(() => loose.forward(odd)).toThrow('not divisible by patch size 4x4');
    const nchw = tf.zeros([1, 3, 16, 16]);
    expect(() => embed.forward(nchw)).toThrow('3 channels');
    expect(() => new PatchEmbed({ imgSize: 8, patchSize: 16 })).toThrow(ArgumentError);
    tf.dispose([x, y, odd, nchw]);
    embed.dispose();
    loose.dispose();
  });

  it('does not leak tensors', () => {
    const embed = new PatchEmbed({ imgSize: [8, 12], patchSize: 4, embedDim: 8, norm: (d) => new LayerNorm(d) });
    const x = tf.randomNormal([2, 8, 12, 3]);
    expect(tensorGrowth(() => embed.forward(x))).toBe(0);
    x.dispose();
    embed.dispose();
  });

  it('setInputSize moves imgSize, gridSize and numPatches together and refuses images below a patch', () => {
    const embed = new PatchEmbed({ imgSize: 32, patchSize: [8, 4], embedDim: 8 });
    expect([embed.gridSize, embed.numPatches]).toEqual([[4, 8], 32]);
    embed.setInputSize([48, 20]);
    expect([embed.imgSize, embed.gridSize, embed.numPatches]).toEqual([[48, 20], [6, 5], 30]);
    const tokens = embed.forward(tf.zeros([1, 48, 20, 3]));
    expect(tokens.shape).toEqual([1, 30, 8]);
    expect(() => embed.setInputSize([4, 20])).toThrow(ArgumentError);
    expect(embed.gridSize).toEqual([6, 5]);
    tokens.dispose();
    embed.dispose();
  });
});
