// HybridEmbed + ConvStem: a CNN feature map as ViT tokens.
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, GELU, Module } from '@tfjs-vit/layers';
import { describeBackends, expectClose, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { ConvStem } from './conv_stem';
import { HybridEmbed, type FeatureBackbone } from './hybrid_embed';
import { createConvStemViT } from './hybrid_vit';
import { createViT } from './vision_transformer';
import type { EmbedLayerArgs } from './vit_parts';

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

  it("the README's own-module patch_embed works as written", () => {
    class MyStem extends Module {
      conv1: Conv2d; act: GELU; conv2: Conv2d; gridSize: [number, number];
      constructor(a: EmbedLayerArgs) {
        super();
        this.conv1 = this.registerModule('conv1', new Conv2d(a.inChans, 64, 4, { stride: 4 }));
        this.act = this.registerModule('act', new GELU());
        this.conv2 = this.registerModule('conv2', new Conv2d(64, a.embedDim, 4, { stride: 4 }));
        this.gridSize = [a.imgSize[0] / 16, a.imgSize[1] / 16];
      }
      forward(x: tf.Tensor) { return tf.tidy(() => this.conv2.forward(this.act.forward(this.conv1.forward(x)))); }
    }
    const vit = createViT({ imgSize: 64, embedDim: 32, depth: 1, numHeads: 2, numClasses: 3, embedLayer: (a) => new MyStem(a) }).eval();
    expect([...vit.stateDict().keys()].filter((k) => k.startsWith('patch_embed'))).toEqual([
      'patch_embed.conv1.weight', 'patch_embed.conv1.bias', 'patch_embed.conv2.weight', 'patch_embed.conv2.bias',
    ]);
    expect(vit.posEmbed!.shape).toEqual([1, 17, 32]);
    tf.tidy(() => {
      expect(vit.forward(tf.randomNormal([1, 64, 64, 3])).shape).toEqual([1, 3]);
    });
    vit.dispose();
  });
});
