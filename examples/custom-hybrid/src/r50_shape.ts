// timm's hybrid shape (vit_base_r50_s16_224: a ResNet stem and stages make a /16 feature map, a
// 1×1 `proj` turns each cell into a token) from our layers, at any width: a 7×7 stride-2 conv, a
// norm, a 3×3 stride-2 max-pool (timm's ResNet stem), two stride-2 convs as the "stages", then
// HybridEmbed + the standard VisionTransformer. The keys follow timm's layout
// (`patch_embed.backbone.…`, `patch_embed.proj.…`) but timm's own ResNetV2 (weight-standardised
// convs, GroupNorm, bottleneck blocks) is not built here, so its checkpoints do not load.
import { Conv2d, GELU, LayerNorm, MaxPool2d, Sequential } from '@tfjs-vit/layers';
import { createViT, HybridEmbed, type VisionTransformer } from '@tfjs-vit/models';

/** Widths of {@link r50ShapedViT}: timm's are stem 64, stages up to 1024, embed 768, depth 12. */
export interface R50ShapeOptions {
  imgSize?: number;
  inChans?: number;
  stem?: number;
  stages?: [number, number];
  embedDim?: number;
  depth?: number;
  numHeads?: number;
  numClasses?: number;
}

/** A VisionTransformer whose patch embedding is a /16 CNN (ResNet-stem-shaped) + 1×1 projection. */
export function r50ShapedViT(o: R50ShapeOptions = {}): VisionTransformer {
  const [s1, s2] = o.stages ?? [256, 1024];
  const stem = o.stem ?? 64;
  const inChans = o.inChans ?? 3;
  const backbone = () =>
    new Sequential([
      new Conv2d(inChans, stem, 7, { stride: 2, padding: 3, bias: false }), new LayerNorm(stem), new GELU(),
      new MaxPool2d(3, { stride: 2, padding: 1 }), // /4, as timm's ResNet stem
      new Conv2d(stem, s1, 3, { stride: 2, padding: 1 }), new GELU(), // /8
      new Conv2d(s1, s2, 3, { stride: 2, padding: 1 }), new GELU(), // /16
    ]);
  return createViT({
    imgSize: o.imgSize ?? 224, inChans, embedDim: o.embedDim ?? 768, depth: o.depth ?? 12, numHeads: o.numHeads ?? 12, numClasses: o.numClasses ?? 1000,
    embedLayer: (a) => new HybridEmbed(backbone(), { imgSize: a.imgSize, inChans: a.inChans, embedDim: a.embedDim }),
  });
}
