// timm's ViT family beyond the original ViT, as data: DeiT (deit.py, distilled and DeiT-3), CLIP
// image towers, DINOv2 and SigLIP (vision_transformer.py), each timm's `@register_model` kwargs
// (camelCased) and its default pretrained cfg. Checked against real timm by
// family.fixture.test.ts (tools/fixtures/gen_timm_family.py).
import {
  IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD, IMAGENET_INCEPTION_MEAN, IMAGENET_INCEPTION_STD, makePretrainedCfg, VIT_SIZES, type ModelDef, type PretrainedCfg,
} from './configs';
import type { ViTConfig } from './vit_config';

/** OpenAI CLIP's mean/std (timm's OPENAI_CLIP_*), used by CLIP image towers. */
export const OPENAI_CLIP_MEAN: [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
export const OPENAI_CLIP_STD: [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

const { TI, S, B, L, H } = VIT_SIZES;
const M = { embedDim: 512, depth: 12, numHeads: 8 };
const SO400M = { embedDim: 1152, depth: 27, numHeads: 16, mlpRatio: 3.7362 };

type Extra = Partial<PretrainedCfg> & { hfHubId: string; source: string };

/** timm's DeiT/CLIP/DINOv2/SigLIP cfgs start from ImageNet's mean/std (each family sets its own). */
function pcfg(size: number, extra: Extra): PretrainedCfg {
  return makePretrainedCfg(size, { mean: IMAGENET_DEFAULT_MEAN, std: IMAGENET_DEFAULT_STD, ...extra });
}
function def(config: ViTConfig, pretrainedCfg: PretrainedCfg): ModelDef {
  const size = pretrainedCfg.inputSize[1];
  // timm builds each model at its pretrained cfg's input size and class count
  return { config: { imgSize: size, numClasses: pretrainedCfg.numClasses, ...config }, pretrainedCfg };
}

const DEIT = 'Facebook DeiT: ImageNet-1k (Training data-efficient image transformers & distillation through attention)';
const DEIT3 = 'Facebook DeiT III: ImageNet-1k (DeiT III: Revenge of the ViT)';
function deit(name: string, size: number, arch: ViTConfig, distilled = false): [string, ModelDef] {
  const config = distilled ? { ...arch, distilled: true } : arch;
  const classifier = distilled ? ['head', 'head_dist'] : 'head';
  return [name, def(config, pcfg(size, { hfHubId: `timm/${name}.fb_in1k`, classifier, source: DEIT }))];
}
function deit3(name: string, size: number, arch: ViTConfig): [string, ModelDef] {
  return [name, def({ ...arch, noEmbedClass: true, initValues: 1e-6 }, pcfg(size, { hfHubId: `timm/${name}.fb_in1k`, source: DEIT3 }))];
}

const CLIP = { preNorm: true, normEps: 1e-5 } as const;
const LAION_FT = 'LAION-2B CLIP image tower, fine-tuned on ImageNet-12k then ImageNet-1k';
function clip(name: string, size: number, arch: ViTConfig, extra: Partial<Extra> = {}): [string, ModelDef] {
  const cfg = pcfg(size, {
    hfHubId: `timm/${name}.laion2b_ft_in12k_in1k`, mean: OPENAI_CLIP_MEAN, std: OPENAI_CLIP_STD, cropPct: 1.0, source: LAION_FT, ...extra,
  });
  return [name, def({ ...arch, ...CLIP }, cfg)];
}
/** QuickGELU towers: image-text models whose head projects to the text embedding (numClasses = its width). */
function clipQuick(name: string, arch: ViTConfig, hub: string, projDim: number, cropPct: number, source: string): [string, ModelDef] {
  const cfg = pcfg(224, { hfHubId: hub, numClasses: projDim, mean: OPENAI_CLIP_MEAN, std: OPENAI_CLIP_STD, cropPct, source });
  return [name, def({ ...arch, ...CLIP, actLayer: 'quick_gelu' }, cfg)];
}

const DINOV2 = 'Meta DINOv2 self-supervised on LVD-142M (no head: features)';
function dinov2(name: string, arch: ViTConfig, reg4: boolean): [string, ModelDef] {
  const config = { ...arch, patchSize: 14, initValues: 1e-5, ...(reg4 ? { regTokens: 4, noEmbedClass: true } : {}) };
  return [name, def(config, pcfg(518, { hfHubId: `timm/${name}.lvd142m`, numClasses: 0, cropPct: 1.0, source: DINOV2 }))];
}

const SIGLIP = 'Google SigLIP image tower, WebLI (no head: image-text embedding)';
function siglip(name: string, size: number, arch: ViTConfig, tag = 'v2_webli', gap = false): [string, ModelDef] {
  const pool: ViTConfig = gap ? { globalPool: 'avg', fcNorm: false } : { globalPool: 'map' };
  const cfg = pcfg(size, {
    hfHubId: `timm/${name}.${tag}`, numClasses: 0, mean: IMAGENET_INCEPTION_MEAN, std: IMAGENET_INCEPTION_STD, cropPct: 0.9, source: SIGLIP,
  });
  return [name, def({ ...arch, classToken: false, ...pool }, cfg)];
}

/**
 * The family table: DeiT, DeiT-3, CLIP, DINOv2 and SigLIP names as timm registers them. DINOv2's
 * giant (SwiGLU MLP) and the CLIP giant/gigantic towers are not included.
 *
 * @example
 * ```ts
 * FAMILY_MODELS.vit_small_patch14_reg4_dinov2.config.regTokens; // 4
 * ```
 */
export const FAMILY_MODELS: Readonly<Record<string, ModelDef>> = Object.fromEntries([
  deit('deit_tiny_patch16_224', 224, { patchSize: 16, ...TI }),
  deit('deit_small_patch16_224', 224, { patchSize: 16, ...S }),
  deit('deit_base_patch16_224', 224, { patchSize: 16, ...B }),
  deit('deit_base_patch16_384', 384, { patchSize: 16, ...B }),
  deit('deit_tiny_distilled_patch16_224', 224, { patchSize: 16, ...TI }, true),
  deit('deit_small_distilled_patch16_224', 224, { patchSize: 16, ...S }, true),
  deit('deit_base_distilled_patch16_224', 224, { patchSize: 16, ...B }, true),
  deit('deit_base_distilled_patch16_384', 384, { patchSize: 16, ...B }, true),
  deit3('deit3_small_patch16_224', 224, { patchSize: 16, ...S }),
  deit3('deit3_small_patch16_384', 384, { patchSize: 16, ...S }),
  deit3('deit3_medium_patch16_224', 224, { patchSize: 16, ...M }),
  deit3('deit3_base_patch16_224', 224, { patchSize: 16, ...B }),
  deit3('deit3_base_patch16_384', 384, { patchSize: 16, ...B }),
  deit3('deit3_large_patch16_224', 224, { patchSize: 16, ...L }),
  deit3('deit3_large_patch16_384', 384, { patchSize: 16, ...L }),
  deit3('deit3_huge_patch14_224', 224, { patchSize: 14, ...H }),
  clip('vit_base_patch32_clip_224', 224, { patchSize: 32, ...B }, { cropPct: 0.9 }),
  clip('vit_base_patch32_clip_384', 384, { patchSize: 32, ...B }),
  clip('vit_base_patch16_clip_224', 224, { patchSize: 16, ...B }, { cropPct: 0.95 }),
  clip('vit_base_patch16_clip_384', 384, { patchSize: 16, ...B }, { cropMode: 'squash' }),
  clip('vit_large_patch14_clip_224', 224, { patchSize: 14, ...L }, { mean: IMAGENET_INCEPTION_MEAN, std: IMAGENET_INCEPTION_STD }),
  clip('vit_large_patch14_clip_336', 336, { patchSize: 14, ...L }, { mean: IMAGENET_INCEPTION_MEAN, std: IMAGENET_INCEPTION_STD, cropMode: 'squash' }),
  clip('vit_huge_patch14_clip_224', 224, { patchSize: 14, ...H }),
  clip('vit_huge_patch14_clip_336', 336, { patchSize: 14, ...H }, { cropMode: 'squash' }),
  clipQuick('vit_base_patch32_clip_quickgelu_224', { patchSize: 32, ...B }, 'timm/vit_base_patch32_clip_224.laion400m_e32', 512, 0.9, 'OpenCLIP LAION-400M (QuickGELU)'),
  clipQuick('vit_base_patch16_clip_quickgelu_224', { patchSize: 16, ...B }, 'timm/vit_base_patch16_clip_224.metaclip_2pt5b', 512, 1.0, 'MetaCLIP 2.5B (QuickGELU)'),
  clipQuick('vit_large_patch14_clip_quickgelu_224', { patchSize: 14, ...L }, 'timm/vit_large_patch14_clip_224.dfn2b', 768, 1.0, 'Apple DFN-2B CLIP (QuickGELU)'),
  clipQuick('vit_huge_patch14_clip_quickgelu_224', { patchSize: 14, ...H }, 'timm/vit_huge_patch14_clip_224.dfn5b', 1024, 1.0, 'Apple DFN-5B CLIP (QuickGELU)'),
  dinov2('vit_small_patch14_dinov2', S, false),
  dinov2('vit_base_patch14_dinov2', B, false),
  dinov2('vit_large_patch14_dinov2', L, false),
  dinov2('vit_small_patch14_reg4_dinov2', S, true),
  dinov2('vit_base_patch14_reg4_dinov2', B, true),
  dinov2('vit_large_patch14_reg4_dinov2', L, true),
  siglip('vit_base_patch16_siglip_224', 224, { patchSize: 16, ...B }),
  siglip('vit_base_patch16_siglip_256', 256, { patchSize: 16, ...B }),
  siglip('vit_base_patch16_siglip_384', 384, { patchSize: 16, ...B }),
  siglip('vit_base_patch16_siglip_512', 512, { patchSize: 16, ...B }),
  siglip('vit_large_patch16_siglip_256', 256, { patchSize: 16, ...L }),
  siglip('vit_large_patch16_siglip_384', 384, { patchSize: 16, ...L }),
  siglip('vit_so400m_patch14_siglip_224', 224, { patchSize: 14, ...SO400M }),
  siglip('vit_so400m_patch14_siglip_384', 384, { patchSize: 14, ...SO400M }, 'webli'),
  siglip('vit_base_patch16_siglip_gap_224', 224, { patchSize: 16, ...B }, 'v2_webli', true),
  siglip('vit_so400m_patch14_siglip_gap_224', 224, { patchSize: 14, ...SO400M }, 'v2_webli', true),
]);
