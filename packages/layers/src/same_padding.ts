// TensorFlow's "SAME" padding, computed from the input size (timm's layers/padding.py pad_same):
// the output is ceil(size / stride) and an odd total pad puts the extra pixel at the bottom/right.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, assertRank } from '@tfjs-vit/ops';
import type { Pads } from './conv2d_grad';

/**
 * `[before, after]` padding of one axis of length `size` for a `kernel`-wide window moving by
 * `stride`, as TensorFlow's `padding='SAME'`: total `max((ceil(size/stride) − 1)·stride + kernel −
 * size, 0)`, the smaller half first.
 *
 * @example
 * ```ts
 * samePadding(224, 7, 2); // [2, 3]: 224 → 112
 * samePadding(15, 3, 2);  // [1, 1]: 15 → 8
 * ```
 */
export function samePadding(size: number, kernel: number, stride: number): [number, number] {
  for (const [what, v] of [['size', size], ['kernel', kernel], ['stride', stride]] as const) {
    if (!(Number.isInteger(v) && v > 0)) throw new ArgumentError(`samePadding: ${what} must be a positive integer, got ${v}`);
  }
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + kernel - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/**
 * `[top, bottom, left, right]` TF-"SAME" padding of an `h × w` input.
 *
 * @example
 * ```ts
 * samePads([63, 64], [3, 3], [2, 2]); // [1, 1, 0, 1]
 * ```
 */
export function samePads(
  [h, w]: readonly [number, number],
  kernel: readonly [number, number],
  stride: readonly [number, number],
): [number, number, number, number] {
  return [...samePadding(h, kernel[0], stride[0]), ...samePadding(w, kernel[1], stride[1])];
}

/** `ceil(size / stride)` per axis: the spatial size after a TF-"SAME" window. */
export function sameOutputSize(h: number, w: number, stride: readonly [number, number]): [number, number] {
  return [Math.ceil(h / stride[0]), Math.ceil(w / stride[1])];
}

/**
 * Pads an NHWC `x` with `value` for a TF-"SAME" window (timm's `pad_same`). Returns `x` itself
 * when no padding is needed.
 *
 * @example
 * ```ts
 * padSame(tf.zeros([1, 224, 224, 3]), [7, 7], [2, 2]).shape; // [1, 229, 229, 3]
 * ```
 */
export function padSame(x: tf.Tensor4D, kernel: readonly [number, number], stride: readonly [number, number], value = 0): tf.Tensor4D {
  assertRank('padSame input', x.shape, 4);
  const pads: Pads = samePads([x.shape[1], x.shape[2]], kernel, stride);
  const [t, b, l, r] = pads;
  if (!(t || b || l || r)) return x;
  return tf.pad(x, [[0, 0], [t, b], [l, r], [0, 0]], value);
}
