// Test-only: the tiny model of tools/fixtures/gen_train.py (fc2(tanh(fc1(x) + pos_embed))), built on
// Module so the trainer is tested without @tfjs-vit/models. Not exported from the package.
import * as tf from '@tensorflow/tfjs-core';
import { Module, type Parameter } from '@tfjs-vit/layers';

class TestLinear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter;
  constructor(dIn: number, dOut: number, seed: number) {
    super();
    // PyTorch layout [out, in]: the fixtures load without a transpose.
    this.weight = this.registerParameter('weight', tf.randomUniform([dOut, dIn], -0.4, 0.4, 'float32', seed));
    this.bias = this.registerParameter('bias', tf.zeros([dOut]));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(tf.matMul(x, this.weight.value, false, true), this.bias.value));
  }
}

/** The fixture MLP; `noWeightDecay()` names `pos_embed`, as a ViT names its position embedding. */
export class TinyMLP extends Module {
  readonly posEmbed: Parameter;
  readonly fc1: TestLinear;
  readonly fc2: TestLinear;
  constructor(dIn = 6, dHidden = 8, dOut = 3, seed = 1) {
    super();
    this.posEmbed = this.registerParameter('pos_embed', tf.randomNormal([1, dHidden], 0, 0.1, 'float32', seed));
    this.fc1 = this.registerModule('fc1', new TestLinear(dIn, dHidden, seed + 1));
    this.fc2 = this.registerModule('fc2', new TestLinear(dHidden, dOut, seed + 2));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc2.forward(tf.tanh(tf.add(this.fc1.forward(x), this.posEmbed.value))));
  }
  noWeightDecay(): Set<string> {
    return new Set(['pos_embed']);
  }
}

/** A seeded classification problem the TinyMLP can learn: labels from a fixed random linear map. */
export function syntheticBatches(numBatches: number, batchSize: number, dIn = 6, classes = 3, seed = 7): { images: tf.Tensor; labels: tf.Tensor }[] {
  const out: { images: tf.Tensor; labels: tf.Tensor }[] = [];
  tf.tidy(() => {
    const w = tf.randomNormal([dIn, classes], 0, 1, 'float32', seed);
    for (let i = 0; i < numBatches; i++) {
      const x = tf.randomNormal([batchSize, dIn], 0, 1, 'float32', seed + 1 + i);
      const y = tf.cast(tf.argMax(tf.matMul(x, w), 1), 'int32');
      out.push({ images: tf.keep(x), labels: tf.keep(y) });
    }
  });
  return out;
}
