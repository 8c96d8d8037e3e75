// An example hybrid: a convolutional stem (ConvStem) in place of the patchify conv, then ViT blocks.
import { ConvStem, type ConvStemOptions } from './conv_stem';
import { HybridEmbed } from './hybrid_embed';
import { createViT, type VisionTransformer, type VisionTransformerOptions } from './vision_transformer';

/** `createViT` options plus the stem's. */
export interface ConvStemViTOptions extends Omit<VisionTransformerOptions, 'embedLayer'> {
  /** The stem (default four stride-2 3x3 convs, [24, 48, 96, 192] channels: a /16 feature map). */
  stem?: Omit<ConvStemOptions, 'inChans'>;
}

/**
 * A ViT whose `patch_embed` is a `HybridEmbed` over a `ConvStem` (keys
 * `patch_embed.backbone.0.conv.weight`, …, `patch_embed.proj.weight`), with 1x1 feature patches.
 * `patchSize` is unused by the stem; the grid comes from the stem's stride.
 *
 * @example
 * ```ts
 * const vit = createConvStemViT({ embedDim: 192, depth: 12, numHeads: 3, numClasses: 10 });
 * vit.eval().forward(tf.zeros([1, 224, 224, 3])).shape; // [1, 10]
 * ```
 */
export function createConvStemViT(options: ConvStemViTOptions = {}): VisionTransformer {
  const { stem, ...vit } = options;
  return createViT({
    ...vit,
    embedLayer: (a) =>
      new HybridEmbed(new ConvStem({ ...stem, inChans: a.inChans }), {
        imgSize: a.imgSize,
        inChans: a.inChans,
        embedDim: a.embedDim,
        bias: a.bias,
      }),
  });
}
