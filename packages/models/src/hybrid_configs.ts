// timm's hybrid ViTs (vision_transformer_hybrid.py): a ResNetV2 stem feeding ViT blocks, as data
// (timm's register kwargs and default_cfgs) plus the factory; registered with the built-ins
// (registry.ts).
import { makePretrainedCfg, VIT_SIZES, type PretrainedCfg } from './configs';
import { HybridEmbed } from './hybrid_embed';
import type { CreateModelOptions, ModelRegistration } from './registry';
import { createResNetV2Backbone, resNetV2Shapes, type ResNetV2Options } from './resnetv2';
import { createViT, type VisionTransformer, type VisionTransformerOptions } from './vision_transformer';
import { parameterShapes } from './param_count';
import { numPrefixTokens, resolveViTConfig, type ViTConfig } from './vit_config';

/** `createViT` options plus the ResNetV2 backbone's. */
export interface ResNetV2ViTOptions extends VisionTransformerOptions {
  /** The backbone: blocks per stage (`layers`, default [3, 4, 9], the R50/16) and its widths. */
  backbone?: ResNetV2Options & { layers?: readonly number[] };
}

/**
 * A ViT whose `patch_embed` is a `HybridEmbed` over timm's hybrid ResNetV2 (StdConv2dSame,
 * GroupNorm, TF-"SAME" pooling): keys `patch_embed.backbone.stem.conv.weight`, …,
 * `patch_embed.proj.weight` (or `patch_embed.backbone.conv.weight` for a stem-only backbone,
 * `layers: []`). `patchSize` (default 1, as timm's hybrids) is the patch on the feature map. An
 * `embedLayer` given here wins over the backbone, as timm's `setdefault('embed_layer')`.
 *
 * @example
 * ```ts
 * const vit = createResNetV2ViT({ imgSize: 64, embedDim: 64, depth: 2, numHeads: 2, numClasses: 10,
 *   backbone: { layers: [1, 1] } });
 * vit.patchEmbed.gridSize; // [8, 8]: a /8 feature map of 512 channels, 1x1 patches
 * ```
 */
export function createResNetV2ViT(options: ResNetV2ViTOptions = {}): VisionTransformer {
  const { backbone = {}, ...vit } = options;
  const { layers = [3, 4, 9], ...widths } = backbone;
  return createViT({
    patchSize: 1,
    ...vit,
    embedLayer:
      vit.embedLayer ??
      ((a) =>
        new HybridEmbed(createResNetV2Backbone(layers, { ...widths, inChans: a.inChans }), {
          imgSize: a.imgSize,
          patchSize: a.patchSize,
          inChans: a.inChans,
          embedDim: a.embedDim,
          bias: a.bias,
        })),
  });
}

const { TI, S, B, L } = VIT_SIZES;

const AUGREG = 'Google augreg R+ViT: ImageNet-21k pretrain, ImageNet-1k fine-tune (How to train your ViT; JAX .npz)';
const ORIG = 'Google original R50+ViT: ImageNet-21k pretrain, ImageNet-1k fine-tune (An Image is Worth 16x16 Words)';

/** timm's hybrid `_cfg`: as the ViT's, with the stem conv first. */
function cfg(size: number, extra: Partial<PretrainedCfg> & { source: string }): PretrainedCfg {
  return makePretrainedCfg(size, { firstConv: 'patch_embed.backbone.stem.conv', ...extra });
}
/** A registration: the ViT config, the default backbone layers, and `create` honouring `backboneLayers`. */
function hybrid(layers: readonly number[], config: ViTConfig, pretrainedCfg: PretrainedCfg): ModelRegistration<VisionTransformer> {
  return {
    config,
    pretrainedCfg,
    create: (overrides: CreateModelOptions) => {
      const { backboneLayers, ...rest } = overrides;
      return createResNetV2ViT({ ...config, ...rest, backbone: { layers: backboneLayers ?? layers } });
    },
    parameterShapes: () => hybridShapes(layers, config),
  };
}

/**
 * A hybrid's parameter shapes at its defaults, without building it: the backbone's
 * (`resNetV2Shapes`), the 1x1-patch projection of its feature map, position embedding over the
 * feature grid, and the transformer's from the config.
 */
function hybridShapes(layers: readonly number[], config: ViTConfig): Map<string, number[]> {
  const c = resolveViTConfig(config);
  const bb = resNetV2Shapes(layers);
  const out = new Map([...bb.shapes].map(([k, v]) => [`patch_embed.backbone.${k}`, v]));
  const [p, q] = c.patchSize;
  const [fh, fw] = bb.outputSize(c.imgSize[0], c.imgSize[1]);
  out.set('patch_embed.proj.weight', [c.embedDim, bb.outChannels, p, q]);
  if (!c.preNorm) out.set('patch_embed.proj.bias', [c.embedDim]);
  for (const [k, shape] of parameterShapes(config)) if (!k.startsWith('patch_embed.') && k !== 'pos_embed') out.set(k, shape);
  const tokens = Math.floor(fh / p) * Math.floor(fw / q) + (c.noEmbedClass ? 0 : numPrefixTokens(c));
  if (c.posEmbed === 'learn') out.set('pos_embed', [1, tokens, c.embedDim]);
  return out;
}

const STEM_ONLY = { firstConv: 'patch_embed.backbone.conv' };

/**
 * The hybrid registrations, by timm name (timm v1.0.28's `vit_*_r_s16_p8_*`, `vit_*_r26_s32_*`,
 * `vit_*_r50_s16_*`, `vit_*_r50_s32_*`); each default pretrained cfg is timm's first tag for the
 * name. `createModel(name, { backboneLayers })` replaces the backbone's blocks per stage, as
 * timm's `_resnetv2(layers)`.
 *
 * @example
 * ```ts
 * const small = createModel('vit_base_r50_s16_224', { backboneLayers: [1, 1], embedDim: 64, depth: 2, numHeads: 2 });
 * HYBRID_MODELS.vit_small_r26_s32_224.pretrainedCfg?.hfHubId; // 'timm/vit_small_r26_s32_224.augreg_in21k_ft_in1k'
 * ```
 */
export const HYBRID_MODELS: Readonly<Record<string, ModelRegistration>> = {
  vit_tiny_r_s16_p8_224: hybrid([], { patchSize: 8, ...TI }, cfg(224, { ...STEM_ONLY, source: AUGREG, hfHubId: 'timm/vit_tiny_r_s16_p8_224.augreg_in21k_ft_in1k' })),
  vit_tiny_r_s16_p8_384: hybrid([], { imgSize: 384, patchSize: 8, ...TI }, cfg(384, { ...STEM_ONLY, source: AUGREG, hfHubId: 'timm/vit_tiny_r_s16_p8_384.augreg_in21k_ft_in1k' })),
  vit_small_r26_s32_224: hybrid([2, 2, 2, 2], { patchSize: 1, ...S }, cfg(224, { source: AUGREG, hfHubId: 'timm/vit_small_r26_s32_224.augreg_in21k_ft_in1k' })),
  vit_small_r26_s32_384: hybrid([2, 2, 2, 2], { imgSize: 384, patchSize: 1, ...S }, cfg(384, { source: AUGREG, hfHubId: 'timm/vit_small_r26_s32_384.augreg_in21k_ft_in1k' })),
  vit_base_r26_s32_224: hybrid([2, 2, 2, 2], { patchSize: 1, ...B }, cfg(224, { source: 'no released weights (timm: untrained)' })),
  // timm's only vit_base_r50_s16_224 weights are the in21k pretrain without its head: 0 classes
  vit_base_r50_s16_224: hybrid(
    [3, 4, 9],
    { patchSize: 1, ...B, numClasses: 0 },
    cfg(224, { numClasses: 0, source: 'Google original R50+ViT-B/16 ImageNet-21k pretrain (head removed)', hfHubId: 'timm/vit_base_r50_s16_224.orig_in21k' }),
  ),
  vit_base_r50_s16_384: hybrid([3, 4, 9], { imgSize: 384, patchSize: 1, ...B }, cfg(384, { source: ORIG, hfHubId: 'timm/vit_base_r50_s16_384.orig_in21k_ft_in1k' })),
  vit_large_r50_s32_224: hybrid([3, 4, 6, 3], { patchSize: 1, ...L }, cfg(224, { source: AUGREG, hfHubId: 'timm/vit_large_r50_s32_224.augreg_in21k_ft_in1k' })),
  vit_large_r50_s32_384: hybrid([3, 4, 6, 3], { imgSize: 384, patchSize: 1, ...L }, cfg(384, { source: AUGREG, hfHubId: 'timm/vit_large_r50_s32_384.augreg_in21k_ft_in1k' })),
};
