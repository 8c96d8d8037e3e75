// Resampling a checkpoint's absolute position embedding to a model's patch grid, the way each
// source's own loader does it (the methods differ, and so do the numbers):
//   timm checkpoint_filter_fn (.pth / safetensors): bicubic, antialias=True
//   timm _load_weights (JAX .npz):                   bilinear, antialias=False
//   torchvision interpolate_embeddings:              bicubic, align_corners=True
import * as tf from '@tensorflow/tfjs-core';
import { interpolate } from '@tfjs-vit/ops';
import { CheckpointError } from './errors';
import type { SourceLayout } from './source_layout';

/** How a position embedding is resampled (PyTorch `F.interpolate` arguments). */
export interface PosEmbedResampling {
  mode: 'bicubic' | 'bilinear';
  antialias: boolean;
  alignCorners: boolean;
}

/** The resampling each source's loader uses (Hugging Face checkpoints are loaded through timm's filter). */
export const POS_EMBED_RESAMPLING: Readonly<Record<SourceLayout, PosEmbedResampling>> = {
  timm: { mode: 'bicubic', antialias: true, alignCorners: false },
  hf: { mode: 'bicubic', antialias: true, alignCorners: false },
  jax: { mode: 'bilinear', antialias: false, alignCorners: false },
  torchvision: { mode: 'bicubic', antialias: false, alignCorners: true },
  big_vision: { mode: 'bilinear', antialias: false, alignCorners: false }, // _load_weights, as jax
  openai_clip: { mode: 'bicubic', antialias: true, alignCorners: false }, // checkpoint_filter_fn, as timm
  open_clip_timm: { mode: 'bicubic', antialias: true, alignCorners: false },
  dinov2: { mode: 'bicubic', antialias: true, alignCorners: false },
};

/** Options of {@link resampleAbsPosEmbed}. */
export interface ResampleAbsPosEmbedOptions extends Partial<PosEmbedResampling> {
  /** Tokens before the grid (class, register) that are kept as they are (default 1). */
  numPrefixTokens?: number;
  /** The checkpoint's grid `[h, w]`; default a square from the token count, as timm assumes. */
  oldSize?: readonly [number, number];
}

/**
 * Resamples `[1, prefix + oh·ow, C]` to `[1, prefix + h·w, C]` as timm's `resample_abs_pos_embed`
 * (default bicubic with antialias) or with another source's method. Returns a new tensor.
 * A token count that is not prefix + a square (and no `oldSize`) is a `CheckpointError`.
 *
 * @example
 * resampleAbsPosEmbed(posEmbed, [24, 24], { numPrefixTokens: 1 }); // [1, 577, 768] from [1, 197, 768]
 * resampleAbsPosEmbed(posEmbed, [24, 24], POS_EMBED_RESAMPLING.jax); // as timm loads an .npz
 */
export function resampleAbsPosEmbed(posEmbed: tf.Tensor, newSize: readonly [number, number], options: ResampleAbsPosEmbedOptions = {}): tf.Tensor {
  const { numPrefixTokens = 1, mode = 'bicubic', antialias = true, alignCorners = false } = options;
  if (posEmbed.rank !== 3 || posEmbed.shape[0] !== 1) {
    throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH', `pos_embed: expected [1, tokens, dim], got [${posEmbed.shape.join(', ')}]`);
  }
  const [, tokens, dim] = posEmbed.shape;
  const gridTokens = tokens - numPrefixTokens;
  const side = Math.round(Math.sqrt(Math.max(gridTokens, 0)));
  const [oh, ow] = options.oldSize ?? [side, side];
  if (oh * ow !== gridTokens || oh < 1) {
    throw new CheckpointError(
      'CHECKPOINT_ARCH_MISMATCH',
      `pos_embed: ${tokens} tokens minus ${numPrefixTokens} prefix is not a ${options.oldSize ? `${oh}x${ow}` : 'square'} grid; cannot resample it to ${newSize[0]}x${newSize[1]}`,
    );
  }
  return tf.tidy(() => {
    const prefix = tf.slice(posEmbed, [0, 0, 0], [1, numPrefixTokens, dim]);
    const grid = tf.reshape(tf.slice(posEmbed, [0, numPrefixTokens, 0], [1, gridTokens, dim]), [1, oh, ow, dim]);
    const resized = interpolate(grid, [newSize[0], newSize[1]], { mode, antialias, alignCorners });
    const flat = tf.reshape(resized, [1, newSize[0] * newSize[1], dim]);
    return numPrefixTokens ? tf.concat([prefix, flat], 1) : flat;
  });
}
