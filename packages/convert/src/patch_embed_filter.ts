// Resampling a checkpoint's patch-embedding kernel to a model's patch size (FlexiViT's PI-resize),
// the way each source's own loader does it:
//   timm checkpoint_filter_fn (.pth / safetensors / HF): bicubic, antialias=True
//   timm _load_weights (JAX / big_vision .npz):           bilinear, antialias=False
import type * as tf from '@tensorflow/tfjs-core';
import { resamplePatchEmbed } from '@tfjs-vit/ops';
import type { SourceLayout } from './source_layout';

/** How a patch-embedding kernel is resampled (timm `resample_patch_embed` arguments). */
export interface PatchEmbedResampling {
  interpolation: 'bicubic' | 'bilinear';
  antialias: boolean;
}

/** timm's `checkpoint_filter_fn` default, used for every layout not listed in {@link PATCH_EMBED_RESAMPLING}. */
export const TIMM_PATCH_EMBED_RESAMPLING: Readonly<PatchEmbedResampling> = { interpolation: 'bicubic', antialias: true };

/** Layouts whose loader resamples another way than timm's `checkpoint_filter_fn`. */
export const PATCH_EMBED_RESAMPLING: Readonly<Partial<Record<SourceLayout, PatchEmbedResampling>>> = {
  jax: { interpolation: 'bilinear', antialias: false },
  big_vision: { interpolation: 'bilinear', antialias: false },
};

/**
 * The resampling a checkpoint of `layout` gets from its own loader.
 *
 * @example
 * patchEmbedResamplingOf('jax'); // { interpolation: 'bilinear', antialias: false }
 */
export function patchEmbedResamplingOf(layout: SourceLayout): PatchEmbedResampling {
  return { ...(PATCH_EMBED_RESAMPLING[layout] ?? TIMM_PATCH_EMBED_RESAMPLING) };
}

/** What resampling the patch embedding did: the kernel sizes and the method. */
export interface PatchEmbedResampled extends PatchEmbedResampling {
  from: [number, number];
  to: [number, number];
}

/**
 * When a checkpoint kernel `[out, in, h, w]` differs from the model's `[out, in, H, W]` in its
 * spatial size only, how to resample it (the resize and its record); otherwise null.
 *
 * @example
 * const plan = planPatchEmbedResample([768, 3, 16, 16], [768, 3, 8, 8], TIMM_PATCH_EMBED_RESAMPLING);
 * plan?.resample(kernel16); // [768, 3, 8, 8]
 */
export function planPatchEmbedResample(
  checkpoint: readonly number[] | undefined, model: readonly number[] | undefined, method: PatchEmbedResampling,
): { resample: (kernel: tf.Tensor) => tf.Tensor; record: PatchEmbedResampled } | null {
  if (!checkpoint || !model || checkpoint.length !== 4 || model.length !== 4) return null;
  if (checkpoint[0] !== model[0] || checkpoint[1] !== model[1]) return null; // width or channels differ: a mismatch
  if (checkpoint[2] === model[2] && checkpoint[3] === model[3]) return null;
  const to: [number, number] = [model[2]!, model[3]!];
  return {
    resample: (kernel) => resamplePatchEmbed(kernel, to, method),
    record: { ...method, from: [checkpoint[2]!, checkpoint[3]!], to },
  };
}
