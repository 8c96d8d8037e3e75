// Attention pooling with a learned latent query (timm's layers/attention_pool.py
// AttentionPoolLatent; SigLIP's "MAP" head, big_vision's MAPHead): the latent attends over the
// tokens, then a residual MLP refines the pooled vector.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, assertRank, fmtShape, scaledDotProductAttention, ShapeError } from '@tfjs-vit/ops';
import { GELU } from './activation';
import type { TensorModule } from './containers';
import { Dropout } from './dropout';
import { truncNormalInit } from './init';
import { LayerNorm } from './layer_norm';
import { Linear } from './linear';
import { Mlp } from './mlp';
import { Module, type Parameter } from './module';

export interface AttentionPoolLatentOptions {
  /** Heads; `dim` must be divisible by it (default 8). */
  numHeads?: number;
  /** MLP hidden width / dim (default 4). */
  mlpRatio?: number;
  /** Bias on `q` and `kv` (default true). */
  qkvBias?: boolean;
  /** Latent queries (default 1). */
  latentLen?: number;
  /** How the `latentLen` outputs become one: 'token' (the first, default), 'avg', or '' (keep `[B, latentLen, dim]`). */
  poolType?: 'token' | 'avg' | '';
  /** Makes the norm before the MLP (default `LayerNorm(dim)`, eps 1e-5 as timm's fallback). */
  normLayer?: (dim: number) => TensorModule;
  /** Makes the MLP activation (default exact GELU). */
  actLayer?: () => TensorModule;
  /** Dropout after `proj` (default 0). */
  drop?: number;
}

/**
 * Pools `[B, N, dim]` tokens to `[B, dim]` with a learned latent query: multi-head attention of
 * the latent over the tokens, `proj`, then `x + mlp(norm(x))`. State-dict keys as timm's:
 * `latent [1, latentLen, dim]`, `q`, `kv` (k and v fused, `[2·dim, dim]`), `proj`, `norm`,
 * `mlp.fc1`, `mlp.fc2` — the `attn_pool.*` of a SigLIP ViT (`globalPool: 'map'`).
 *
 * @example
 * ```ts
 * const pool = new AttentionPoolLatent(768, { numHeads: 12 });
 * pool.forward(tf.zeros([2, 196, 768])).shape; // [2, 768]
 * ```
 */
export class AttentionPoolLatent extends Module {
  readonly dim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly latentLen: number;
  readonly poolType: 'token' | 'avg' | '';
  readonly latent: Parameter;
  readonly q: Linear;
  readonly kv: Linear;
  readonly proj: Linear;
  readonly projDrop: Dropout;
  readonly norm: TensorModule;
  readonly mlp: Mlp;

  constructor(dim: number, options: AttentionPoolLatentOptions = {}) {
    super();
    const numHeads = options.numHeads ?? 8;
    if (!(Number.isInteger(dim) && dim > 0 && Number.isInteger(numHeads) && numHeads > 0) || dim % numHeads !== 0) {
      throw new ArgumentError(`AttentionPoolLatent: dim (${dim}) must be a positive multiple of numHeads (${numHeads})`);
    }
    const latentLen = options.latentLen ?? 1;
    if (!(Number.isInteger(latentLen) && latentLen > 0)) throw new ArgumentError(`AttentionPoolLatent: latentLen must be a positive integer, got ${latentLen}`);
    const poolType = options.poolType ?? 'token';
    if (!['token', 'avg', ''].includes(poolType)) throw new ArgumentError(`AttentionPoolLatent: poolType must be 'token', 'avg' or '', got '${String(poolType)}'`);
    this.dim = dim;
    this.numHeads = numHeads;
    this.headDim = dim / numHeads;
    this.latentLen = latentLen;
    this.poolType = poolType;
    const bias = options.qkvBias ?? true;
    this.latent = this.registerParameter('latent', truncNormalInit([1, latentLen, dim], dim ** -0.5));
    this.q = this.registerModule('q', new Linear(dim, dim, { bias }));
    this.kv = this.registerModule('kv', new Linear(dim, 2 * dim, { bias }));
    this.proj = this.registerModule('proj', new Linear(dim, dim));
    this.projDrop = this.registerModule('proj_drop', new Dropout(options.drop ?? 0));
    this.norm = this.registerModule('norm', options.normLayer ? options.normLayer(dim) : new LayerNorm(dim, { eps: 1e-5 }));
    this.mlp = this.registerModule('mlp', new Mlp(dim, { mlpRatio: options.mlpRatio ?? 4, actLayer: options.actLayer ?? (() => new GELU()) }));
  }

  /** `x [B, N, dim]` → `[B, dim]` (or `[B, latentLen, dim]` with poolType ''). */
  forward(x: tf.Tensor): tf.Tensor {
    assertRank('AttentionPoolLatent input', x.shape, 3);
    const [b, n, c] = x.shape;
    if (c !== this.dim) throw new ShapeError(`AttentionPoolLatent: expected input [B, N, ${this.dim}], got ${fmtShape(x.shape)}`);
    return tf.tidy(() => {
      const heads = (t: tf.Tensor, len: number) => tf.transpose(tf.reshape(t, [b, len, this.numHeads, this.headDim]), [0, 2, 1, 3]);
      const latent = tf.broadcastTo(this.latent.value, [b, this.latentLen, c]);
      const q = heads(this.q.forward(latent), this.latentLen);
      // kv's rows are k | v, each head-major (timm reshapes to [B, N, 2, heads, headDim])
      const [k, v] = tf.split(this.kv.forward(x), 2, 2).map((t) => heads(t, n));
      const attended = scaledDotProductAttention(q, k, v, { scale: this.headDim ** -0.5 });
      let y = this.projDrop.forward(this.proj.forward(tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [b, this.latentLen, c])));
      y = tf.add(y, this.mlp.forward(this.norm.forward(y)));
      if (this.poolType === 'token') return tf.reshape(tf.slice(y, [0, 0, 0], [b, 1, c]), [b, c]);
      if (this.poolType === 'avg') return tf.mean(y, 1);
      return y;
    });
  }
}
