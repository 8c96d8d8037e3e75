// Absolute position embeddings for ViTs: learned 1-D (with prefix/class tokens), fixed 2-D sin-cos
// (timm's build_sincos2d_pos_embed, MAE), 1-D sinusoidal (Vaswani et al.; seed 001's T2T-ViT), and
// resampling a learned grid to a new size as timm's resample_abs_pos_embed (seed 000).
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, assertRank, fmtShape, interpolate, ShapeError } from '@tfjs-vit/ops';
import { pair, type Size2 } from './conv2d';
import { truncNormalInit } from './init';

/**
 * A learned position embedding's initial value `[1, numPrefixTokens + gh·gw, dim]`, trunc normal
 * std 0.02 (timm's ViT `pos_embed`). Register it with `registerParameter('pos_embed', …)`.
 *
 * @example
 * ```ts
 * const posEmbed = learnedPosEmbed([14, 14], 768); // [1, 197, 768] (class token + 196 patches)
 * ```
 */
export function learnedPosEmbed(gridSize: Size2, dim: number, options: { numPrefixTokens?: number; std?: number } = {}): tf.Tensor {
  const [gh, gw] = pair(gridSize);
  return truncNormalInit([1, (options.numPrefixTokens ?? 1) + gh * gw, dim], options.std ?? 0.02);
}

export interface SinCos2dOptions {
  /** Frequency base (default 10000). */
  temperature?: number;
  /**
   * `'timm'` (default): timm's `build_sincos2d_pos_embed` — `[sin(y·ω), sin(x·ω), cos(y·ω), cos(x·ω)]`
   * (with `interleaveSinCos`: `[sin y, cos y, sin x, cos x]`); `'mae'`: MAE's `get_2d_sincos_pos_embed`
   * — `[sin(x·ω), cos(x·ω), sin(y·ω), cos(y·ω)]`. ω_i = temperature^(-i/(dim/4)), i < dim/4.
   */
  style?: 'timm' | 'mae';
  /** timm only: as timm's `reverse_coord`, build over the reversed grid shape `[gw, gh]` (x outer, first). */
  reverseCoord?: boolean;
  /** timm only: stack sin and cos per coordinate. */
  interleaveSinCos?: boolean;
  /** Zero rows prepended for prefix tokens (MAE's `cls_token=True`); default 0. */
  numPrefixTokens?: number;
}

/**
 * Fixed 2-D sine-cosine position embedding `[numPrefixTokens + gh·gw, dim]` for a `gh` x `gw`
 * grid (row-major), `dim` divisible by 4. Values computed in float64, returned as float32.
 *
 * @example
 * ```ts
 * const pe = sincos2dPosEmbed([14, 14], 768);                  // timm's layout, [196, 768]
 * const mae = sincos2dPosEmbed(14, 768, { style: 'mae', numPrefixTokens: 1 }); // [197, 768]
 * ```
 */
export function sincos2dPosEmbed(gridSize: Size2, dim: number, options: SinCos2dOptions = {}): tf.Tensor2D {
  if (dim % 4 !== 0) throw new ArgumentError(`sincos2dPosEmbed: dim must be divisible by 4, got ${dim}`);
  const [gh, gw] = pair(gridSize);
  const temperature = options.temperature ?? 10000;
  const prefix = options.numPrefixTokens ?? 0;
  const q = dim / 4;
  const omega = Array.from({ length: q }, (_, i) => temperature ** (-i / q));
  const out = new Float32Array((prefix + gh * gw) * dim);
  // timm's reverse_coord reverses the grid shape itself: rows run over [gw, gh], first coord outer.
  const [d0, d1] = options.style !== 'mae' && options.reverseCoord ? [gw, gh] : [gh, gw];
  for (let a = 0; a < d0; a++) {
    for (let b = 0; b < d1; b++) {
      const row = out.subarray((prefix + a * d1 + b) * dim, (prefix + a * d1 + b + 1) * dim);
      // four groups of q values, in the chosen order: [function, coordinate]
      let groups: [(v: number) => number, number][];
      if (options.style === 'mae') {
        groups = [[Math.sin, b], [Math.cos, b], [Math.sin, a], [Math.cos, a]];
      } else if (options.interleaveSinCos) {
        groups = [[Math.sin, a], [Math.cos, a], [Math.sin, b], [Math.cos, b]];
      } else {
        groups = [[Math.sin, a], [Math.sin, b], [Math.cos, a], [Math.cos, b]];
      }
      groups.forEach(([fn, v], g) => {
        for (let i = 0; i < q; i++) row[g * q + i] = fn(v * omega[i]);
      });
    }
  }
  return tf.tensor2d(out, [prefix + gh * gw, dim]);
}

/**
 * The 1-D sinusoidal encoding `[1, numTokens, dim]` of "Attention Is All You Need", as seed 001's
 * `get_sinusoid_encoding`: angle(i, j) = i / 10000^(2⌊j/2⌋/dim), sin on even j, cos on odd j.
 *
 * @example
 * ```ts
 * const pe = sinusoidPosEncoding(197, 768); // fixed, not learned: registerBuffer('pos_embed', pe)
 * ```
 */
export function sinusoidPosEncoding(numTokens: number, dim: number): tf.Tensor3D {
  const out = new Float32Array(numTokens * dim);
  for (let i = 0; i < numTokens; i++) {
    for (let j = 0; j < dim; j++) {
      const angle = i / 10000 ** ((2 * Math.floor(j / 2)) / dim);
      out[i * dim + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return tf.tensor3d(out, [1, numTokens, dim]);
}

export interface ResamplePosEmbedOptions {
  /** The grid the embedding was trained on; default a square √(N - prefix). */
  oldSize?: Size2;
  /** Leading tokens (class, distillation, registers) kept as they are (default 1). */
  numPrefixTokens?: number;
  /** F.interpolate mode (default `'bicubic'`). */
  interpolation?: 'bicubic' | 'bilinear' | 'nearest';
  /** PyTorch's antialias (default true, as timm). */
  antialias?: boolean;
}

/**
 * Resamples a learned `[1, prefix + oh·ow, D]` position embedding to a `newSize` grid, exactly as
 * timm's `resample_abs_pos_embed`: prefix tokens kept, the grid reshaped to an image, resized with
 * `F.interpolate` semantics (align_corners=False), flattened back. Returns the input unchanged
 * (a clone) when the size already matches a square grid, as timm does.
 *
 * @example
 * ```ts
 * // a 224 ViT-B/16 checkpoint for 384x384 input: [1, 197, 768] → [1, 577, 768]
 * const pe384 = resamplePosEmbed(posEmbed, [24, 24]);
 * ```
 */
export function resamplePosEmbed(posEmbed: tf.Tensor, newSize: Size2, options: ResamplePosEmbedOptions = {}): tf.Tensor {
  assertRank('resamplePosEmbed posEmbed', posEmbed.shape, 3);
  const [n1, numTokens, dim] = posEmbed.shape;
  const prefix = options.numPrefixTokens ?? 1;
  const [nh, nw] = pair(newSize);
  if (n1 !== 1) throw new ShapeError(`resamplePosEmbed: expected [1, N, D], got ${fmtShape(posEmbed.shape)}`);
  if (!(nh > 0 && nw > 0 && Number.isInteger(nh) && Number.isInteger(nw))) {
    throw new ArgumentError(`resamplePosEmbed: newSize must be positive integers, got ${fmtShape([nh, nw])}`);
  }
  if (nh * nw + prefix === numTokens && nh === nw) return posEmbed.clone();
  let oh: number;
  let ow: number;
  if (options.oldSize !== undefined) {
    [oh, ow] = pair(options.oldSize);
  } else {
    oh = ow = Math.floor(Math.sqrt(numTokens - prefix));
  }
  if (oh * ow + prefix !== numTokens) {
    throw new ShapeError(
      `resamplePosEmbed: posEmbed ${fmtShape(posEmbed.shape)} does not hold ${prefix} prefix tokens + a ${oh}x${ow} grid` +
        (options.oldSize === undefined ? ' (pass oldSize for a non-square grid)' : ''),
    );
  }
  return tf.tidy(() => {
    const grid = tf.reshape(tf.slice(posEmbed, [0, prefix, 0], [1, oh * ow, dim]), [1, oh, ow, dim]);
    const resized = interpolate(grid, [nh, nw], {
      mode: options.interpolation ?? 'bicubic',
      antialias: options.antialias ?? true,
      dataFormat: 'NHWC',
    });
    const flat = tf.reshape(resized, [1, nh * nw, dim]);
    return prefix ? tf.concat([tf.slice(posEmbed, [0, 0, 0], [1, prefix, dim]), flat], 1) : flat;
  });
}
