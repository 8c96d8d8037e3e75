// Multi-head self-attention as timm's layers/attention.py Attention: one fused qkv Linear, optional
// q/k LayerNorm (qk_norm), attention dropout, output projection and its dropout.
import * as tf from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  assertRank,
  fmtShape,
  scaledDotProductAttention,
  scaledDotProductAttentionWithWeights,
  ShapeError,
} from '@tfjs-vit/ops';
import { Identity, type TensorModule } from './containers';
import { Dropout } from './dropout';
import type { InitMode } from './init';
import { LayerNorm } from './layer_norm';
import { Linear } from './linear';
import { Module } from './module';

export interface AttentionOptions {
  /** Heads; `dim` must be divisible by it (default 8). */
  numHeads?: number;
  /** Bias on the fused qkv projection (default false, as timm; ViT-B/16 checkpoints use true). */
  qkvBias?: boolean;
  /** LayerNorm q and k over headDim before the product (default false). */
  qkNorm?: boolean;
  /** Dropout on the attention weights while training (default 0). */
  attnDrop?: number;
  /** Dropout after the output projection while training (default 0). */
  projDrop?: number;
  /** Bias on the output projection (default true; timm's `proj_bias`). */
  projBias?: boolean;
  /** LayerNorm on the merged heads before `proj` (timm's `scale_norm`; child `norm`, default false). */
  scaleNorm?: boolean;
  /** Makes q_norm/k_norm when `qkNorm` and `norm` when `scaleNorm` (default `LayerNorm(headDim)` with eps 1e-6, as timm's ViT passes). */
  normLayer?: (dim: number) => TensorModule;
  /** Initial weights of qkv/proj (default `'timm'`). */
  init?: InitMode;
}

/** The output and the attention weights `[B, heads, N, N]` (softmax rows; after attention dropout while training). */
export interface AttentionWithWeights {
  output: tf.Tensor;
  weights: tf.Tensor;
}

/**
 * Multi-head self-attention on `[B, N, dim]` tokens. Children (timm's names): `qkv`, `q_norm`,
 * `k_norm`, `attn_drop`, `norm`, `proj`, `proj_drop`; `qkv.weight` is `[3·dim, dim]` with rows q | k | v,
 * each head-major (head h owns rows h·headDim … (h+1)·headDim-1), so timm checkpoints load as is.
 *
 * @example
 * ```ts
 * const attn = new Attention(768, { numHeads: 12, qkvBias: true });
 * const y = attn.forward(tf.zeros([1, 197, 768]));                 // [1, 197, 768]
 * const { output, weights } = attn.forwardWithWeights(tokens);    // weights [1, 12, 197, 197]
 * ```
 */
export class Attention extends Module {
  readonly dim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly scale: number;
  readonly qkv: Linear;
  readonly qNorm: TensorModule;
  readonly kNorm: TensorModule;
  readonly attnDrop: Dropout;
  readonly norm: TensorModule;
  readonly proj: Linear;
  readonly projDrop: Dropout;

  constructor(dim: number, options: AttentionOptions = {}) {
    super();
    const numHeads = options.numHeads ?? 8;
    if (!(Number.isInteger(numHeads) && numHeads > 0) || dim % numHeads !== 0) {
      throw new ArgumentError(`Attention: dim (${dim}) must be divisible by numHeads (${numHeads})`);
    }
    this.dim = dim;
    this.numHeads = numHeads;
    this.headDim = dim / numHeads;
    this.scale = this.headDim ** -0.5;
    const norm = options.normLayer ?? ((d: number) => new LayerNorm(d));
    this.qkv = this.registerModule('qkv', new Linear(dim, dim * 3, { bias: options.qkvBias ?? false, init: options.init }));
    this.qNorm = this.registerModule('q_norm', options.qkNorm ? norm(this.headDim) : new Identity());
    this.kNorm = this.registerModule('k_norm', options.qkNorm ? norm(this.headDim) : new Identity());
    this.attnDrop = this.registerModule('attn_drop', new Dropout(options.attnDrop ?? 0));
    this.norm = this.registerModule('norm', options.scaleNorm ? norm(dim) : new Identity());
    this.proj = this.registerModule('proj', new Linear(dim, dim, { bias: options.projBias ?? true, init: options.init }));
    this.projDrop = this.registerModule('proj_drop', new Dropout(options.projDrop ?? 0));
  }

  /** `x [B, N, dim]` → `[B, N, dim]`. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.run(x, false).output);
  }

  /** Also returns the attention weights `[B, heads, N, N]` (e.g. for attention maps, seed 002). */
  forwardWithWeights(x: tf.Tensor): AttentionWithWeights {
    const [output, weights] = tf.tidy(() => {
      const r = this.run(x, true);
      return [r.output, r.weights as tf.Tensor];
    });
    return { output, weights };
  }

  private run(x: tf.Tensor, withWeights: boolean): { output: tf.Tensor; weights?: tf.Tensor } {
    assertRank('Attention input', x.shape, 3);
    const [b, n, c] = x.shape;
    if (c !== this.dim) throw new ShapeError(`Attention: expected input [B, N, ${this.dim}], got ${fmtShape(x.shape)}`);
    // [B, N, 3·dim] → q, k, v of [B, heads, N, headDim] (columns q|k|v then heads, as timm's
    // reshape/permute). Split first, then 4-D transposes: wasm's 5-D transpose is 6–12x slower
    // (measured here at [128, 17, 3, 4, 16] and [8, 197, 3, 12, 64]).
    const [q0, k0, v] = tf
      .split(this.qkv.forward(x), 3, 2)
      .map((t) => tf.transpose(tf.reshape(t, [b, n, this.numHeads, this.headDim]), [0, 2, 1, 3]));
    const q = this.qNorm.forward(q0);
    const k = this.kNorm.forward(k0);
    const opts = { scale: this.scale, dropout: this.attnDrop.p, training: this.training };
    let out: tf.Tensor;
    let weights: tf.Tensor | undefined;
    if (withWeights) {
      const r = scaledDotProductAttentionWithWeights(q, k, v, opts);
      out = r.output;
      weights = r.weights;
    } else {
      out = scaledDotProductAttention(q, k, v, opts);
    }
    const merged = tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [b, n, c]);
    return { output: this.projDrop.forward(this.proj.forward(this.norm.forward(merged))), weights };
  }
}
