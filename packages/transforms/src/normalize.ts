// Normalize: (x - mean) / std per channel, on HWC tensors or float images, with timm's presets.
import * as tf from '@tensorflow/tfjs-core';
import { TransformArgumentError } from './errors';
import { isFloatImage, type FloatImage, type Pixels } from './image';
import type { PixelTransform, Transform, TransformSpec } from './transform';

/** ImageNet mean (timm's IMAGENET_DEFAULT_MEAN). */
export const IMAGENET_DEFAULT_MEAN = [0.485, 0.456, 0.406] as const;
/** ImageNet std (timm's IMAGENET_DEFAULT_STD). */
export const IMAGENET_DEFAULT_STD = [0.229, 0.224, 0.225] as const;
/** Inception-style mean 0.5 (timm's IMAGENET_INCEPTION_MEAN; the original ViT weights use it). */
export const IMAGENET_INCEPTION_MEAN = [0.5, 0.5, 0.5] as const;
/** Inception-style std 0.5 (timm's IMAGENET_INCEPTION_STD). */
export const IMAGENET_INCEPTION_STD = [0.5, 0.5, 0.5] as const;

function check(mean: readonly number[], std: readonly number[], channels?: number): void {
  if (mean.length !== std.length) {
    throw new TransformArgumentError(`Normalize: mean has ${mean.length} values but std has ${std.length}`);
  }
  if (std.some((s) => s === 0)) throw new TransformArgumentError(`Normalize: std must be non-zero, got [${std}]`);
  if (channels !== undefined && channels !== mean.length) {
    throw new TransformArgumentError(`Normalize: expected ${mean.length} channels, got ${channels}`);
  }
}

/**
 * `(x - mean[c]) / std[c]` in float32 on a float image (same rounding as torch's sub_ then div_).
 *
 * @example
 * const n = normalizeFloatImage(toFloatImage(img), IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD);
 */
export function normalizeFloatImage(img: FloatImage, mean: readonly number[], std: readonly number[]): FloatImage {
  check(mean, std, img.channels);
  const C = img.channels;
  const m = Float32Array.from(mean);
  const s = Float32Array.from(std);
  const out = new Float32Array(img.data.length);
  const f32 = Math.fround;
  for (let i = 0; i < out.length; i += C) {
    for (let c = 0; c < C; c++) out[i + c] = f32(img.data[i + c] - m[c]) / s[c];
  }
  return { ...img, data: out };
}

/**
 * Normalizes the last (channel) axis of an `[H, W, C]` or `[B, H, W, C]` tensor. The caller
 * disposes the result; intermediates are freed.
 *
 * @example
 * const y = normalize(x, IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD);
 */
export function normalize<T extends tf.Tensor>(x: T, mean: readonly number[], std: readonly number[]): T {
  check(mean, std, x.shape[x.shape.length - 1]);
  return tf.tidy(() => tf.div(tf.sub(x, tf.tensor1d(mean as number[])), tf.tensor1d(std as number[]))) as T;
}

/**
 * The module form of {@link normalize}; accepts a tensor or a {@link FloatImage}.
 *
 * @example
 * const t = new Normalize(IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD);
 * const y = t.call(new ToTensor().call(img));
 */
export class Normalize implements Transform<tf.Tensor3D | FloatImage, tf.Tensor3D | FloatImage>, PixelTransform {
  readonly mean: number[];
  readonly std: number[];
  constructor(mean: readonly number[], std: readonly number[]) {
    check(mean, std);
    this.mean = [...mean];
    this.std = [...std];
  }
  call<T extends tf.Tensor3D | FloatImage>(x: T): T {
    if (x instanceof tf.Tensor) return normalize(x, this.mean, this.std) as T;
    return normalizeFloatImage(x as FloatImage, this.mean, this.std) as T;
  }
  apply(img: Pixels): Pixels {
    if (!isFloatImage(img)) throw new TransformArgumentError('Normalize: expected a float image (put ToTensor first)');
    return normalizeFloatImage(img, this.mean, this.std);
  }
  toSpec(): TransformSpec {
    return { type: 'Normalize', args: [this.mean, this.std] };
  }
}
