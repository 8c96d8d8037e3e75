// Cutting an NHWC image into a row-major sequence of flattened patches (ViT's tokenization) and back.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, fmtShape } from './errors';

/** Order of the values inside one flattened patch. */
export type PatchOrder = 'hwc' | 'chw';

/** Options of {@link patchify} / {@link unpatchify}. */
export interface PatchifyOptions {
  /**
   * 'hwc' (default): row, column, channel — matches a conv kernel in HWIO layout reshaped to
   * `[ph*pw*C, D]`. 'chw': channel, row, column — matches `torch.nn.Unfold` (seed 001's tokenizer).
   */
  order?: PatchOrder;
}

function pair(patchSize: number | [number, number]): [number, number] {
  const [ph, pw] = typeof patchSize === 'number' ? [patchSize, patchSize] : patchSize;
  if (!(Number.isInteger(ph) && ph > 0 && Number.isInteger(pw) && pw > 0)) {
    throw new ArgumentError(`patchify: patch size must be positive integers, got ${fmtShape([ph, pw])}`);
  }
  return [ph, pw];
}

/**
 * `[B, H, W, C]` → `[B, (H/ph)·(W/pw), ph·pw·C]`, patches in row-major grid order.
 *
 * @example
 * ```ts
 * const tokens = patchify(images, 16); // [B, 196, 768] for 224x224x3 images
 * const embedded = tf.matMul(tf.reshape(tokens, [-1, 768]), wHwio); // = a 16x16/16 conv
 * ```
 */
export function patchify(x: tf.Tensor, patchSize: number | [number, number], opts: PatchifyOptions = {}): tf.Tensor {
  if (x.rank !== 4) throw new ShapeError(`patchify: x expected rank 4 [B, H, W, C], got ${fmtShape(x.shape)}`);
  const [ph, pw] = pair(patchSize);
  const [B, H, W, C] = x.shape as number[];
  if (H % ph !== 0 || W % pw !== 0) {
    throw new ShapeError(`patchify: image ${H}x${W} (x ${fmtShape(x.shape)}) is not divisible by patch ${ph}x${pw}`);
  }
  const gh = H / ph;
  const gw = W / pw;
  return tf.tidy(() => {
    // Rank 5 (B·gh merged) keeps every backend's transpose on its fast path.
    const r = tf.reshape(x, [B * gh, ph, gw, pw, C]);
    const perm = (opts.order ?? 'hwc') === 'hwc' ? [0, 2, 1, 3, 4] : [0, 2, 4, 1, 3];
    return tf.reshape(tf.transpose(r, perm), [B, gh * gw, ph * pw * C]);
  });
}

/**
 * Inverse of {@link patchify}: `[B, gh·gw, ph·pw·C]` → `[B, gh·ph, gw·pw, C]`.
 *
 * @example
 * ```ts
 * const image = unpatchify(tokens, [14, 14], 16, 3); // [B, 224, 224, 3]
 * ```
 */
export function unpatchify(
  tokens: tf.Tensor, gridSize: [number, number], patchSize: number | [number, number], channels: number,
  opts: PatchifyOptions = {},
): tf.Tensor {
  const [ph, pw] = pair(patchSize);
  const [gh, gw] = gridSize;
  const want = [tokens.shape[0], gh * gw, ph * pw * channels];
  if (tokens.rank !== 3 || tokens.shape[1] !== want[1] || tokens.shape[2] !== want[2]) {
    throw new ShapeError(`unpatchify: tokens expected ${fmtShape(want)}, got ${fmtShape(tokens.shape)}`);
  }
  const B = tokens.shape[0];
  return tf.tidy(() => {
    const hwc = (opts.order ?? 'hwc') === 'hwc';
    const r = tf.reshape(tokens, hwc ? [B * gh, gw, ph, pw, channels] : [B * gh, gw, channels, ph, pw]);
    const perm = hwc ? [0, 2, 1, 3, 4] : [0, 3, 1, 4, 2];
    return tf.reshape(tf.transpose(r, perm), [B, gh * ph, gw * pw, channels]);
  });
}
