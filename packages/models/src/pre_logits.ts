// The pre-logits layer of the original ViT in21k checkpoints: Linear + Tanh before the head
// (timm <= 0.4 `pre_logits = Sequential(fc=Linear, act=Tanh)`; seed 004).
import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module, Tanh } from '@tfjs-vit/layers';

/**
 * `tanh(fc(x))`; state-dict keys `fc.weight [out, in]`, `fc.bias [out]` (under `pre_logits.`).
 *
 * @example
 * ```ts
 * const pre = new PreLogits(768, 768);
 * const y = pre.forward(tf.zeros([2, 768])); // [2, 768], in (-1, 1)
 * ```
 */
export class PreLogits extends Module {
  readonly fc: Linear;
  readonly act: Tanh;

  constructor(inFeatures: number, representationSize: number) {
    super();
    this.fc = this.registerModule('fc', new Linear(inFeatures, representationSize));
    this.act = this.registerModule('act', new Tanh());
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.act.forward(this.fc.forward(x)));
  }
}
