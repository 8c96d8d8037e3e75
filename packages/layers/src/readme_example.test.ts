// The README's "Build your own model" example, verbatim, so that it keeps compiling and running.
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { Block, LayerNorm, Linear, Module, ModuleList, PatchEmbed, learnedPosEmbed } from './index';

class TinyViT extends Module {
  patchEmbed = this.registerModule('patch_embed', new PatchEmbed({ imgSize: 32, patchSize: 4, embedDim: 192 }));
  clsToken = this.registerParameter('cls_token', tf.zeros([1, 1, 192]));
  posEmbed = this.registerParameter('pos_embed', learnedPosEmbed([8, 8], 192)); // [1, 65, 192]
  blocks = this.registerModule('blocks', new ModuleList([0, 1, 2, 3].map(() => new Block(192, 3, { qkvBias: true }))));
  norm = this.registerModule('norm', new LayerNorm(192));
  head = this.registerModule('head', new Linear(192, 10));

  forward(images: tf.Tensor): tf.Tensor { // [B, 32, 32, 3] → logits [B, 10]
    return tf.tidy(() => {
      const tokens = this.patchEmbed.forward(images);
      let x = tf.add(tf.concat([tf.tile(this.clsToken.value, [images.shape[0], 1, 1]), tokens], 1), this.posEmbed.value);
      for (const block of this.blocks) x = block.forward(x);
      return this.head.forward(tf.squeeze(tf.slice(this.norm.forward(x), [0, 0, 0], [-1, 1, -1]), [1]));
    });
  }
}

describeBackends('README example', () => {
  it('builds, runs and names its state dict as timm would', () => {
    const model = new TinyViT();
    const x = tf.randomNormal([2, 32, 32, 3]);
    const y = model.forward(x);
    expect(y.shape).toEqual([2, 10]);
    const sd = model.stateDict();
    const keys = [...sd.keys()];
    expect(keys.slice(0, 4)).toEqual(['cls_token', 'pos_embed', 'patch_embed.proj.weight', 'patch_embed.proj.bias']);
    expect(keys).toContain('blocks.3.attn.qkv.weight');
    expect(sd.get('blocks.0.attn.qkv.weight')!.shape).toEqual([576, 192]);
    expect(keys.at(-1)).toBe('head.bias');
    expect(tensorGrowth(() => model.forward(x), 1)).toBe(0);
    tf.dispose([x, y, ...sd.values()]);
    model.dispose();
  });
});
