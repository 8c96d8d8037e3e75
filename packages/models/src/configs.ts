// The ViT variants as data: timm's `@register_model` kwargs (camelCased) per name, and the
// pretrained metadata (`default_cfgs`) a converter and the transforms need.
import type { ViTConfig } from './vit_config';

/** Preprocessing and source of a pretrained checkpoint, as timm's `default_cfgs` list them. */
export interface PretrainedCfg {
  /** Classes of the checkpoint's head. */
  numClasses: number;
  /** `[channels, height, width]` the weights were trained at. */
  inputSize: [number, number, number];
  /** Per-channel mean and std (RGB, on [0, 1] pixels). */
  mean: [number, number, number];
  std: [number, number, number];
  /** Resize interpolation of the eval transform. */
  interpolation: 'bicubic' | 'bilinear';
  /** Eval transform: resize to inputSize / cropPct, then crop inputSize (see cropMode). */
  cropPct: number;
  /** How the eval transform fits the image (timm's crop_mode): 'center', 'squash' or 'border'. */
  cropMode: 'center' | 'squash' | 'border';
  /** The first conv (whose input channels a converter may adapt) and the classifier's key(s). */
  firstConv: string;
  classifier: string | string[];
  /** The timm Hugging Face Hub id whose weights fit this exact architecture, when one exists. */
  hfHubId?: string;
  /** Where the weights come from, in words. */
  source: string;
}

/** A registered architecture: its config and its pretrained metadata. */
export interface ModelDef {
  config: ViTConfig;
  pretrainedCfg: PretrainedCfg;
}

/** ImageNet's mean/std (timm's IMAGENET_DEFAULT_*). */
export const IMAGENET_DEFAULT_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_DEFAULT_STD: [number, number, number] = [0.229, 0.224, 0.225];
/** 0.5 mean/std (timm's IMAGENET_INCEPTION_*), used by Google's ViT (augreg and in21k) weights. */
export const IMAGENET_INCEPTION_MEAN: [number, number, number] = [0.5, 0.5, 0.5];
export const IMAGENET_INCEPTION_STD: [number, number, number] = [0.5, 0.5, 0.5];

/** The ViT sizes (Ti/S/B/L/H of "How to train your ViT"): width, depth and heads, shared by every family table. */
export const VIT_SIZES = {
  TI: { embedDim: 192, depth: 12, numHeads: 3 },
  S: { embedDim: 384, depth: 12, numHeads: 6 },
  B: { embedDim: 768, depth: 12, numHeads: 12 },
  L: { embedDim: 1024, depth: 24, numHeads: 16 },
  H: { embedDim: 1280, depth: 32, numHeads: 16 },
} as const;
const { TI, S, B, L, H } = VIT_SIZES;

/**
 * A pretrained cfg as timm's `_cfg` builds one: 1000 classes at `size` px, 0.5 mean/std, bicubic,
 * crop 0.9 at 224 (1.0 otherwise), center crop, `patch_embed.proj` first, `head` last; `extra`
 * overrides any of it.
 *
 * @example
 * ```ts
 * makePretrainedCfg(384, { source: 'my fine-tune' }).cropPct; // 1
 * ```
 */
export function makePretrainedCfg(size: number, extra: Partial<PretrainedCfg> & { source: string }): PretrainedCfg {
  return {
    numClasses: 1000,
    inputSize: [3, size, size],
    mean: IMAGENET_INCEPTION_MEAN,
    std: IMAGENET_INCEPTION_STD,
    interpolation: 'bicubic',
    cropPct: size === 224 ? 0.9 : 1.0,
    cropMode: 'center',
    firstConv: 'patch_embed.proj',
    classifier: 'head',
    ...extra,
  };
}
const cfg = makePretrainedCfg;

const AUGREG = 'Google augreg: ImageNet-21k pretrain, ImageNet-1k fine-tune (How to train your ViT)';
const ORIG = 'Google original ViT: ImageNet-21k pretrain, ImageNet-1k fine-tune (An Image is Worth 16x16 Words)';
const IN21K_AUGREG = 'Google augreg ImageNet-21k pretrain (valid 21k head, no pre-logits)';
const IN21K_ORIG = 'Google original ImageNet-21k pretrain with the pre-logits layer (timm <= 0.4 jx_vit_*_in21k)';

function def(config: ViTConfig, pretrainedCfg: PretrainedCfg): ModelDef {
  return { config, pretrainedCfg };
}

function in21k(config: ViTConfig, representation: boolean, hub?: string): ModelDef {
  const representationSize = representation ? config.embedDim : undefined;
  return def(
    { ...config, numClasses: 21843, ...(representationSize ? { representationSize } : {}) },
    cfg(224, { numClasses: 21843, source: representation ? IN21K_ORIG : IN21K_AUGREG, ...(hub ? { hfHubId: hub } : {}) }),
  );
}

/**
 * The built-in variants (timm's names). The `_in21k` ones with a pre-logits layer
 * (`representationSize`) are timm's original in21k models (B/16, B/32, L/16, L/32, H/14, as in
 * timm <= 0.4 and seed 004); Ti/S/B-8 in21k exist only as augreg weights, without pre-logits.
 *
 * @example
 * ```ts
 * VIT_MODELS.vit_base_patch16_224.config; // { patchSize: 16, embedDim: 768, depth: 12, numHeads: 12 }
 * ```
 */
export const VIT_MODELS: Readonly<Record<string, ModelDef>> = {
  vit_tiny_patch16_224: def({ patchSize: 16, ...TI }, cfg(224, { source: AUGREG, hfHubId: 'timm/vit_tiny_patch16_224.augreg_in21k_ft_in1k' })),
  vit_tiny_patch16_384: def({ imgSize: 384, patchSize: 16, ...TI }, cfg(384, { source: AUGREG, hfHubId: 'timm/vit_tiny_patch16_384.augreg_in21k_ft_in1k' })),
  vit_small_patch16_224: def({ patchSize: 16, ...S }, cfg(224, { source: AUGREG, hfHubId: 'timm/vit_small_patch16_224.augreg_in21k_ft_in1k' })),
  vit_small_patch32_224: def({ patchSize: 32, ...S }, cfg(224, { source: AUGREG, hfHubId: 'timm/vit_small_patch32_224.augreg_in21k_ft_in1k' })),
  vit_small_patch16_384: def({ imgSize: 384, patchSize: 16, ...S }, cfg(384, { source: AUGREG, hfHubId: 'timm/vit_small_patch16_384.augreg_in21k_ft_in1k' })),
  vit_small_patch16_gap_224: def(
    { patchSize: 16, ...S, classToken: false, globalPool: 'avg', fcNorm: false },
    cfg(224, { mean: IMAGENET_DEFAULT_MEAN, std: IMAGENET_DEFAULT_STD, source: 'no released weights: an average-pooled (no class token) example variant' }),
  ),
  vit_base_patch8_224: def({ patchSize: 8, ...B }, cfg(224, { source: AUGREG, hfHubId: 'timm/vit_base_patch8_224.augreg2_in21k_ft_in1k' })),
  vit_base_patch16_224: def({ patchSize: 16, ...B }, cfg(224, { source: AUGREG, hfHubId: 'timm/vit_base_patch16_224.augreg2_in21k_ft_in1k' })),
  vit_base_patch32_224: def({ patchSize: 32, ...B }, cfg(224, { source: AUGREG, hfHubId: 'timm/vit_base_patch32_224.augreg2_in21k_ft_in1k' })),
  vit_base_patch16_384: def({ imgSize: 384, patchSize: 16, ...B }, cfg(384, { source: AUGREG, hfHubId: 'timm/vit_base_patch16_384.augreg_in21k_ft_in1k' })),
  vit_base_patch32_384: def({ imgSize: 384, patchSize: 32, ...B }, cfg(384, { source: AUGREG, hfHubId: 'timm/vit_base_patch32_384.augreg_in21k_ft_in1k' })),
  vit_large_patch16_224: def({ patchSize: 16, ...L }, cfg(224, { source: AUGREG, hfHubId: 'timm/vit_large_patch16_224.augreg_in21k_ft_in1k' })),
  vit_large_patch32_224: def({ patchSize: 32, ...L }, cfg(224, { source: `${ORIG} (no 224 fine-tune released; use vit_large_patch32_384)` })),
  vit_large_patch16_384: def({ imgSize: 384, patchSize: 16, ...L }, cfg(384, { source: AUGREG, hfHubId: 'timm/vit_large_patch16_384.augreg_in21k_ft_in1k' })),
  vit_large_patch32_384: def({ imgSize: 384, patchSize: 32, ...L }, cfg(384, { source: ORIG, hfHubId: 'timm/vit_large_patch32_384.orig_in21k_ft_in1k' })),
  vit_huge_patch14_224: def({ patchSize: 14, ...H }, cfg(224, { source: `${ORIG} (only the in21k pretrain was released)` })),
  vit_tiny_patch16_224_in21k: in21k({ patchSize: 16, ...TI }, false, 'timm/vit_tiny_patch16_224.augreg_in21k'),
  vit_small_patch16_224_in21k: in21k({ patchSize: 16, ...S }, false, 'timm/vit_small_patch16_224.augreg_in21k'),
  vit_base_patch8_224_in21k: in21k({ patchSize: 8, ...B }, false, 'timm/vit_base_patch8_224.augreg_in21k'),
  vit_base_patch16_224_in21k: in21k({ patchSize: 16, ...B }, true),
  vit_base_patch32_224_in21k: in21k({ patchSize: 32, ...B }, true),
  vit_large_patch16_224_in21k: in21k({ patchSize: 16, ...L }, true),
  vit_large_patch32_224_in21k: in21k({ patchSize: 32, ...L }, true),
  vit_huge_patch14_224_in21k: in21k({ patchSize: 14, ...H }, true),
  // timm's tiny test models (timm >= 1.0.10): random-size ViTs with pretrained r160_in1k weights,
  // used in timm's and our tests. timm builds them at their cfg's 160 (fixed_input_size).
  test_vit: def(
    { imgSize: 160, patchSize: 16, embedDim: 64, depth: 6, numHeads: 2, mlpRatio: 3, dynamicImgSize: true },
    cfg(224, { inputSize: [3, 160, 160], cropPct: 0.95, source: 'timm test model, ImageNet-1k at 160', hfHubId: 'timm/test_vit.r160_in1k' }),
  ),
  test_vit2: def(
    { imgSize: 160, patchSize: 16, embedDim: 64, depth: 8, numHeads: 2, mlpRatio: 3, classToken: false, regTokens: 1, globalPool: 'avg', initValues: 1e-5, dynamicImgSize: true },
    cfg(224, { inputSize: [3, 160, 160], cropPct: 0.95, source: 'timm test model, ImageNet-1k at 160', hfHubId: 'timm/test_vit2.r160_in1k' }),
  ),
};
