// The injectable parts of a VisionTransformer (timm's norm_layer, act_layer, mlp_layer, block_fn,
// embed_layer) and what each must provide.
import * as tf from '@tensorflow/tfjs-core';
import type { BlockOptions, BlockWithAttention, MlpLayerArgs, Module, TensorModule } from '@tfjs-vit/layers';
import type { ActLayerName } from './vit_config';

/**
 * What `embedLayer` receives: the model's image and patch sizes, channels, width, whether the
 * projection has a bias (false with `preNorm`), and the dynamic-size flags.
 */
export interface EmbedLayerArgs {
  imgSize: [number, number];
  patchSize: [number, number];
  inChans: number;
  embedDim: number;
  bias: boolean;
  /** Accept inputs of any size (dynamicImgSize). */
  dynamicImgSize: boolean;
  /** Zero-pad inputs bottom/right to a multiple of the patch size. */
  dynamicImgPad: boolean;
}

/**
 * A token embedding (timm's `patch_embed`): NHWC images `[B, H, W, inChans]` → a grid of tokens
 * `[B, h, w, embedDim]`. `gridSize` is the grid at the model's `imgSize` (what `pos_embed` was
 * learned for).
 */
export interface EmbedLayer extends Module {
  forward(x: tf.Tensor4D): tf.Tensor4D;
  readonly gridSize: readonly [number, number];
  /** Called by `VisionTransformer.setInputSize` (optional: without it the size cannot change). */
  setInputSize?(imgSize: [number, number]): void;
}

/** A transformer block: `[B, N, C]` → `[B, N, C]`, optionally with its attention weights. */
export type BlockLike = TensorModule & { forwardWithAttention?(x: tf.Tensor): BlockWithAttention };

/** The parts a user can swap, each a factory as in timm's constructor. */
export interface ViTParts {
  /** Makes every LayerNorm of the model (default `LayerNorm(dim)` with eps `normEps`, 1e-6). */
  normLayer?: (dim: number) => TensorModule;
  /** The MLP activation: a factory, or timm's name (default 'gelu', exact). */
  actLayer?: ActLayerName | (() => TensorModule);
  /** Makes each block's MLP (default timm's `Mlp`). */
  mlpLayer?: (inFeatures: number, args: MlpLayerArgs) => TensorModule;
  /** Makes each block (default `new Block(dim, numHeads, options)`). */
  blockFn?: (dim: number, numHeads: number, options: BlockOptions) => BlockLike;
  /** Makes `patch_embed` (default a conv patch embedding; see `HybridEmbed` for a CNN stem). */
  embedLayer?: (args: EmbedLayerArgs) => EmbedLayer;
}
