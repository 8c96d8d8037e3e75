// A 2-block ViT trunk built only from this package's layers, the way a user would build one
// (patch_embed → cls token → pos_embed → blocks → norm), against the same stack in PyTorch.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describeBackends, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { Block } from './block';
import { ModuleList } from './containers';
import { LayerNorm } from './layer_norm';
import { Module, type Parameter } from './module';
import { checkParity, expectSameStateDict, fixture, nchwToNhwc } from './parity.testutil';
import { PatchEmbed } from './patch_embed';
import { learnedPosEmbed } from './pos_embed';

class TinyViT extends Module {
  readonly patchEmbed = this.registerModule('patch_embed', new PatchEmbed({ imgSize: 16, patchSize: 4, embedDim: 16 }));
  readonly clsToken: Parameter = this.registerParameter('cls_token', tf.zeros([1, 1, 16]));
  readonly posEmbed: Parameter = this.registerParameter('pos_embed', learnedPosEmbed([4, 4], 16));
  readonly blocks = this.registerModule('blocks', new ModuleList([0, 1].map(() => new Block(16, 4, { qkvBias: true }))));
  readonly norm = this.registerModule('norm', new LayerNorm(16));

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const tokens = this.patchEmbed.forward(x);
      const cls = tf.tile(this.clsToken.value, [x.shape[0], 1, 1]);
      let h = tf.add(tf.concat([cls, tokens], 1), this.posEmbed.value);
      for (const block of this.blocks) h = block.forward(h);
      return this.norm.forward(h);
    });
  }
}

describeBackends('2-block ViT stack', () => {
  it("has exactly PyTorch's state-dict keys and shapes", () => {
    const vit = new TinyViT();
    expectSameStateDict(vit, fixture('vit_stack'));
    vit.dispose();
  });

  it('matches PyTorch forward (≤ 1e-4) and every parameter gradient (≤ 1e-4 relative)', () => {
    const vit = new TinyViT();
    checkParity(vit, fixture('vit_stack'), (x) => vit.forward(x), { input: nchwToNhwc });
    vit.dispose();
  });

  it('trains with tf.variableGrads over trainableVariables(), frozen parts excluded', () => {
    const vit = new TinyViT();
    vit.patchEmbed.setTrainable(false);
    const x = tf.randomNormal([2, 16, 16, 3]);
    const vars = vit.trainableVariables();
    expect(vars.length).toBe(vit.parameters().length - 2);
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(vit.forward(x))) as tf.Scalar, vars);
    expect(Object.keys(grads).length).toBe(vars.length);
    for (const g of Object.values(grads)) expect(Number.isFinite(tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]))).toBe(true);
    tf.dispose([x, value, ...Object.values(grads)]);
    vit.dispose();
  });

  it('does not leak tensors', () => {
    const vit = new TinyViT().eval();
    const x = tf.randomNormal([1, 16, 16, 3]);
    expect(tensorGrowth(() => vit.forward(x))).toBe(0);
    x.dispose();
    vit.dispose();
  });
});
