// HybridEmbed + ConvStem: a CNN feature map as ViT tokens.
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { ConvStem } from './conv_stem';
import { HybridEmbed, type FeatureBackbone } from './hybrid_embed';
import { createConvStemViT } from './hybrid_vit';

describeBackends('HybridEmbed / ConvStem', () => {
  it('ConvStem: conv arithmetic matches the real output, timm ConvNormAct keys', () => {
    const stem = new ConvStem({ channels: [8, 16, 24], inChans: 3 });
    expect(stem.outputSize(33, 20)).toEqual([5, 3]);
    tf.tidy(() => {
      expect(stem.forward(tf.zeros([1, 33, 20, 3])).shape).toEqual([1, 5, 3, 24]);
    });
    expect([...stem.stateDict().keys()]).toEqual([
      '0.conv.weight', '0.bn.weight', '0.bn.bias', '1.conv.weight', '1.bn.weight', '1.bn.bias', '2.conv.weight', '2.conv.bias',
    ]);
    stem.dispose();
  });

  it('a conv-stem ViT: keys under patch_embed.backbone / patch_embed.proj, grid from the stem', () => {
    const vit = createConvStemViT({ imgSize: [32, 48], embedDim: 32, depth: 1, numHeads: 2, numClasses: 4, stem: { channels: [8, 16] } }).eval();
    const keys = [...vit.stateDict().keys()];
    expect(keys).toContain('patch_embed.backbone.0.conv.weight');
    expect(keys).toContain('patch_embed.proj.weight');
    expect(vit.patchEmbed.gridSize).toEqual([8, 12]);
    expect(vit.posEmbed!.shape).toEqual([1, 1 + 96, 32]);
    tf.tidy(() => {
      expect(vit.forward(tf.randomNormal([2, 32, 48, 3])).shape).toEqual([2, 4]);
    });
    const x = tf.randomNormal([1, 32, 48, 3]);
    expect(tensorGrowth(() => vit.forward(x))).toBe(0);
    x.dispose();
    vit.dispose();
  });

  it('a user backbone without outputSize is probed once with a zero image, as timm', () => {
    class Pool2 extends ConvStem {}
    const stem = new Pool2({ channels: [6], inChans: 3 });
    const bare: FeatureBackbone = Object.assign(stem, { outputSize: undefined });
    const embed = new HybridEmbed(bare, { imgSize: [16, 16], embedDim: 10, patchSize: 2 });
    expect(embed.featureMapSize).toEqual([8, 8]);
    expect(embed.gridSize).toEqual([4, 4]);
    tf.tidy(() => {
      const x = tf.randomNormal([1, 16, 16, 3]);
      const y = embed.forward(x);
      expect(y.shape).toEqual([1, 4, 4, 10]);
      // proj is a patch conv over the feature map
      expectClose(y, embed.proj.forward(stem.forward(x)), 1e-6);
    });
    embed.dispose();
  });
});
