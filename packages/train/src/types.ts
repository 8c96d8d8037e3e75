// The small interfaces the trainer drives: a model, a batch, a source of batches.
import type * as tf from '@tensorflow/tfjs-core';
import type { Module } from '@tfjs-vit/layers';

/**
 * What the trainer needs of a model: a `Module` (named parameters, state dict, train/eval) with a
 * single-tensor `forward`, and optionally the names AdamW must not decay (timm's `no_weight_decay`).
 * `@tfjs-vit/models`' VisionTransformer is one.
 *
 * @example
 * ```ts
 * class Mlp extends Module { forward(x: tf.Tensor) { return tf.matMul(x, this.w.value); } }
 * const model: TrainableModel = new Mlp();
 * ```
 */
export type TrainableModel = Module & {
  forward(x: tf.Tensor): tf.Tensor;
  noWeightDecay?(): Iterable<string>;
};

/**
 * One batch: `images` (any shape the model accepts, e.g. NHWC float32) and `labels`, either class
 * indices `[B]` (int32) or soft targets `[B, numClasses]` (float32, for Mixup/CutMix).
 */
export interface Batch {
  images: tf.Tensor;
  labels: tf.Tensor;
}

/**
 * A source of batches: an async iterable (the transforms `DataLoader`), a sync iterable, an array,
 * or a function returning a fresh iterable per epoch. The trainer disposes each batch's tensors
 * after using them unless the source is an array (arrays are reused across epochs).
 */
export type BatchSource =
  | readonly Batch[]
  | AsyncIterable<Batch>
  | Iterable<Batch>
  | (() => AsyncIterable<Batch> | Iterable<Batch>);
