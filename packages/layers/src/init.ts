// Weight initialisers as timm's ViT uses them (trunc normal std 0.02, zero biases, ones/zeros for
// norms) and PyTorch's defaults for Linear/Conv2d (kaiming-uniform a=√5 → U(±1/√fanIn)).
import * as tf from '@tensorflow/tfjs-core';
import { truncNormal } from '@tfjs-vit/ops';

/**
 * How a Linear or Conv2d draws its initial weights.
 * - `'timm'`: weight ~ trunc normal (std 0.02, cut at ±2), bias 0 — timm's ViT `init_weights`.
 * - `'torch'`: PyTorch's default `reset_parameters`: weight and bias ~ U(-1/√fanIn, 1/√fanIn).
 * - `'zeros'`: everything 0 (e.g. a classifier head that should start silent).
 */
export type InitMode = 'timm' | 'torch' | 'zeros';

/**
 * A tensor of `shape` drawn from timm's `trunc_normal_(std)` (values cut at ±2, absolute).
 *
 * @example
 * ```ts
 * const w = truncNormalInit([768, 3072]); // std 0.02
 * ```
 */
export function truncNormalInit(shape: readonly number[], std = 0.02, seed?: number): tf.Tensor {
  return truncNormal([...shape], { std, seed });
}

/**
 * PyTorch's default for Linear/Conv weights and biases: U(-1/√fanIn, 1/√fanIn).
 *
 * @example
 * ```ts
 * const w = torchDefaultInit([6, 5], 6); // a Linear(6, 5) weight stored [in, out]
 * ```
 */
export function torchDefaultInit(shape: readonly number[], fanIn: number, seed?: number): tf.Tensor {
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return tf.randomUniform([...shape], -bound, bound, 'float32', seed);
}

/**
 * A weight (or bias, with `isBias`) of `shape` initialised by `mode`; `fanIn` is the number of
 * inputs per output (in features, or inChannels/groups · kh · kw).
 *
 * @example
 * ```ts
 * const w = initWeight([16, 48], 16, 'timm');
 * const b = initWeight([48], 16, 'timm', true); // zeros
 * ```
 */
export function initWeight(shape: readonly number[], fanIn: number, mode: InitMode, isBias = false): tf.Tensor {
  if (mode === 'zeros') return tf.zeros([...shape]);
  if (mode === 'torch') return torchDefaultInit(shape, fanIn);
  return isBias ? tf.zeros([...shape]) : truncNormalInit(shape);
}
