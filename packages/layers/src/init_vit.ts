// timm's ViT weight init applied to a whole module tree (init_weights_vit_timm via named_apply):
// every Linear weight trunc normal std 0.02 and bias 0, every LayerNorm weight 1 and bias 0.
import * as tf from '@tensorflow/tfjs-core';
import { truncNormalInit } from './init';
import { LayerNorm } from './layer_norm';
import { Linear } from './linear';
import type { Module } from './module';

/**
 * Re-initialises `root` and its descendants as timm's ViT does: Linear → trunc normal (std,
 * default 0.02) weight and zero bias; LayerNorm → ones and zeros. Other parameters (conv kernels,
 * position embeddings, class tokens, LayerScale) are left alone, as in timm. Returns `root`.
 *
 * @example
 * ```ts
 * const block = initWeightsVit(new Block(384, 6, { qkvBias: true }));
 * ```
 */
export function initWeightsVit<M extends Module>(root: M, options: { std?: number } = {}): M {
  const std = options.std ?? 0.02;
  for (const [, m] of root.namedModules()) {
    if (m instanceof Linear) {
      tf.tidy(() => m.weight.variable.assign(truncNormalInit(m.weight.shape, std)));
      if (m.bias) tf.tidy(() => m.bias!.variable.assign(tf.zerosLike(m.bias!.variable)));
    } else if (m instanceof LayerNorm) {
      if (m.weight) tf.tidy(() => m.weight!.variable.assign(tf.onesLike(m.weight!.variable)));
      if (m.bias) tf.tidy(() => m.bias!.variable.assign(tf.zerosLike(m.bias!.variable)));
    }
  }
  return root;
}
