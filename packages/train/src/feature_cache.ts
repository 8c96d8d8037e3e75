// Linear probing without augmentation: each image's features (what the head sees) are computed
// once, off the gradient tape, and the head trains on them for every epoch — the frozen backbone
// never runs again. (The features live in memory for the run: a resumed run computes them again.)
import * as tf from '@tensorflow/tfjs-core';
import { Module, type TensorModule } from '@tfjs-vit/layers';
import type { VisionTransformer } from '@tfjs-vit/models';
import { ArgumentError } from '@tfjs-vit/ops';
import { deriveSeed, Rng, shuffleInPlace } from '@tfjs-vit/transforms';
import type { Batch } from './types';

/** Features `[count, dim]` (row-major) and their labels. */
export interface FeatureSet {
  features: Float32Array;
  labels: Int32Array;
  count: number;
  dim: number;
}

/**
 * Runs `model` (in eval mode, no tape) over `batches` and keeps the head's input for each image:
 * pooling, `fc_norm` and pre-logits included (`forwardHead(…, { preLogits: true })`). Batch
 * tensors are disposed.
 *
 * @example
 * ```ts
 * const train = await extractFeatures(vit, new DataLoader(split.train, { batchSize: 32, transform: evalTransform(dc) }));
 * ```
 */
export async function extractFeatures(
  model: VisionTransformer,
  batches: AsyncIterable<Batch> | Iterable<Batch>,
  options: { onBatch?: (images: number) => void } = {},
): Promise<FeatureSet> {
  const was = model.training;
  model.eval();
  const parts: Float32Array[] = [];
  const labels: number[] = [];
  let dim = 0;
  try {
    for await (const b of batches as AsyncIterable<Batch>) {
      try {
        const f = tf.tidy(() => model.forwardHead(model.forwardFeatures(b.images), { preLogits: true }));
        dim = f.shape[1]!;
        parts.push((await f.data()) as Float32Array);
        f.dispose();
        labels.push(...((await b.labels.data()) as Int32Array));
        options.onBatch?.(b.images.shape[0]);
      } finally {
        tf.dispose([b.images, b.labels]);
      }
    }
  } finally {
    model.train(was);
  }
  const features = new Float32Array(labels.length * dim);
  let at = 0;
  for (const p of parts) {
    features.set(p, at);
    at += p.length;
  }
  return { features, labels: Int32Array.from(labels), count: labels.length, dim };
}

/**
 * The batches of a feature set, as a source the Trainer takes: a fresh pass per epoch, shuffled by
 * (seed, epoch) when `shuffle` — the Trainer sets `epoch`, so a resumed run sees the same order.
 *
 * @example
 * ```ts
 * const train = new FeatureBatches(features, 32, { shuffle: true, seed: 0 });
 * ```
 */
export class FeatureBatches implements Iterable<Batch> {
  epoch = 0;
  constructor(
    readonly set: FeatureSet,
    readonly batchSize: number,
    readonly options: { shuffle?: boolean; seed?: number } = {},
  ) {
    if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new ArgumentError(`FeatureBatches: batchSize must be a positive integer, got ${batchSize}`);
  }
  get length(): number {
    return Math.ceil(this.set.count / this.batchSize);
  }
  *[Symbol.iterator](): Iterator<Batch> {
    const { set, batchSize } = this;
    const order = Array.from({ length: set.count }, (_, i) => i);
    if (this.options.shuffle) shuffleInPlace(order, new Rng(deriveSeed(this.options.seed ?? 0, this.epoch)));
    this.epoch += 1;
    for (let s = 0; s < order.length; s += batchSize) {
      const idx = order.slice(s, s + batchSize);
      const x = new Float32Array(idx.length * set.dim);
      idx.forEach((k, i) => x.set(set.features.subarray(k * set.dim, (k + 1) * set.dim), i * set.dim));
      yield { images: tf.tensor2d(x, [idx.length, set.dim]), labels: tf.tensor1d(Int32Array.from(idx, (k) => set.labels[k]), 'int32') };
    }
  }
}

/**
 * A model over features: the classifier alone (`head.*`, sharing the ViT's own Linear), so the
 * Trainer, its optimizer state and checkpoints see exactly the parameters being trained.
 *
 * @example
 * ```ts
 * const probe = new HeadOnFeatures(vit.head);
 * ```
 */
export class HeadOnFeatures extends Module {
  readonly head: TensorModule;
  constructor(head: TensorModule) {
    super();
    this.head = this.registerModule('head', head);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return this.head.forward(x);
  }
}
