// The default patch embedding of a VisionTransformer (layers' PatchEmbed, emitting the NHWC token
// grid and resizable by setInputSize) and position-embedding resampling as timm does it.
import * as tf from '@tensorflow/tfjs-core';
import { PatchEmbed, resamplePosEmbed } from '@tfjs-vit/layers';
import type { EmbedLayer, EmbedLayerArgs } from './vit_parts';

/**
 * timm's `PatchEmbed` as a ViT's `patch_embed`: a PxP/stride-P conv (`proj.weight`, `proj.bias`)
 * returning the token grid `[B, h, w, embedDim]`. The model checks the input size, so this one
 * accepts any multiple of the patch size; `setInputSize` changes the grid pos_embed refers to.
 *
 * @example
 * ```ts
 * const embed = new ViTPatchEmbed({ imgSize: [224, 224], patchSize: [16, 16], inChans: 3,
 *   embedDim: 768, bias: true, dynamicImgSize: false, dynamicImgPad: false });
 * embed.forward(tf.zeros([1, 224, 224, 3])).shape; // [1, 14, 14, 768]
 * ```
 */
export class ViTPatchEmbed extends PatchEmbed implements EmbedLayer {
  /** Always set: the ViT builds its embedding with an image size. */
  override get gridSize(): [number, number] {
    return super.gridSize as [number, number];
  }

  constructor(args: EmbedLayerArgs) {
    super({
      imgSize: args.imgSize,
      patchSize: args.patchSize,
      inChans: args.inChans,
      embedDim: args.embedDim,
      bias: args.bias,
      flatten: false,
      strictImgSize: false,
      dynamicImgPad: args.dynamicImgPad,
    });
  }

  override forward(x: tf.Tensor): tf.Tensor4D {
    return super.forward(x) as tf.Tensor4D;
  }
}

/** The default `embedLayer`: a `ViTPatchEmbed`. */
export function defaultEmbedLayer(args: EmbedLayerArgs): EmbedLayer {
  return new ViTPatchEmbed(args);
}

/**
 * Resamples a `[1, prefix + oh·ow, C]` position embedding to a `grid` as timm's
 * `resample_abs_pos_embed` (bicubic, antialiased); prefix tokens are kept as they are.
 *
 * @example
 * ```ts
 * resamplePositions(posEmbed, [24, 24], [14, 14], 1); // [1, 577, 768] from [1, 197, 768]
 * ```
 */
export function resamplePositions(
  posEmbed: tf.Tensor,
  grid: readonly [number, number],
  oldGrid: readonly [number, number],
  numPrefixTokens: number,
): tf.Tensor {
  return resamplePosEmbed(posEmbed, [grid[0], grid[1]], { oldSize: [oldGrid[0], oldGrid[1]], numPrefixTokens });
}
