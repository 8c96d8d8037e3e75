// The pre-norm transformer encoder block of ViT (timm's vision_transformer.Block):
//   x = x + drop_path1(ls1(attn(norm1(x)))),  x = x + drop_path2(ls2(mlp(norm2(x)))).
import * as tf from '@tensorflow/tfjs-core';
import { GELU } from './activation';
import { Attention } from './attention';
import { Identity, type TensorModule } from './containers';
import { DropPath } from './drop_path';
import { LayerNorm } from './layer_norm';
import { LayerScale } from './layer_scale';
import { Mlp, type MlpLayerArgs } from './mlp';
import { Module } from './module';

export interface BlockOptions {
  /** MLP hidden width as a multiple of dim (default 4). */
  mlpRatio?: number;
  /** Bias on the fused qkv projection (default false, as timm's Block). */
  qkvBias?: boolean;
  /** LayerNorm on q and k (default false). */
  qkNorm?: boolean;
  /** Biases of attention's `proj` and of the MLP's fc1/fc2 (default true; timm's `proj_bias`). */
  projBias?: boolean;
  /** LayerNorm inside attention before its projection (`attn.norm`; timm's `scale_attn_norm`, default false). */
  scaleAttnNorm?: boolean;
  /** LayerNorm on the MLP's hidden features (`mlp.norm`; timm's `scale_mlp_norm`, default false). */
  scaleMlpNorm?: boolean;
  /** Dropout after attention's projection and inside the MLP (default 0). */
  projDrop?: number;
  /** Dropout on the attention weights (default 0). */
  attnDrop?: number;
  /** LayerScale init; when unset (or 0) ls1/ls2 are Identity (no `gamma`), as timm. */
  initValues?: number | null;
  /** Stochastic-depth rate of both residual branches; 0 (default) makes drop_path1/2 Identity. */
  dropPath?: number;
  /** Makes the MLP's activation (default exact GELU). */
  actLayer?: () => TensorModule;
  /** Makes norm1, norm2 (and q_norm/k_norm) (default `LayerNorm(dim)`, eps 1e-6). */
  normLayer?: (dim: number) => TensorModule;
  /** Makes the MLP (default timm's `Mlp`); e.g. a SwiGLU. */
  mlpLayer?: (inFeatures: number, args: MlpLayerArgs) => TensorModule;
}

/** A block's output with the attention weights `[B, heads, N, N]` of its attention. */
export interface BlockWithAttention {
  output: tf.Tensor;
  attention: tf.Tensor;
}

/**
 * One ViT encoder block on `[B, N, dim]` tokens. Children (timm's names): `norm1`, `attn`, `ls1`,
 * `drop_path1`, `norm2`, `mlp`, `ls2`, `drop_path2`, so `blocks.3.attn.qkv.weight` loads as is.
 *
 * @example
 * ```ts
 * const block = new Block(768, 12, { qkvBias: true, dropPath: 0.1 });
 * const y = block.forward(tf.zeros([1, 197, 768]));           // [1, 197, 768]
 * const { output, attention } = block.forwardWithAttention(x); // attention [1, 12, 197, 197]
 * ```
 */
export class Block extends Module {
  readonly norm1: TensorModule;
  readonly attn: Attention;
  readonly ls1: TensorModule;
  readonly dropPath1: TensorModule;
  readonly norm2: TensorModule;
  readonly mlp: TensorModule;
  readonly ls2: TensorModule;
  readonly dropPath2: TensorModule;

  constructor(dim: number, numHeads: number, options: BlockOptions = {}) {
    super();
    const norm = options.normLayer ?? ((d: number) => new LayerNorm(d));
    const initValues = options.initValues;
    const rate = options.dropPath ?? 0;
    const scale = () => (initValues ? new LayerScale(dim, initValues) : new Identity());
    const drop = () => (rate > 0 ? new DropPath(rate) : new Identity());
    const mlpArgs: MlpLayerArgs = {
      hiddenFeatures: Math.floor(dim * (options.mlpRatio ?? 4)),
      actLayer: options.actLayer ?? (() => new GELU()),
      drop: options.projDrop ?? 0,
      bias: options.projBias ?? true,
      ...(options.scaleMlpNorm ? { normLayer: norm } : {}),
    };
    const mlp = options.mlpLayer ?? ((d: number, a: MlpLayerArgs) => new Mlp(d, a));
    this.norm1 = this.registerModule('norm1', norm(dim));
    this.attn = this.registerModule(
      'attn',
      new Attention(dim, {
        numHeads,
        qkvBias: options.qkvBias ?? false,
        qkNorm: options.qkNorm ?? false,
        projBias: options.projBias ?? true,
        scaleNorm: options.scaleAttnNorm ?? false,
        attnDrop: options.attnDrop ?? 0,
        projDrop: options.projDrop ?? 0,
        normLayer: norm,
      }),
    );
    this.ls1 = this.registerModule('ls1', scale());
    this.dropPath1 = this.registerModule('drop_path1', drop());
    this.norm2 = this.registerModule('norm2', norm(dim));
    this.mlp = this.registerModule('mlp', mlp(dim, mlpArgs));
    this.ls2 = this.registerModule('ls2', scale());
    this.dropPath2 = this.registerModule('drop_path2', drop());
  }

  /** `x [B, N, dim]` → `[B, N, dim]`. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.mlpBranch(tf.add(x, this.dropPath1.forward(this.ls1.forward(this.attn.forward(this.norm1.forward(x)))))));
  }

  /** The output and this block's attention weights (for attention maps, seed 002). */
  forwardWithAttention(x: tf.Tensor): BlockWithAttention {
    const [output, attention] = tf.tidy(() => {
      const { output: a, weights } = this.attn.forwardWithWeights(this.norm1.forward(x));
      const y = this.mlpBranch(tf.add(x, this.dropPath1.forward(this.ls1.forward(a))));
      return [y, weights];
    });
    return { output, attention };
  }

  private mlpBranch(x: tf.Tensor): tf.Tensor {
    return tf.add(x, this.dropPath2.forward(this.ls2.forward(this.mlp.forward(this.norm2.forward(x)))));
  }
}
